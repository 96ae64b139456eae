package pypi

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/google/osv-scalibr/semantic"
	"golang.org/x/sync/errgroup"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/pydist"
)

// Requirement is one locked dependency: an exact version and, optionally,
// the hashes the lock allows ("sha256:<hex>" or bare sha256 hex).
type Requirement struct {
	Name    string   `json:"name"`
	Version string   `json:"version"`
	Hashes  []string `json:"hashes,omitempty"`
}

// Base is a candidate base image for feasibility checks.
type Base struct {
	// Name identifies the base in output, e.g. "bookworm" or "alpine3.22".
	Name string `json:"name"`
	// Libc and LibcVersion describe its C library (glibc 2.36, musl 1.2.5).
	Libc        Libc   `json:"libc"`
	LibcVersion string `json:"libc_version"`
	// PackageManager is apt or apk; default apt for glibc, apk for musl.
	PackageManager PackageManager `json:"package_manager,omitempty"`
	// PythonHeaders is the package providing Python.h when the base's
	// Python comes from the distribution (python3-dev, python3-dev on
	// Alpine); empty for the official python images, which ship headers.
	PythonHeaders string `json:"python_headers,omitempty"`
}

// BaseFromRelease describes a Debian or Alpine release from the embedded
// base-image knowledge as a Base named after its codename (Debian) or
// "alpine<version>".
func BaseFromRelease(r baseimage.OSRelease) Base {
	b := Base{Libc: Libc(r.Libc), LibcVersion: r.LibcVersion, PackageManager: Apt, Name: r.Codename}
	if r.Distro == "alpine" {
		b.PackageManager, b.Name = Apk, "alpine"+r.Version
	}
	if b.Name == "" {
		b.Name = r.Distro + r.Version
	}
	return b
}

// Status is the outcome for one package, or the verdict for one base.
type Status string

// Outcomes, from best to worst (a base's verdict is its worst package's).
const (
	// StatusWheel: a compatible wheel exists.
	StatusWheel Status = "wheel"
	// StatusSourceBuild: no compatible wheel, but an sdist to build.
	StatusSourceBuild Status = "source_build"
	// StatusUnknown: offline and not cached, so not known.
	StatusUnknown Status = "unknown"
	// StatusImpossible: no file for the version, or none usable.
	StatusImpossible Status = "impossible"
)

func (s Status) worse(t Status) bool {
	order := map[Status]int{StatusWheel: 0, StatusSourceBuild: 1, StatusUnknown: 2, StatusImpossible: 3}
	return order[s] > order[t]
}

// PackageResult is the outcome of one requirement on one base.
type PackageResult struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Status  Status `json:"status"`
	// Wheel is the chosen wheel's file name (status wheel).
	Wheel string `json:"wheel,omitempty"`
	// Sdist is the source distribution to build (status source_build).
	Sdist string `json:"sdist,omitempty"`
	// BuildPackages are the system packages the build needs.
	BuildPackages []string `json:"build_packages,omitempty"`
	// BuildNeedsKnown reports that BuildPackages come from the table of
	// known sdists rather than the generic compiler toolchain.
	BuildNeedsKnown bool `json:"build_needs_known,omitempty"`
	// Reason explains the status in one sentence.
	Reason string `json:"reason"`
	// Evidence lists the files the index has for that version.
	Evidence []string `json:"evidence"`
}

// BaseResult is the verdict for one base.
type BaseResult struct {
	Base   Base   `json:"base"`
	Target Target `json:"target"`
	// Verdict is the worst package status.
	Verdict  Status          `json:"verdict"`
	Packages []PackageResult `json:"packages"`
	// BuildPackages is the sorted union of the packages' build packages.
	BuildPackages []string `json:"build_packages,omitempty"`
	// Summary says the verdict in one sentence.
	Summary string `json:"summary"`
}

// Feasibility is the answer of CheckFeasibility.
type Feasibility struct {
	Python string       `json:"python"`
	Arch   string       `json:"arch"`
	Bases  []BaseResult `json:"bases"`
}

// Lister lists the files of a project; *Client is one.
type Lister interface {
	Project(ctx context.Context, name string) (*ProjectPage, error)
}

// FeasibilityInput is what CheckFeasibility decides on.
type FeasibilityInput struct {
	// Python is the target's major.minor ("3.12").
	Python string
	// Arch is the machine name (x86_64, aarch64; see NormalizeArch).
	Arch string
	// Requirements are the locked dependencies.
	Requirements []Requirement
	// Bases are the candidate bases.
	Bases []Base
}

