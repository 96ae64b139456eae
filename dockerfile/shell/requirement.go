package shell

import (
	"regexp"
	"strings"
)

// ReqKind classifies a requirement operand of pip install.
type ReqKind int

// Requirement kinds.
const (
	// ReqName is a named requirement: "flask", "flask==3.0.0",
	// "flask[async]>=3; python_version>'3.8'".
	ReqName ReqKind = iota
	// ReqPath is a local project or archive: ".", "./src", "dist/*.whl",
	// "pkg.tar.gz", "file:///wheels/x.whl".
	ReqPath
	// ReqURL is a remote archive or VCS URL, or "name @ URL".
	ReqURL
	// ReqDynamic contains a shell expansion ("$PKG") and cannot be read.
	ReqDynamic
)

var reqKindNames = [...]string{"name", "path", "url", "dynamic"}

// String returns "name", "path", "url" or "dynamic".
func (k ReqKind) String() string {
	if k < 0 || int(k) >= len(reqKindNames) {
		return "unknown"
	}
	return reqKindNames[k]
}

// Requirement is a PEP 508-ish requirement operand.
type Requirement struct {
	Raw  string
	Kind ReqKind
	// Name is the project name as written (ReqName, or ReqURL "name @ url").
	Name   string
	Extras []string
	// Specifier is the version specifier without spaces, e.g. ">=3,<4".
	Specifier string
	// URL is the direct reference for ReqURL.
	URL    string
	Marker string
	// Editable reports that the operand came with -e/--editable.
	Editable bool
}

// Pinned reports an exact version: a single == clause without a wildcard,
// or ===. Paths, URLs and dynamic operands are not pinned.
func (r Requirement) Pinned() bool {
	if r.Kind != ReqName || r.Specifier == "" {
		return false
	}
	clauses := strings.Split(r.Specifier, ",")
	for _, c := range clauses {
		if strings.HasPrefix(c, "===") {
			return true
		}
		if strings.HasPrefix(c, "==") && !strings.HasSuffix(c, "*") {
			return true
		}
	}
	return false
}

// Constrained reports a named requirement with any version specifier.
func (r Requirement) Constrained() bool { return r.Kind == ReqName && r.Specifier != "" }

var (
	reqNameRe = regexp.MustCompile(`^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*(.*)$`)
	archiveRe = regexp.MustCompile(`(?i)\.(whl|tar\.gz|tgz|tar\.bz2|tar\.xz|zip|egg)$`)
)

// ParseRequirement classifies and splits one pip install operand.
func ParseRequirement(s string) Requirement {
	r := Requirement{Raw: s}
	t := strings.TrimSpace(s)
	if body, marker, ok := strings.Cut(t, ";"); ok {
		t, r.Marker = strings.TrimSpace(body), strings.TrimSpace(marker)
	}
	switch {
	case strings.Contains(t, "$") || strings.Contains(t, "`"):
		r.Kind = ReqDynamic
		return r
	case isURL(t):
		if strings.HasPrefix(t, "file:") {
			r.Kind = ReqPath
		} else {
			r.Kind = ReqURL
		}
		r.URL = t
		return r
	case strings.HasPrefix(t, "file:"):
		r.Kind, r.URL = ReqPath, t
		return r
	case t == "." || t == ".." || strings.HasPrefix(t, "./") || strings.HasPrefix(t, "../") ||
		strings.HasPrefix(t, "/") || strings.HasPrefix(t, "~") ||
		!strings.Contains(t, "@") && (archiveRe.MatchString(t) || strings.Contains(t, "/")):
		r.Kind = ReqPath
		// "./pkg[extra]" keeps its extras.
		if i := strings.LastIndex(t, "["); i > 0 && strings.HasSuffix(t, "]") {
			r.Extras = splitList(t[i+1 : len(t)-1])
		}
		return r
	}
	m := reqNameRe.FindStringSubmatch(t)
	if m == nil {
		r.Kind = ReqPath
		return r
	}
	r.Name = m[1]
	r.Extras = splitList(m[2])
	rest := strings.TrimSpace(m[3])
	if u, ok := strings.CutPrefix(rest, "@"); ok {
		r.Kind, r.URL = ReqURL, strings.TrimSpace(u)
		return r
	}
	rest = strings.TrimSuffix(strings.TrimPrefix(rest, "("), ")")
	r.Specifier = strings.Join(strings.Fields(rest), "")
	return r
}

// isURL reports a bare URL (not "name @ URL").
func isURL(t string) bool {
	i := strings.Index(t, "://")
	return i > 0 && !strings.ContainsAny(t[:i], "@ ")
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
