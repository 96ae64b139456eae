package pin

import (
	"fmt"
	"slices"
	"strings"
)

// Target is what a reference becomes.
type Target struct {
	// Repo is the repository to write; "" keeps the one written.
	Repo string
	// Tag is the tag to write ("" for none).
	Tag string
	// Digest is the digest to write ("sha256:…").
	Digest string
}

// Change rewrites one reference found by Find in the same source.
type Change struct {
	Ref    Ref
	Target Target
}

// edit replaces src[start:end] with text.
type edit struct {
	start, end int
	text       string
	arg        string // ARG name for ARG default edits
	line       int    // FROM line that asked for it
}

// Apply returns src with every change made and nothing else touched. A FROM
// written with variables is rewritten through the ARG defaults it uses: a
// variable holding the whole image, the whole tag, or the version at the
// start of the tag gets the new value there; a digest is appended on the
// FROM line. Changes that cannot be expressed, or that need one ARG to hold
// two values, are errors and nothing is returned.
func Apply(src []byte, all []Ref, changes []Change) ([]byte, error) {
	if err := CheckArgs(all, changes); err != nil {
		return nil, err
	}
	var edits []edit
	for _, c := range changes {
		es, err := plan(c)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", c.Ref.Line, err)
		}
		edits = append(edits, es...)
	}
	// One value per ARG, and every FROM using a changed ARG must be changed
	// consistently.
	argVals := map[string]edit{}
	var uniq []edit
	for _, e := range edits {
		if e.arg == "" {
			uniq = append(uniq, e)
			continue
		}
		if prev, ok := argVals[e.arg]; ok {
			if prev.text != e.text {
				return nil, fmt.Errorf("ARG %s would need two values: %q (FROM on line %d) and %q (FROM on line %d)", e.arg, prev.text, prev.line, e.text, e.line)
			}
			continue
		}
		argVals[e.arg] = e
		uniq = append(uniq, e)
	}
	edits = uniq
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	for i := 1; i < len(edits); i++ {
		if edits[i].start < edits[i-1].end {
			return nil, fmt.Errorf("overlapping rewrites at byte %d", edits[i].start)
		}
	}
	var b strings.Builder
	b.Grow(len(src) + 128)
	pos := 0
	for _, e := range edits {
		b.Write(src[pos:e.start])
		b.WriteString(e.text)
		pos = e.end
	}
	b.Write(src[pos:])
	return []byte(b.String()), nil
}

// CheckArgs reports an error when an ARG that changes is also used by a
// reference that does not change.
func CheckArgs(all []Ref, changes []Change) error {
	changed := map[int]bool{}
	argsChanged := map[string]int{}
	for _, c := range changes {
		changed[c.Ref.Line] = true
		for _, s := range c.Ref.segs {
			if s.name != "" && !segKeptInRepo(c.Ref, s) {
				argsChanged[s.name] = c.Ref.Line
			}
		}
	}
	for _, r := range all {
		if changed[r.Line] {
			continue
		}
		for _, a := range r.Args {
			if l, ok := argsChanged[a]; ok {
				return fmt.Errorf("ARG %s is rewritten for the FROM on line %d but also used, unchanged, by the FROM on line %d", a, l, r.Line)
			}
		}
	}
	return nil
}

// segKeptInRepo reports whether variable segment s lies in the repository
// part of r's image, where rewriting keeps it.
func segKeptInRepo(r Ref, s segment) bool { return s.end <= len(r.Repo) }

// Image renders a target as "REPO[:TAG][@DIGEST]" with repo as the
// repository when the target keeps the written one.
func (t Target) Image(repo string) string {
	if t.Repo != "" {
		repo = t.Repo
	}
	s := repo
	if t.Tag != "" {
		s += ":" + t.Tag
	}
	if t.Digest != "" {
		s += "@" + t.Digest
	}
	return s
}

