// Package report holds the finding vocabulary shared by lint, analyze and
// scan, and renders findings as text, JSON and SARIF 2.1.0.
package report

import (
	"fmt"
	"strings"
)

// Severity orders how serious a finding is. Higher is worse.
type Severity int

// Severities in increasing order. The zero value is SeverityUnknown.
const (
	SeverityUnknown Severity = iota
	SeverityInfo
	SeverityWarning
	SeverityError
)

var severityNames = [...]string{"unknown", "info", "warning", "error"}

// String returns the lower-case name used in every output format.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity parses "info", "warning" or "error" (case-insensitive).
// "none" and "never" return SeverityUnknown with ok, meaning no threshold.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "info", "style", "note":
		return SeverityInfo, nil
	case "warning", "warn":
		return SeverityWarning, nil
	case "error":
		return SeverityError, nil
	case "none", "never", "":
		return SeverityUnknown, nil
	}
	return SeverityUnknown, fmt.Errorf("unknown severity %q (want info, warning, error or none)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Rule describes a check: its stable ID (e.g. "PY301"), a short kebab-case
// name, its default severity, a one-line summary, why it matters and how to
// fix it. Rules are documented in docs/rules.md and rendered as SARIF rule
// help.
type Rule struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Severity Severity `json:"severity"`
	Summary  string   `json:"summary"`
	Why      string   `json:"why"`
	Fix      string   `json:"fix"`
	// Bad and Good are short examples (a Dockerfile snippet for lint rules,
	// a description of image contents for image rules). For lint rules the
	// tests check that Bad triggers the rule and Good does not.
	Bad  string `json:"bad,omitempty"`
	Good string `json:"good,omitempty"`
}

// Finding is one problem found by lint, analyze or scan. Location fields are
// filled as they apply: File/Line for Dockerfiles, Image/Layer/Path for images.
type Finding struct {
	Rule     string   `json:"rule"`
	Name     string   `json:"name"`
	Severity Severity `json:"severity"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	EndLine  int      `json:"end_line,omitempty"`
	Image    string   `json:"image,omitempty"`
	// Layer is the 0-based index of the image layer, nil when not about a layer.
	Layer       *int   `json:"layer,omitempty"`
	LayerDigest string `json:"layer_digest,omitempty"`
	Path        string `json:"path,omitempty"`
	Message     string `json:"message"`
	Fix         string `json:"fix,omitempty"`
}

// Location renders the most precise location known, e.g. "Dockerfile:12" or
// "layer 3: /app/.env".
func (f Finding) Location() string {
	switch {
	case f.File != "" && f.Line > 0:
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	case f.File != "":
		return f.File
	case f.Layer != nil && f.Path != "":
		return fmt.Sprintf("layer %d: %s", *f.Layer, f.Path)
	case f.Path != "":
		return f.Path
	case f.Layer != nil:
		return fmt.Sprintf("layer %d", *f.Layer)
	}
	return f.Image
}

// Max returns the highest severity among findings (SeverityUnknown if none).
func Max(findings []Finding) Severity {
	m := SeverityUnknown
	for _, f := range findings {
		if f.Severity > m {
			m = f.Severity
		}
	}
	return m
}

// AtOrAbove reports whether any finding is at or above threshold. A threshold
// of SeverityUnknown never trips.
func AtOrAbove(findings []Finding, threshold Severity) bool {
	return threshold != SeverityUnknown && Max(findings) >= threshold
}
