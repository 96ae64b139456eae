package build

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/pydist"
)

// LayerInfo describes one layer of the built image.
type LayerInfo struct {
	Digest string `json:"digest"`
	Size   int64  `json:"size"`
	// Kind is "base", "dependencies", "project" or "include".
	Kind string `json:"kind"`
}

// Provenance are the inputs of a build, for a provenance attestation.
type Provenance struct {
	// BaseName and BaseDigest identify the base image.
	BaseName   string `json:"base_name"`
	BaseDigest string `json:"base_digest"`
	// Lock is the lock file and the sha256 of its bytes.
	LockFile   string `json:"lock_file"`
	LockSHA256 string `json:"lock_sha256"`
	// Wheels are the dependency wheels installed, sorted by name.
	Wheels []Wheel `json:"wheels"`
	// ProjectWheel is the sha256 of the --project-wheel, when one was given.
	ProjectWheel *Wheel `json:"project_wheel,omitempty"`
	// Target is what the base offers wheels.
	Target *target.Target `json:"target"`
	// SourceDateEpoch is the Unix time recorded, or -1 when none was set.
	SourceDateEpoch int64 `json:"source_date_epoch"`
	// Source and Revision are the project's repository and commit, if known.
	Source   string `json:"source,omitempty"`
	Revision string `json:"revision,omitempty"`
}

// Result is a finished build (or, with WithDryRun, its plan).
type Result struct {
	// Digest is the image manifest digest.
	Digest string `json:"digest"`
	// Reference names the image: the pushed reference by digest, else the
	// first output.
	Reference string `json:"reference"`
	// Layers lists every layer, base layers first.
	Layers []LayerInfo `json:"layers"`
	// Packages counts the Python distributions installed (dependencies and
	// the project).
	Packages int `json:"packages"`
	// Signed is set (true) when WithSigning signed the pushed image.
	Signed *bool `json:"signed,omitempty"`
	// Attestations are the attestations WithSigning attached.
	Attestations []Attestation `json:"attestations,omitempty"`

	// Installed lists the distributions installed, sorted by name.
	Installed []Dist `json:"-"`
	// Outputs are the outputs written.
	Outputs []string `json:"-"`
	// Provenance are the build's inputs.
	Provenance Provenance `json:"-"`
	// Plan is what was (or, for a dry run, would be) done.
	Plan *Plan `json:"-"`
	// Image is the built image (nil for a dry run).
	Image v1.Image `json:"-"`

	// inventory is the built image's package list, once read.
	inventory *inventory.Inventory
}

// Plan is what a build does, decided before anything is written.
type Plan struct {
	// Base and BaseDigest name the base image.
	Base       string `json:"base"`
	BaseDigest string `json:"base_digest"`
	// Target is what the base offers wheels.
	Target *target.Target `json:"target"`
	// Lock is the lock file read.
	Lock string `json:"lock"`
	// Wheels pairs each requirement with its wheel.
	Wheels []Wheel `json:"wheels"`
	// Skipped are requirements whose marker excludes the target.
	Skipped []string `json:"skipped,omitempty"`
	// Project says how the project is installed ("wheel FILE" or "sources
	// in DIR").
	Project string `json:"project"`
	// Include lists the [tool.pyimg.build] include paths.
	Include []string `json:"include,omitempty"`
	// Entrypoint is the image's entrypoint (set once known).
	Entrypoint []string `json:"entrypoint,omitempty"`
	// Outputs and Push are where the image goes.
	Outputs []string `json:"outputs,omitempty"`
	Push    string   `json:"push,omitempty"`
}

