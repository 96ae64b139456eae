package report

import (
	"fmt"
	"io"
	"strings"
)

// RuleGroup is a titled set of rules, e.g. "Base image (PY1xx)".
type RuleGroup struct {
	Title string
	Intro string
	Rules []Rule
}

// WriteRulesMarkdown renders the rule catalogue as Markdown: an index table,
// then one section per rule with its ID, name, severity, summary, why, fix and
// the bad and good examples. docs/rules.md is generated with it.
func WriteRulesMarkdown(w io.Writer, title, intro string, groups []RuleGroup) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", title)
	if intro != "" {
		b.WriteString(strings.TrimSpace(intro) + "\n\n")
	}
	b.WriteString("| ID | Name | Severity | Summary |\n|---|---|---|---|\n")
	for _, g := range groups {
		for _, r := range g.Rules {
			fmt.Fprintf(&b, "| [%s](#%s) | `%s` | %s | %s |\n", r.ID, strings.ToLower(r.ID), r.Name, r.Severity, escapeCell(r.Summary))
		}
	}
	for _, g := range groups {
		fmt.Fprintf(&b, "\n## %s\n", g.Title)
		if g.Intro != "" {
			fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(g.Intro))
		}
		for _, r := range g.Rules {
			fmt.Fprintf(&b, "\n### %s\n\n", r.ID)
			fmt.Fprintf(&b, "**%s** · default severity: %s\n\n", r.Name, r.Severity)
			fmt.Fprintf(&b, "%s\n\n", r.Summary)
			fmt.Fprintf(&b, "**Why.** %s\n\n", r.Why)
			fmt.Fprintf(&b, "**Fix.** %s\n", r.Fix)
			lang := "dockerfile"
			if !looksLikeDockerfile(r.Bad + r.Good) {
				lang = "text"
			}
			if r.Bad != "" {
				fmt.Fprintf(&b, "\nBad:\n\n```%s\n%s\n```\n", lang, strings.TrimRight(r.Bad, "\n"))
			}
			if r.Good != "" {
				fmt.Fprintf(&b, "\nGood:\n\n```%s\n%s\n```\n", lang, strings.TrimRight(r.Good, "\n"))
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func looksLikeDockerfile(s string) bool {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(strings.ToUpper(l), "FROM ") {
			return true
		}
	}
	return false
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
