package project

import (
	"fmt"
	"strings"

	"github.com/pyimg/pyimg/pydist"
)

// Requirement is one PEP 508 dependency specifier, e.g.
// `requests[socks]>=2.31,<3; python_version >= "3.10"` or
// `pkg @ https://example.com/pkg-1.0.tar.gz`. Poetry-style constraints
// ("^2.0") are kept as written in Specifier.
type Requirement struct {
	// Name is the project name as written.
	Name string `json:"name"`
	// Extras are the requested extras, as written.
	Extras []string `json:"extras,omitempty"`
	// Specifier is the version constraint as written without spaces
	// (">=2.31,<3"), "" for any version.
	Specifier string `json:"specifier,omitempty"`
	// Marker is the environment marker after ";", "" when none.
	Marker string `json:"marker,omitempty"`
	// URL is the direct reference after "@" (or a Poetry git/path/url
	// source), "" when none.
	URL string `json:"url,omitempty"`
}

// Normalized returns the PEP 503 normalized name.
func (r Requirement) Normalized() string { return pydist.NormalizeName(r.Name) }

// String renders the requirement in PEP 508 form.
func (r Requirement) String() string {
	var b strings.Builder
	b.WriteString(r.Name)
	if len(r.Extras) > 0 {
		b.WriteString("[" + strings.Join(r.Extras, ",") + "]")
	}
	if r.URL != "" {
		b.WriteString(" @ " + r.URL)
		if r.Marker != "" {
			b.WriteString(" ")
		}
	} else {
		b.WriteString(r.Specifier)
	}
	if r.Marker != "" {
		b.WriteString("; " + r.Marker)
	}
	return b.String()
}

// Pinned returns the exact version when Specifier is a single "==" or "==="
// clause without wildcard, else "".
func (r Requirement) Pinned() string {
	s := r.Specifier
	if strings.Contains(s, ",") || strings.HasSuffix(s, ".*") {
		return ""
	}
	if v, ok := strings.CutPrefix(s, "==="); ok {
		return v
	}
	if v, ok := strings.CutPrefix(s, "=="); ok {
		return v
	}
	return ""
}

var specOps = []string{"===", "~=", "==", "!=", "<=", ">=", "<", ">"}

// ParseRequirement parses one PEP 508 dependency specifier.
func ParseRequirement(s string) (Requirement, error) {
	var r Requirement
	rest := strings.TrimSpace(s)
	if rest == "" {
		return r, fmt.Errorf("empty requirement")
	}
	// Name.
	i := 0
	for i < len(rest) && isNameByte(rest[i]) {
		i++
	}
	r.Name = rest[:i]
	if r.Name == "" || !isAlnum(r.Name[0]) || !isAlnum(r.Name[len(r.Name)-1]) {
		return Requirement{}, fmt.Errorf("%q: a requirement starts with a project name", s)
	}
	rest = strings.TrimSpace(rest[i:])
	// Extras.
	if strings.HasPrefix(rest, "[") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return Requirement{}, fmt.Errorf("%q: unclosed extras bracket", s)
		}
		for _, e := range strings.Split(rest[1:end], ",") {
			e = strings.TrimSpace(e)
			if e == "" {
				continue
			}
			if !validName(e) {
				return Requirement{}, fmt.Errorf("%q: bad extra %q", s, e)
			}
			r.Extras = append(r.Extras, e)
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
	// URL or version specifier, then marker.
	if strings.HasPrefix(rest, "@") {
		rest = strings.TrimSpace(rest[1:])
		url, marker, hasMarker := cutURLMarker(rest)
		if url == "" || !strings.Contains(url, ":") {
			return Requirement{}, fmt.Errorf("%q: \"@\" needs a URL", s)
		}
		r.URL = url
		if hasMarker {
			if err := checkMarker(marker); err != nil {
				return Requirement{}, fmt.Errorf("%q: %w", s, err)
			}
			r.Marker = marker
		}
		return r, nil
	}
	spec, marker, hasMarker := strings.Cut(rest, ";")
	if hasMarker {
		marker = strings.TrimSpace(marker)
		if err := checkMarker(marker); err != nil {
			return Requirement{}, fmt.Errorf("%q: %w", s, err)
		}
		r.Marker = marker
	}
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "(") {
		if !strings.HasSuffix(spec, ")") {
			return Requirement{}, fmt.Errorf("%q: unclosed parenthesis", s)
		}
		spec = strings.TrimSpace(spec[1 : len(spec)-1])
	}
	if spec != "" {
		norm, err := normalizeSpec(spec)
		if err != nil {
			return Requirement{}, fmt.Errorf("%q: %w", s, err)
		}
		r.Specifier = norm
	}
	return r, nil
}

// cutURLMarker splits "URL ; marker": PEP 508 needs whitespace before the
// ";" that ends a URL, since ";" may appear inside URLs.
func cutURLMarker(s string) (url, marker string, ok bool) {
	for i := 1; i < len(s); i++ {
		if s[i] == ';' && (s[i-1] == ' ' || s[i-1] == '\t') {
			return strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:]), true
		}
	}
	return strings.TrimSpace(s), "", false
}

// normalizeSpec checks a comma-separated version specifier and removes
// spaces.
func normalizeSpec(spec string) (string, error) {
	var out []string
	for _, c := range strings.Split(spec, ",") {
		c = strings.Join(strings.Fields(c), "")
		op := ""
		for _, o := range specOps {
			if strings.HasPrefix(c, o) {
				op = o
				break
			}
		}
		if op == "" {
			return "", fmt.Errorf("version clause %q needs an operator (==, >=, ~=, ...)", c)
		}
		v := c[len(op):]
		if v == "" || !validVersionText(v, op) {
			return "", fmt.Errorf("version clause %q has no valid version", c)
		}
		out = append(out, c)
	}
	return strings.Join(out, ","), nil
}

func validVersionText(v, op string) bool {
	if op == "===" {
		return !strings.ContainsAny(v, " \t;")
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(isAlnum(c) || c == '.' || c == '*' || c == '+' || c == '-' || c == '_' || c == '!') {
			return false
		}
	}
	return isAlnum(v[0])
}

// checkMarker does a light check of an environment marker: not empty,
// balanced parentheses and quotes.
func checkMarker(m string) error {
	if strings.TrimSpace(m) == "" {
		return fmt.Errorf("empty environment marker after \";\"")
	}
	depth := 0
	var quote byte
	for i := 0; i < len(m); i++ {
		c := m[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return fmt.Errorf("environment marker %q: unbalanced parenthesis", m)
			}
		}
	}
	if quote != 0 {
		return fmt.Errorf("environment marker %q: unclosed quote", m)
	}
	if depth != 0 {
		return fmt.Errorf("environment marker %q: unbalanced parenthesis", m)
	}
	return nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isNameByte(c byte) bool { return isAlnum(c) || c == '-' || c == '_' || c == '.' }

func validName(s string) bool {
	if s == "" || !isAlnum(s[0]) || !isAlnum(s[len(s)-1]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}