// Run builds the project in dir.
func Run(ctx context.Context, dir string, opts ...Option) (*Result, error) {
	o := makeOptions(opts)
	if err := o.checkSigning(); err != nil {
		return nil, err
	}
	pp, _, err := readPyproject(dir)
	if err != nil {
		return nil, err
	}
	cfg := pp.Tool.Pyimg.Build
	baseRef := o.base
	if baseRef == "" {
		baseRef = cfg.Base
	}
	if baseRef == "" && o.defaultBase != nil {
		if baseRef, err = o.defaultBase(dir); err != nil {
			return nil, fmt.Errorf("choosing a base image: %w", err)
		}
		o.emit("base", "no base given: using the recommended runtime image %s", baseRef)
	}
	if baseRef == "" {
		return nil, &InputError{File: filepath.Join(dir, "pyproject.toml"), Err: errors.New("no base image: pass --base or set [tool.pyimg.build] base (see `pyimg recommend`)")}
	}
	lock, err := o.readLock(dir)
	if errors.Is(err, ErrUnsupportedLock) && declaresNoDependencies(dir, pp) {
		// A project that says it has no dependency has nothing to lock.
		lock, err = &Lock{Requirements: []Requirement{}}, nil
		o.emit("lock", "[project] dependencies = []: nothing to lock")
	}
	if err != nil {
		return nil, err
	}

	o.emit("base", "opening %s", baseRef)
	base, err := image.Open(ctx, baseRef, o.imageOpts...)
	if err != nil {
		return nil, fmt.Errorf("opening base image %s: %w", baseRef, err)
	}
	t, err := target.Read(ctx, base.Image, base.Digest, target.WithCacheDir(filepath.Join(o.cacheDir, "targets")))
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", baseRef, err)
	}
	o.emit("base", "%s: %s", baseRef, t)

	plan := &Plan{Base: baseRef, BaseDigest: base.Digest.String(), Target: t, Lock: lock.File, Include: cfg.Include, Push: o.push}
	for _, out := range o.outputs {
		plan.Outputs = append(plan.Outputs, out.String())
	}
	wheels, err := o.resolve(ctx, lock, t, plan)
	if err != nil {
		return nil, err
	}
	plan.Wheels = wheels
	if o.projectWheel != "" {
		plan.Project = "wheel " + o.projectWheel
	} else {
		plan.Project = "sources in " + dir
	}
	prov := Provenance{BaseName: baseRef, BaseDigest: base.Digest.String(), LockFile: lock.File, LockSHA256: lock.SHA256,
		Wheels: wheels, Target: t, SourceDateEpoch: -1}
	if o.epoch != nil {
		prov.SourceDateEpoch = o.epoch.Unix()
	}
	prov.Source, prov.Revision = o.source, o.revision
	if prov.Source == "" || prov.Revision == "" {
		src, rev := gitInfo(dir)
		if prov.Source == "" {
			prov.Source = src
		}
		if prov.Revision == "" {
			prov.Revision = rev
		}
	}
	if o.projectWheel != "" {
		sum, err := fileSHA256(o.projectWheel)
		if err != nil {
			return nil, &InputError{File: o.projectWheel, Err: err}
		}
		prov.ProjectWheel = &Wheel{File: filepath.Base(o.projectWheel), SHA256: sum, URL: o.projectWheel, Path: o.projectWheel}
	}
	if o.dryRun {
		plan.Entrypoint = o.entrypoint
		return &Result{Plan: plan, Provenance: prov}, nil
	}

	built, err := o.buildLayers(ctx, base, dir, pp, cfg, wheels, t)
	if err != nil {
		return nil, err
	}
	spec, err := o.spec(cfg, base, built, t, prov)
	if err != nil {
		return nil, err
	}
	plan.Entrypoint = spec.Entrypoint
	img, err := assemble(base.Image, built, spec)
	if err != nil {
		return nil, err
	}
	res, err := describeResult(img, base, built)
	if err != nil {
		return nil, err
	}
	res.Plan, res.Provenance, res.Image = plan, prov, img
	if err := o.writeOutputs(ctx, img, built, res, pp.Project.Name, baseRef); err != nil {
		return nil, err
	}
	if o.signing != nil {
		if err := o.signPushed(ctx, img, res); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// declaresNoDependencies reports a project whose pyproject.toml says
// `dependencies = []` (not merely omits it) and that has no other place
// dependencies could come from: no setup.py, setup.cfg or requirements
// file.
func declaresNoDependencies(dir string, pp *pyprojectFile) bool {
	if pp.Project.Dependencies == nil || len(pp.Project.Dependencies) > 0 || slices.Contains(pp.Project.Dynamic, "dependencies") {
		return false
	}
	for _, pattern := range []string{"setup.py", "setup.cfg", "requirements*.txt", "requirements*.in", "requirements"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pattern)); len(m) > 0 {
			return false
		}
	}
	return true
}

// readLock reads the project's lock with the first reader that knows it.
func (o *options) readLock(dir string) (*Lock, error) {
	for _, r := range o.lockReaders {
		l, ok, err := r(dir)
		if err != nil {
			return nil, err
		}
		if ok {
			return l, nil
		}
	}
	return nil, &InputError{File: dir, Err: fmt.Errorf("%w: build installs from a lock with pinned versions and hashes: requirements.txt from `pip-compile --generate-hashes` or `uv export`, uv.lock, pylock.toml, poetry.lock, pdm.lock or Pipfile.lock", ErrUnsupportedLock)}
}

