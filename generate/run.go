package generate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/project"
)

// Resolver returns the digest of repo:tag in its registry.
type Resolver func(ctx context.Context, repo, tag string) (digest string, err error)

// TagLister returns the tags of repo in its registry.
type TagLister func(ctx context.Context, repo string) ([]string, error)

// MuslCheck reports whether every dependency of the project installs on
// musl for the Python series (a pure-Python or musllinux wheel), with one
// line of evidence per package that does not.
type MuslCheck func(ctx context.Context, p *project.Project, python string) (ok bool, evidence []string, err error)

// Option configures Run.
type Option func(*options)

type options struct {
	knowledge *baseimage.Knowledge
	now       time.Time
	resolve   Resolver
	tags      TagLister
	libs      *libsFinding
	musl      MuslCheck
	repo      string
}

// WithKnowledge sets the lifecycle data (default: the embedded data).
func WithKnowledge(k *baseimage.Knowledge) Option { return func(o *options) { o.knowledge = k } }

// WithNow sets the date support is measured at (default: time.Now).
func WithNow(t time.Time) Option { return func(o *options) { o.now = t } }

// WithResolver pins the base images by the digests r returns. Without it
// (offline) the images are not pinned and the file says how to pin them.
func WithResolver(r Resolver) Option { return func(o *options) { o.resolve = r } }

// WithTagLister makes the choice of python images follow the registry's
// tags (a mirror may lack the newest patch release). When listing fails
// the choice follows the embedded data, with a warning.
func WithTagLister(l TagLister) Option { return func(o *options) { o.tags = l } }

// libsFinding is what a native-library analysis (pyimg libs) of a built
// image found missing.
type libsFinding struct {
	source   string
	packages []string
	unknown  []string
}

// WithRuntimeLibs adds the runtime packages a shared-library analysis of
// source (an image or directory built from the project, as pyimg libs
// reads it) found the app needs but lacks; unknown are missing sonames no
// known package provides (reported as warnings).
func WithRuntimeLibs(source string, packages, unknown []string) Option {
	return func(o *options) { o.libs = &libsFinding{source, packages, unknown} }
}

// WithMuslCheck sets the feasibility check the alpine variant runs.
// Without it, alpine is refused for a project with dependencies.
func WithMuslCheck(c MuslCheck) Option { return func(o *options) { o.musl = c } }

// WithRepo sets the python image repository (a mirror); default: the
// project's [tool.pyimg.base] repo, else the official image.
func WithRepo(repo string) Option { return func(o *options) { o.repo = repo } }

// Result is what Run produced.
type Result struct {
	// Dir is the project directory.
	Dir string
	// Spec is what the files were rendered from.
	Spec Spec
	// Files are the rendered Dockerfile and .dockerignore.
	Files Files
	// Bases are the chosen images and why.
	Bases Bases
	// Notes explain the decisions and suggest what to check.
	Notes []string
	// Warnings are problems that did not stop generation (digests not
	// resolved, say).
	Warnings []string
}

// ErrProject is wrapped by Run's input errors: the project cannot be read,
// its files contradict each other or its configuration is malformed.
var ErrProject = errors.New("invalid project")

// UVImage is the image uv is copied from.
const UVImage = "ghcr.io/astral-sh/uv:0.8.22"

