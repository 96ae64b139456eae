// Package osv holds the Open Source Vulnerability (OSV) record schema
// (https://ossf.github.io/osv-schema/) as Go structs, and reads records from
// JSON files, directories and OSV all.zip archives.
package osv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Range types.
const (
	RangeEcosystem = "ECOSYSTEM"
	RangeSemver    = "SEMVER"
	RangeGit       = "GIT"
)

// Record is one OSV vulnerability record.
type Record struct {
	SchemaVersion    string          `json:"schema_version,omitempty"`
	ID               string          `json:"id"`
	Modified         time.Time       `json:"modified,omitzero"`
	Published        *time.Time      `json:"published,omitempty"`
	Withdrawn        *time.Time      `json:"withdrawn,omitempty"`
	Aliases          []string        `json:"aliases,omitempty"`
	Related          []string        `json:"related,omitempty"`
	Upstream         []string        `json:"upstream,omitempty"`
	Summary          string          `json:"summary,omitempty"`
	Details          string          `json:"details,omitempty"`
	Severity         []Severity      `json:"severity,omitempty"`
	Affected         []Affected      `json:"affected,omitempty"`
	References       []Reference     `json:"references,omitempty"`
	DatabaseSpecific json.RawMessage `json:"database_specific,omitempty"`
}

// Severity is a scored severity: Type is CVSS_V2, CVSS_V3, CVSS_V4 or
// Ubuntu; Score is the vector (or the Ubuntu priority).
type Severity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// Package identifies an affected package.
type Package struct {
	// Ecosystem is e.g. "PyPI", "Debian:12", "Alpine:v3.20".
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl,omitempty"`
}

// Affected describes the affected versions of one package.
type Affected struct {
	Package           Package         `json:"package"`
	Severity          []Severity      `json:"severity,omitempty"`
	Ranges            []Range         `json:"ranges,omitempty"`
	Versions          []string        `json:"versions,omitempty"`
	EcosystemSpecific json.RawMessage `json:"ecosystem_specific,omitempty"`
	DatabaseSpecific  json.RawMessage `json:"database_specific,omitempty"`
}

// Range is a sequence of events over versions ordered per Type.
type Range struct {
	Type             string          `json:"type"`
	Repo             string          `json:"repo,omitempty"`
	Events           []Event         `json:"events"`
	DatabaseSpecific json.RawMessage `json:"database_specific,omitempty"`
}

// Event is one range event; exactly one field is set.
type Event struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// Reference is a link about the vulnerability.
type Reference struct {
	Type string `json:"type"`
	URL  string `json:"url"`
}

// ErrInvalid is wrapped by every error about a malformed record.
var ErrInvalid = errors.New("invalid OSV record")

// Error locates a malformed record: the file and, for archives, the member.
type Error struct {
	File   string
	Member string
	Err    error
}

func (e *Error) Error() string {
	if e.Member != "" {
		return fmt.Sprintf("%s: %s: %v", e.File, e.Member, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Parse decodes and validates one OSV JSON record.
func Parse(data []byte) (*Record, error) {
	data = bytes.TrimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, fmt.Errorf("%w: not a JSON object", ErrInvalid)
	}
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// Validate checks the fields matching relies on.
func (r *Record) Validate() error {
	if strings.TrimSpace(r.ID) == "" {
		return fmt.Errorf("%w: missing id", ErrInvalid)
	}
	if r.Modified.IsZero() {
		return fmt.Errorf("%w: %s: missing modified", ErrInvalid, r.ID)
	}
	for i, a := range r.Affected {
		if a.Package.Name == "" && a.Package.PURL == "" {
			return fmt.Errorf("%w: %s: affected[%d]: package has neither name nor purl", ErrInvalid, r.ID, i)
		}
		if a.Package.Name != "" && a.Package.Ecosystem == "" {
			return fmt.Errorf("%w: %s: affected[%d]: package %q has no ecosystem", ErrInvalid, r.ID, i, a.Package.Name)
		}
		for j, rg := range a.Ranges {
			switch rg.Type {
			case RangeEcosystem, RangeSemver, RangeGit:
			default:
				return fmt.Errorf("%w: %s: affected[%d].ranges[%d]: unknown type %q", ErrInvalid, r.ID, i, j, rg.Type)
			}
			if len(rg.Events) == 0 {
				return fmt.Errorf("%w: %s: affected[%d].ranges[%d]: no events", ErrInvalid, r.ID, i, j)
			}
			for k, e := range rg.Events {
				if n := e.count(); n != 1 {
					return fmt.Errorf("%w: %s: affected[%d].ranges[%d].events[%d]: want exactly one of introduced, fixed, last_affected, limit; got %d", ErrInvalid, r.ID, i, j, k, n)
				}
			}
		}
	}
	return nil
}

func (e Event) count() int {
	n := 0
	for _, s := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
		if s != "" {
			n++
		}
	}
	return n
}

// EcosystemBase returns the ecosystem without its release suffix:
// "Debian:12" → "Debian", "Alpine:v3.20" → "Alpine".
func EcosystemBase(eco string) string {
	base, _, _ := strings.Cut(eco, ":")
	return base
}

// EcosystemRelease returns the release suffix of an ecosystem, "" if none:
// "Debian:12" → "12".
func EcosystemRelease(eco string) string {
	_, rel, _ := strings.Cut(eco, ":")
	return rel
}
