package baseimage

import (
	"slices"
	"strings"
	"time"
)

// TagGroup is the tags of one python series, variant and OS release.
type TagGroup struct {
	// Series is "3.12"; "" for tags naming no minor version ("3-slim",
	// "latest").
	Series string
	// Variant is one of the Variant constants.
	Variant string
	// OS is the OS release the tags are built on: as written, or for tags
	// naming none the release they pointed to at Knowledge.AsOf; "" when
	// unknown.
	OS string
	// Tags are the group's tags: exact tags newest first, then aliases.
	Tags []string
	// Newest is the newest exact tag (Tag.Exact), "" if the group has none.
	Newest string
	// Python is the series' lifecycle state (zero when Series is "" or
	// unknown to the knowledge).
	Python Status
	// PythonKnown reports whether the knowledge has the series.
	PythonKnown bool
	// OSStatus is the OS release's lifecycle state; OSKnown reports whether
	// the knowledge has it.
	OSStatus Status
	OSKnown  bool
}

// TagFilter selects tag groups; empty fields match everything.
type TagFilter struct {
	// Python is a series ("3.12") or major version ("3").
	Python string
	// Variant is "default" (or "full") for the full Debian image, or a
	// Variant constant.
	Variant string
	// OS is an OS release as tags write it ("trixie", "alpine3.22").
	OS string
}

func (f TagFilter) match(g TagGroup, t Tag) bool {
	if f.Python != "" && g.Series != f.Python && !(strings.Count(f.Python, ".") == 0 && strings.HasPrefix(g.Series, f.Python+".")) {
		return false
	}
	if f.Variant != "" {
		v := f.Variant
		if v == "default" || v == "full" {
			v = VariantDefault
		}
		if g.Variant != v {
			return false
		}
	}
	return f.OS == "" || strings.EqualFold(g.OS, f.OS) || strings.EqualFold(t.OS, f.OS)
}

// GroupTags sorts the python-style tags among tags into groups by series,
// variant and OS release, with lifecycle states at now, newest series
// first. Tags that do not parse are returned in other.
func (k *Knowledge) GroupTags(tags []string, now time.Time, filter TagFilter) (groups []TagGroup, other []string) {
	type key struct{ series, variant, os string }
	index := map[key]int{}
	parsed := map[string]Tag{}
	for _, s := range tags {
		t, err := ParseTag(s)
		if err != nil {
			other = append(other, s)
			continue
		}
		parsed[s] = t
		osName := t.OS
		if osName == "" {
			if r, ok := k.TagOS(t); ok {
				osName = r.Codename
				if r.Distro == "alpine" {
					osName = "alpine" + r.Version
				}
			}
		}
		kk := key{t.Series(), t.Variant, osName}
		i, ok := index[kk]
		if !ok {
			g := TagGroup{Series: kk.series, Variant: kk.variant, OS: kk.os}
			if !filter.match(g, t) {
				continue
			}
			if p, ok := k.Python(g.Series); ok && g.Series != "" {
				g.Python, g.PythonKnown = p.StatusAt(now), true
			}
			if r, ok := k.osRelease(t, osName); ok {
				g.OSStatus, g.OSKnown = r.StatusAt(now), true
			}
			i = len(groups)
			index[kk] = i
			groups = append(groups, g)
		}
		groups[i].Tags = append(groups[i].Tags, s)
	}
	for i := range groups {
		g := &groups[i]
		slices.SortFunc(g.Tags, func(a, b string) int {
			// Exact tags first, then the aliases; newest first in each.
			ta, tb := parsed[a], parsed[b]
			if ta.Exact() != tb.Exact() {
				if ta.Exact() {
					return -1
				}
				return 1
			}
			if c := CompareVersions(tb, ta); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
		for _, s := range g.Tags {
			if t := parsed[s]; t.Exact() && !t.Prerelease() {
				g.Newest = s
				break
			}
		}
		if g.Newest == "" {
			for _, s := range g.Tags {
				if parsed[s].Exact() {
					g.Newest = s
					break
				}
			}
		}
	}
	variantRank := map[string]int{VariantDefault: 0, VariantSlim: 1, VariantAlpine: 2}
	slices.SortFunc(groups, func(a, b TagGroup) int {
		if c := compareSeriesDesc(a.Series, b.Series); c != 0 {
			return c
		}
		ra, oka := variantRank[a.Variant]
		rb, okb := variantRank[b.Variant]
		if !oka {
			ra = 10
		}
		if !okb {
			rb = 10
		}
		if ra != rb {
			return ra - rb
		}
		if a.Variant != b.Variant {
			return strings.Compare(a.Variant, b.Variant)
		}
		if c := b.OSStatus.EOL.Compare(a.OSStatus.EOL); c != 0 {
			return c
		}
		return strings.Compare(a.OS, b.OS)
	})
	slices.Sort(other)
	return groups, other
}

// compareSeriesDesc orders "3.13" before "3.12" before "" (no series).
func compareSeriesDesc(a, b string) int {
	if a == b {
		return 0
	}
	if a == "" {
		return 1
	}
	if b == "" {
		return -1
	}
	return -compareSeries(a, b)
}

// osRelease returns the release named osName for tag t's variant.
func (k *Knowledge) osRelease(t Tag, osName string) (OSRelease, bool) {
	if osName == "" || t.Windows() {
		return OSRelease{}, false
	}
	if t.Variant == VariantAlpine {
		return k.Alpine(osName)
	}
	return k.Debian(osName)
}
