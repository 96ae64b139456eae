// Package project reads a Python project the way a container build needs
// it, without running any of it: pyproject.toml (PEP 621, Poetry 1 and 2,
// PDM, Hatch, uv with PEP 735 dependency groups, Flit, the build backend,
// and pyimg's [tool.pyimg] tables), setup.cfg and setup.py, lock files
// (uv.lock, poetry.lock, pdm.lock, PEP 751 pylock.toml, Pipfile.lock) in one
// Locked model, pip requirements files (PEP 508, -r/-c includes, --hash,
// editable and URL requirements, index options), .python-version, the
// Dockerfiles, and the framework, entry point and port read from the
// sources and server configuration. Each format has its own parser;
// malformed input is an *InputError with the file and line, and Validate
// reports contradictions between files.
package project

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Project is what Detect found in a directory.
type Project struct {
	// Dir is the directory examined.
	Dir string `json:"dir"`
	// Name is the project name from pyproject.toml or setup.cfg ("" if none).
	Name string `json:"name,omitempty"`
	// Version is the project version from pyproject.toml ("" if none or dynamic).
	Version string `json:"version,omitempty"`
	// RequiresPython is the requires-python specifier as written ("" if
	// none); RequiresPythonFrom names where it came from
	// ("pyproject.toml [project] requires-python", "setup.cfg [options]
	// python_requires"); RequiresPythonLine is its line.
	RequiresPython     string `json:"requires_python,omitempty"`
	RequiresPythonFrom string `json:"requires_python_from,omitempty"`
	RequiresPythonLine int    `json:"requires_python_line,omitempty"`
	// Requires is RequiresPython parsed (the zero value allows everything).
	Requires Specifier `json:"-"`
	// PythonVersion is the first version in .python-version ("" if none);
	// PythonVersionLine is its line.
	PythonVersion     string `json:"python_version,omitempty"`
	PythonVersionLine int    `json:"python_version_line,omitempty"`
	// Dockerfiles are the Dockerfiles at the top of Dir, relative to it,
	// sorted.
	Dockerfiles []string `json:"dockerfiles"`
	// Base is the [tool.pyimg.base] table of pyproject.toml.
	Base BasePolicy `json:"-"`
	// Files are the project files read, relative to Dir, sorted.
	Files []string `json:"files"`

	// Manager is the tool that manages the dependencies: one of the
	// Manager constants ("" when nothing says).
	Manager string `json:"manager,omitempty"`
	// BuildBackend is pyproject.toml's [build-system] build-backend.
	BuildBackend string `json:"build_backend,omitempty"`
	// Pyproject is pyproject.toml as read (nil when absent).
	Pyproject *Pyproject `json:"-"`
	// Pipfile is Pipenv's Pipfile as read (nil when absent).
	Pipfile *Pipfile `json:"-"`
	// Dependencies are the declared runtime dependencies: pyproject.toml's,
	// else those of requirements.txt (or the first requirements*.txt).
	Dependencies []Requirement `json:"dependencies"`
	// Locks are the lock files found, in the order of the Lock constants.
	Locks []*Lock `json:"locks"`
	// Requirements are the requirements*.txt files at the top of Dir
	// (requirements.txt first), each with its includes.
	Requirements []*Requirements `json:"requirements"`
	// SetupPy and SetupCfg report setup.py and setup.cfg at the top of Dir.
	SetupPy  bool `json:"setup_py"`
	SetupCfg bool `json:"setup_cfg"`
	// Scripts are the console scripts (name → "module:function").
	Scripts map[string]string `json:"scripts,omitempty"`
	// Generate is the [tool.pyimg.generate] table of pyproject.toml.
	Generate GenerateConfig `json:"generate"`
	// App is the framework, entry point and port.
	App App `json:"app"`
}

// Dependency managers Project.Manager names.
const (
	ManagerUV         = "uv"
	ManagerPoetry     = "poetry"
	ManagerPDM        = "pdm"
	ManagerPipenv     = "pipenv"
	ManagerHatch      = "hatch"
	ManagerFlit       = "flit"
	ManagerPip        = "pip"
	ManagerSetuptools = "setuptools"
)

