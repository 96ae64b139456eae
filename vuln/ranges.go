package vuln

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/google/osv-scalibr/semantic"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/vuln/osv"
)

// affects evaluates one affected entry against the installed version:
// ECOSYSTEM and SEMVER ranges with the ecosystem's own ordering (GIT ranges
// need commits and are skipped), then the explicit versions list. It
// returns the fixed version of the range that matched, if any.
func affects(a osv.Affected, version string, installed semantic.Version) (bool, string) {
	eco := ecosystemOf(installed)
	affected, fix := false, ""
	for _, r := range a.Ranges {
		if r.Type == osv.RangeGit {
			continue
		}
		ok, f := inRange(r.Events, eco, installed)
		if ok {
			if !affected || (f != "" && (fix == "" || lessStr(installed, f, fix))) {
				fix = f
			}
			affected = true
		}
	}
	if affected || !listed(a.Versions, version, installed) {
		return affected, fix
	}
	// Listed explicitly: report the lowest fixed version above it, if any
	// range names one.
	return true, nextFix(a.Ranges, installed)
}

// listed reports whether version is in versions, by string or, failing
// that, by the ecosystem's equality ("1.0" is "1.0.0" in PEP 440).
func listed(versions []string, version string, installed semantic.Version) bool {
	for _, v := range versions {
		if v == version {
			return true
		}
	}
	for _, v := range versions {
		if c, err := installed.CompareStr(v); err == nil && c == 0 {
			return true
		}
	}
	return false
}

// event is a range event with its version parsed once.
type event struct {
	kind int // evIntroduced, evFixed, evLastAffected, evLimit
	raw  string
	ver  semantic.Version // nil for introduced "0"
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
// the fixed event closing the range above the installed version. Events
// whose version the ecosystem cannot parse are skipped.
func inRange(events []osv.Event, eco string, installed semantic.Version) (bool, string) {
	evs := make([]event, 0, len(events))
	for _, e := range events {
		ev := event{}
		switch {
		case e.Introduced != "":
			ev.kind, ev.raw = evIntroduced, e.Introduced
		case e.Fixed != "":
			ev.kind, ev.raw = evFixed, e.Fixed
		case e.LastAffected != "":
			ev.kind, ev.raw = evLastAffected, e.LastAffected
		case e.Limit != "" && e.Limit != "*":
			ev.kind, ev.raw = evLimit, e.Limit
		default:
			continue
		}
		if !(ev.kind == evIntroduced && ev.raw == "0") {
			v, err := semantic.Parse(ev.raw, eco)
			if err != nil {
				continue
			}
			ev.ver = v
		}
		evs = append(evs, ev)
	}
	// Walk in version order; at equal versions introduced sorts first so a
	// closing event at the same version wins.
	slices.SortStableFunc(evs, func(a, b event) int {
		switch {
		case a.ver == nil && b.ver == nil:
			return 0
		case a.ver == nil:
			return -1
		case b.ver == nil:
			return 1
		}
		c, err := a.ver.Compare(b.ver)
		if err != nil {
			return 0
		}
		return cmp.Or(c, cmp.Compare(a.kind, b.kind))
	})
	affected := false
	for _, e := range evs {
		if e.ver == nil {
			affected = true
			continue
		}
		c, err := installed.Compare(e.ver)
		if err != nil {
			continue
		}
		if c < 0 {
			// The first event above the installed version: a fixed event
			// closing the open range is the fix.
			if affected && e.kind == evFixed {
				return true, e.raw
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

// unparsableEvents describes the range events of r's entries for the
// query's package that the ecosystem cannot parse.
func unparsableEvents(r *osv.Record, q query, names []string) []string {
	var out []string
	for _, a := range r.Affected {
		if osv.EcosystemBase(a.Package.Ecosystem) != q.base || !nameIn(q.base, a.Package.Name, names) {
			continue
		}
		for _, rg := range a.Ranges {
			if rg.Type == osv.RangeGit {
				continue
			}
			for _, e := range rg.Events {
				kind, raw := "", ""
				switch {
				case e.Introduced != "" && e.Introduced != "0":
					kind, raw = "introduced", e.Introduced
				case e.Fixed != "":
					kind, raw = "fixed", e.Fixed
				case e.LastAffected != "":
					kind, raw = "last_affected", e.LastAffected
				case e.Limit != "" && e.Limit != "*":
					kind, raw = "limit", e.Limit
				default:
					continue
				}
				if _, err := semantic.Parse(raw, q.base); err != nil || !validVersion(raw, q.base) {
					msg := fmt.Sprintf("OSV record %s: %s version %q of %s/%s cannot be parsed as a %s version; the event is ignored",
						r.ID, kind, raw, a.Package.Ecosystem, a.Package.Name, q.base)
					if kind == "fixed" {
						msg += ", so the range never closes and every later version counts as affected"
					}
					out = append(out, msg)
				}
			}
		}
	}
	return out
}
