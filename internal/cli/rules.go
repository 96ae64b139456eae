package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/analyze"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/lint/rules"
	"github.com/pyimg/pyimg/report"
)

// ruleGroups is the whole catalogue, lint rules by family then image rules,
// as documented in docs/rules.md.
func ruleGroups() []report.RuleGroup {
	families := []struct{ prefix, title, intro string }{
		{"PY1", "Base image (PY1xx)", "Which image a stage starts from: pinned, supported, and the same Python in every stage."},
		{"PY2", "Security (PY2xx)", "Who the container runs as and what secrets reach the image."},
		{"PY3", "Size and cache (PY3xx)", "Bytes that stay in layers, and build-cache use."},
		{"PY4", "Runtime (PY4xx)", "How the container behaves when it runs."},
		{"PY5", "Python correctness (PY5xx)", "Python packaging mistakes that break at run time."},
	}
	all := lint.New(rules.All(nil)).Rules()
	var groups []report.RuleGroup
	for _, fam := range families {
		g := report.RuleGroup{Title: fam.title, Intro: fam.intro}
		for _, r := range all {
			if strings.HasPrefix(r.ID, fam.prefix) {
				g.Rules = append(g.Rules, r)
			}
		}
		groups = append(groups, g)
	}
	groups = append(groups, report.RuleGroup{
		Title: "Image (PY6xx)",
		Intro: "Findings of `pyimg analyze` on a built image. Bad and good describe image contents.",
		Rules: analyze.Rules(),
	})
	return groups
}

func allRules() []report.Rule {
	var out []report.Rule
	for _, g := range ruleGroups() {
		out = append(out, g.Rules...)
	}
	return out
}

const rulesDocTitle = "pyimg rules"

const rulesDocIntro = `Every rule pyimg reports, with its ID, name, default severity, the concrete
failure it prevents, the fix, and a bad and a good example. Rule IDs are a
stable interface: suppress with ` + "`# pyimg: ignore=PY301`" + ` above an instruction,
` + "`# pyimg: global ignore=PY104`" + ` for a whole Dockerfile, or ` + "`ignore = [\"PY104\"]`" + ` in
` + "`[tool.pyimg.lint]`" + `; change severities with ` + "`severity = {PY402 = \"warning\"}`" + `.

This page is generated from the rule metadata in code
(` + "`go test ./internal/cli -run TestRulesDoc -update`" + `); a test fails when they differ.`

// writeRulesDoc renders docs/rules.md.
func writeRulesDoc(w io.Writer) error {
	return report.WriteRulesMarkdown(w, rulesDocTitle, rulesDocIntro, ruleGroups())
}

func newRulesCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "rules [ID...]",
		Short: "List the rules, or explain some",
		Long:  "List every lint and image rule with its severity and summary, or explain the given rules: why they matter, how to fix, and examples.",
		Example: `  pyimg rules
  pyimg rules PY304 PY201
  pyimg rules --format json
  pyimg rules --format markdown > rules.md`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "text", "json", "markdown"); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "markdown" {
				return writeRulesDoc(out)
			}
			rs := allRules()
			if len(args) > 0 {
				byID := map[string]report.Rule{}
				for _, r := range rs {
					byID[r.ID] = r
				}
				rs = rs[:0:0]
				for _, id := range args {
					r, ok := byID[strings.ToUpper(id)]
					if !ok {
						return usageError(fmt.Errorf("unknown rule %q (run 'pyimg rules' for the list)", id))
					}
					rs = append(rs, r)
				}
				if format == "text" {
					return explainRules(out, rs)
				}
			}
			if format == "json" {
				return report.EncodeJSON(out, struct {
					Rules []report.Rule `json:"rules"`
				}{rs})
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			for _, r := range rs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Severity, r.Name, r.Summary)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text, json or markdown")
	return cmd
}

func explainRules(w io.Writer, rs []report.Rule) error {
	var b strings.Builder
	for i, r := range rs {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s %s (%s)\n  %s\n\nWhy: %s\n\nFix: %s\n", r.ID, r.Name, r.Severity, r.Summary, r.Why, r.Fix)
		if r.Bad != "" {
			fmt.Fprintf(&b, "\nBad:\n%s\n", indent(r.Bad))
		}
		if r.Good != "" {
			fmt.Fprintf(&b, "\nGood:\n%s\n", indent(r.Good))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}
