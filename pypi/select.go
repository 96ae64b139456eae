package pypi

import (
	"sort"
	"strconv"
	"strings"
)

// Ranker ranks wheels for one target: the lower a wheel's best tag's index
// in the compatible-tag list, the better.
type Ranker struct {
	ranks      map[Tag]int
	allowLinux bool
}

// SelectOption changes how wheels are chosen.
type SelectOption func(*Ranker)

// AllowLinuxTag accepts wheels whose only compatible platform is
// linux_<arch>: wheels built on one machine for itself, which pip accepts
// on any Linux but which are portable only to the same distribution (a
// wheelhouse built for the target base, for example). Refused by default.
func AllowLinuxTag() SelectOption { return func(r *Ranker) { r.allowLinux = true } }

// NewRanker returns a Ranker for the ordered tags (best first), as
// CompatibleTags returns them. Duplicate tags keep their first rank.
func NewRanker(tags []Tag, opts ...SelectOption) *Ranker {
	r := &Ranker{ranks: make(map[Tag]int, len(tags))}
	for i, t := range tags {
		if _, ok := r.ranks[t]; !ok {
			r.ranks[t] = i
		}
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Rank returns the rank of the best compatible tag of w (0 is best) and
// whether w is compatible at all.
func (r *Ranker) Rank(w Wheel) (int, bool) {
	best := -1
	for _, t := range w.Tags {
		if !r.allowLinux && strings.HasPrefix(t.Platform, "linux_") {
			continue
		}
		if rank, ok := r.ranks[t]; ok && (best < 0 || rank < best) {
			best = rank
		}
	}
	return best, best >= 0
}

// Candidate is a compatible wheel with its rank.
type Candidate struct {
	Wheel Wheel `json:"wheel"`
	Rank  int   `json:"rank"`
}

// Select returns the compatible wheels, best first: by rank, then by build
// tag (higher first, compared as pip does: number, then the rest), then by
// file name for a stable order.
func (r *Ranker) Select(wheels []Wheel) []Candidate {
	var out []Candidate
	for _, w := range wheels {
		if rank, ok := r.Rank(w); ok {
			out = append(out, Candidate{w, rank})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Rank != b.Rank {
			return a.Rank < b.Rank
		}
		if c := compareBuild(a.Wheel.BuildTag, b.Wheel.BuildTag); c != 0 {
			return c > 0
		}
		return a.Wheel.Filename < b.Wheel.Filename
	})
	return out
}

// Best returns the best compatible wheel, if any.
func (r *Ranker) Best(wheels []Wheel) (Wheel, bool) {
	c := r.Select(wheels)
	if len(c) == 0 {
		return Wheel{}, false
	}
	return c[0].Wheel, true
}

// compareBuild compares build tags as pip does ((int prefix, rest); an
// absent tag sorts before any tag).
func compareBuild(a, b string) int {
	if a == b {
		return 0
	}
	if a == "" {
		return -1
	}
	if b == "" {
		return 1
	}
	na, ra := splitBuild(a)
	nb, rb := splitBuild(b)
	if na != nb {
		if na < nb {
			return -1
		}
		return 1
	}
	return strings.Compare(ra, rb)
}

func splitBuild(s string) (int, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(s[:i])
	if err != nil {
		n = 0
	}
	return n, s[i:]
}
