package baseimage

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Stages a recommendation is for.
const (
	StageDev  = "dev"  // development containers: newest series, full image with tools
	StageCI   = "ci"   // test runs: full image to build, slim to run
	StageProd = "prod" // production: a series with a few patch releases behind it, slim
	StageAI   = "ai"   // ML workloads: a series old enough for torch/tensorflow wheels, glibc
)

// Libc choices.
const (
	LibcGlibc = "glibc"
	LibcMusl  = "musl"
	LibcAny   = "any"
)

// ErrNoCandidate means no python image satisfies the constraints.
var ErrNoCandidate = errors.New("no python image satisfies the constraints")

// RecommendInput is what a recommendation depends on.
type RecommendInput struct {
	// Stage is one of the Stage constants (default StageProd).
	Stage string
	// Libc is one of the Libc constants (default LibcAny, which picks glibc).
	Libc string
	// Allows reports whether the project's requires-python admits a series
	// ("3.12"); nil admits all. RequiresPython is the specifier as written,
	// for reasons.
	Allows         func(series string) bool
	RequiresPython string
	// Series, when set, restricts the choice to one series (.python-version).
	Series string
	// Policy is the organisation's rules.
	Policy Policy
	// Repo is the python repository (default DefaultRepo).
	Repo string
	// Tags are the repository's tags; nil when the registry was not asked
	// (offline): tags then follow the embedded data's newest releases.
	Tags []string
	// Now is the date support is measured at.
	Now time.Time
}

// ImageChoice is one recommended image.
type ImageChoice struct {
	Repo    string
	Tag     string
	Variant string
	// Digest is filled in by the caller once resolved.
	Digest string
}

// Ref renders "REPO:TAG[@DIGEST]".
func (c ImageChoice) Ref() string {
	s := c.Repo + ":" + c.Tag
	if c.Digest != "" {
		s += "@" + c.Digest
	}
	return s
}

// Recommendation is the result of Recommend.
type Recommendation struct {
	Stage   string
	Libc    string
	Series  PythonSeries
	Python  Status
	OS      OSRelease
	OSTag   string // the OS as tags write it: "trixie", "alpine3.22"
	OSState Status
	Build   ImageChoice
	Runtime ImageChoice
	// Reasons explain the choice and the alternatives turned down.
	Reasons []string
	// FromRegistry reports whether the tags were checked against the
	// registry's tag list.
	FromRegistry bool
}

// stageRules are the per-stage choices.
type stageRules struct {
	maturity       time.Duration // least time since the series' first release
	build, runtime string        // variants
	why            string
}

var stages = map[string]stageRules{
	StageDev:  {0, VariantDefault, VariantDefault, "dev: the newest supported series, on the full image (compilers, git, headers) for both building and running"},
	StageCI:   {90 * 24 * time.Hour, VariantDefault, VariantSlim, "ci: build wheels on the full image, run the tests on slim as production does"},
	StageProd: {180 * 24 * time.Hour, VariantSlim, VariantSlim, "prod: build and run on the same slim image so the virtualenv copies between stages unchanged; add build tools to the build stage only if a dependency has no wheel"},
	StageAI:   {365 * 24 * time.Hour, VariantDefault, VariantSlim, "ai: build on the full image (sdists of native extensions need compilers), run on slim; the series must be a year old so torch, tensorflow and CUDA wheels exist for it"},
}

