package project

import (
	"fmt"
	"strconv"
	"strings"
)

// Specifier is a requires-python constraint: PEP 440 clauses
// (">=3.10,<3.13", "~=3.11", "==3.12.*", "!=3.11.*") or Poetry's forms
// ("^3.11", "~3.11", ">=3.10 <3.13", "3.11.*", "^3.9 || ^3.11"). It looks at
// release numbers only. The zero value allows every version.
type Specifier struct {
	// any is a disjunction of conjunctions.
	any [][]clause
}

type clause struct {
	op       string // ">=", "<=", ">", "<", "==", "!=", "==*" (prefix), "!=*"
	release  []int
	original string
}

// ParseSpecifier parses s.
func ParseSpecifier(s string) (Specifier, error) {
	var spec Specifier
	for _, alt := range strings.Split(s, "||") {
		var all []clause
		for _, part := range splitClauses(alt) {
			cs, err := parseClause(part)
			if err != nil {
				return Specifier{}, err
			}
			all = append(all, cs...)
		}
		if len(all) > 0 {
			spec.any = append(spec.any, all)
		}
	}
	return spec, nil
}

// splitClauses splits on commas and on whitespace that separates clauses
// (Poetry), keeping "> = 3.10" style spacing attached to its operator.
func splitClauses(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		fields := strings.Fields(c)
		cur := ""
		for _, f := range fields {
			if cur != "" && strings.Trim(cur, "<>=!~^*") == "" {
				cur += f // operator alone, version follows
				continue
			}
			if cur != "" {
				out = append(out, cur)
			}
			cur = f
		}
		if cur != "" {
			out = append(out, cur)
		}
	}
	return out
}

func parseClause(s string) ([]clause, error) {
	orig := s
	if s == "*" {
		return nil, nil
	}
	op := ""
	for _, o := range []string{"===", "~=", "==", "!=", ">=", "<=", ">", "<", "^", "~", "="} {
		if strings.HasPrefix(s, o) {
			op, s = o, strings.TrimSpace(s[len(o):])
			break
		}
	}
	wild := strings.HasSuffix(s, ".*")
	rel, ok := parseRelease(strings.TrimSuffix(s, ".*"))
	if !ok {
		return nil, fmt.Errorf("%q is not a version constraint", orig)
	}
	mk := func(op string, r []int) clause { return clause{op: op, release: r, original: orig} }
	switch op {
	case "", "=", "==", "===":
		if wild {
			return []clause{mk("==*", rel)}, nil
		}
		return []clause{mk("==", rel)}, nil
	case "!=":
		if wild {
			return []clause{mk("!=*", rel)}, nil
		}
		return []clause{mk("!=", rel)}, nil
	case "~=":
		if len(rel) < 2 {
			return nil, fmt.Errorf("%q: ~= needs at least two numbers", orig)
		}
		return []clause{mk(">=", rel), mk("==*", rel[:len(rel)-1])}, nil
	case "^":
		// Poetry: ^3.11 = >=3.11,<4; ^0.2 = >=0.2,<0.3.
		upper := []int{rel[0] + 1}
		if rel[0] == 0 && len(rel) > 1 {
			upper = []int{0, rel[1] + 1}
		}
		return []clause{mk(">=", rel), mk("<", upper)}, nil
	case "~":
		// Poetry: ~3.11 = >=3.11,<3.12; ~3 = >=3,<4.
		upper := []int{rel[0] + 1}
		if len(rel) > 1 {
			upper = []int{rel[0], rel[1] + 1}
		}
		return []clause{mk(">=", rel), mk("<", upper)}, nil
	}
	if wild {
		return nil, fmt.Errorf("%q: a wildcard needs == or !=", orig)
	}
	return []clause{mk(op, rel)}, nil
}

// parseRelease parses "3", "3.12" or "3.12.4"; pre-release, post-release and
// local parts after the numbers are ignored ("3.13.0rc1" is 3.13.0).
func parseRelease(s string) ([]int, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	if s == "" {
		return nil, false
	}
	var rel []int
	for _, p := range strings.Split(s, ".") {
		end := 0
		for end < len(p) && p[end] >= '0' && p[end] <= '9' {
			end++
		}
		if end == 0 {
			return nil, false
		}
		n, err := strconv.Atoi(p[:end])
		if err != nil {
			return nil, false
		}
		rel = append(rel, n)
		if end < len(p) {
			break
		}
	}
	return rel, true
}

func compareRelease(a, b []int) int {
	for i := 0; i < max(len(a), len(b)); i++ {
		x, y := 0, 0
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func hasPrefix(v, prefix []int) bool {
	for i, p := range prefix {
		x := 0
		if i < len(v) {
			x = v[i]
		}
		if x != p {
			return false
		}
	}
	return true
}

func (c clause) allows(v []int) bool {
	cmp := compareRelease(v, c.release)
	switch c.op {
	case ">=":
		return cmp >= 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	case "<":
		return cmp < 0
	case "==":
		return cmp == 0
	case "!=":
		return cmp != 0
	case "==*":
		return hasPrefix(v, c.release)
	case "!=*":
		return !hasPrefix(v, c.release)
	}
	return false
}

// Allows reports whether the version ("3.12.4") satisfies s.
func (s Specifier) Allows(version string) bool {
	v, ok := parseRelease(version)
	if !ok {
		return false
	}
	return s.allows(v)
}

func (s Specifier) allows(v []int) bool {
	if len(s.any) == 0 {
		return true
	}
	for _, all := range s.any {
		ok := true
		for _, c := range all {
			if !c.allows(v) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// AllowsSeries reports whether some release of the series ("3.12")
// satisfies s.
func (s Specifier) AllowsSeries(series string) bool {
	rel, ok := parseRelease(series)
	if !ok || len(rel) < 2 {
		return false
	}
	for patch := 0; patch < 100; patch++ {
		if s.allows([]int{rel[0], rel[1], patch}) {
			return true
		}
	}
	return false
}

// Empty reports whether s constrains nothing.
func (s Specifier) Empty() bool { return len(s.any) == 0 }
