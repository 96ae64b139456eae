package cli

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/pyimg/pyimg/report"
)

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// color reports whether to colour output written to w: only on a terminal,
// and never when NO_COLOR is set (https://no-color.org) or --no-color given.
func (a *app) color(w io.Writer) bool {
	if a.flags.noColor || a.env.Getenv("NO_COLOR") != "" || a.env.Getenv("TERM") == "dumb" {
		return false
	}
	return a.env.IsTerminal(w)
}

// output returns the writer for a command's output. Output for people
// (human is true) goes through report.NewSafeWriter, which shows the
// control characters an image, a Dockerfile or a database may hold instead
// of sending them to the terminal, and styles only on a colour terminal.
// Flush it with report.Flush when done.
func (a *app) output(w io.Writer, human bool) io.Writer {
	if !human {
		return w
	}
	return report.NewSafeWriter(w, a.color(w))
}

// checkFormat validates --format against the formats a command supports.
func checkFormat(format string, allowed ...string) error {
	if slices.Contains(allowed, format) {
		return nil
	}
	return usageError(fmt.Errorf("unknown --format %q (want %s)", format, strings.Join(allowed, ", ")))
}

// parseFailOn parses --fail-on.
func parseFailOn(s string) (report.Severity, error) {
	sev, err := report.ParseSeverity(s)
	if err != nil {
		return 0, usageError(fmt.Errorf("--fail-on: %w", err))
	}
	return sev, nil
}

// parseNow parses --now as RFC 3339 or YYYY-MM-DD; empty means the clock.
func (a *app) parseNow(s string) (time.Time, error) {
	if s == "" {
		return a.env.Now(), nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usageError(fmt.Errorf("--now %q: want YYYY-MM-DD or RFC 3339", s))
}

// writeFindings renders findings in format and returns errFindings when any
// is at or above failOn.
func (a *app) writeFindings(w io.Writer, format string, rules []report.Rule, findings []report.Finding, failOn report.Severity) error {
	var err error
	switch format {
	case "json":
		err = report.WriteJSON(w, findings)
	case "sarif":
		err = report.WriteSARIF(w, a.tool(), rules, findings)
	default:
		// WriteText escapes control characters itself.
		err = report.WriteText(w, findings, report.TextOptions{Color: a.color(w)})
	}
	if err != nil {
		return runtimeError(fmt.Errorf("writing report: %w", err))
	}
	if report.AtOrAbove(findings, failOn) {
		return errFindings
	}
	return nil
}

func (a *app) tool() report.Tool {
	return report.Tool{
		Name:           "pyimg",
		Version:        a.env.Version,
		InformationURI: "https://github.com/pyimg/pyimg",
		RulesURI:       "https://github.com/pyimg/pyimg/blob/main/docs/rules.md",
	}
}
