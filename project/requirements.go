package project

import (
	"fmt"
	"path"
	"regexp"
	"strings"
)

// Requirements is a pip requirements file with everything it includes.
type Requirements struct {
	// File is the top file, as given.
	File string `json:"file"`
	// Files are every file read, the top one first, then includes in the
	// order met.
	Files []string `json:"files"`
	// Requirements are the requirement lines of every file read through
	// -r; Constraints those read through -c.
	Requirements []ReqLine `json:"requirements"`
	Constraints  []ReqLine `json:"constraints,omitempty"`
	// IndexURL is the last --index-url given ("" for pip's default);
	// ExtraIndexURLs and FindLinks are the others, in order.
	IndexURL       string   `json:"index_url,omitempty"`
	ExtraIndexURLs []string `json:"extra_index_urls,omitempty"`
	FindLinks      []string `json:"find_links,omitempty"`
	// NoIndex and RequireHashes record --no-index and --require-hashes.
	NoIndex       bool `json:"no_index,omitempty"`
	RequireHashes bool `json:"require_hashes,omitempty"`
}

// ReqLine is one requirement of a requirements file.
type ReqLine struct {
	Requirement
	// File and Line locate it (Line is where a continued line starts).
	File string `json:"file"`
	Line int    `json:"line"`
	// Hashes are the --hash values ("sha256:…").
	Hashes []string `json:"hashes,omitempty"`
	// Editable reports -e/--editable.
	Editable bool `json:"editable,omitempty"`
	// Path is a local path requirement ("." or "./libs/x"), "" otherwise.
	Path string `json:"path,omitempty"`
}

// HashesComplete reports whether every requirement carries a hash (what
// pip --require-hashes demands); false when there are none.
func (r *Requirements) HashesComplete() bool {
	if len(r.Requirements) == 0 {
		return false
	}
	for _, l := range r.Requirements {
		if len(l.Hashes) == 0 && !l.Editable {
			return false
		}
	}
	return true
}

// Limits on what a requirements file may pull in.
const (
	maxReqFileBytes = 1 << 20
	maxReqFiles     = 64
)

// ReadFunc reads a file by its slash-separated path relative to the
// project (the paths the parser derives from includes).
type ReadFunc func(name string) ([]byte, error)

// ParseRequirements parses the requirements file name, following -r and -c
// includes (relative to the including file) through read. getenv expands
// ${VAR} (nil leaves them as written). Errors are *InputError with the
// file and line.
func ParseRequirements(name string, read ReadFunc, getenv func(string) string) (*Requirements, error) {
	p := &reqParser{read: read, getenv: getenv, seen: map[string]bool{}, out: &Requirements{File: name}}
	if err := p.file(path.Clean(name), false, nil); err != nil {
		return nil, err
	}
	if p.out.Requirements == nil {
		p.out.Requirements = []ReqLine{}
	}
	return p.out, nil
}

type reqParser struct {
	read   ReadFunc
	getenv func(string) string
	seen   map[string]bool
	out    *Requirements
}

type reqInclude struct {
	file string
	line int
}

// logicalLine is a line after continuations are joined.
type logicalLine struct {
	text string
	line int
}

func (p *reqParser) file(name string, constraint bool, stack []reqInclude) error {
	for _, s := range stack {
		if s.file == name {
			var chain []string
			for _, s := range stack {
				chain = append(chain, s.file)
			}
			last := stack[len(stack)-1]
			return inputErr(last.file, last.line, "include cycle: %s -> %s", strings.Join(chain, " -> "), name)
		}
	}
	if p.seen[name] {
		return nil
	}
	if len(p.seen) >= maxReqFiles {
		last := stack[len(stack)-1]
		return inputErr(last.file, last.line, "more than %d requirements files included", maxReqFiles)
	}
	data, err := p.read(name)
	if err != nil {
		if len(stack) > 0 {
			last := stack[len(stack)-1]
			return &InputError{File: last.file, Line: last.line, Msg: "reading included " + name, Err: err}
		}
		return &InputError{File: name, Msg: "reading requirements", Err: err}
	}
	if len(data) > maxReqFileBytes {
		return inputErr(name, 0, "larger than %d KiB", maxReqFileBytes>>10)
	}
	p.seen[name] = true
	p.out.Files = append(p.out.Files, name)
	for _, ll := range joinLines(string(data)) {
		if err := p.line(name, ll, constraint, stack); err != nil {
			return err
		}
	}
	return nil
}

