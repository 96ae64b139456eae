package project

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Pyproject is what pyproject.toml declares, across the PEP 621 [project]
// table and the tool tables of Poetry (1 and 2), PDM, Hatch, uv and Flit.
type Pyproject struct {
	// Name and Version of the project ([project] or [tool.poetry]).
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	// RequiresPython is the requires-python constraint as written;
	// RequiresPythonFrom names its table and RequiresPythonLine its line.
	RequiresPython     string `json:"requires_python,omitempty"`
	RequiresPythonFrom string `json:"requires_python_from,omitempty"`
	RequiresPythonLine int    `json:"requires_python_line,omitempty"`
	// Dependencies are the main (runtime) dependencies.
	Dependencies []Requirement `json:"dependencies"`
	// OptionalDependencies are the extras, by extra name.
	OptionalDependencies map[string][]Requirement `json:"optional_dependencies,omitempty"`
	// Groups are development dependency groups by name: PEP 735
	// [dependency-groups], [tool.uv] dev-dependencies ("dev"), Poetry
	// groups and dev-dependencies, PDM dev-dependencies.
	Groups map[string][]Requirement `json:"groups,omitempty"`
	// Scripts are the console scripts, name → "module:function".
	Scripts map[string]string `json:"scripts,omitempty"`
	// GUIScripts are the GUI scripts, name → "module:function".
	GUIScripts map[string]string `json:"gui_scripts,omitempty"`
	// EntryPoints are the other entry-point groups, group → name → object.
	EntryPoints map[string]map[string]string `json:"entry_points,omitempty"`
	// Packages are the import packages the build includes, when the
	// configuration names them (Poetry packages, Hatch wheel packages,
	// Flit module), as paths relative to the project ("src/api").
	Packages []string `json:"packages,omitempty"`
	// BuildBackend is [build-system] build-backend ("" when absent);
	// BuildRequires its requires.
	BuildBackend  string   `json:"build_backend,omitempty"`
	BuildRequires []string `json:"build_requires,omitempty"`
	// Tools lists the tool tables present, sorted: "flit", "hatch", "pdm",
	// "poetry", "pyimg", "setuptools", "uv" (others are not listed).
	Tools []string `json:"tools,omitempty"`
	// Base is the [tool.pyimg.base] table.
	Base BasePolicy `json:"-"`
	// Generate is the [tool.pyimg.generate] table.
	Generate GenerateConfig `json:"-"`
	// lines maps normalized dependency names to their line, for errors.
	lines map[string]int
}

// DependencyLine returns the line of pyproject.toml that declares the
// dependency (normalized name), 0 when unknown.
func (p *Pyproject) DependencyLine(normalized string) int { return p.lines[normalized] }

type rawPyproject struct {
	BuildSystem struct {
		Requires     []string `toml:"requires"`
		BuildBackend string   `toml:"build-backend"`
	} `toml:"build-system"`
	Project struct {
		Name                 string                       `toml:"name"`
		Version              string                       `toml:"version"`
		RequiresPython       string                       `toml:"requires-python"`
		Dependencies         []string                     `toml:"dependencies"`
		OptionalDependencies map[string][]string          `toml:"optional-dependencies"`
		Scripts              map[string]string            `toml:"scripts"`
		GUIScripts           map[string]string            `toml:"gui-scripts"`
		EntryPoints          map[string]map[string]string `toml:"entry-points"`
	} `toml:"project"`
	DependencyGroups map[string][]any `toml:"dependency-groups"`
	Tool             map[string]any   `toml:"tool"`
}

type rawPoetry struct {
	Name            string                    `toml:"name"`
	Version         string                    `toml:"version"`
	Dependencies    map[string]any            `toml:"dependencies"`
	DevDependencies map[string]any            `toml:"dev-dependencies"`
	Group           map[string]rawPoetryGroup `toml:"group"`
	Extras          map[string][]string       `toml:"extras"`
	Scripts         map[string]any            `toml:"scripts"`
	Packages        []struct {
		Include string `toml:"include"`
		From    string `toml:"from"`
	} `toml:"packages"`
	Plugins map[string]map[string]string `toml:"plugins"`
}

type rawPoetryGroup struct {
	Dependencies map[string]any `toml:"dependencies"`
}

