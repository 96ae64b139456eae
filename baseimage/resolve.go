package baseimage

import (
	"cmp"
	"fmt"
	"strings"
	"time"
)

// CompareVersions orders two tags by Python version: major, minor, patch,
// then alpha < beta < rc < final. Tags without a minor or patch number sort
// as if it were zero.
func CompareVersions(a, b Tag) int {
	if c := cmp.Compare(a.Major, b.Major); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Minor, b.Minor); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Patch, b.Patch); c != 0 {
		return c
	}
	return cmp.Compare(preRank(a.Pre), preRank(b.Pre))
}

// preRank maps a pre-release to a sortable number: a1 < b2 < rc1 < final.
func preRank(pre string) int {
	if pre == "" {
		return 1 << 20
	}
	for i, p := range []string{"a", "b", "rc"} {
		if n, ok := strings.CutPrefix(pre, p); ok {
			v, _ := atoi(n)
			return i<<16 + v
		}
	}
	return 0
}

// Exact reports whether the tag names one build: a full version and an OS
// release ("3.12.5-slim-bookworm", "3.12.5-alpine3.22").
func (t Tag) Exact() bool { return t.HasPatch && t.OS != "" }

// HasMajorVersion reports whether the tag names at least a major version.
func (t Tag) HasMajorVersion() bool { return t.Major > 0 }

// ParseAge parses a duration such as "30d", "2w", "12h" or "90m".
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			v, ok := atoi(n)
			if !ok {
				return 0, fmt.Errorf("%q is not a duration (e.g. 30d, 2w, 12h)", s)
			}
			return time.Duration(v) * unit, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration (e.g. 30d, 2w, 12h)", s)
	}
	return d, nil
}

// FormatAge renders a duration as whole days when it is one ("30d").
func FormatAge(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}
