package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// TextOptions controls the human-readable rendering.
type TextOptions struct {
	// Color enables ANSI colours. Callers enable it only when the output is a
	// terminal and NO_COLOR is unset.
	Color bool
}

// Styles, written with StyleMark: a SafeWriter with styles turns them into
// terminal escape sequences.
const (
	ansiReset  = StyleMark + "[0m"
	ansiBold   = StyleMark + "[1m"
	ansiDim    = StyleMark + "[2m"
	ansiRed    = StyleMark + "[31m"
	ansiYellow = StyleMark + "[33m"
	ansiBlue   = StyleMark + "[34m"
)

func (o TextOptions) paint(code, s string) string {
	if !o.Color {
		return s
	}
	return code + s + ansiReset
}

func (o TextOptions) severity(s Severity) string {
	switch s {
	case SeverityError:
		return o.paint(ansiRed+ansiBold, "error")
	case SeverityWarning:
		return o.paint(ansiYellow, "warning")
	case SeverityInfo:
		return o.paint(ansiBlue, "info")
	}
	return s.String()
}

// SortFindings orders findings by file, line, image, layer, path and rule so
// that every output format is deterministic.
func SortFindings(fs []Finding) {
	layer := func(f Finding) int {
		if f.Layer == nil {
			return -1
		}
		return *f.Layer
	}
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		switch {
		case a.File != b.File:
			return a.File < b.File
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.Image != b.Image:
			return a.Image < b.Image
		case layer(a) != layer(b):
			return layer(a) < layer(b)
		case a.Path != b.Path:
			return a.Path < b.Path
		}
		return a.Rule < b.Rule
	})
}

// WriteText renders findings for people: grouped by file (or image), one
// finding per line with its fix indented below, and a summary line.
func WriteText(w io.Writer, findings []Finding, o TextOptions) error {
	fs := append([]Finding(nil), findings...)
	SortFindings(fs)
	var b strings.Builder
	group := "\x00"
	for _, f := range fs {
		g := f.File
		if g == "" {
			g = f.Image
		}
		if g != group {
			if group != "\x00" {
				b.WriteByte('\n')
			}
			group = g
			if g != "" {
				b.WriteString(o.paint(ansiBold, g) + "\n")
			}
		}
		loc := ""
		switch {
		case f.File != "" && f.Line > 0:
			loc = fmt.Sprintf("%d", f.Line)
		case f.File == "":
			loc = strings.TrimPrefix(f.Location(), f.Image)
		}
		if loc != "" {
			loc += " "
		}
		fmt.Fprintf(&b, "  %s%s %s %s\n", loc, o.severity(f.Severity),
			o.paint(ansiBold, f.Rule), f.Message)
		if f.Fix != "" {
			fmt.Fprintf(&b, "      %s %s\n", o.paint(ansiDim, "fix:"), f.Fix)
		}
	}
	if len(fs) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(Summary(fs) + "\n")
	// Messages quote Dockerfiles and images: escape their control
	// characters; only our own styles reach the terminal.
	sw := NewSafeWriter(w, o.Color)
	if _, err := io.WriteString(sw, b.String()); err != nil {
		return err
	}
	err := Flush(sw)
	return err
}

// Summary returns e.g. "3 findings: 1 error, 2 warnings" or "no findings".
func Summary(fs []Finding) string {
	if len(fs) == 0 {
		return "no findings"
	}
	counts := map[Severity]int{}
	for _, f := range fs {
		counts[f.Severity]++
	}
	var parts []string
	for _, s := range []Severity{SeverityError, SeverityWarning, SeverityInfo, SeverityUnknown} {
		if n := counts[s]; n > 0 {
			name := s.String()
			if n > 1 && s != SeverityInfo && s != SeverityUnknown {
				name += "s"
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, name))
		}
	}
	noun := "findings"
	if len(fs) == 1 {
		noun = "finding"
	}
	return fmt.Sprintf("%d %s: %s", len(fs), noun, strings.Join(parts, ", "))
}