// plan computes the byte edits for one change.
func plan(c Change) ([]edit, error) {
	r, t := c.Ref, c.Target
	if r.Skip != "" {
		return nil, fmt.Errorf("cannot rewrite %s: %s", r.Written, r.Skip)
	}
	if r.tokEnd == 0 {
		return nil, fmt.Errorf("reference %q was not found by Find", r.Written)
	}
	var vars []segment
	for _, s := range r.segs {
		if s.name != "" {
			vars = append(vars, s)
		}
	}
	newImage := t.Image(r.Repo)
	if len(vars) == 0 {
		return []edit{{start: r.tokStart, end: r.tokEnd, text: newImage, line: r.Line}}, nil
	}
	if len(r.segs) == 1 {
		// FROM ${BASE}: the ARG holds the whole image.
		s := r.segs[0]
		return []edit{{start: s.argStart, end: s.argEnd, text: newImage, arg: s.name, line: r.Line}}, nil
	}
	tagStart := len(r.Repo) + 1
	tagEnd := tagStart + len(r.Tag)
	if r.Tag == "" {
		tagStart, tagEnd = len(r.Repo), len(r.Repo)
	}
	repoChanges := t.Repo != "" && t.Repo != r.Repo
	var prefix strings.Builder
	var tagVar *segment
	for i, s := range r.segs {
		switch {
		case s.end <= len(r.Repo):
			// Repository part: kept as written, unless replaced.
			if s.name != "" && repoChanges {
				return nil, fmt.Errorf("cannot change the repository of %s: it is written with %s", r.Written, s.text)
			}
			prefix.WriteString(s.text)
		case s.start < len(r.Repo):
			if s.name != "" {
				return nil, fmt.Errorf("cannot rewrite %s: %s spans the repository and the tag", r.Written, s.text)
			}
			prefix.WriteString(s.text[:len(r.Repo)-s.start])
		case s.name != "":
			if s.start < tagStart || s.end > tagEnd {
				return nil, fmt.Errorf("cannot rewrite %s: %s holds the digest", r.Written, s.text)
			}
			if tagVar != nil {
				return nil, fmt.Errorf("cannot rewrite %s: more than one variable in the tag", r.Written)
			}
			tagVar = &r.segs[i]
		}
	}
	tagText, edits, err := tagTemplate(r, t, tagVar)
	if err != nil {
		return nil, err
	}
	head := prefix.String()
	if repoChanges {
		head = t.Repo
	}
	edits = append(edits, edit{start: r.tokStart, end: r.tokEnd, text: head + tagText, line: r.Line})
	return edits, nil
}

// tagTemplate renders ":TAG@DIGEST" for the FROM token; with a variable in
// the tag it keeps the variable and returns the ARG edit giving it its new
// value.
func tagTemplate(r Ref, t Target, v *segment) (string, []edit, error) {
	digest := ""
	if t.Digest != "" {
		digest = "@" + t.Digest
	}
	tagPart := func(s string) string {
		if t.Tag == "" && s == "" {
			return ""
		}
		return ":" + s
	}
	if v == nil {
		return tagPart(t.Tag) + digest, nil, nil
	}
	tagStart := len(r.Repo) + 1
	oldVersion, _, _ := strings.Cut(r.Tag, "-")
	newVersion, newRest, hasRest := strings.Cut(t.Tag, "-")
	switch {
	case v.start == tagStart && v.value == oldVersion:
		// FROM python:${PY}-slim
		rest := ""
		if hasRest {
			rest = "-" + newRest
		}
		return tagPart(v.text+rest) + digest, []edit{{start: v.argStart, end: v.argEnd, text: newVersion, arg: v.name, line: r.Line}}, nil
	case v.start == tagStart && v.end == tagStart+len(r.Tag):
		// FROM python:${TAG}
		return tagPart(v.text) + digest, []edit{{start: v.argStart, end: v.argEnd, text: t.Tag, arg: v.name, line: r.Line}}, nil
	}
	return "", nil, fmt.Errorf("cannot rewrite %s: ${%s} holds part of the tag other than the version", r.Written, v.name)
}