type rawTools struct {
	Poetry *rawPoetry `toml:"poetry"`
	UV     *struct {
		DevDependencies []string `toml:"dev-dependencies"`
	} `toml:"uv"`
	PDM *struct {
		DevDependencies map[string][]string `toml:"dev-dependencies"`
	} `toml:"pdm"`
	Hatch *struct {
		Build struct {
			Targets struct {
				Wheel struct {
					Packages []string `toml:"packages"`
				} `toml:"wheel"`
			} `toml:"targets"`
		} `toml:"build"`
	} `toml:"hatch"`
	Flit *struct {
		Metadata *struct {
			Module         string   `toml:"module"`
			RequiresPython string   `toml:"requires-python"`
			Requires       []string `toml:"requires"`
		} `toml:"metadata"`
		Scripts map[string]string `toml:"scripts"`
	} `toml:"flit"`
	Pyimg struct {
		Base     BasePolicy     `toml:"base"`
		Generate GenerateConfig `toml:"generate"`
	} `toml:"pyimg"`
}

// ParsePyproject parses pyproject.toml content; file names it in errors,
// which are *InputError with the line.
func ParsePyproject(file string, data []byte) (*Pyproject, error) {
	if err := checkTOML(file, data); err != nil {
		return nil, err
	}
	var raw rawPyproject
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, tomlError(file, data, err)
	}
	// The tool tables pyimg reads, decoded on their own so that other
	// tools' tables ([tool.ruff], ...) never matter.
	var doc struct {
		Tool rawTools `toml:"tool"`
	}
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return nil, tomlError(file, data, err)
	}
	tools := doc.Tool
	p := &Pyproject{
		Name: raw.Project.Name, Version: raw.Project.Version,
		BuildBackend: raw.BuildSystem.BuildBackend, BuildRequires: raw.BuildSystem.Requires,
		Scripts: raw.Project.Scripts, GUIScripts: raw.Project.GUIScripts, EntryPoints: raw.Project.EntryPoints,
		Base: tools.Pyimg.Base, Generate: tools.Pyimg.Generate, lines: map[string]int{},
	}
	for _, t := range []string{"flit", "hatch", "pdm", "poetry", "pyimg", "setuptools", "uv"} {
		if _, ok := raw.Tool[t]; ok {
			p.Tools = append(p.Tools, t)
		}
	}
	if raw.Project.RequiresPython != "" {
		p.RequiresPython, p.RequiresPythonFrom = raw.Project.RequiresPython, "pyproject.toml [project] requires-python"
		p.RequiresPythonLine = lineOf(data, "requires-python", 1)
	}
	var err error
	if p.Dependencies, err = p.parseList(file, data, raw.Project.Dependencies); err != nil {
		return nil, err
	}
	for _, extra := range slices.Sorted(maps.Keys(raw.Project.OptionalDependencies)) {
		reqs, err := p.parseList(file, data, raw.Project.OptionalDependencies[extra])
		if err != nil {
			return nil, err
		}
		setMap(&p.OptionalDependencies, extra, reqs)
	}
	if err := p.readGroups(file, data, raw.DependencyGroups); err != nil {
		return nil, err
	}
	if tools.UV != nil && len(tools.UV.DevDependencies) > 0 {
		reqs, err := p.parseList(file, data, tools.UV.DevDependencies)
		if err != nil {
			return nil, err
		}
		setMap(&p.Groups, "dev", append(p.Groups["dev"], reqs...))
	}
	if tools.PDM != nil {
		for _, g := range slices.Sorted(maps.Keys(tools.PDM.DevDependencies)) {
			reqs, err := p.parseList(file, data, tools.PDM.DevDependencies[g])
			if err != nil {
				return nil, err
			}
			setMap(&p.Groups, g, append(p.Groups[g], reqs...))
		}
	}
	if tools.Hatch != nil {
		p.Packages = append(p.Packages, tools.Hatch.Build.Targets.Wheel.Packages...)
	}
	if f := tools.Flit; f != nil {
		if m := f.Metadata; m != nil {
			if p.RequiresPython == "" && m.RequiresPython != "" {
				p.RequiresPython, p.RequiresPythonFrom = m.RequiresPython, "pyproject.toml [tool.flit.metadata] requires-python"
				p.RequiresPythonLine = lineOf(data, "requires-python", 1)
			}
			if len(p.Dependencies) == 0 {
				if p.Dependencies, err = p.parseList(file, data, m.Requires); err != nil {
					return nil, err
				}
			}
			if m.Module != "" {
				p.Packages = append(p.Packages, m.Module)
				if p.Name == "" {
					p.Name = m.Module
				}
			}
		}
		if len(p.Scripts) == 0 && len(f.Scripts) > 0 {
			p.Scripts = f.Scripts
		}
	}
	if tools.Poetry != nil {
		if err := p.readPoetry(file, data, tools.Poetry); err != nil {
			return nil, err
		}
	}
	if p.Dependencies == nil {
		p.Dependencies = []Requirement{}
	}
	return p, nil
}

