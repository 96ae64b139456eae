// Package vuln matches an image's inventory against OSV advisories with each
// ecosystem's own version rules (dpkg for Debian, apk for Alpine, PEP 440
// for PyPI), merges advisories that name the same vulnerability, rates
// severity from CVSS vectors and applies ignore rules.
package vuln

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/google/osv-scalibr/semantic"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/vuln/osv"
)

// Source looks up advisories; *store.DB implements it.
type Source interface {
	// Lookup returns the records with affected entries for package name in
	// the ecosystem base ("Debian", "Alpine", "PyPI").
	Lookup(ecosystemBase, name string) ([]*osv.Record, error)
}

// PackageRef identifies the matched package.
type PackageRef struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	Ecosystem string `json:"ecosystem"`
	PURL      string `json:"purl,omitempty"`
	// SourceName is the source package the advisory names (dpkg Source,
	// apk origin) when it differs from Name.
	SourceName string `json:"source_name,omitempty"`
	Location   string `json:"location,omitempty"`
	Layer      int    `json:"layer"`
}

// Match is one vulnerability in one installed package. Advisories that
// share an id or alias (DSA-…, DEBIAN-CVE-…, PYSEC-…, GHSA-…, CVE-…) are
// merged into one Match.
type Match struct {
	// ID is the vulnerability's id: its CVE when the merged advisories name
	// exactly one, else the first advisory id.
	ID string `json:"id"`
	// Aliases are every other id of the merged advisories and their aliases.
	Aliases []string `json:"aliases"`
	// Advisories are the ids of the OSV records merged into this match.
	Advisories []string   `json:"advisories"`
	Summary    string     `json:"summary,omitempty"`
	Package    PackageRef `json:"package"`
	// Ecosystem is the OSV ecosystem matched, e.g. "Debian:12".
	Ecosystem        string `json:"ecosystem"`
	InstalledVersion string `json:"installed_version"`
	// FixedVersion is the lowest version above the installed one that fixes
	// every merged advisory; empty when there is no fix.
	FixedVersion string   `json:"fixed_version"`
	Severity     Severity `json:"severity"`
	Score        float64  `json:"score,omitempty"`
	Vector       string   `json:"vector,omitempty"`
}

// IDs returns ID followed by Aliases.
func (m *Match) IDs() []string { return append([]string{m.ID}, m.Aliases...) }

// Result is the outcome of matching an inventory.
type Result struct {
	Matches []Match `json:"matches"`
	// Skipped explains packages that could not be matched (unparsable
	// versions, unknown distribution release).
	Skipped []string `json:"skipped,omitempty"`
	// Warnings name the records whose range events the ecosystem cannot
	// parse: a range whose fixed version is unparsable stays open, so every
	// later version is reported as affected.
	Warnings []string `json:"warnings,omitempty"`
}

// query is what to look up for one package.
type query struct {
	base, release, name, version string
}

// MatchInventory returns the vulnerabilities in inv's packages. Python
// distributions owned by dpkg or apk are not matched as PyPI packages (the
// OS package covers them); generic components are not matched.
func MatchInventory(ctx context.Context, inv *inventory.Inventory, src Source) (*Result, error) {
	res := &Result{}
	cache := map[[2]string][]*osv.Record{}
	warned := map[string]bool{}
	for i := range inv.Packages {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := &inv.Packages[i]
		q, why := queryFor(p, inv.Distro)
		if why != "" {
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s %s: %s", p.Name, p.Version, why))
			continue
		}
		if q.base == "" {
			continue
		}
		installed, err := semantic.Parse(q.version, q.base)
		if err != nil {
			res.Skipped = append(res.Skipped, fmt.Sprintf("%s %s: unparsable %s version: %v", p.Name, q.version, q.base, err))
			continue
		}
		names := []string{q.name}
		if p.Ecosystem != inventory.EcosystemPyPI && p.Name != "" && p.Name != q.name {
			names = append(names, p.Name) // fall back to the binary name
		}
		var recs []*osv.Record
		seen := map[string]bool{}
		for _, n := range names {
			key := [2]string{q.base, n}
			rs, ok := cache[key]
			if !ok {
				if rs, err = src.Lookup(q.base, n); err != nil {
					return nil, err
				}
				cache[key] = rs
			}
			for _, r := range rs {
				if !seen[r.ID] {
					seen[r.ID] = true
					recs = append(recs, r)
				}
			}
		}
		var hits []hit
		for _, r := range recs {
			for _, w := range unparsableEvents(r, q, names) {
				if !warned[w] {
					warned[w] = true
					res.Warnings = append(res.Warnings, w)
				}
			}
			if h, ok := matchRecord(r, q, names, installed); ok {
				hits = append(hits, h)
			}
		}
		res.Matches = append(res.Matches, merge(hits, p, q)...)
	}
	SortMatches(res.Matches)
	return res, nil
}