// Recommend chooses build and runtime images of the official python image
// for in. It never picks an end-of-life or unreleased series or OS, nor,
// when in.Tags is known, a tag the repository lacks.
func (k *Knowledge) Recommend(in RecommendInput) (Recommendation, error) {
	if in.Stage == "" {
		in.Stage = StageProd
	}
	if in.Libc == "" {
		in.Libc = LibcAny
	}
	if in.Repo == "" {
		in.Repo = DefaultRepo
	}
	rules, ok := stages[in.Stage]
	if !ok {
		return Recommendation{}, fmt.Errorf("unknown stage %q (want dev, ci, prod or ai)", in.Stage)
	}
	rec := Recommendation{Stage: in.Stage, Libc: in.Libc, FromRegistry: in.Tags != nil}
	var reasons, whyNot []string
	minDays := int(in.Policy.MinSupport / (24 * time.Hour))

	// The C library decides the variant family.
	musl := in.Libc == LibcMusl
	if musl && in.Stage == StageAI {
		return Recommendation{}, fmt.Errorf("%w: --libc musl with stage ai: ML wheels (torch, tensorflow, CUDA) are built for glibc only", ErrNoCandidate)
	}
	if musl {
		rules.build, rules.runtime = VariantAlpine, VariantAlpine
		reasons = append(reasons, "musl requested: alpine images are small, but most PyPI wheels are manylinux (glibc); musllinux wheels are fewer, so pip may compile numpy, pandas or psycopg from source, and DNS and thread stack sizes behave differently")
	} else {
		reasons = append(reasons, rules.why)
		reasons = append(reasons, "why not alpine: musl libc; most PyPI wheels are manylinux (glibc) and fall back to slow, fragile source builds on musl")
	}

	// Python series, newest first; mature ones before young ones.
	var mature, young []PythonSeries
	for i := len(k.PythonSeries) - 1; i >= 0; i-- {
		p := k.PythonSeries[i]
		st := p.StatusAt(in.Now)
		switch {
		case in.Series != "" && p.Version != in.Series:
			continue
		case st.Support == Unreleased:
			whyNot = append(whyNot, fmt.Sprintf("why not %s: not released yet", p.Version))
			continue
		case st.Support == Unconfirmed:
			whyNot = append(whyNot, k.unconfirmedReason(p))
			continue
		case !st.Supported():
			if in.Series != "" {
				return Recommendation{}, fmt.Errorf("%w: .python-version names %s, end of life since %s", ErrNoCandidate, p.Version, st.EOL.Format(time.DateOnly))
			}
			continue // every older series is EOL too; not worth a reason each
		case in.Allows != nil && !in.Allows(p.Version):
			whyNot = append(whyNot, fmt.Sprintf("why not %s: excluded by requires-python %s", p.Version, in.RequiresPython))
			continue
		case minDays > 0 && st.DaysLeft < minDays:
			whyNot = append(whyNot, fmt.Sprintf("why not %s: %d days of support left, policy wants at least %d", p.Version, st.DaysLeft, minDays))
			continue
		}
		if age := in.Now.Sub(p.Released); age < rules.maturity && in.Series == "" {
			young = append(young, p)
			continue
		}
		mature = append(mature, p)
	}
	if in.Series != "" && len(mature)+len(young) == 0 {
		if _, ok := k.Python(in.Series); !ok {
			return Recommendation{}, fmt.Errorf("%w: .python-version names %s, unknown to pyimg's data", ErrNoCandidate, in.Series)
		}
	}
	series := append(mature, young...)
	if len(series) == 0 {
		return Recommendation{}, fmt.Errorf("%w: no supported Python series is allowed (%s)", ErrNoCandidate, strings.Join(whyNot, "; "))
	}

	// OS releases, preferred first.
	oses := k.candidateOS(in, musl, minDays, &whyNot)
	if len(oses) == 0 {
		return Recommendation{}, fmt.Errorf("%w: no supported OS release is allowed (%s)", ErrNoCandidate, strings.Join(whyNot, "; "))
	}

	var tags []Tag
	for _, s := range in.Tags {
		if t, err := ParseTag(s); err == nil && t.Exact() && !t.Prerelease() {
			tags = append(tags, t)
		}
	}
	newest := func(series, variant, osTag string) (string, bool) {
		if in.Tags == nil {
			p, _ := k.Python(series)
			if p.Latest == "" || strings.ContainsAny(p.Latest, "abrc") {
				return "", false
			}
			return Tag{Version: p.Latest, Variant: variant, OS: osTag}.String(), true
		}
		var best *Tag
		for i, t := range tags {
			if t.Series() == series && t.Variant == variant && t.OS == osTag && (best == nil || CompareVersions(t, *best) > 0) {
				best = &tags[i]
			}
		}
		if best == nil {
			return "", false
		}
		return best.Raw, true
	}
	for _, p := range series {
		for _, o := range oses {
			build, ok1 := newest(p.Version, rules.build, o.tag)
			runtime, ok2 := newest(p.Version, rules.runtime, o.tag)
			if !ok1 || !ok2 {
				if in.Tags != nil {
					whyNot = append(whyNot, fmt.Sprintf("why not %s on %s: %s has no such tag", p.Version, o.tag, in.Repo))
				}
				continue
			}
			rec.Series, rec.Python = p, p.StatusAt(in.Now)
			rec.OS, rec.OSTag, rec.OSState = o.r, o.tag, o.r.StatusAt(in.Now)
			rec.Build = ImageChoice{Repo: in.Repo, Tag: build, Variant: rules.build}
			rec.Runtime = ImageChoice{Repo: in.Repo, Tag: runtime, Variant: rules.runtime}
			rec.Reasons = k.explain(in, rules, rec, mature, series, reasons, whyNot)
			return rec, nil
		}
	}
	return Recommendation{}, fmt.Errorf("%w: %s has no exact tag for any allowed series and OS (%s)", ErrNoCandidate, in.Repo, strings.Join(whyNot, "; "))
}

