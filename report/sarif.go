package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// Tool identifies the program that produced a SARIF log.
type Tool struct {
	Name           string
	Version        string
	InformationURI string
	// RulesURI is the base of per-rule help links; the rule ID is appended as
	// a lower-case fragment, e.g. RulesURI + "#py301".
	RulesURI string
}

// SARIF builds a SARIF 2.1.0 log of findings. Every rule in rules is listed in
// the tool driver with its summary, help (why and fix) and default level, so
// viewers such as GitHub code scanning show rule help.
func SARIF(tool Tool, rules []Rule, findings []Finding) *sarif.Report {
	rep := sarif.NewReport()
	run := sarif.NewRunWithInformationURI(tool.Name, tool.InformationURI)
	if tool.Version != "" {
		run.Tool.Driver.WithVersion(tool.Version)
	}
	for _, r := range rules {
		d := run.AddRule(r.ID).
			WithName(r.Name).
			WithShortDescription(sarif.NewMultiformatMessageString().WithText(r.Summary)).
			WithFullDescription(sarif.NewMultiformatMessageString().WithText(r.Why)).
			WithHelp(sarif.NewMultiformatMessageString().
				WithText(fmt.Sprintf("%s\n\nWhy: %s\n\nFix: %s", r.Summary, r.Why, r.Fix)).
				WithMarkdown(ruleMarkdown(r))).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(r.Severity)))
		if tool.RulesURI != "" {
			d.WithHelpURI(tool.RulesURI + "#" + strings.ToLower(r.ID))
		}
	}
	fs := append([]Finding(nil), findings...)
	SortFindings(fs)
	for _, f := range fs {
		if run.GetRuleIndex(f.Rule) < 0 {
			run.AddRule(f.Rule).WithName(f.Name)
		}
		res := run.CreateResultForRule(f.Rule).
			WithLevel(sarifLevel(f.Severity)).
			WithMessage(sarif.NewTextMessage(messageWithFix(f)))
		uri := f.File
		if uri == "" {
			uri = strings.TrimPrefix(f.Path, "/")
		}
		if uri == "" {
			continue
		}
		pl := sarif.NewPhysicalLocation().WithArtifactLocation(sarif.NewSimpleArtifactLocation(uri))
		if f.Line > 0 {
			end := f.EndLine
			if end < f.Line {
				end = f.Line
			}
			pl.WithRegion(sarif.NewRegion().WithStartLine(f.Line).WithEndLine(end))
		}
		res.AddLocation(sarif.NewLocationWithPhysicalLocation(pl))
	}
	rep.AddRun(run)
	return rep
}

// WriteSARIF writes the SARIF log built by SARIF as indented JSON.
func WriteSARIF(w io.Writer, tool Tool, rules []Rule, findings []Finding) error {
	return SARIF(tool, rules, findings).PrettyWrite(w)
}

func messageWithFix(f Finding) string {
	if f.Fix == "" {
		return f.Message
	}
	return f.Message + " Fix: " + f.Fix
}

func sarifLevel(s Severity) string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	case SeverityInfo:
		return "note"
	}
	return "none"
}

func ruleMarkdown(r Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s %s** — %s\n\n**Why:** %s\n\n**Fix:** %s\n", r.ID, r.Name, r.Summary, r.Why, r.Fix)
	if r.Bad != "" {
		fmt.Fprintf(&b, "\nBad:\n\n```\n%s\n```\n", strings.TrimRight(r.Bad, "\n"))
	}
	if r.Good != "" {
		fmt.Fprintf(&b, "\nGood:\n\n```\n%s\n```\n", strings.TrimRight(r.Good, "\n"))
	}
	return b.String()
}