// resolve chooses a wheel for every requirement that applies to the target
// and checks it against the lock's hashes.
func (o *options) resolve(ctx context.Context, lock *Lock, t *target.Target, plan *Plan) ([]Wheel, error) {
	if len(lock.Requirements) == 0 {
		return nil, nil
	}
	if o.resolvers == nil {
		return nil, errors.New("no wheel source: pass --wheelhouse or --index-url")
	}
	r, err := o.resolvers(ctx, t)
	if err != nil {
		return nil, err
	}
	env := markerEnv(t)
	var needed map[string]bool
	if lock.project != nil {
		if needed, err = lock.project.Reachable(env); err != nil {
			return nil, &InputError{File: lock.File, Err: err}
		}
	}
	var wheels []Wheel
	for _, req := range lock.Requirements {
		if needed != nil && !needed[pydist.NormalizeName(req.Name)] {
			// Not reached from the project's runtime dependencies on this
			// target: a development group, or a marker that excludes it.
			plan.Skipped = append(plan.Skipped, req.Name+"=="+req.Version+" (not required on this target)")
			continue
		}
		if req.Marker != "" {
			ok, err := evalMarker(req.Marker, env)
			if err != nil {
				return nil, &InputError{File: lock.File, Line: req.Line, Err: err}
			}
			if !ok {
				plan.Skipped = append(plan.Skipped, req.Name+"=="+req.Version+" ; "+req.Marker)
				continue
			}
		}
		w, err := r.Resolve(ctx, req)
		if err != nil {
			return nil, err
		}
		if w.SHA256 == "" {
			if w.SHA256, err = fileSHA256(w.Path); err != nil {
				return nil, fmt.Errorf("reading wheel %s: %w", w.File, err)
			}
		}
		if !containsHash(req.Hashes, w.SHA256) {
			return nil, &HashError{File: w.File, Lock: fmt.Sprintf("%s:%d", lock.File, req.Line), Got: w.SHA256, Want: req.Hashes}
		}
		o.emit("resolve", "%s==%s: %s", req.Name, req.Version, w.File)
		wheels = append(wheels, *w)
	}
	sort.Slice(wheels, func(i, j int) bool {
		return pydist.NormalizeName(wheels[i].Name) < pydist.NormalizeName(wheels[j].Name)
	})
	return wheels, nil
}

func containsHash(hashes []string, sha string) bool {
	for _, h := range hashes {
		if strings.EqualFold(h, "sha256:"+sha) {
			return true
		}
	}
	return false
}

// fileSHA256 returns the hex sha256 of a file.
func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := newSHA256()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// buildLayers writes (or reuses) the dependency layer and writes the
// project and include layers.
func (o *options) buildLayers(ctx context.Context, base *image.Image, dir string, pp *pyprojectFile, cfg Config, wheels []Wheel, t *target.Target) ([]*builtLayer, error) {
	deps, err := dependencyLayer(ctx, base.Image, base.Ref, wheels, t, o.prefix, o.mtime(), o.cacheDir)
	if err != nil {
		return nil, err
	}
	if deps.Cached {
		o.emit("layer", "dependencies: %s (cached, %d distributions)", deps.Written.Digest, len(deps.Dists))
	} else {
		o.emit("layer", "dependencies: %s (%d distributions, %d bytes)", deps.Written.Digest, len(deps.Dists), deps.Written.Size)
	}
	workdir := workingDir(cfg)
	proj, err := projectLayer(dir, o.projectWheel, pp.Project, pp.declaredPackages(), t, o.prefix, workdir, o.mtime(), o.cacheDir)
	if err != nil {
		return nil, err
	}
	o.emit("layer", "project: %s (%d bytes)", proj.Written.Digest, proj.Written.Size)
	built := []*builtLayer{deps, proj}
	inc, err := includeLayer(dir, cfg.Include, workdir, o.mtime(), o.cacheDir)
	if err != nil {
		return nil, err
	}
	if inc != nil {
		o.emit("layer", "include: %s (%d bytes)", inc.Written.Digest, inc.Written.Size)
		built = append(built, inc)
	}
	return built, nil
}

func workingDir(cfg Config) string {
	if cfg.WorkingDir != "" {
		return path.Clean("/" + cfg.WorkingDir)
	}
	return DefaultWorkingDir
}