type osCandidate struct {
	r   OSRelease
	tag string
}

// candidateOS lists the supported OS releases for the libc, the policy's
// preferred one first, then newest first.
func (k *Knowledge) candidateOS(in RecommendInput, musl bool, minDays int, whyNot *[]string) []osCandidate {
	var out []osCandidate
	for i := len(k.OS) - 1; i >= 0; i-- {
		r := k.OS[i]
		if (r.Distro == "alpine") != musl {
			continue
		}
		tag := r.Codename
		name := "Debian " + r.Version + " (" + r.Codename + ")"
		if r.Distro == "alpine" {
			tag = "alpine" + r.Version
			name = "Alpine " + r.Version
		}
		st := r.StatusAt(in.Now)
		switch {
		case st.Support == Unreleased || r.Released.IsZero():
			*whyNot = append(*whyNot, fmt.Sprintf("why not %s: not released yet", name))
			continue
		case !st.Supported():
			continue
		case minDays > 0 && st.DaysLeft < minDays:
			*whyNot = append(*whyNot, fmt.Sprintf("why not %s: %d days of support left, policy wants at least %d", name, st.DaysLeft, minDays))
			continue
		}
		out = append(out, osCandidate{r, tag})
	}
	if p := strings.ToLower(in.Policy.PreferredOS); p != "" {
		i := slices.IndexFunc(out, func(c osCandidate) bool {
			return c.tag == p || c.r.Version == p || "debian"+c.r.Version == p || "alpine"+c.r.Version == "alpine"+strings.TrimPrefix(p, "alpine")
		})
		if i > 0 {
			c := out[i]
			out = append([]osCandidate{c}, slices.Delete(out, i, i+1)...)
		}
	}
	return out
}

