package vuln

import (
	"cmp"
	"slices"

	"github.com/google/osv-scalibr/semantic"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/vuln/osv"
)

// affects evaluates one affected entry against the installed version:
// the explicit versions list, then ECOSYSTEM and SEMVER ranges with the
// ecosystem's own ordering (GIT ranges need commits and are skipped). It
// returns the fixed version of the range that matched, if any.
func affects(a osv.Affected, version string, installed semantic.Version) (bool, string) {
	hitVersions := false
	for _, v := range a.Versions {
		if v == version {
			hitVersions = true
			break
		}
		if c, err := installed.CompareStr(v); err == nil && c == 0 {
			hitVersions = true
			break
		}
	}
	affected, fix := false, ""
	for _, r := range a.Ranges {
		if r.Type == osv.RangeGit {
			continue
		}
		ok, f := inRange(r.Events, installed)
		if ok {
			if !affected || (f != "" && (fix == "" || lessStr(installed, f, fix))) {
				fix = f
			}
			affected = true
		}
	}
	if hitVersions && !affected {
		// Listed explicitly: report the lowest fixed version above it, if
		// any range names one.
		fix = nextFix(a.Ranges, installed)
	}
	return affected || hitVersions, fix
}

// event is a range event with its parsed ordering key.
type event struct {
	kind int // evIntroduced, evFixed, evLastAffected, evLimit
	ver  string
	zero bool // introduced "0": before every version
}

const (
	evIntroduced = iota
	evFixed
	evLastAffected
	evLimit
)

// inRange applies the OSV range algorithm: walking events in version order,
// introduced opens the range; fixed and limit close it at their version;
// last_affected closes it after its version. The fixed version returned is
// the first fixed event above the installed version after the opening
// introduced.
func inRange(events []osv.Event, installed semantic.Version) (bool, string) {
	evs := make([]event, 0, len(events))
	for _, e := range events {
		switch {
		case e.Introduced != "":
			evs = append(evs, event{kind: evIntroduced, ver: e.Introduced, zero: e.Introduced == "0"})
		case e.Fixed != "":
			evs = append(evs, event{kind: evFixed, ver: e.Fixed})
		case e.LastAffected != "":
			evs = append(evs, event{kind: evLastAffected, ver: e.LastAffected})
		case e.Limit != "":
			if e.Limit == "*" {
				continue
			}
			evs = append(evs, event{kind: evLimit, ver: e.Limit})
		}
	}
	// Walk in version order; at equal versions introduced comes first, so
	// a range closed and reopened at one version stays closed.
	slices.SortStableFunc(evs, func(a, b event) int {
		switch {
		case a.zero && b.zero:
			return 0
		case a.zero:
			return -1
		case b.zero:
			return 1
		}
		return cmp.Or(compareVer(installed, a.ver, b.ver), cmp.Compare(a.kind, b.kind))
	})
	affected := false
	for _, e := range evs {
		if e.zero {
			affected = true
			continue
		}
		c, err := installed.CompareStr(e.ver)
		if err != nil {
			continue // an event version this ecosystem cannot parse
		}
		if c < 0 {
			// The first event above the installed version: a fixed event
			// closing the open range is the fix.
			if affected && e.kind == evFixed {
				return true, e.ver
			}
			break
		}
		switch e.kind {
		case evIntroduced:
			affected = true
		case evFixed, evLimit:
			affected = false
		case evLastAffected:
			if c > 0 {
				affected = false
			}
		}
	}
	return affected, ""
}

// compareVer orders two event versions with the installed version's
// ecosystem; unparsable ones sort last.
func compareVer(installed semantic.Version, a, b string) int {
	va, err := semantic.Parse(a, ecosystemOf(installed))
	if err != nil {
		return 1
	}
	c, err := va.CompareStr(b)
	if err != nil {
		return -1
	}
	return c
}

func lessStr(installed semantic.Version, a, b string) bool { return compareVer(installed, a, b) < 0 }

// nextFix returns the lowest fixed event above the installed version.
func nextFix(ranges []osv.Range, installed semantic.Version) string {
	fix := ""
	for _, r := range ranges {
		if r.Type == osv.RangeGit {
			continue
		}
		for _, e := range r.Events {
			if e.Fixed == "" {
				continue
			}
			if c, err := installed.CompareStr(e.Fixed); err == nil && c < 0 && (fix == "" || lessStr(installed, e.Fixed, fix)) {
				fix = e.Fixed
			}
		}
	}
	return fix
}

func ecosystemOf(v semantic.Version) string {
	switch v.(type) {
	case semantic.DebianVersion:
		return inventory.EcosystemDebian
	case semantic.AlpineVersion:
		return inventory.EcosystemAlpine
	case semantic.PyPIVersion:
		return inventory.EcosystemPyPI
	}
	return ""
}
