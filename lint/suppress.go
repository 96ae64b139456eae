package lint

import (
	"cmp"
	"regexp"
	"slices"
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
)

// Suppression comments:
//
//	# pyimg: ignore=PY301,PY302        (directly above an instruction)
//	# pyimg: global ignore=PY104       (anywhere: the whole file)
var (
	reIgnore       = regexp.MustCompile(`^pyimg:\s*ignore\s*=\s*(.+)$`)
	reGlobalIgnore = regexp.MustCompile(`^pyimg:\s*global\s+ignore\s*=\s*(.+)$`)
)

// ParseIgnoreComment returns the rule IDs of a "pyimg: ignore=" comment
// (text without '#') and whether it is global.
func ParseIgnoreComment(text string) (ids []string, global, ok bool) {
	text = strings.TrimSpace(text)
	if m := reGlobalIgnore.FindStringSubmatch(text); m != nil {
		return splitIDs(m[1]), true, true
	}
	if m := reIgnore.FindStringSubmatch(text); m != nil {
		return splitIDs(m[1]), false, true
	}
	return nil, false, false
}

var reRuleID = regexp.MustCompile(`^(?i:[a-z]+[0-9]+|all)$`)

// splitIDs reads a comma- or space-separated ID list, stopping at the first
// word that is not an ID, so "ignore=PY104 -- pinned by renovate" works.
func splitIDs(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if !reRuleID.MatchString(f) {
			break
		}
		out = append(out, strings.ToUpper(f))
	}
	return out
}

type suppressions struct {
	global map[string]bool
	// ranges are the line ranges of instructions with an ignore comment
	// above them and the IDs it names, sorted by start line.
	ranges []ignoreRange
}

type ignoreRange struct {
	start, end int
	ids        []string
}

func newSuppressions(f *dockerfile.File) suppressions {
	s := suppressions{global: map[string]bool{}}
	if f == nil {
		return s
	}
	for _, c := range f.Comments {
		if ids, global, ok := ParseIgnoreComment(c.Text); ok && global {
			for _, id := range ids {
				s.global[id] = true
			}
		}
	}
	for _, in := range f.Instructions() {
		var ids []string
		for _, c := range in.Comments {
			if got, global, ok := ParseIgnoreComment(c); ok && !global {
				ids = append(ids, got...)
			}
		}
		if len(ids) > 0 {
			s.ranges = append(s.ranges, ignoreRange{start: in.StartLine, end: in.EndLine, ids: ids})
		}
	}
	slices.SortStableFunc(s.ranges, func(a, b ignoreRange) int { return cmp.Compare(a.start, b.start) })
	return s
}

// suppressed reports whether rule is ignored file-wide or by a comment
// above the instruction covering line.
func (s suppressions) suppressed(rule string, line int) bool {
	if s.global[rule] {
		return true
	}
	if line <= 0 {
		return false
	}
	// Instructions do not overlap: the one covering line is the last one
	// starting at or before it.
	i, _ := slices.BinarySearchFunc(s.ranges, line+1, func(r ignoreRange, l int) int { return cmp.Compare(r.start, l) })
	if i == 0 {
		return false
	}
	r := s.ranges[i-1]
	if line > r.end {
		return false
	}
	return slices.Contains(r.ids, rule) || slices.Contains(r.ids, "ALL")
}
