package pypi

import (
	"fmt"
	"strings"

	"github.com/google/osv-scalibr/semantic"
)

// RequiresPythonAllows reports whether the Requires-Python specifier set
// spec (PEP 440, e.g. ">=3.8, !=3.9.*") admits python. A major.minor python
// ("3.12") stands for its newest patch release, as a base image ships it,
// so ">=3.8.1" admits "3.8". An empty spec admits everything; an invalid
// one is an error (pip ignores such files' constraint).
func RequiresPythonAllows(spec, python string) (bool, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return true, nil
	}
	if strings.Count(python, ".") == 1 {
		python += ".999"
	}
	pv, err := semantic.Parse(python, "PyPI")
	if err != nil {
		return false, fmt.Errorf("python version %q: %w", python, err)
	}
	for _, clause := range strings.Split(spec, ",") {
		ok, err := clauseAllows(strings.TrimSpace(clause), python, pv)
		if err != nil {
			return false, fmt.Errorf("requires-python %q: %w", spec, err)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

func clauseAllows(c, python string, pv semantic.Version) (bool, error) {
	var op string
	for _, o := range []string{"===", "~=", "==", "!=", "<=", ">=", "<", ">"} {
		if strings.HasPrefix(c, o) {
			op = o
			break
		}
	}
	if op == "" {
		return false, fmt.Errorf("clause %q has no operator", c)
	}
	v := strings.TrimSpace(c[len(op):])
	if v == "" || strings.ContainsAny(v, " \t") {
		return false, fmt.Errorf("clause %q has no version", c)
	}
	if prefix, wild := strings.CutSuffix(v, ".*"); wild {
		if op != "==" && op != "!=" {
			return false, fmt.Errorf("clause %q: wildcard only with == and !=", c)
		}
		match := prefixMatch(python, prefix)
		return match == (op == "=="), nil
	}
	if op == "===" {
		return strings.TrimSuffix(python, ".999") == v, nil
	}
	if op == "~=" {
		parts := strings.Split(v, ".")
		if len(parts) < 2 {
			return false, fmt.Errorf("clause %q: ~= needs two components", c)
		}
		ge, err := pv.CompareStr(v)
		if err != nil {
			return false, fmt.Errorf("clause %q: %w", c, err)
		}
		return ge >= 0 && prefixMatch(python, strings.Join(parts[:len(parts)-1], ".")), nil
	}
	cmp, err := pv.CompareStr(v)
	if err != nil {
		return false, fmt.Errorf("clause %q: %w", c, err)
	}
	switch op {
	case "==":
		// A major.minor target matches "==3.12" only through its own series.
		if strings.HasSuffix(python, ".999") && prefixMatch(python, v) && strings.Count(v, ".") == 1 {
			return true, nil
		}
		return cmp == 0, nil
	case "!=":
		return cmp != 0, nil
	case "<":
		return cmp < 0, nil
	case "<=":
		return cmp <= 0, nil
	case ">":
		return cmp > 0, nil
	default: // ">="
		return cmp >= 0, nil
	}
}

// prefixMatch reports whether version's release components start with
// prefix's ("3.12.999" matches "3" and "3.12"; missing components are 0).
func prefixMatch(version, prefix string) bool {
	vs := strings.Split(version, ".")
	for i, p := range strings.Split(prefix, ".") {
		have := "0"
		if i < len(vs) {
			have = vs[i]
		}
		if strings.TrimLeft(have, "0") != strings.TrimLeft(p, "0") {
			return false
		}
	}
	return true
}