// tomlError turns a TOML decoding error into an *InputError with the line.
func tomlError(file string, data []byte, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		line := pe.Position.Line
		if st := pe.Position.Start; st > 0 && st <= len(data) {
			// The line holding the offending byte: an unexpected newline
			// belongs to the line it ends.
			line = 1 + bytes.Count(data[:st], []byte("\n"))
		}
		return &InputError{File: file, Line: line, Msg: "invalid TOML", Err: errors.New(pe.Message)}
	}
	// Type mismatches name the key: `toml: line 3 (last key "project.dependencies"): ...`
	msg := err.Error()
	line := 0
	if _, after, ok := strings.Cut(msg, "last key \""); ok {
		key, _, _ := strings.Cut(after, "\"")
		parts := strings.Split(key, ".")
		line = lineOfKey(data, parts[len(parts)-1])
	}
	return &InputError{File: file, Line: line, Msg: "unexpected value", Err: err}
}

func setMap[V any](m *map[string]V, k string, v V) {
	if *m == nil {
		*m = map[string]V{}
	}
	(*m)[k] = v
}

// parseList parses PEP 508 strings, recording the line of each.
func (p *Pyproject) parseList(file string, data []byte, list []string) ([]Requirement, error) {
	out := make([]Requirement, 0, len(list))
	afford := affordable(data, len(list))
	for _, s := range list {
		r, err := ParseRequirement(s)
		line := 0
		if afford || err != nil {
			line = lineOf(data, s, 1)
		}
		if err != nil {
			return nil, &InputError{File: file, Line: line, Msg: "invalid dependency", Err: err}
		}
		if _, ok := p.lines[r.Normalized()]; !ok && line > 0 {
			p.lines[r.Normalized()] = line
		}
		out = append(out, r)
	}
	return out, nil
}

// readGroups reads PEP 735 [dependency-groups]: strings and
// {include-group = "name"} tables.
func (p *Pyproject) readGroups(file string, data []byte, groups map[string][]any) error {
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		var reqs []Requirement
		for _, item := range groups[g] {
			switch v := item.(type) {
			case string:
				rs, err := p.parseList(file, data, []string{v})
				if err != nil {
					return err
				}
				reqs = append(reqs, rs...)
			case map[string]any:
				inc, ok := v["include-group"].(string)
				if !ok {
					return inputErr(file, lineOfKey(data, g), "[dependency-groups] %s: a table entry needs include-group", g)
				}
				if _, ok := groups[inc]; !ok {
					return inputErr(file, lineOf(data, inc, 1), "[dependency-groups] %s includes unknown group %q", g, inc)
				}
				// Resolved below, after every group is read.
				reqs = append(reqs, Requirement{Name: "include-group:" + inc})
			default:
				return inputErr(file, lineOfKey(data, g), "[dependency-groups] %s: entries are strings or {include-group = ...}", g)
			}
		}
		setMap(&p.Groups, g, reqs)
	}
	// Expand includes (bounded depth; a cycle is an error).
	for _, g := range slices.Sorted(maps.Keys(groups)) {
		exp, err := expandGroup(p.Groups, g, nil)
		if err != nil {
			return inputErr(file, lineOfKey(data, g), "[dependency-groups] %v", err)
		}
		p.Groups[g] = exp
	}
	return nil
}

func expandGroup(groups map[string][]Requirement, g string, stack []string) ([]Requirement, error) {
	if slices.Contains(stack, g) {
		return nil, fmt.Errorf("include cycle %s -> %s", strings.Join(stack, " -> "), g)
	}
	var out []Requirement
	for _, r := range groups[g] {
		if inc, ok := strings.CutPrefix(r.Name, "include-group:"); ok {
			sub, err := expandGroup(groups, inc, append(stack, g))
			if err != nil {
				return nil, err
			}
			out = append(out, sub...)
			continue
		}
		out = append(out, r)
	}
	return out, nil
}
