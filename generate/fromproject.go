package generate

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyimg/pyimg/project"
)

// layout is what the generator needs to know about how the project
// installs, from what package project detected.
type layout struct {
	lock          string // project.LockUV, project.LockPoetry or ""
	requirements  string // the top requirements file or ""
	requireHashes bool
	partialHashes bool // some requirements hashed, not all
	pyproject     bool
	installable   bool
	hasDeps       bool
	ignoredLock   string // a lock generate cannot install from
	srcLayout     bool   // the packages live under src/, not importable from the root
	scripts       []string
	deps          []string // dependency names, for suggestions
}

func layoutOf(p *project.Project) layout {
	l := layout{pyproject: p.Pyproject != nil, installable: p.BuildBackend != "" || p.SetupPy, srcLayout: hasSrcPackage(p.Dir)}
	if lk := p.Lock(); lk != nil {
		switch lk.Kind {
		case project.LockUV, project.LockPoetry:
			l.lock = lk.File
		default:
			l.ignoredLock = lk.File
		}
		for _, pkg := range lk.Packages {
			if !pkg.Editable {
				l.deps = append(l.deps, pkg.Name)
			}
		}
	}
	if len(p.Requirements) > 0 {
		r := p.Requirements[0]
		l.requirements = r.File
		l.requireHashes = r.HashesComplete() || r.RequireHashes
		for _, line := range r.Requirements {
			if len(line.Hashes) > 0 {
				l.partialHashes = !l.requireHashes
			}
		}
	}
	for _, d := range p.Dependencies {
		l.deps = append(l.deps, d.Name)
	}
	for name := range p.Scripts {
		l.scripts = append(l.scripts, name)
	}
	slices.Sort(l.scripts)
	slices.Sort(l.deps)
	l.deps = slices.Compact(l.deps)
	l.hasDeps = len(p.Dependencies) > 0
	return l
}

// hasSrcPackage reports whether dir/src holds a Python package.
func hasSrcPackage(dir string) bool {
	entries, err := os.ReadDir(filepath.Join(dir, "src"))
	if err != nil {
		return false
	}
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, "src", e.Name(), "__init__.py")); e.IsDir() && err == nil {
			return true
		}
	}
	return false
}