// explain writes the reasons for rec.
func (k *Knowledge) explain(in RecommendInput, rules stageRules, rec Recommendation, mature, series []PythonSeries, reasons, whyNot []string) []string {
	p, st := rec.Series, rec.Python
	r := []string{fmt.Sprintf("Python %s: %s, bug fixes until %s, security fixes until %s (%d days left at %s)",
		p.Version, st.Phase, dateOr(p.BugfixEnd), st.EOL.Format(time.DateOnly), st.DaysLeft, in.Now.Format(time.DateOnly))}
	switch {
	case in.Series != "":
		r = append(r, fmt.Sprintf(".python-version pins %s", in.Series))
	case in.RequiresPython != "":
		r = append(r, fmt.Sprintf("the newest suitable series that requires-python %s allows", in.RequiresPython))
	default:
		r = append(r, "the project does not constrain the Python version (no requires-python or .python-version)")
	}
	if rules.maturity > 0 && in.Series == "" {
		days := int(rules.maturity / (24 * time.Hour))
		for _, y := range series {
			if slices.ContainsFunc(mature, func(m PythonSeries) bool { return m.Version == y.Version }) {
				break
			}
			if y.Version != p.Version {
				r = append(r, fmt.Sprintf("why not %s: released %s, less than %d days ago; %s waits for wheels and the first patch releases", y.Version, y.Released.Format(time.DateOnly), days, rec.Stage))
			}
		}
		if !slices.ContainsFunc(mature, func(m PythonSeries) bool { return m.Version == p.Version }) {
			r = append(r, fmt.Sprintf("%s was released less than %d days ago, but no older series fits", p.Version, days))
		}
	}
	o, ost := rec.OS, rec.OSState
	if o.Distro == "alpine" {
		r = append(r, fmt.Sprintf("Alpine %s: supported until %s (%d days left); musl %s", o.Version, ost.EOL.Format(time.DateOnly), ost.DaysLeft, o.LibcVersion))
	} else {
		r = append(r, fmt.Sprintf("Debian %s (%s): %s until %s (%d days left)", o.Version, o.Codename, ost.Phase, ost.EOL.Format(time.DateOnly), ost.DaysLeft))
		if o.LibcVersion != "" {
			r = append(r, fmt.Sprintf("glibc %s installs every manylinux wheel up to manylinux_%s", o.LibcVersion, strings.ReplaceAll(o.LibcVersion, ".", "_")))
		}
	}
	if in.Policy.PreferredOS != "" {
		if strings.EqualFold(in.Policy.PreferredOS, rec.OSTag) {
			r = append(r, fmt.Sprintf("policy prefers %s", in.Policy.PreferredOS))
		} else {
			r = append(r, fmt.Sprintf("policy prefers %s, which is unavailable or unsupported", in.Policy.PreferredOS))
		}
	}
	if in.Policy.MinSupport > 0 {
		r = append(r, fmt.Sprintf("policy: at least %d days of support left", int(in.Policy.MinSupport/(24*time.Hour))))
	}
	r = append(r, reasons...)
	if rec.Runtime.Variant == VariantSlim || rec.Build.Variant == VariantSlim {
		r = append(r, "slim: Debian without compilers and headers, a fraction of the full image's size")
	}
	if alt := k.distrolessFor(p.Version, o); alt != "" {
		r = append(r, alt)
	}
	if in.Tags != nil {
		r = append(r, fmt.Sprintf("tags checked against %s", in.Repo))
	} else {
		r = append(r, fmt.Sprintf("registry not consulted: versions come from pyimg's data as of %s", k.AsOf.Format(time.DateOnly)))
	}
	return append(r, whyNot...)
}

// distrolessFor mentions a distroless runtime with the same Python and OS.
func (k *Knowledge) distrolessFor(series string, o OSRelease) string {
	for _, im := range k.Images {
		if im.Deprecated || im.Python != series || im.Libc != LibcGlibc || !strings.Contains(im.Repo, "distroless") {
			continue
		}
		if o.Distro != "debian" || im.OS != "debian"+o.Version {
			continue
		}
		tag := im.Tag
		if tag == "" {
			tag = "latest"
		}
		return fmt.Sprintf("alternative runtime: %s:%s (Python %s on Debian %s, no shell%s) runs a virtualenv built on this image's OS, if it uses the system interpreter path", im.Repo, tag, im.Python, o.Version, nonRootText(im))
	}
	return ""
}

func nonRootText(im KnownImage) string {
	if im.NonRoot {
		return ", non-root"
	}
	return ""
}

func dateOr(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.Format(time.DateOnly)
}

// SupportDays converts a number of days to a duration for Policy.MinSupport.
func SupportDays(days int) time.Duration { return time.Duration(days) * 24 * time.Hour }