// SortMatches orders matches by severity (worst first), then package and id.
func SortMatches(ms []Match) {
	slices.SortStableFunc(ms, func(a, b Match) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(a.Package.Name, b.Package.Name),
			cmp.Compare(a.Package.Version, b.Package.Version),
			cmp.Compare(a.Package.Location, b.Package.Location),
			cmp.Compare(a.ID, b.ID),
		)
	})
}

// queryFor decides the ecosystem, release, name and version to match p
// with. An empty base with an empty reason means "not matchable".
func queryFor(p *inventory.Package, d inventory.Distro) (query, string) {
	switch p.Ecosystem {
	case inventory.EcosystemPyPI:
		if p.OSOwned {
			return query{}, ""
		}
		return query{base: "PyPI", name: p.Name, version: p.Version}, ""
	case inventory.EcosystemDebian, inventory.EcosystemAlpine:
		q := query{base: p.Ecosystem, name: cmp.Or(p.SourceName, p.Name), version: cmp.Or(p.SourceVersion, p.Version)}
		q.release = release(p.Ecosystem, d.VersionID, purlDistro(p.PURL))
		if q.release == "" {
			return query{}, fmt.Sprintf("unknown %s release (no os-release VERSION_ID or purl distro)", p.Ecosystem)
		}
		return q, ""
	}
	return query{}, ""
}

// release returns the OSV release suffix: Debian "12" from VERSION_ID
// "12" or "12.7"; Alpine "v3.20" from "3.20.3". The purl's distro qualifier
// (debian-12, alpine-3.20.3) is used when the OS release is unknown.
func release(eco, versionID, purlDistro string) string {
	if versionID == "" && purlDistro != "" {
		if i := strings.LastIndexByte(purlDistro, '-'); i >= 0 {
			versionID = purlDistro[i+1:]
		} else {
			versionID = purlDistro
		}
	}
	parts := strings.Split(versionID, ".")
	switch eco {
	case inventory.EcosystemDebian:
		if parts[0] == "" || strings.Trim(parts[0], "0123456789") != "" {
			return ""
		}
		return parts[0]
	case inventory.EcosystemAlpine:
		if len(parts) < 2 {
			return ""
		}
		return "v" + parts[0] + "." + parts[1]
	}
	return ""
}

// purlDistro returns the distro qualifier of a purl, "" if none.
func purlDistro(purl string) string {
	_, qs, ok := strings.Cut(purl, "?")
	if !ok {
		return ""
	}
	qs, _, _ = strings.Cut(qs, "#")
	v, err := url.ParseQuery(qs)
	if err != nil {
		return ""
	}
	return v.Get("distro")
}

// hit is one record found to affect a package.
type hit struct {
	rec       *osv.Record
	ecosystem string
	fixed     string
	rating    Rating
}

// matchRecord reports whether r affects the package described by q.
func matchRecord(r *osv.Record, q query, names []string, installed semantic.Version) (hit, bool) {
	if r.Withdrawn != nil {
		return hit{}, false
	}
	h := hit{rec: r}
	matched := false
	for _, a := range r.Affected {
		if osv.EcosystemBase(a.Package.Ecosystem) != q.base || !nameIn(q.base, a.Package.Name, names) {
			continue
		}
		if rel := osv.EcosystemRelease(a.Package.Ecosystem); rel != "" && rel != q.release {
			continue
		}
		ok, fixed := affects(a, q.version, installed)
		if !ok {
			continue
		}
		if !matched || betterFix(q.base, fixed, h.fixed) {
			h.fixed = fixed
		}
		h.ecosystem = a.Package.Ecosystem
		matched = true
	}
	if !matched {
		return hit{}, false
	}
	h.rating = Rate(r)
	return h, true
}

func nameIn(base, name string, names []string) bool {
	for _, n := range names {
		if normalize(base, n) == normalize(base, name) {
			return true
		}
	}
	return false
}

// normalize is store.NormalizeName, repeated to keep vuln independent of
// the store.
func normalize(base, name string) string {
	name = strings.ToLower(name)
	if base == "PyPI" {
		name = strings.Join(strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' || r == '.' }), "-")
	}
	return name
}

// betterFix reports whether fixed version a is preferable to b: a known
// fix over none, and the higher of two (the version that fixes everything).
func betterFix(base, a, b string) bool {
	if a == "" {
		return false
	}
	if b == "" {
		return true
	}
	return compare(base, a, b) > 0
}

// compare orders two versions of an ecosystem; unparsable versions sort
// first and equal to each other.
func compare(base, a, b string) int {
	va, err := semantic.Parse(a, base)
	if err != nil {
		return -1
	}
	c, err := va.CompareStr(b)
	if err != nil {
		return 1
	}
	return c
}
