package vuln

import (
	"slices"
	"strings"

	"github.com/pyimg/pyimg/inventory"
)

// merge turns the records that hit one package into matches, one per
// vulnerability: records whose id or aliases overlap (transitively) are
// merged.
func merge(hits []hit, p *inventory.Package, q query) []Match {
	if len(hits) == 0 {
		return nil
	}
	// Union-find over hits by shared ids.
	parent := make([]int, len(hits))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	owner := map[string]int{}
	for i, h := range hits {
		for _, id := range append([]string{h.rec.ID}, h.rec.Aliases...) {
			if j, ok := owner[id]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[id] = i
			}
		}
	}
	groups := map[int][]hit{}
	var roots []int
	for i, h := range hits {
		r := find(i)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], h)
	}
	ref := PackageRef{
		Name:      p.Name,
		Version:   p.Version,
		Ecosystem: p.Ecosystem,
		PURL:      p.PURL,
		Location:  p.Location,
		Layer:     p.Layer,
	}
	if q.name != p.Name && p.Ecosystem != inventory.EcosystemPyPI {
		ref.SourceName = q.name
	}
	out := make([]Match, 0, len(roots))
	for _, r := range roots {
		out = append(out, mergeGroup(groups[r], ref, q))
	}
	return out
}

func mergeGroup(hs []hit, ref PackageRef, q query) Match {
	slices.SortFunc(hs, func(a, b hit) int { return strings.Compare(a.rec.ID, b.rec.ID) })
	m := Match{Package: ref, InstalledVersion: q.version, Ecosystem: hs[0].ecosystem}
	ids := map[string]bool{}
	var cves []string
	for i, h := range hs {
		m.Advisories = append(m.Advisories, h.rec.ID)
		for _, id := range append([]string{h.rec.ID}, h.rec.Aliases...) {
			if !ids[id] {
				ids[id] = true
				if strings.HasPrefix(id, "CVE-") {
					cves = append(cves, id)
				}
			}
		}
		if i == 0 || h.rating.Severity > m.Severity || (h.rating.Severity == m.Severity && h.rating.Score > m.Score) {
			m.Severity, m.Score, m.Vector = h.rating.Severity, h.rating.Score, h.rating.Vector
		}
		if m.Summary == "" {
			m.Summary = h.rec.Summary
		}
		if i == 0 || betterFix(q.base, h.fixed, m.FixedVersion) {
			m.FixedVersion = h.fixed
		}
	}
	// A record without a fix keeps the merged match unfixed only if no
	// record of the group knows a fix; the highest known fix wins.
	m.ID = m.Advisories[0]
	if len(cves) == 1 {
		m.ID = cves[0]
	}
	for id := range ids {
		if id != m.ID {
			m.Aliases = append(m.Aliases, id)
		}
	}
	slices.Sort(m.Aliases)
	return m
}