// Installable reports whether the project is itself a distribution a
// package installer can build (pyproject.toml names a build backend, or
// setup.py exists), as opposed to an application whose code is copied as is.
func (p *Project) Installable() bool { return p.BuildBackend != "" || p.SetupPy }

// Lock returns the lock file of the project's manager (uv.lock for uv,
// poetry.lock for Poetry, ...), else the first lock found, else nil.
func (p *Project) Lock() *Lock {
	want := map[string]string{ManagerUV: LockUV, ManagerPoetry: LockPoetry, ManagerPDM: LockPDM, ManagerPipenv: LockPipfile}[p.Manager]
	for _, l := range p.Locks {
		if l.Kind == want {
			return l
		}
	}
	if len(p.Locks) > 0 {
		return p.Locks[0]
	}
	return nil
}

// GenerateConfig is [tool.pyimg.generate] in pyproject.toml: the system
// packages an image of the project needs (apt or apk names).
type GenerateConfig struct {
	// BuildPackages are needed to build the dependencies (compilers,
	// headers: "gcc", "libpq-dev").
	BuildPackages []string `toml:"build-packages" json:"build_packages,omitempty"`
	// RuntimePackages are needed at run time ("libpq5").
	RuntimePackages []string `toml:"runtime-packages" json:"runtime_packages,omitempty"`
}

// BasePolicy is an organisation's base-image policy, [tool.pyimg.base] in
// pyproject.toml.
type BasePolicy struct {
	// AllowedRegistries lists registry hosts (and optional path prefixes)
	// images may come from, e.g. "docker.io" or "registry.example.com/mirror".
	// Empty allows any.
	AllowedRegistries []string `toml:"allowed-registries"`
	// MinSupportDays is the minimum number of days of support the Python
	// series and the OS release must have left.
	MinSupportDays int `toml:"min-support-days"`
	// PreferredOS is the OS release to prefer, e.g. "bookworm".
	PreferredOS string `toml:"preferred-os"`
	// Repo is the python image repository to recommend from.
	Repo string `toml:"repo"`
}

// Option configures Detect.
type Option func(*options)

type options struct {
	getenv func(string) string
}

// WithGetenv sets how ${VAR} references in requirements files are expanded
// (default: left as written).
func WithGetenv(getenv func(string) string) Option {
	return func(o *options) { o.getenv = getenv }
}

// Detect reads the project in dir: pyproject.toml, setup.cfg, lock files,
// requirements*.txt, .python-version, the Dockerfiles, and the sources for
// the framework, entry point and port. It reads files of bounded size and
// executes nothing. Missing files are not errors; malformed ones are
// *InputError naming the file and line. Contradictions between files are
// reported by Validate, not here.
func Detect(dir string, opts ...Option) (*Project, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	p := &Project{Dir: dir}
	if err := p.readPyproject(); err != nil {
		return nil, err
	}
	_, p.SetupPy = fileExists(filepath.Join(dir, "setup.py"))
	if err := p.readSetupCfg(); err != nil {
		return nil, err
	}
	if p.RequiresPython != "" {
		spec, err := ParseSpecifier(p.RequiresPython)
		if err != nil {
			file, _, _ := strings.Cut(p.RequiresPythonFrom, " ")
			return nil, &InputError{File: file, Line: p.RequiresPythonLine, Msg: "requires-python", Err: err}
		}
		p.Requires = spec
	}
	if err := p.readPythonVersion(); err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var reqFiles, lockFiles []string
	for _, e := range entries {
		n := e.Name()
		l := strings.ToLower(n)
		if e.IsDir() {
			continue
		}
		switch {
		case l == "dockerfile" || l == "containerfile" || strings.HasPrefix(l, "dockerfile.") || strings.HasSuffix(l, ".dockerfile"):
			p.Dockerfiles = append(p.Dockerfiles, n)
		case strings.HasPrefix(n, "requirements") && strings.HasSuffix(n, ".txt"):
			reqFiles = append(reqFiles, n)
		case n == LockUV || n == LockPoetry || n == LockPDM || n == LockPipfile || IsPylockName(n):
			lockFiles = append(lockFiles, n)
		}
	}
	slices.Sort(p.Dockerfiles)
	// A requirements/ directory (requirements/base.txt, production.txt, ...).
	if sub, err := os.ReadDir(filepath.Join(dir, "requirements")); err == nil {
		for _, e := range sub {
			if !e.IsDir() && strings.HasSuffix(e.Name(), ".txt") {
				reqFiles = append(reqFiles, "requirements/"+e.Name())
			}
		}
	}
	if err := p.readLocks(lockFiles); err != nil {
		return nil, err
	}
	if err := p.readRequirements(reqFiles, o.getenv); err != nil {
		return nil, err
	}
	if err := p.readPipfile(); err != nil {
		return nil, err
	}
	p.Manager = p.manager(entries)
	deps := map[string]bool{}
	for _, r := range p.Dependencies {
		deps[r.Normalized()] = true
	}
	for _, rf := range p.Requirements {
		for _, r := range rf.Requirements {
			deps[r.Normalized()] = true
		}
	}
	if l := p.Lock(); l != nil {
		for _, lp := range l.Packages {
			deps[lp.Normalized()] = true
		}
	}
	if p.App, err = detectApp(dir, deps, p.Scripts, p.Name); err != nil {
		return nil, err
	}
	slices.Sort(p.Files)
	p.Files = slices.Compact(p.Files)
	p.Dockerfiles, p.Files, p.Dependencies = nonNil(p.Dockerfiles), nonNil(p.Files), nonNil(p.Dependencies)
	p.Locks, p.Requirements = nonNil(p.Locks), nonNil(p.Requirements)
	return p, nil
}