// FromProject derives the Spec for a detected project, its configuration
// and chosen bases. Notes tell the user what was decided and what to
// check (sdists that need system packages, build packages without a known
// runtime library). An error means the project gives no way to run it or
// contradicts itself.
func FromProject(p *project.Project, cfg Config, variant Variant, b Bases) (Spec, []string, error) {
	l := layoutOf(p)
	s := Spec{
		Name:         p.Name,
		Variant:      variant,
		Python:       b.Python,
		BuildImage:   b.Build.Ref(),
		RuntimeImage: b.Runtime.Ref(),
		Pinned:       b.Build.Digest != "" && b.Runtime.Digest != "",
		Port:         cfg.Port,
		HealthPath:   cfg.HealthPath,
		UID:          cfg.UID,
	}
	var notes []string
	switch {
	case l.lock == project.LockUV:
		s.Install, s.UVImage = InstallUV, UVImage
		notes = append(notes, "install: uv sync --frozen --no-dev from uv.lock")
	case l.lock == project.LockPoetry:
		s.Install = InstallPoetry
		notes = append(notes, "install: poetry export of poetry.lock, installed by pip --require-hashes")
	case l.requirements != "":
		if l.partialHashes {
			return Spec{}, nil, fmt.Errorf("%w: %s: some requirements carry --hash and some do not; pip's hash-checking mode needs all of them", ErrProject, l.requirements)
		}
		s.Install, s.Requirements, s.RequireHashes = InstallRequirements, l.requirements, l.requireHashes
		if l.requireHashes {
			notes = append(notes, "install: pip install --require-hashes -r "+l.requirements)
		} else {
			notes = append(notes, "install: pip install -r "+l.requirements+" (no hashes: generate them with pip-compile --generate-hashes or uv pip compile --generate-hashes)")
		}
	case l.pyproject && l.hasDeps:
		s.Install = InstallPyproject
		notes = append(notes, "install: pip install . (no lock file: dependencies resolve at build time)")
	default:
		s.Install = InstallNone
		notes = append(notes, "install: no dependencies found")
	}
	if l.ignoredLock != "" {
		notes = append(notes, fmt.Sprintf("%s is not used: generate installs from uv.lock, poetry.lock or requirements files (export it, e.g. to requirements.txt with hashes)", l.ignoredLock))
	}
	// An installable project is installed (non-editable) into the venv:
	// its console scripts land in the venv's bin, C extensions get built,
	// a src/ layout becomes importable. Otherwise the source is copied.
	s.InstallProject = l.installable
	if cfg.InstallProject != nil {
		s.InstallProject = *cfg.InstallProject
	}
	if s.Install == InstallPyproject {
		s.InstallProject = true
	}
	if s.InstallProject {
		notes = append(notes, "the project is installed into the virtualenv (non-editable); the runtime gets the virtualenv only")
	} else {
		why := "the project is not installable (no build backend)"
		if cfg.InstallProject != nil {
			why = "install-project = false"
		}
		notes = append(notes, why+": its source is copied to "+WorkDir)
	}
	if s.InstallProject && !l.pyproject {
		return Spec{}, nil, fmt.Errorf("%w: %s: install-project = true, but there is no pyproject.toml to install", ErrProject, cfg.Path)
	}

	cmd, env, port, why, err := entryPoint(p, cfg, l)
	if err != nil {
		return Spec{}, nil, err
	}
	s.Command, s.Env = cmd, env
	if s.Port == 0 {
		s.Port = port
	}
	notes = append(notes, "command: "+why)
	if s.Port == 0 {
		notes = append(notes, "no port known: no EXPOSE or HEALTHCHECK (set [tool.pyimg.generate] port)")
	}

	if s.UID == 0 {
		s.UID = DefaultUID
		if variant == VariantDistroless {
			s.UID = DistrolessUID
		}
	}
	s.BuildPackages = cfg.BuildPackages
	s.RuntimePackages = cfg.RuntimePackages
	if s.RuntimePackages == nil && len(s.BuildPackages) > 0 {
		rt, unknown := RuntimeFor(b.Family, b.Codename, s.BuildPackages)
		s.RuntimePackages = rt
		if len(rt) > 0 {
			notes = append(notes, fmt.Sprintf("runtime packages %s derived from build packages %s", strings.Join(rt, ", "), strings.Join(s.BuildPackages, ", ")))
		}
		if len(unknown) > 0 {
			notes = append(notes, fmt.Sprintf("no known runtime library for build packages %s: set [tool.pyimg.generate] runtime-packages if the app needs one", strings.Join(unknown, ", ")))
		}
	}
	if variant.Alpine() && len(s.BuildPackages) > 0 {
		return Spec{}, nil, fmt.Errorf("%w: variant alpine with build packages %s: dependencies would compile against musl; use slim, or drop the build packages if every dependency has a musllinux wheel",
			ErrNotFeasible, strings.Join(s.BuildPackages, ", "))
	}
	notes = append(notes, Suggestions(b.Family, l.deps, s.BuildPackages)...)
	return s, notes, s.Validate()
}

// ErrNotFeasible means the variant cannot be built for the project.
var ErrNotFeasible = errors.New("variant not feasible")

// entryPoint finds how the app starts: the configured command, else what
// project detection found (framework and server, console script, module,
// script).
func entryPoint(p *project.Project, cfg Config, l layout) (cmd, env []string, port int, why string, err error) {
	for k, v := range cfg.Env {
		env = append(env, k+"="+v)
	}
	a := p.App
	if a.DjangoSettings != "" && cfg.Env["DJANGO_SETTINGS_MODULE"] == "" {
		env = append(env, "DJANGO_SETTINGS_MODULE="+a.DjangoSettings)
	}
	slices.Sort(env)
	if len(cfg.Command) > 0 {
		return cfg.Command, env, a.Port, "from " + cfg.Path, nil
	}
	if len(a.Command) > 0 {
		why = a.Framework
		if a.Server != "" {
			why += " served by " + a.Server
		}
		why += ": " + strings.Join(a.Command, " ")
		if a.PortFrom != "" {
			why += fmt.Sprintf(" (port %d from %s)", a.Port, a.PortFrom)
		}
		if a.Framework == project.FrameworkConsole && len(l.scripts) > 1 {
			why += fmt.Sprintf(" (of console scripts %s; choose another with [tool.pyimg.generate] command)", strings.Join(l.scripts, ", "))
		}
		if a.Server == "django" || a.Server == "flask" {
			why += "; this is the development server: add gunicorn to the dependencies for production"
		}
		return a.Command, env, a.Port, why, nil
	}
	if len(l.scripts) > 1 {
		return nil, nil, 0, "", fmt.Errorf("%w: console scripts %s: choose one with [tool.pyimg.generate] command", ErrNoEntryPoint, strings.Join(l.scripts, ", "))
	}
	return nil, nil, 0, "", fmt.Errorf("%w in %s: set [tool.pyimg.generate] command = [\"python\", \"-m\", \"yourapp\"]", ErrNoEntryPoint, p.Dir)
}

// ErrNoEntryPoint means nothing says how the app starts.
var ErrNoEntryPoint = errors.New("no entry point found")
