package generate

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/pyimg/pyimg/project"
)

// layout is what the generator needs to know about the files of a project
// beyond what package project reports.
type layout struct {
	lock          string // "uv.lock", "poetry.lock" or ""
	requirements  string // "requirements.txt" or ""
	requireHashes bool
	pyproject     bool
	buildSystem   bool
	hasDeps       bool
	scripts       []string // console scripts, sorted
	deps          []string // dependency names, for suggestions
}

type pyprojectFile struct {
	BuildSystem map[string]any `toml:"build-system"`
	Project     struct {
		Dependencies []string          `toml:"dependencies"`
		Scripts      map[string]string `toml:"scripts"`
	} `toml:"project"`
	Tool struct {
		Poetry struct {
			Dependencies map[string]any `toml:"dependencies"`
			Scripts      map[string]any `toml:"scripts"`
		} `toml:"poetry"`
	} `toml:"tool"`
}

var reReqName = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)`)

// readLayout reads the lock files, requirements and pyproject.toml of dir.
func readLayout(dir string) (layout, error) {
	var l layout
	exists := func(name string) bool {
		fi, err := os.Stat(filepath.Join(dir, name))
		return err == nil && fi.Mode().IsRegular()
	}
	for _, lock := range []string{"uv.lock", "poetry.lock"} {
		if exists(lock) {
			l.lock = lock
			break
		}
	}
	if b, err := os.ReadFile(filepath.Join(dir, "pyproject.toml")); err == nil {
		l.pyproject = true
		var pp pyprojectFile
		if _, err := toml.Decode(string(b), &pp); err != nil {
			return l, fmt.Errorf("parsing pyproject.toml: %w", err)
		}
		l.buildSystem = pp.BuildSystem != nil
		for _, d := range pp.Project.Dependencies {
			if m := reReqName.FindStringSubmatch(d); m != nil {
				l.deps = append(l.deps, m[1])
			}
		}
		for name := range pp.Tool.Poetry.Dependencies {
			if name != "python" {
				l.deps = append(l.deps, name)
			}
		}
		for name := range pp.Project.Scripts {
			l.scripts = append(l.scripts, name)
		}
		for name := range pp.Tool.Poetry.Scripts {
			l.scripts = append(l.scripts, name)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return l, fmt.Errorf("reading pyproject.toml: %w", err)
	}
	if exists("requirements.txt") {
		l.requirements = "requirements.txt"
		b, err := os.ReadFile(filepath.Join(dir, l.requirements))
		if err != nil {
			return l, fmt.Errorf("reading %s: %w", l.requirements, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if strings.Contains(line, "--hash") {
				l.requireHashes = true
			}
			if line == "" || line[0] == '#' || line[0] == '-' {
				continue
			}
			if m := reReqName.FindStringSubmatch(line); m != nil {
				l.deps = append(l.deps, m[1])
			}
		}
		if err := sc.Err(); err != nil {
			return l, fmt.Errorf("reading %s: %w", l.requirements, err)
		}
	}
	slices.Sort(l.scripts)
	slices.Sort(l.deps)
	l.deps = slices.Compact(l.deps)
	l.hasDeps = len(l.deps) > 0
	return l, nil
}

// FromProject derives the Spec for a detected project, its configuration
// and chosen bases. Notes tell the user what was decided and what to
// check (sdists that need system packages, build packages without a known
// runtime library). An error means the project gives no way to run it or
// contradicts itself.
func FromProject(p *project.Project, cfg Config, variant Variant, b Bases) (Spec, []string, error) {
	l, err := readLayout(p.Dir)
	if err != nil {
		return Spec{}, nil, fmt.Errorf("%w: %s: %v", ErrProject, p.Dir, err)
	}
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
	case l.lock == "uv.lock":
		s.Install, s.UVImage = InstallUV, UVImage
		notes = append(notes, "install: uv sync --frozen --no-dev from uv.lock")
	case l.lock == "poetry.lock":
		s.Install = InstallPoetry
		notes = append(notes, "install: poetry export of poetry.lock, installed by pip --require-hashes")
	case l.requirements != "":
		s.Install, s.Requirements, s.RequireHashes = InstallRequirements, l.requirements, l.requireHashes
		if l.requireHashes {
			notes = append(notes, "install: pip install --require-hashes -r "+l.requirements)
		} else {
			notes = append(notes, "install: pip install -r "+l.requirements+" (no hashes: generate them with pip-compile --generate-hashes or uv pip compile --generate-hashes)")
		}
	case l.pyproject && (l.buildSystem || l.hasDeps):
		s.Install = InstallPyproject
		notes = append(notes, "install: pip install . (no lock file: dependencies resolve at build time)")
	default:
		s.Install = InstallNone
		notes = append(notes, "install: no dependencies found; the virtualenv holds the interpreter only")
	}
	s.InstallProject = len(l.scripts) > 0 && (l.buildSystem || l.lock == "poetry.lock")
	if cfg.InstallProject != nil {
		s.InstallProject = *cfg.InstallProject
	}
	if s.Install == InstallPyproject {
		s.InstallProject = true
	}
	if s.InstallProject && !l.pyproject {
		return Spec{}, nil, fmt.Errorf("%w: %s: install-project = true, but there is no pyproject.toml to install", ErrProject, cfg.Path)
	}

	cmd, env, port, why, err := entryPoint(p.Dir, cfg, l)
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

// entryPoint finds how the app starts: the configured command, the only
// console script, a Django project (manage.py), app.py or main.py, or a
// package with __main__.py.
func entryPoint(dir string, cfg Config, l layout) (cmd, env []string, port int, why string, err error) {
	for k, v := range cfg.Env {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	if len(cfg.Command) > 0 {
		return cfg.Command, env, 0, "from " + cfg.Path, nil
	}
	if len(l.scripts) == 1 {
		return []string{l.scripts[0]}, env, 0, "console script " + l.scripts[0], nil
	}
	exists := func(name string) bool {
		_, err := os.Stat(filepath.Join(dir, name))
		return err == nil
	}
	if exists("manage.py") {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.IsDir() && exists(filepath.Join(e.Name(), "wsgi.py")) && exists(filepath.Join(e.Name(), "settings.py")) {
				mod := e.Name()
				if !slices.ContainsFunc(env, func(s string) bool { return strings.HasPrefix(s, "DJANGO_SETTINGS_MODULE=") }) {
					env = append(env, "DJANGO_SETTINGS_MODULE="+mod+".settings")
					slices.Sort(env)
				}
				return []string{"gunicorn", "--bind", "0.0.0.0:8000", mod + ".wsgi:application"}, env, 8000, "Django project " + mod + " served by gunicorn", nil
			}
		}
	}
	for _, f := range []string{"app.py", "main.py"} {
		if exists(f) {
			return []string{"python", f}, env, 0, "python " + f, nil
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() && exists(filepath.Join(e.Name(), "__main__.py")) {
			return []string{"python", "-m", e.Name()}, env, 0, "python -m " + e.Name(), nil
		}
	}
	if len(l.scripts) > 1 {
		return nil, nil, 0, "", fmt.Errorf("%w: console scripts %s: choose one with [tool.pyimg.generate] command", ErrNoEntryPoint, strings.Join(l.scripts, ", "))
	}
	return nil, nil, 0, "", fmt.Errorf("%w: set [tool.pyimg.generate] command = [\"python\", \"-m\", \"yourapp\"]", ErrNoEntryPoint)
}

// ErrNoEntryPoint means nothing says how the app starts.
var ErrNoEntryPoint = errors.New("no entry point found")