func (p *Project) readLocks(names []string) error {
	order := func(n string) int {
		switch n {
		case LockUV:
			return 0
		case LockPoetry:
			return 1
		case LockPDM:
			return 2
		case LockPipfile:
			return 4
		}
		return 3
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := order(a) - order(b); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	for _, n := range names {
		b, ok, err := p.read(n)
		if err != nil || !ok {
			return err
		}
		l, err := ParseLock(n, b)
		if err != nil {
			return err
		}
		p.Locks = append(p.Locks, l)
	}
	return nil
}

func (p *Project) readRequirements(names []string, getenv func(string) string) error {
	// The runtime requirements first: requirements.txt, then a production
	// file, then the rest by name (top-level before requirements/).
	rank := func(n string) int {
		base := strings.TrimSuffix(path.Base(n), ".txt")
		switch {
		case n == "requirements.txt":
			return 0
		case strings.Contains(base, "prod"):
			return 1
		case base == "base" || base == "common" || base == "main":
			return 2
		case strings.Contains(base, "dev") || strings.Contains(base, "test") || strings.Contains(base, "local") || strings.Contains(base, "lint") || strings.Contains(base, "doc"):
			return 4
		}
		return 3
	}
	slices.SortFunc(names, func(a, b string) int {
		if c := rank(a) - rank(b); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	root, err := filepath.Abs(p.Dir)
	if err != nil {
		return err
	}
	read := func(name string) ([]byte, error) {
		full := filepath.Join(root, filepath.FromSlash(name))
		if !strings.HasPrefix(full, root+string(filepath.Separator)) {
			return nil, fmt.Errorf("%s is outside the project", name)
		}
		fi, err := os.Stat(full)
		if err != nil {
			return nil, err
		}
		if fi.Size() > maxReqFileBytes {
			return nil, fmt.Errorf("larger than %d KiB", maxReqFileBytes>>10)
		}
		p.Files = append(p.Files, name)
		return os.ReadFile(full)
	}
	for _, n := range names {
		r, err := ParseRequirements(n, read, getenv)
		if err != nil {
			return err
		}
		p.Requirements = append(p.Requirements, r)
	}
	if len(p.Dependencies) == 0 && len(p.Requirements) > 0 {
		for _, l := range p.Requirements[0].Requirements {
			if l.Name != "" {
				p.Dependencies = append(p.Dependencies, l.Requirement)
			}
		}
	}
	return nil
}

// manager decides which tool manages the dependencies: a lock file says
// most, then the tool tables, then the files present.
func (p *Project) manager(entries []os.DirEntry) string {
	has := func(name string) bool {
		return slices.ContainsFunc(entries, func(e os.DirEntry) bool { return e.Name() == name })
	}
	tool := func(t string) bool { return p.Pyproject != nil && slices.Contains(p.Pyproject.Tools, t) }
	backend := func(prefix string) bool { return strings.HasPrefix(p.BuildBackend, prefix) }
	switch {
	case has(LockUV):
		return ManagerUV
	case has(LockPoetry):
		return ManagerPoetry
	case has(LockPDM):
		return ManagerPDM
	case has(LockPipfile) || has("Pipfile"):
		return ManagerPipenv
	case tool("uv"):
		return ManagerUV
	case tool("poetry") || backend("poetry"):
		return ManagerPoetry
	case tool("pdm") || backend("pdm"):
		return ManagerPDM
	case len(p.Requirements) > 0 || slices.ContainsFunc(p.Locks, func(l *Lock) bool { return l.Kind == LockPylock }):
		return ManagerPip
	case tool("hatch") || backend("hatchling"):
		return ManagerHatch
	case tool("flit") || backend("flit"):
		return ManagerFlit
	case p.SetupPy || p.SetupCfg || backend("setuptools"):
		return ManagerSetuptools
	case p.Pyproject != nil:
		return ManagerPip
	}
	return ""
}

// maxProjectFileBytes bounds the configuration files read (pyproject.toml,
// setup.cfg, .python-version); lock files have their own, larger bound.
const maxProjectFileBytes = 4 << 20

// read reads a file at the top of the project; false when it does not exist.
// Files larger than their bound are an *InputError.
func (p *Project) read(name string) ([]byte, bool, error) {
	limit := int64(maxProjectFileBytes)
	if name == LockUV || name == LockPoetry || name == LockPDM || name == LockPipfile || IsPylockName(name) {
		limit = maxLockBytes
	}
	f, err := os.Open(filepath.Join(p.Dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, false, inputErr(name, 0, "larger than %d MiB", limit>>20)
	}
	p.Files = append(p.Files, name)
	return b, true, nil
}

func (p *Project) readPyproject() error {
	b, ok, err := p.read("pyproject.toml")
	if err != nil || !ok {
		return err
	}
	pp, err := ParsePyproject("pyproject.toml", b)
	if err != nil {
		return err
	}
	p.Pyproject = pp
	p.Name, p.Version, p.Base, p.BuildBackend = pp.Name, pp.Version, pp.Base, pp.BuildBackend
	p.RequiresPython, p.RequiresPythonFrom, p.RequiresPythonLine = pp.RequiresPython, pp.RequiresPythonFrom, pp.RequiresPythonLine
	p.Dependencies, p.Generate, p.Scripts = pp.Dependencies, pp.Generate, pp.Scripts
	return nil
}

// readPythonVersion reads the first version of .python-version (pyenv, uv).
func (p *Project) readPythonVersion() error {
	b, ok, err := p.read(".python-version")
	if err != nil || !ok {
		return err
	}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		p.PythonVersion, p.PythonVersionLine = line, i+1
		return nil
	}
	return nil
}

// PythonVersionSeries returns the "MAJOR.MINOR" series .python-version names
// ("3.12" for "3.12.4" or "cpython-3.12"), or "" when it names none.
func (p *Project) PythonVersionSeries() string {
	v := strings.TrimPrefix(strings.TrimPrefix(p.PythonVersion, "cpython-"), "cpython")
	rel, ok := parseRelease(strings.SplitN(v, "-", 2)[0])
	if !ok || len(rel) < 2 {
		return ""
	}
	return fmt.Sprintf("%d.%d", rel[0], rel[1])
}

// nonNil returns s, or an empty slice for nil (JSON "[]", not "null").
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// readPipfile reads Pipenv's Pipfile; its packages are the dependencies
// when nothing else declares any.
func (p *Project) readPipfile() error {
	b, ok, err := p.read("Pipfile")
	if err != nil || !ok {
		return err
	}
	pf, err := ParsePipfile("Pipfile", b)
	if err != nil {
		return err
	}
	p.Pipfile = pf
	if len(p.Dependencies) == 0 {
		p.Dependencies = pf.Packages
	}
	return nil
}