// Run detects the project in dir, chooses the bases for variant and
// renders the files. Errors wrapping ErrProject, ErrNotFeasible,
// ErrNoEntryPoint, ErrInvalidSpec or baseimage.ErrNoCandidate are the
// project's (input errors); others are runtime failures.
func Run(ctx context.Context, dir string, variant Variant, opts ...Option) (*Result, error) {
	o := options{}
	for _, f := range opts {
		f(&o)
	}
	if o.knowledge == nil {
		o.knowledge = baseimage.Embedded()
	}
	if o.now.IsZero() {
		o.now = time.Now()
	}
	proj, err := project.Detect(dir)
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", ErrProject, dir, err)
	}
	if err := proj.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProject, err)
	}
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProject, err)
	}
	in := baseimage.RecommendInput{
		Now:            o.now,
		RequiresPython: proj.RequiresPython,
		Repo:           o.repo,
		Policy: baseimage.Policy{
			AllowedRegistries: proj.Base.AllowedRegistries,
			MinSupport:        baseimage.SupportDays(proj.Base.MinSupportDays),
			PreferredOS:       proj.Base.PreferredOS,
		},
	}
	if in.Repo == "" {
		in.Repo = proj.Base.Repo
	}
	if !proj.Requires.Empty() {
		in.Allows = proj.Requires.AllowsSeries
	}
	if proj.PythonVersion != "" {
		in.Series = proj.PythonVersionSeries()
	}
	var warnings []string
	if o.tags != nil && variant != VariantDistroless {
		repo := in.Repo
		if repo == "" {
			repo = baseimage.DefaultRepo
		}
		tags, err := o.tags(ctx, repo)
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("listing the tags of %s: %v; the choice follows pyimg's data", repo, err))
		} else {
			in.Tags = tags
		}
	}
	b, err := ChooseBases(o.knowledge, in, variant)
	if err != nil {
		return nil, err
	}
	spec, notes, err := FromProject(proj, cfg, variant, b)
	if err != nil {
		return nil, err
	}
	res := &Result{Dir: dir, Bases: b, Notes: notes, Warnings: warnings}
	if l := o.libs; l != nil {
		var added []string
		for _, p := range l.packages {
			if !slices.Contains(spec.RuntimePackages, p) {
				spec.RuntimePackages = append(spec.RuntimePackages, p)
				added = append(added, p)
			}
		}
		if len(added) > 0 {
			res.Notes = append(res.Notes, fmt.Sprintf("runtime packages %s: shared libraries %s lacks (pyimg libs)", strings.Join(added, ", "), l.source))
		}
		for _, so := range l.unknown {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s lacks %s and no known package provides it: add it to [tool.pyimg.generate] runtime-packages", l.source, so))
		}
		if err := spec.Validate(); err != nil {
			return nil, err
		}
	}
	if variant.Alpine() && spec.Install != InstallNone {
		if o.musl == nil {
			return nil, fmt.Errorf("%w: variant alpine: the project has dependencies and no musl feasibility check is available; use slim", ErrNotFeasible)
		}
		ok, evidence, err := o.musl(ctx, proj, spec.Python)
		if err != nil {
			return nil, fmt.Errorf("checking musl wheels: %w", err)
		}
		if !ok {
			return nil, fmt.Errorf("%w: variant alpine: %s", ErrNotFeasible, strings.Join(evidence, "; "))
		}
		res.Notes = append(res.Notes, "alpine: every dependency installs on musl")
	}
	if o.resolve != nil {
		pinned := true
		pin := func(ref *string) {
			repo, tag := splitRef(*ref)
			d, err := o.resolve(ctx, repo, tag)
			if err != nil {
				res.Warnings = append(res.Warnings, fmt.Sprintf("resolving %s: %v; not pinned", *ref, err))
				pinned = false
				return
			}
			*ref += "@" + d
		}
		for _, ref := range []*string{&spec.BuildImage, &spec.RuntimeImage} {
			pin(ref)
		}
		if spec.Install == InstallUV {
			pin(&spec.UVImage)
		}
		spec.Pinned = pinned
	} else {
		res.Warnings = append(res.Warnings, "base images not pinned by digest (offline): run `pyimg pin Dockerfile` or generate with --pin")
	}
	files, err := Render(spec)
	if err != nil {
		return nil, err
	}
	res.Spec, res.Files = spec, files
	return res, nil
}

// splitRef splits "host:port/repo:tag" at the tag's colon.
func splitRef(ref string) (repo, tag string) {
	i := strings.LastIndexByte(ref, ':')
	if i < 0 || i < strings.LastIndexByte(ref, '/') {
		return ref, "latest"
	}
	return ref[:i], ref[i+1:]
}
