package vuln

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/pyimg/pyimg/internal/safefile"
	"github.com/pyimg/pyimg/internal/tomlguard"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"go.yaml.in/yaml/v3"
)

// Ignore suppresses one vulnerability, optionally only in one package,
// for a stated reason until an optional expiry date.
type Ignore struct {
	// ID is an advisory id or any of its aliases (CVE-…, GHSA-…, DSA-…).
	ID string `yaml:"id" toml:"id" json:"id"`
	// Package limits the ignore to a package (binary, source or PyPI name).
	Package string `yaml:"package,omitempty" toml:"package" json:"package,omitempty"`
	Reason  string `yaml:"reason" toml:"reason" json:"reason"`
	// Expires is when the ignore stops applying (at 00:00 UTC on a date
	// given as YYYY-MM-DD); zero means never.
	Expires time.Time `yaml:"-" toml:"-" json:"expires,omitzero"`
}

// Ignores is a parsed ignore list and the file it came from.
type Ignores struct {
	Path  string   `json:"path,omitempty"`
	Rules []Ignore `json:"rules,omitempty"`
}

// maxIgnoreBytes bounds an ignore file.
const maxIgnoreBytes = 10 << 20

// IgnoreFiles are the files LoadIgnores reads from a directory, in order
// of precedence: .pyimg-ignore.yaml, the [scan] table of .pyimg.toml, the
// [tool.pyimg.scan] table of pyproject.toml.
var IgnoreFiles = []string{".pyimg-ignore.yaml", ".pyimg.toml", "pyproject.toml"}

// LoadIgnores reads the first of IgnoreFiles in dir that holds an ignore
// list; none is not an error.
func LoadIgnores(dir string) (Ignores, error) {
	for _, name := range IgnoreFiles {
		p := filepath.Join(dir, name)
		data, err := safefile.Read(p, maxIgnoreBytes)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Ignores{}, fmt.Errorf("reading ignore file: %w", err)
		}
		ig, found, err := ParseIgnores(p, data)
		if err != nil || found {
			return ig, err
		}
	}
	return Ignores{}, nil
}

// rawIgnore is an ignore as written: expiry as text.
type rawIgnore struct {
	ID      string `yaml:"id" toml:"id"`
	Package string `yaml:"package" toml:"package"`
	Reason  string `yaml:"reason" toml:"reason"`
	Expires string `yaml:"expires" toml:"expires"`
}

// ParseIgnores parses an ignore file: YAML with a top-level "ignore" list
// (.pyimg-ignore.yaml or any .yaml/.yml), pyproject.toml's
// [tool.pyimg.scan] ignore array or another TOML file's [scan] ignore
// array. Each entry needs an id and a reason; expires is a date
// (YYYY-MM-DD) or RFC 3339 time. found is false when a TOML file has no
// scan table. Errors name path.
func ParseIgnores(path string, data []byte) (ig Ignores, found bool, err error) {
	var raws []rawIgnore
	switch ext := strings.ToLower(filepath.Ext(path)); {
	case ext == ".yaml" || ext == ".yml":
		var doc struct {
			Ignore []rawIgnore `yaml:"ignore"`
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
			return Ignores{}, false, fmt.Errorf("%s: %w", path, err)
		}
		raws, found = doc.Ignore, true
	default:
		if err := tomlguard.Check(path, data); err != nil {
			return Ignores{}, false, err
		}
		type scanTable struct {
			Ignore []rawIgnore `toml:"ignore"`
		}
		var t *scanTable
		var md toml.MetaData
		prefix := "scan"
		if filepath.Base(path) == "pyproject.toml" {
			var doc struct {
				Tool struct {
					Pyimg struct {
						Scan *scanTable `toml:"scan"`
					} `toml:"pyimg"`
				} `toml:"tool"`
			}
			md, err = toml.Decode(string(data), &doc)
			t, prefix = doc.Tool.Pyimg.Scan, "tool.pyimg.scan"
		} else {
			var doc struct {
				Scan *scanTable `toml:"scan"`
			}
			md, err = toml.Decode(string(data), &doc)
			t = doc.Scan
		}
		if err != nil {
			return Ignores{}, false, fmt.Errorf("%s: %w", path, err)
		}
		for _, k := range md.Undecoded() {
			if s := k.String(); strings.HasPrefix(s, prefix) {
				return Ignores{}, false, fmt.Errorf("%s: unknown key %q (want ignore = [{id, reason, expires, package}])", path, s)
			}
		}
		if t == nil {
			return Ignores{}, false, nil
		}
		raws, found = t.Ignore, true
	}
	ig.Path = path
	for i, r := range raws {
		rule := Ignore{ID: strings.TrimSpace(r.ID), Package: strings.TrimSpace(r.Package), Reason: strings.TrimSpace(r.Reason)}
		if rule.ID == "" {
			return Ignores{}, false, fmt.Errorf("%s: ignore[%d]: missing id", path, i)
		}
		if rule.Reason == "" {
			return Ignores{}, false, fmt.Errorf("%s: ignore[%d] (%s): missing reason", path, i, rule.ID)
		}
		if r.Expires != "" {
			if rule.Expires, err = parseExpiry(r.Expires); err != nil {
				return Ignores{}, false, fmt.Errorf("%s: ignore[%d] (%s): %w", path, i, rule.ID, err)
			}
		}
		ig.Rules = append(ig.Rules, rule)
	}
	return ig, found, nil
}

func parseExpiry(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("expires %q: want YYYY-MM-DD or RFC 3339", s)
}

// Ignored is a match suppressed by an ignore rule.
type Ignored struct {
	Match  Match  `json:"match"`
	Reason string `json:"reason"`
}

// Apply splits matches into those kept and those ignored by a rule in
// force at now, and returns the rules that have expired (they no longer
// apply, and should be reported so someone renews or removes them).
func (ig Ignores) Apply(ms []Match, now time.Time) (kept []Match, ignored []Ignored, expired []Ignore) {
	var live []Ignore
	for _, r := range ig.Rules {
		if !r.Expires.IsZero() && !now.Before(r.Expires) {
			expired = append(expired, r)
			continue
		}
		live = append(live, r)
	}
	for _, m := range ms {
		if r, ok := findRule(live, &m); ok {
			ignored = append(ignored, Ignored{Match: m, Reason: r.Reason})
			continue
		}
		kept = append(kept, m)
	}
	return kept, ignored, expired
}

func findRule(rules []Ignore, m *Match) (Ignore, bool) {
	ids := append(m.IDs(), m.Advisories...)
	for _, r := range rules {
		if !slices.ContainsFunc(ids, func(id string) bool { return strings.EqualFold(id, r.ID) }) {
			continue
		}
		if r.Package != "" {
			base := osvBase(m.Package.Ecosystem)
			p := normalize(base, r.Package)
			if p != normalize(base, m.Package.Name) && p != normalize(base, m.Package.SourceName) {
				continue
			}
		}
		return r, true
	}
	return Ignore{}, false
}

func osvBase(eco string) string { b, _, _ := strings.Cut(eco, ":"); return b }
