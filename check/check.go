// Package check is `pyimg check`: the first look at a Python project. It
// detects the project, lints its Dockerfiles, recommends base images with
// reasons, judges whether the dependencies install on musl (Alpine), lists
// the native libraries they need, and ends with a short list of next
// commands. It works offline from embedded data; the pypi and native
// analyses plug in through options (WithMusl, WithNative).
package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/lint/rules"
	"github.com/pyimg/pyimg/project"
	"github.com/pyimg/pyimg/pypi"
	"github.com/pyimg/pyimg/report"
)

// Report is everything check found.
type Report struct {
	// Dir is the project directory, as given.
	Dir string `json:"dir"`
	// Now is the date the support windows were measured at (YYYY-MM-DD).
	Now string `json:"now"`
	// Project is what detection found.
	Project *project.Project `json:"project"`
	// Lint holds the findings per Dockerfile.
	Lint []LintResult `json:"lint"`
	// Base is the base-image recommendation.
	Base Base `json:"base"`
	// Musl is the verdict on running the dependencies on musl (Alpine).
	Musl MuslVerdict `json:"musl"`
	// Native lists the system packages the dependencies need.
	Native []NativeNeed `json:"native"`
	// Data describes the lifecycle data the recommendation used.
	Data Data `json:"data"`
	// Next is the numbered list of what to do next, each a command.
	Next []Step `json:"next"`
	// FailOn is the lint threshold (from the project's lint configuration)
	// and Failed reports whether a finding reached it.
	FailOn report.Severity `json:"fail_on"`
	Failed bool            `json:"failed"`
}

// LintResult is the lint of one Dockerfile.
type LintResult struct {
	// File is the Dockerfile, relative to the project.
	File string `json:"file"`
	// Findings are the lint findings, as `pyimg lint --format json` has them.
	Findings []report.Finding `json:"findings"`
	// Error is set when the Dockerfile could not be linted (it does not
	// parse: the PY505 finding says where).
	Error string `json:"error,omitempty"`
}

// Base is the base-image recommendation (offline: tags from the embedded
// data, digests not resolved).
type Base struct {
	// Build and Runtime are the images for the build and runtime stages.
	Build   string `json:"build,omitempty"`
	Runtime string `json:"runtime,omitempty"`
	// Python is the Python version ("3.13.15"), OS the release ("Debian 13
	// (trixie)") and Libc the C library and its version ("glibc 2.41").
	Python string `json:"python,omitempty"`
	OS     string `json:"os,omitempty"`
	Libc   string `json:"libc,omitempty"`
	// Reasons explain the choice and the alternatives turned down.
	Reasons []string `json:"reasons"`
	// Error says why nothing could be recommended ("" when something was).
	Error string `json:"error,omitempty"`
}

// Data is the lifecycle data's date and what the calendar says against it.
type Data struct {
	// AsOf is the date of the lifecycle data (YYYY-MM-DD).
	AsOf string `json:"as_of"`
	// Stale lists releases scheduled after the data was compiled whose
	// date has passed: the data is older than them.
	Stale []string `json:"stale"`
}

// Step is one thing to do next.
type Step struct {
	// Command is the command line to run.
	Command string `json:"command"`
	// Why says what it does for this project.
	Why string `json:"why"`
}

// MuslFunc judges whether the project's dependencies install on musl.
type MuslFunc func(ctx context.Context, p *project.Project) (MuslVerdict, error)

// NativeFunc lists the system packages the project's dependencies need.
type NativeFunc func(ctx context.Context, p *project.Project) ([]NativeNeed, error)

// Option configures Run.
type Option func(*options)

type options struct {
	now       time.Time
	knowledge *baseimage.Knowledge
	musl      MuslFunc
	muslSet   bool
	index     pypi.Lister
	arch      string
	native    NativeFunc
	getenv    func(string) string
}

// WithNow sets the date support windows and stale data are measured at
// (default: time.Now()).
func WithNow(t time.Time) Option { return func(o *options) { o.now = t } }

// WithKnowledge sets the lifecycle data (default: baseimage.Embedded()).
func WithKnowledge(k *baseimage.Knowledge) Option { return func(o *options) { o.knowledge = k } }

// WithMusl replaces the musl verdict, which by default reads the wheel file
// names the lock file lists (FromLockFiles).
func WithMusl(f MuslFunc) Option { return func(o *options) { o.musl, o.muslSet = f, true } }

// WithNative replaces the native-needs analysis, which by default matches
// the dependencies against well-known source distributions (KnownNeeds).
func WithNative(f NativeFunc) Option { return func(o *options) { o.native = f } }

// WithGetenv sets how ${VAR} in requirements files expands (default: not).
func WithGetenv(getenv func(string) string) Option { return func(o *options) { o.getenv = getenv } }

