package project

import (
	"fmt"
	"strconv"
	"strings"
)

// LinuxMarkerEnv returns the PEP 508 marker environment of CPython
// pythonVersion ("3.12") at full version full ("3.12.7"; "" means
// pythonVersion.0) on Linux for the machine arch ("x86_64").
func LinuxMarkerEnv(pythonVersion, full, arch string) map[string]string {
	if full == "" {
		full = pythonVersion + ".0"
	}
	return map[string]string{
		"python_version":                 pythonVersion,
		"python_full_version":            full,
		"implementation_version":         full,
		"os_name":                        "posix",
		"sys_platform":                   "linux",
		"platform_system":                "Linux",
		"platform_machine":               arch,
		"platform_python_implementation": "CPython",
		"implementation_name":            "cpython",
		"platform_release":               "",
		"platform_version":               "",
		"extra":                          "",
	}
}

// EvalMarker evaluates a PEP 508 environment marker against env (the
// marker variables: python_version, sys_platform, extra, ...).
func EvalMarker(m string, env map[string]string) (bool, error) {
	p := &markerParser{toks: tokenizeMarker(m), env: env}
	v, err := p.or()
	if err != nil {
		return false, fmt.Errorf("marker %q: %w", m, err)
	}
	if p.i != len(p.toks) {
		return false, fmt.Errorf("marker %q: unexpected %q", m, p.toks[p.i])
	}
	return v, nil
}

func tokenizeMarker(s string) []string {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')':
			toks = append(toks, string(c))
			i++
		case c == '"' || c == '\'':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				toks = append(toks, s[i:])
				return toks
			}
			toks = append(toks, s[i:i+j+2])
			i += j + 2
		case strings.ContainsRune("<>=!~", rune(c)):
			j := i
			for j < len(s) && strings.ContainsRune("<>=!~", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t()\"'<>=!~", rune(s[j])) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		}
	}
	return toks
}

type markerParser struct {
	toks []string
	i    int
	env  map[string]string
}

func (p *markerParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *markerParser) or() (bool, error) {
	v, err := p.and()
	for err == nil && p.peek() == "or" {
		p.i++
		var w bool
		w, err = p.and()
		v = v || w
	}
	return v, err
}

func (p *markerParser) and() (bool, error) {
	v, err := p.atom()
	for err == nil && p.peek() == "and" {
		p.i++
		var w bool
		w, err = p.atom()
		v = v && w
	}
	return v, err
}

func (p *markerParser) atom() (bool, error) {
	if p.peek() == "(" {
		p.i++
		v, err := p.or()
		if err != nil {
			return false, err
		}
		if p.peek() != ")" {
			return false, fmt.Errorf("missing )")
		}
		p.i++
		return v, nil
	}
	lhs, lvar, err := p.value()
	if err != nil {
		return false, err
	}
	op := p.peek()
	p.i++
	if op == "not" && p.peek() == "in" {
		p.i++
		op = "not in"
	}
	rhs, rvar, err := p.value()
	if err != nil {
		return false, err
	}
	version := isVersionVar(lvar) || isVersionVar(rvar)
	switch op {
	case "in":
		return strings.Contains(rhs, lhs), nil
	case "not in":
		return !strings.Contains(rhs, lhs), nil
	case "==", "!=", "<", "<=", ">", ">=", "~=", "===":
		return compareMarker(lhs, op, rhs, version), nil
	}
	return false, fmt.Errorf("unknown operator %q", op)
}

func (p *markerParser) value() (val, variable string, err error) {
	t := p.peek()
	if t == "" {
		return "", "", fmt.Errorf("unexpected end")
	}
	p.i++
	if len(t) >= 2 && (t[0] == '"' || t[0] == '\'') && t[len(t)-1] == t[0] {
		return t[1 : len(t)-1], "", nil
	}
	v, ok := p.env[t]
	if !ok {
		return "", "", fmt.Errorf("unknown variable %q", t)
	}
	return v, t, nil
}

func isVersionVar(v string) bool {
	return v == "python_version" || v == "python_full_version" || v == "implementation_version"
}

func compareMarker(a, op, b string, version bool) bool {
	c := strings.Compare(a, b)
	if version {
		c = compareVersions(a, b)
		if op == "~=" {
			// ~=X.Y means >=X.Y, ==X.*
			parts := strings.Split(b, ".")
			prefix := strings.Join(parts[:max(len(parts)-1, 1)], ".")
			return c >= 0 && (a == prefix || strings.HasPrefix(a, prefix+"."))
		}
	}
	switch op {
	case "==", "===":
		if version && strings.HasSuffix(b, ".*") {
			return strings.HasPrefix(a+".", strings.TrimSuffix(b, "*"))
		}
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// compareVersions compares dotted numeric release versions; a non-numeric
// part compares as text.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		x, y := "0", "0"
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		nx, ex := strconv.Atoi(x)
		ny, ey := strconv.Atoi(y)
		switch {
		case ex == nil && ey == nil && nx != ny:
			if nx < ny {
				return -1
			}
			return 1
		case (ex != nil || ey != nil) && x != y:
			return strings.Compare(x, y)
		}
	}
	return 0
}
