// Package project reads what a Python project says about the interpreter
// it needs: requires-python from pyproject.toml (PEP 621 or Poetry) or
// setup.cfg, the .python-version file, the Dockerfiles at its top, and
// pyimg's base-image policy ([tool.pyimg.base] in pyproject.toml).
package project

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"github.com/pyimg/pyimg/internal/tomlguard"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Project is what Detect found in a directory.
type Project struct {
	// Dir is the directory examined.
	Dir string
	// Name is the project name from pyproject.toml or setup.cfg ("" if none).
	Name string
	// RequiresPython is the requires-python specifier as written ("" if
	// none); RequiresPythonFrom names where it came from
	// ("pyproject.toml [project]", "pyproject.toml [tool.poetry]",
	// "setup.cfg").
	RequiresPython     string
	RequiresPythonFrom string
	// Requires is RequiresPython parsed (the zero value allows everything).
	Requires Specifier
	// PythonVersion is the first version in .python-version ("" if none).
	PythonVersion string
	// Dockerfiles are the Dockerfiles at the top of Dir, relative to it,
	// sorted.
	Dockerfiles []string
	// Base is the [tool.pyimg.base] table of pyproject.toml.
	Base BasePolicy
	// Files are the project files read, relative to Dir, sorted.
	Files []string
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

type pyproject struct {
	Project struct {
		Name           string `toml:"name"`
		RequiresPython string `toml:"requires-python"`
	} `toml:"project"`
	Tool struct {
		Poetry struct {
			Name         string         `toml:"name"`
			Dependencies map[string]any `toml:"dependencies"`
		} `toml:"poetry"`
		Pyimg struct {
			Base BasePolicy `toml:"base"`
		} `toml:"pyimg"`
	} `toml:"tool"`
}

// Detect reads the project in dir. Missing files are not errors; malformed
// ones are, naming the file.
func Detect(dir string) (*Project, error) {
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
	if p.RequiresPython == "" {
		if err := p.readSetupCfg(); err != nil {
			return nil, err
		}
	}
	if p.RequiresPython != "" {
		spec, err := ParseSpecifier(p.RequiresPython)
		if err != nil {
			return nil, fmt.Errorf("%s: requires-python: %w", p.RequiresPythonFrom, err)
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
	for _, e := range entries {
		n := e.Name()
		l := strings.ToLower(n)
		if !e.IsDir() && (l == "dockerfile" || l == "containerfile" || strings.HasPrefix(l, "dockerfile.") || strings.HasSuffix(l, ".dockerfile")) {
			p.Dockerfiles = append(p.Dockerfiles, n)
		}
	}
	slices.Sort(p.Dockerfiles)
	slices.Sort(p.Files)
	return p, nil
}

func (p *Project) read(name string) ([]byte, bool, error) {
	b, err := os.ReadFile(filepath.Join(p.Dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	p.Files = append(p.Files, name)
	return b, true, nil
}

func (p *Project) readPyproject() error {
	b, ok, err := p.read("pyproject.toml")
	if err != nil || !ok {
		return err
	}
	var pp pyproject
	if err := tomlguard.Check("pyproject.toml", b); err != nil {
		return err
	}
	if _, err := toml.Decode(string(b), &pp); err != nil {
		return fmt.Errorf("parsing pyproject.toml: %w", err)
	}
	p.Name = pp.Project.Name
	if p.Name == "" {
		p.Name = pp.Tool.Poetry.Name
	}
	p.Base = pp.Tool.Pyimg.Base
	if pp.Project.RequiresPython != "" {
		p.RequiresPython, p.RequiresPythonFrom = pp.Project.RequiresPython, "pyproject.toml [project] requires-python"
		return nil
	}
	switch v := pp.Tool.Poetry.Dependencies["python"].(type) {
	case string:
		p.RequiresPython, p.RequiresPythonFrom = v, "pyproject.toml [tool.poetry.dependencies] python"
	case map[string]any:
		if s, ok := v["version"].(string); ok {
			p.RequiresPython, p.RequiresPythonFrom = s, "pyproject.toml [tool.poetry.dependencies] python"
		}
	}
	return nil
}

// readSetupCfg reads python_requires from the [options] section.
func (p *Project) readSetupCfg() error {
	b, ok, err := p.read("setup.cfg")
	if err != nil || !ok {
		return err
	}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			k, v, ok = strings.Cut(line, ":")
		}
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		switch {
		case section == "options" && k == "python_requires":
			p.RequiresPython, p.RequiresPythonFrom = strings.TrimSpace(v), "setup.cfg [options] python_requires"
		case section == "metadata" && k == "name" && p.Name == "":
			p.Name = strings.TrimSpace(v)
		}
	}
	return sc.Err()
}

// readPythonVersion reads the first version of .python-version (pyenv, uv).
func (p *Project) readPythonVersion() error {
	b, ok, err := p.read(".python-version")
	if err != nil || !ok {
		return err
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		p.PythonVersion = line
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