// Run checks the project in dir. Unparsable or contradictory project files
// return a *project.InputError (or several joined); so does a missing
// directory. Lint findings are part of the report, not errors.
func Run(ctx context.Context, dir string, opts ...Option) (*Report, error) {
	o := options{musl: FromLockFiles, native: KnownNeeds}
	for _, opt := range opts {
		opt(&o)
	}
	if o.now.IsZero() {
		o.now = time.Now()
	}
	if o.knowledge == nil {
		o.knowledge = baseimage.Embedded()
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		return nil, &project.InputError{File: dir, Msg: "project directory", Err: err}
	}
	p, err := project.Detect(dir, project.WithGetenv(o.getenv))
	if err != nil {
		return nil, err
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	r := &Report{Dir: dir, Now: o.now.Format(time.DateOnly), Project: p, Lint: []LintResult{}}
	if err := r.lint(ctx, p, o); err != nil {
		return nil, err
	}
	r.Base = recommend(p, o)
	judged := false
	if !o.muslSet {
		// Package pypi's compatible tags for the recommended series, when
		// there is a lock to judge; else the lock's platform tags.
		if r.Musl, judged, err = fromFeasibility(ctx, p, seriesOf(r.Base.Python), o); err != nil {
			return nil, fmt.Errorf("judging musl compatibility: %w", err)
		}
	}
	if !judged {
		if r.Musl, err = o.musl(ctx, p); err != nil {
			return nil, fmt.Errorf("judging musl compatibility: %w", err)
		}
	}
	if r.Native, err = o.native(ctx, p); err != nil {
		return nil, fmt.Errorf("listing native needs: %w", err)
	}
	if r.Native == nil {
		r.Native = []NativeNeed{}
	}
	r.Data = Data{AsOf: o.knowledge.AsOf.Format(time.DateOnly), Stale: []string{}}
	for _, s := range o.knowledge.StaleReleases(o.now) {
		r.Data.Stale = append(r.Data.Stale, s.String())
	}
	r.Next = nextSteps(r)
	return r, nil
}

// lint runs the linter over every Dockerfile with the project's lint
// configuration.
func (r *Report) lint(ctx context.Context, p *project.Project, o options) error {
	cfg, err := lint.LoadConfig(p.Dir)
	if err != nil {
		return &project.InputError{File: p.Dir, Msg: "lint configuration", Err: err}
	}
	r.FailOn = cfg.FailOn
	l := lint.New(rules.All(o.knowledge), lint.WithToday(o.now), lint.WithConfig(cfg))
	for _, name := range p.Dockerfiles {
		path := filepath.Join(p.Dir, name)
		src, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("reading %s: %w", path, err)
		}
		bc, err := dockerfile.LoadContext(p.Dir, path)
		if err != nil {
			return fmt.Errorf("reading build context %s: %w", p.Dir, err)
		}
		fs, err := l.LintBytes(ctx, name, src, bc)
		res := LintResult{File: name, Findings: fs}
		if res.Findings == nil {
			res.Findings = []report.Finding{}
		}
		if err != nil {
			var pe *dockerfile.ParseError
			if !errors.As(err, &pe) {
				return fmt.Errorf("linting %s: %w", path, err)
			}
			res.Error = err.Error()
		}
		if report.AtOrAbove(res.Findings, r.FailOn) {
			r.Failed = true
		}
		r.Lint = append(r.Lint, res)
	}
	return nil
}

// recommend chooses base images offline, from the embedded data.
func recommend(p *project.Project, o options) Base {
	policy := baseimage.Policy{AllowedRegistries: p.Base.AllowedRegistries, MinSupport: baseimage.SupportDays(p.Base.MinSupportDays), PreferredOS: p.Base.PreferredOS}
	in := baseimage.RecommendInput{Stage: baseimage.StageProd, Libc: baseimage.LibcAny, Policy: policy, Repo: p.Base.Repo, Now: o.now, RequiresPython: p.RequiresPython}
	if !p.Requires.Empty() {
		in.Allows = p.Requires.AllowsSeries
	}
	if s := p.PythonVersionSeries(); s != "" {
		in.Series = s
	}
	repo := p.Base.Repo
	if repo == "" {
		repo = baseimage.DefaultRepo
	}
	if !policy.AllowsRepo(repo) {
		return Base{Reasons: []string{}, Error: fmt.Sprintf("policy ([tool.pyimg.base] allowed-registries) does not allow %s; set [tool.pyimg.base] repo to an allowed copy", repo)}
	}
	rec, err := o.knowledge.Recommend(in)
	if err != nil {
		return Base{Reasons: []string{}, Error: err.Error()}
	}
	osName := "Alpine " + rec.OS.Version
	if rec.OS.Distro == "debian" {
		osName = fmt.Sprintf("Debian %s (%s)", rec.OS.Version, rec.OS.Codename)
	}
	version, _, _ := cutDash(rec.Build.Tag)
	return Base{Build: rec.Build.Ref(), Runtime: rec.Runtime.Ref(), Python: version, OS: osName,
		Libc: rec.OS.Libc + " " + rec.OS.LibcVersion, Reasons: rec.Reasons}
}

func cutDash(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == '-' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