// FeasibilityOption changes CheckFeasibility.
type FeasibilityOption func(*feasOptions)

type feasOptions struct {
	selectOpts  []SelectOption
	concurrency int
}

// WithSelection passes wheel-selection options (AllowLinuxTag).
func WithSelection(opts ...SelectOption) FeasibilityOption {
	return func(o *feasOptions) { o.selectOpts = append(o.selectOpts, opts...) }
}

// WithConcurrency bounds parallel index requests (default 8).
func WithConcurrency(n int) FeasibilityOption {
	return func(o *feasOptions) {
		if n > 0 {
			o.concurrency = n
		}
	}
}

// CheckFeasibility decides, for every requirement on every base, whether it
// installs from a wheel, needs a source build (and which system packages),
// or cannot be installed, naming the files as evidence. Projects missing
// from the index are impossible; pages an offline client lacks are
// unknown; other index errors fail the call.
func CheckFeasibility(ctx context.Context, l Lister, in FeasibilityInput, opts ...FeasibilityOption) (*Feasibility, error) {
	o := feasOptions{concurrency: 8}
	for _, opt := range opts {
		opt(&o)
	}
	type target struct {
		base   Base
		target Target
		ranker *Ranker
	}
	var targets []target
	for _, b := range in.Bases {
		if b.PackageManager == "" {
			b.PackageManager = Apt
			if b.Libc == Musl {
				b.PackageManager = Apk
			}
		}
		t := Target{PythonVersion: in.Python, Libc: b.Libc, LibcVersion: b.LibcVersion, Arch: in.Arch}
		tags, err := CompatibleTags(t)
		if err != nil {
			return nil, fmt.Errorf("base %s: %w", b.Name, err)
		}
		targets = append(targets, target{b, t, NewRanker(tags, o.selectOpts...)})
	}
	for i, r := range in.Requirements {
		if pydist.NormalizeName(r.Name) == "" || strings.TrimSpace(r.Version) == "" {
			return nil, fmt.Errorf("requirement %d: name and version are required (got %q %q)", i+1, r.Name, r.Version)
		}
	}
	pages := make([]*ProjectPage, len(in.Requirements))
	pageErrs := make([]error, len(in.Requirements))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.concurrency)
	for i, r := range in.Requirements {
		g.Go(func() error {
			p, err := l.Project(gctx, r.Name)
			switch {
			case err == nil:
				pages[i] = p
			case errors.Is(err, ErrNotFound) || errors.Is(err, ErrOffline):
				pageErrs[i] = err
			default:
				return fmt.Errorf("checking %s %s: %w", r.Name, r.Version, err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := &Feasibility{Python: in.Python, Arch: in.Arch, Bases: []BaseResult{}}
	for _, t := range targets {
		br := BaseResult{Base: t.base, Target: t.target, Verdict: StatusWheel, Packages: []PackageResult{}}
		build := map[string]bool{}
		for i, r := range in.Requirements {
			pr := decide(r, pages[i], pageErrs[i], t.base, t.target, t.ranker)
			if pr.Status.worse(br.Verdict) {
				br.Verdict = pr.Status
			}
			for _, p := range pr.BuildPackages {
				build[p] = true
			}
			br.Packages = append(br.Packages, pr)
		}
		for p := range build {
			br.BuildPackages = append(br.BuildPackages, p)
		}
		sort.Strings(br.BuildPackages)
		br.Summary = summarize(br)
		out.Bases = append(out.Bases, br)
	}
	return out, nil
}

// sameVersion compares PEP 440 versions ("1.0" equals "1.0.0").
func sameVersion(a, b string) bool {
	if a == b {
		return true
	}
	va, err := semantic.Parse(a, "PyPI")
	if err != nil {
		return false
	}
	c, err := va.CompareStr(b)
	return err == nil && c == 0
}

func allowedHashes(r Requirement) map[string]bool {
	if len(r.Hashes) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, h := range r.Hashes {
		h = strings.ToLower(strings.TrimSpace(h))
		if algo, hex, ok := strings.Cut(h, ":"); ok {
			if algo != "sha256" {
				continue
			}
			h = hex
		}
		m[h] = true
	}
	if len(m) == 0 {
		return nil // no sha256 among them: nothing to filter by
	}
	return m
}
