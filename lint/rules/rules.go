// Package rules holds pyimg's Dockerfile lint rules, one file per family:
// base image (PY1xx), security (PY2xx), size (PY3xx), runtime (PY4xx) and
// Python packaging (PY5xx). All returns them for lint.New.
package rules

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// All returns every rule, using k for base-image facts (nil means
// baseimage.Embedded()).
func All(k *baseimage.Knowledge) []lint.Rule {
	if k == nil {
		k = baseimage.Embedded()
	}
	var out []lint.Rule
	out = append(out, baseImageRules(k)...)
	out = append(out, referenceRules()...)
	out = append(out, securityRules(k)...)
	out = append(out, sizeRules()...)
	out = append(out, runtimeRules()...)
	out = append(out, pythonRules()...)
	out = append(out, habitRules()...)
	out = append(out, condaRule(), chownRule(k))
	return out
}

// rule implements lint.Rule with a metadata value and a check function.
type rule struct {
	meta  report.Rule
	check func(m report.Rule, c *lint.Context) []report.Finding
}

func (r rule) Meta() report.Rule                      { return r.meta }
func (r rule) Check(c *lint.Context) []report.Finding { return r.check(r.meta, c) }

// base describes the image a stage starts from.
type base struct {
	stage *dockerfile.Stage
	ref   dockerfile.ImageRef
	// official reports the official python image (or a trusted mirror).
	official bool
	// tag is the parsed official tag; tagOK is false when the tag does not
	// parse or is unresolved.
	tag   baseimage.Tag
	tagOK bool
	// known is the knowledge entry of a non-official image.
	known   baseimage.KnownImage
	isKnown bool
}

// fullyVariable reports FROM ${IMAGE}: nothing can be said about it.
func (b base) fullyVariable() bool {
	return reOnlyVar.MatchString(strings.TrimSpace(b.stage.ResolvedBase))
}

var reOnlyVar = regexp.MustCompile(`^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?[-+?][^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$`)

// display is the reference as written after ARG substitution.
func (b base) display() string { return b.stage.ResolvedBase }

// describeBase classifies the image stage s starts from.
func describeBase(k *baseimage.Knowledge, c *lint.Context, s *dockerfile.Stage) base {
	b := base{stage: s, ref: s.Ref()}
	b.official = isOfficialPython(b.ref, c.Config.TrustedRegistries)
	if b.official {
		if b.ref.Tag != "" && !strings.Contains(b.ref.Tag, "$") {
			t, err := baseimage.ParseTag(b.ref.Tag)
			b.tag, b.tagOK = t, err == nil
		}
		return b
	}
	if !b.ref.Unresolved {
		b.known, b.isKnown = k.Image(b.ref.Name(), b.ref.Tag)
		if !b.isKnown {
			b.known, b.isKnown = k.Image(b.ref.Short(), b.ref.Tag)
		}
	}
	return b
}

func isOfficialPython(r dockerfile.ImageRef, trusted []string) bool {
	if r.Repository == "" || r.Invalid && !r.Unresolved {
		return false
	}
	if baseimage.IsOfficialPython(r.Name()) {
		return true
	}
	return slices.Contains(trusted, r.Registry) && (r.Repository == "python" || r.Repository == "library/python")
}

type imageBasesKey struct{}

// imageBases returns the bases of the stages the target needs that start
// from a registry image (not scratch, not an earlier stage). The result is
// computed once per lint run and shared.
func imageBases(k *baseimage.Knowledge, c *lint.Context) []base {
	return c.Memo(imageBasesKey{}, func() any { return computeImageBases(k, c) }).([]base)
}

func computeImageBases(k *baseimage.Knowledge, c *lint.Context) []base {
	var out []base
	for _, s := range c.Stages() {
		if !s.IsImage() {
			continue
		}
		if strings.TrimSpace(s.ResolvedBase) == "" {
			continue // FROM ${X} with X="": BuildKit rejects it at build time
		}
		if dockerfile.CheckImageReference(s.ResolvedBase) != nil {
			continue // PY109 reports it; nothing else can be said
		}
		b := describeBase(k, c, s)
		if b.fullyVariable() {
			continue
		}
		out = append(out, b)
	}
	return out
}

// pythonABI is what a compiled Python environment depends on.
type pythonABI struct {
	series string // "3.12", "" if unknown
	libc   string // "glibc", "musl", "" if unknown
	image  string // where it was learned, for messages
	// bin is the directory of the image's interpreter, which a venv made
	// there links to: /usr/local/bin in the official images, /usr/bin in
	// distroless and Chainguard; "" if unknown.
	bin string
}

func (a pythonABI) String() string {
	s := "Python " + a.series
	if a.series == "" {
		s = "Python (unknown version)"
	}
	if a.libc != "" {
		s += ", " + a.libc
	}
	return fmt.Sprintf("%s (%s)", s, a.image)
}

// abiOf returns the Python ABI of the image at the bottom of s's FROM chain.
func abiOf(k *baseimage.Knowledge, c *lint.Context, s *dockerfile.Stage) (pythonABI, bool) {
	root := c.File.Root(s)
	if !root.IsImage() {
		return pythonABI{}, false
	}
	return abiOfBase(describeBase(k, c, root))
}

func abiOfBase(b base) (pythonABI, bool) {
	a := pythonABI{image: b.display()}
	switch {
	case b.official && b.tagOK:
		a.series = b.tag.Series()
		if b.tag.Variant == baseimage.VariantAlpine {
			a.libc = "musl"
		} else if !b.tag.Windows() {
			a.libc = "glibc"
		}
		if !b.tag.Windows() {
			a.bin = "/usr/local/bin"
		}
	case b.isKnown:
		a.series, a.libc = b.known.Python, b.known.Libc
		if a.series != "" {
			a.bin = "/usr/bin" // distroless and Chainguard install Python as the OS does
		}
	default:
		return a, false
	}
	return a, a.series != "" || a.libc != ""
}

// suggestedTag returns a fully pinned official tag for the newest final
// Python series in bugfix support at c.Today, with the variant of t, e.g.
// "3.13.9-slim-trixie". ok is false when the data knows no such series.
func suggestedTag(k *baseimage.Knowledge, c *lint.Context, variant string) (string, bool) {
	var best baseimage.PythonSeries
	for _, p := range k.PythonSeries {
		st := p.StatusAt(c.Today)
		if st.Phase != baseimage.PhaseBugfix || p.Latest == "" {
			continue
		}
		best = p
	}
	if best.Version == "" {
		return "", false
	}
	return pinnedTag(k, best.Latest, variant, ""), true
}

// pinnedTag renders an official tag for version with variant and os,
// filling the current default OS release when os is "".
func pinnedTag(k *baseimage.Knowledge, version, variant, os string) string {
	t := baseimage.Tag{Version: version, Variant: variant, OS: os}
	if os == "" {
		if variant == baseimage.VariantAlpine {
			if k.Defaults.Alpine != "" {
				t.OS = "alpine" + k.Defaults.Alpine
			}
		} else {
			t.OS = k.Defaults.Debian
		}
	}
	return t.String()
}

// stageName names a stage in messages: "stage builder" or "stage 2".
func stageName(s *dockerfile.Stage) string {
	if s.Name != "" {
		return "stage " + s.Name
	}
	return fmt.Sprintf("stage %d", s.Index)
}