// joinLines splits text into logical lines: comments stripped, lines that
// end in a backslash joined with the next.
func joinLines(text string) []logicalLine {
	var out []logicalLine
	var cur strings.Builder
	start := 0
	for i, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if cur.Len() == 0 {
			start = i + 1
		}
		line := stripComment(raw)
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\"))
			cur.WriteByte(' ')
			continue
		}
		cur.WriteString(line)
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, logicalLine{s, start})
		}
		cur.Reset()
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, logicalLine{s, start})
	}
	return out
}

// stripComment removes a "#" comment at the start or after whitespace.
func stripComment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t') {
			return s[:i]
		}
	}
	return s
}

var envVar = regexp.MustCompile(`\$\{([A-Z0-9_]+)\}`)

func (p *reqParser) expand(s string) string {
	if p.getenv == nil {
		return s
	}
	return envVar.ReplaceAllStringFunc(s, func(m string) string {
		if v := p.getenv(m[2 : len(m)-1]); v != "" {
			return v
		}
		return m
	})
}

// options with a value, by every spelling.
var reqValueOpts = map[string]string{
	"-r": "requirement", "--requirement": "requirement",
	"-c": "constraint", "--constraint": "constraint",
	"-e": "editable", "--editable": "editable",
	"-i": "index-url", "--index-url": "index-url",
	"--extra-index-url": "extra-index-url",
	"-f":                "find-links", "--find-links": "find-links",
	"--trusted-host": "ignored", "--no-binary": "ignored", "--only-binary": "ignored",
	"--use-feature": "ignored", "--config-settings": "ignored", "--global-option": "ignored",
}

// flags without a value.
var reqFlags = map[string]string{
	"--no-index": "no-index", "--require-hashes": "require-hashes", "--pre": "ignored", "--prefer-binary": "ignored",
}

func (p *reqParser) line(file string, ll logicalLine, constraint bool, stack []reqInclude) error {
	fields := strings.Fields(p.expand(ll.text))
	if strings.HasPrefix(fields[0], "-") {
		opt, val, hasVal := strings.Cut(fields[0], "=")
		kind, ok := reqValueOpts[opt]
		if !ok && len(opt) > 2 && !strings.HasPrefix(opt, "--") {
			// "-rfile" style.
			if k, ok2 := reqValueOpts[opt[:2]]; ok2 {
				kind, ok, val, hasVal = k, true, opt[2:], true
			}
		}
		if !ok {
			if f, ok := reqFlags[opt]; ok && !hasVal {
				switch f {
				case "no-index":
					p.out.NoIndex = true
				case "require-hashes":
					p.out.RequireHashes = true
				}
				return nil
			}
			return inputErr(file, ll.line, "unknown option %s", opt)
		}
		rest := fields[1:]
		if !hasVal {
			if len(rest) == 0 {
				return inputErr(file, ll.line, "%s needs a value", opt)
			}
			val, rest = rest[0], rest[1:]
		}
		switch kind {
		case "requirement", "constraint":
			if strings.Contains(val, "://") {
				return inputErr(file, ll.line, "%s %s: remote requirements files are not read (pyimg works offline)", opt, val)
			}
			inc := path.Clean(path.Join(path.Dir(file), val))
			if strings.HasPrefix(val, "/") {
				inc = path.Clean(val)
			}
			return p.file(inc, constraint || kind == "constraint", append(stack, reqInclude{file, ll.line}))
		case "editable":
			return p.requirement(file, ll, val, rest, true, constraint)
		case "index-url":
			p.out.IndexURL = val
		case "extra-index-url":
			p.out.ExtraIndexURLs = append(p.out.ExtraIndexURLs, val)
		case "find-links":
			p.out.FindLinks = append(p.out.FindLinks, val)
		}
		return nil
	}
	// A requirement, then per-requirement options (--hash=...).
	var spec []string
	var opts []string
	for i, f := range fields {
		if strings.HasPrefix(f, "--") {
			opts = fields[i:]
			break
		}
		spec = append(spec, f)
	}
	return p.requirement(file, ll, strings.Join(spec, " "), opts, false, constraint)
}

