// Package pin locates the base-image references of a Dockerfile (FROM lines
// and the global ARG defaults they use) and rewrites them in place,
// preserving every other byte: comments, casing, continuations, line
// endings. It also renders unified diffs and writes files atomically.
//
// Deciding what a reference should become (which tag, which digest) is the
// caller's job; see baseimage.Pin.
package pin

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
)

// Ref is one FROM of a Dockerfile that names an image.
type Ref struct {
	// Line is the 1-based line of the FROM keyword.
	Line int
	// Stage is the 0-based index of the stage; StageName its AS name.
	Stage     int
	StageName string
	// Written is the image as written after FROM ("python:${PY}-slim").
	Written string
	// Image is Written with global ARG defaults substituted
	// ("python:3.12-slim").
	Image string
	// Repo, Tag and Digest split Image as written ("python", "3.12-slim",
	// ""): Repo keeps the user's spelling.
	Repo, Tag, Digest string
	// Platform is the FROM --platform value ("" if none).
	Platform string
	// Args names the global ARGs whose defaults Image uses.
	Args []string
	// Skip says why the reference cannot be rewritten ("" when it can).
	Skip string

	tokStart, tokEnd int       // byte range of Written in the source
	segs             []segment // Written split into literals and variables
}

// segment is a piece of a FROM image token: a literal or a variable
// reference, with its byte range in the token and in the expanded image.
type segment struct {
	name         string // variable name; "" for a literal
	text         string // as written
	value        string // expanded
	start, end   int    // range in the expanded image
	argStart     int    // byte range of the ARG default in the source
	argEnd       int
	argAvailable bool
}

// argDef is a global ARG default found in the source.
type argDef struct {
	value      string
	start, end int
	has        bool
}

// Find parses the Dockerfile src (named path in messages) and returns every
// FROM that names an image, in file order. FROM scratch and FROM of an
// earlier stage are left out. A FROM whose image (after ARG substitution)
// is not a valid image reference is an error naming the file and line,
// matching dockerfile.ErrInvalidReference.
func Find(path string, src []byte) ([]Ref, error) {
	if err := dockerfile.CheckLineLengths(path, src); err != nil {
		return nil, err
	}
	f, err := dockerfile.Parse(path, src)
	if err != nil {
		return nil, err
	}
	escape := byte('\\')
	if e := f.Directives["escape"]; len(e) == 1 {
		escape = e[0]
	}
	lines := splitLines(src)
	args := map[string]argDef{}
	for _, in := range f.PreludeInstructions {
		if in.Kind != dockerfile.KindArg {
			continue
		}
		for _, w := range words(src, lines, in.StartLine, in.EndLine, escape)[1:] {
			name, _, hasEq := strings.Cut(w.text, "=")
			if !hasEq {
				// ARG NAME without a default resets nothing a FROM can use.
				if _, ok := args[name]; !ok {
					args[name] = argDef{}
				}
				continue
			}
			vs := w.start + len(name) + 1
			ve := w.end
			if ve-vs >= 2 && (src[vs] == '"' || src[vs] == '\'') && src[ve-1] == src[vs] {
				vs++
				ve--
			}
			args[name] = argDef{value: string(src[vs:ve]), start: vs, end: ve, has: true}
		}
	}
	var refs []Ref
	for _, st := range f.Stages {
		if st.Scratch || st.Parent >= 0 || !st.IsImage() {
			continue
		}
		r := Ref{Line: st.From.StartLine, Stage: st.Index, StageName: st.Name, Written: st.Base, Platform: st.Platform}
		ws := words(src, lines, st.From.StartLine, st.From.EndLine, escape)
		i := 1
		for i < len(ws) && strings.HasPrefix(ws[i].text, "--") {
			i++
		}
		if i >= len(ws) || ws[i].text != st.Base {
			r.Image = st.ResolvedBase
			r.Skip = "cannot locate the image on the FROM line (split across lines?)"
			refs = append(refs, r)
			continue
		}
		r.tokStart, r.tokEnd = ws[i].start, ws[i].end
		r.segs, r.Image, r.Skip = expand(st.Base, ws[i].start, args)
		for _, s := range r.segs {
			if s.name != "" {
				r.Args = append(r.Args, s.name)
			}
		}
		if r.Skip == "" && unquote(r.Image) != unquote(st.ResolvedBase) {
			r.Skip = fmt.Sprintf("expands to %q, but the build would use %q", r.Image, st.ResolvedBase)
		}
		r.Repo, r.Tag, r.Digest = SplitImage(r.Image)
		if r.Skip == "" {
			// Never look up (or send to a registry) what is not a reference.
			if err := dockerfile.CheckImageReference(r.Image); err != nil {
				return nil, fmt.Errorf("%s:%d: FROM %w", path, r.Line, err)
			}
		}
		refs = append(refs, r)
	}
	return refs, nil
}

