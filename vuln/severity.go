package vuln

import (
	"encoding/json"
	"fmt"
	"strings"

	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"

	"github.com/pyimg/pyimg/report"
	"github.com/pyimg/pyimg/vuln/osv"
)

// Severity is a vulnerability's qualitative rating. The zero value is
// SeverityUnknown: the data gave no rating, and none is invented.
type Severity int

// Severities in increasing order.
const (
	SeverityUnknown Severity = iota
	SeverityLow
	SeverityMedium
	SeverityHigh
	SeverityCritical
)

var severityNames = [...]string{"unknown", "low", "medium", "high", "critical"}

// String returns the lower-case name used in every output format.
func (s Severity) String() string {
	if s < 0 || int(s) >= len(severityNames) {
		return "unknown"
	}
	return severityNames[s]
}

// ParseSeverity parses unknown, low, medium (or moderate), high or critical,
// case-insensitively.
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "unknown":
		return SeverityUnknown, nil
	case "low", "negligible":
		return SeverityLow, nil
	case "medium", "moderate":
		return SeverityMedium, nil
	case "high", "important":
		return SeverityHigh, nil
	case "critical":
		return SeverityCritical, nil
	}
	return SeverityUnknown, fmt.Errorf("unknown severity %q (want unknown, low, medium, high or critical)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// Report maps s onto the shared finding severities: critical and high are
// errors, medium a warning, low and unknown informational (as SARIF
// viewers such as GitHub code scanning expect).
func (s Severity) Report() report.Severity {
	switch s {
	case SeverityCritical, SeverityHigh:
		return report.SeverityError
	case SeverityMedium:
		return report.SeverityWarning
	}
	return report.SeverityInfo
}

// SeverityFromScore rates a CVSS base score per the CVSS v3.1 and v4.0
// qualitative scale (a score of 0 is "none", reported as low).
func SeverityFromScore(score float64) Severity {
	switch {
	case score >= 9:
		return SeverityCritical
	case score >= 7:
		return SeverityHigh
	case score >= 4:
		return SeverityMedium
	}
	return SeverityLow
}

// Rating is a record's severity and where it came from.
type Rating struct {
	Severity Severity `json:"severity"`
	// Score is the CVSS base score, 0 when rated from a label.
	Score float64 `json:"score,omitempty"`
	// Vector is the CVSS vector scored, if any.
	Vector string `json:"vector,omitempty"`
}

// Rate derives a record's severity: the highest CVSS v3.x or v4.0 base
// score among its severity entries (record-level and affected-level), else
// a database_specific or ecosystem_specific "severity" label (GHSA's LOW,
// MODERATE, HIGH, CRITICAL; Ubuntu priorities), else unknown.
func Rate(r *osv.Record) Rating {
	var best Rating
	found := false
	consider := func(sevs []osv.Severity) {
		for _, s := range sevs {
			score, ok := cvssScore(s)
			if ok && (!found || score > best.Score) {
				best = Rating{Severity: SeverityFromScore(score), Score: score, Vector: s.Score}
				found = true
			}
		}
	}
	consider(r.Severity)
	for _, a := range r.Affected {
		consider(a.Severity)
	}
	if found {
		return best
	}
	labels := []json.RawMessage{r.DatabaseSpecific}
	for _, a := range r.Affected {
		labels = append(labels, a.DatabaseSpecific, a.EcosystemSpecific)
	}
	for _, s := range r.Severity {
		if s.Type == "Ubuntu" {
			if v, err := ParseSeverity(s.Score); err == nil && v > best.Severity {
				best.Severity = v
			}
		}
	}
	for _, raw := range labels {
		if v, ok := severityLabel(raw); ok && v > best.Severity {
			best.Severity = v
		}
	}
	return best
}

// cvssScore returns the base score of a CVSS v3.0, v3.1 or v4.0 vector.
func cvssScore(s osv.Severity) (float64, bool) {
	v := strings.TrimSpace(s.Score)
	switch {
	case strings.HasPrefix(v, "CVSS:3.1/"):
		c, err := gocvss31.ParseVector(v)
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	case strings.HasPrefix(v, "CVSS:3.0/"):
		c, err := gocvss30.ParseVector(v)
		if err != nil {
			return 0, false
		}
		return c.BaseScore(), true
	case strings.HasPrefix(v, "CVSS:4.0/"):
		c, err := gocvss40.ParseVector(v)
		if err != nil {
			return 0, false
		}
		return c.Score(), true
	}
	return 0, false
}

func severityLabel(raw json.RawMessage) (Severity, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	var m struct {
		Severity json.RawMessage `json:"severity"`
	}
	if json.Unmarshal(raw, &m) != nil || len(m.Severity) == 0 {
		return 0, false
	}
	var label string
	if json.Unmarshal(m.Severity, &label) != nil {
		return 0, false
	}
	v, err := ParseSeverity(label)
	if err != nil || v == SeverityUnknown {
		return 0, false
	}
	return v, true
}