func (p *reqParser) requirement(file string, ll logicalLine, spec string, opts []string, editable, constraint bool) error {
	rl := ReqLine{File: file, Line: ll.line, Editable: editable}
	for i := 0; i < len(opts); i++ {
		opt, val, hasVal := strings.Cut(opts[i], "=")
		switch opt {
		case "--hash":
			if !hasVal && i+1 < len(opts) {
				i++
				val = opts[i]
			}
			alg, hex, ok := strings.Cut(val, ":")
			if !ok || alg == "" || hex == "" || !isHex(hex) {
				return inputErr(file, ll.line, "--hash %q: want ALGORITHM:HEXDIGEST, e.g. sha256:…", val)
			}
			rl.Hashes = append(rl.Hashes, strings.ToLower(alg)+":"+strings.ToLower(hex))
		case "--config-settings", "--global-option", "--install-option":
			if !hasVal {
				i++
			}
		default:
			return inputErr(file, ll.line, "unknown option %s after a requirement", opt)
		}
	}
	if spec == "" {
		return inputErr(file, ll.line, "a requirement is missing before %s", strings.Join(opts, " "))
	}
	switch {
	case isLocalPath(spec) || isURLSpec(spec):
		loc, marker, ok := cutURLMarker(spec)
		if ok {
			if err := checkMarker(marker); err != nil {
				return &InputError{File: file, Line: ll.line, Msg: "invalid requirement", Err: err}
			}
			rl.Marker = marker
		}
		if isLocalPath(loc) {
			rl.Path = loc
		} else {
			rl.URL = loc
		}
		rl.Name = eggName(loc)
	default:
		r, err := ParseRequirement(spec)
		if err != nil {
			return &InputError{File: file, Line: ll.line, Msg: "invalid requirement", Err: err}
		}
		rl.Requirement = r
	}
	if constraint {
		p.out.Constraints = append(p.out.Constraints, rl)
	} else {
		p.out.Requirements = append(p.out.Requirements, rl)
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func isLocalPath(s string) bool {
	return s == "." || s == ".." || strings.HasPrefix(s, "./") || strings.HasPrefix(s, "../") || strings.HasPrefix(s, "/") ||
		strings.HasPrefix(s, "file:")
}

func isURLSpec(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	return ok && !strings.ContainsAny(scheme, " @[;")
}

// eggName returns the project name of a URL or path requirement: its
// #egg= fragment, or the name part of a wheel or sdist file name.
func eggName(s string) string {
	if _, frag, ok := strings.Cut(s, "#"); ok {
		for _, kv := range strings.Split(frag, "&") {
			if v, ok := strings.CutPrefix(kv, "egg="); ok {
				return v
			}
		}
	}
	base := fileName(s)
	switch {
	case strings.HasSuffix(base, ".whl"):
		n, _, _ := strings.Cut(base, "-")
		return n
	case strings.HasSuffix(base, ".tar.gz"), strings.HasSuffix(base, ".zip"):
		if i := strings.LastIndexByte(base, '-'); i > 0 {
			return base[:i]
		}
	}
	return ""
}

// Location renders "file:line".
func (l ReqLine) Location() string { return fmt.Sprintf("%s:%d", l.File, l.Line) }