// SplitImage splits "REPO[:TAG][@DIGEST]" keeping the repository as written.
func SplitImage(img string) (repo, tag, digest string) {
	repo = img
	if i := strings.IndexByte(repo, '@'); i >= 0 {
		repo, digest = repo[:i], repo[i+1:]
	}
	if i := strings.LastIndexByte(repo, ':'); i > strings.LastIndexByte(repo, '/') {
		repo, tag = repo[:i], repo[i+1:]
	}
	return repo, tag, digest
}

// expand splits a FROM token into literal and variable segments and
// substitutes ARG defaults. A non-empty reason says why it cannot be pinned.
func expand(tok string, tokStart int, args map[string]argDef) ([]segment, string, string) {
	var segs []segment
	var out strings.Builder
	reason := ""
	lit := func(s string) {
		if s == "" {
			return
		}
		segs = append(segs, segment{text: s, value: s, start: out.Len(), end: out.Len() + len(s)})
		out.WriteString(s)
	}
	i, litStart := 0, 0
	for i < len(tok) {
		if tok[i] != '$' {
			i++
			continue
		}
		lit(tok[litStart:i])
		j := i + 1
		var name string
		if j < len(tok) && tok[j] == '{' {
			end := strings.IndexByte(tok[j:], '}')
			if end < 0 {
				return segs, tok, "unterminated ${ in the image"
			}
			name = tok[j+1 : j+end]
			j += end + 1
		} else {
			k := j
			for k < len(tok) && (tok[k] == '_' || isAlnum(tok[k])) {
				k++
			}
			name = tok[j:k]
			j = k
		}
		text := tok[i:j]
		if name == "" || strings.ContainsAny(name, ":-+?") {
			reason = fmt.Sprintf("variable form %s is not supported", text)
		}
		a, ok := args[name]
		if reason == "" && (!ok || !a.has) {
			reason = fmt.Sprintf("ARG %s has no default", name)
		}
		if reason == "" && strings.Contains(a.value, "$") {
			reason = fmt.Sprintf("ARG %s refers to other variables", name)
		}
		segs = append(segs, segment{name: name, text: text, value: a.value, start: out.Len(), end: out.Len() + len(a.value), argStart: a.start, argEnd: a.end, argAvailable: ok && a.has})
		out.WriteString(a.value)
		i, litStart = j, j
	}
	lit(tok[litStart:])
	return segs, out.String(), reason
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// line is the byte range of one physical line, without its line ending.
type line struct{ start, end int }

func splitLines(src []byte) []line {
	var ls []line
	start := 0
	for start <= len(src) {
		i := bytes.IndexByte(src[start:], '\n')
		if i < 0 {
			if start < len(src) {
				ls = append(ls, line{start, len(src)})
			}
			break
		}
		end := start + i
		if end > start && src[end-1] == '\r' {
			end--
		}
		ls = append(ls, line{start, end})
		start += i + 1
	}
	return ls
}

// word is a whitespace-separated word with its byte range in the source.
type word struct {
	text       string
	start, end int
}

// words returns the words of the instruction on lines first..last
// (1-based), skipping comment lines inside it and the escape character
// that continues a line.
func words(src []byte, lines []line, first, last int, escape byte) []word {
	var ws []word
	for n := first; n <= last && n-1 < len(lines); n++ {
		l := lines[n-1]
		text := src[l.start:l.end]
		trimmed := bytes.TrimLeft(text, " \t")
		if n > first && (len(trimmed) == 0 || trimmed[0] == '#') {
			continue
		}
		end := l.end
		rt := bytes.TrimRight(text, " \t")
		if len(rt) > 0 && rt[len(rt)-1] == escape {
			end = l.start + len(rt) - 1
		}
		i := l.start
		for i < end {
			for i < end && (src[i] == ' ' || src[i] == '\t') {
				i++
			}
			j := i
			for j < end && src[j] != ' ' && src[j] != '\t' {
				j++
			}
			if j > i {
				ws = append(ws, word{string(src[i:j]), i, j})
			}
			i = j
		}
	}
	return ws
}

// unquote drops quote characters, which the dockerfile package may leave
// in expanded ARG values.
func unquote(s string) string { return strings.NewReplacer(`"`, "", "'", "").Replace(s) }
