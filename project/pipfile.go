package project

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Pipfile is what Pipenv's Pipfile declares.
type Pipfile struct {
	// Packages and DevPackages are [packages] and [dev-packages].
	Packages    []Requirement `json:"packages"`
	DevPackages []Requirement `json:"dev_packages,omitempty"`
	// PythonVersion is [requires] python_version (or python_full_version).
	PythonVersion string `json:"python_version,omitempty"`
	// Sources are the [[source]] index URLs.
	Sources []string `json:"sources,omitempty"`
	lines   map[string]int
}

// ParsePipfile parses a Pipfile (TOML); file names it in errors, which are
// *InputError with the line.
func ParsePipfile(file string, data []byte) (*Pipfile, error) {
	var raw struct {
		Source []struct {
			URL string `toml:"url"`
		} `toml:"source"`
		Packages    map[string]any `toml:"packages"`
		DevPackages map[string]any `toml:"dev-packages"`
		Requires    struct {
			PythonVersion     string `toml:"python_version"`
			PythonFullVersion string `toml:"python_full_version"`
		} `toml:"requires"`
	}
	if err := checkTOML(file, data); err != nil {
		return nil, err
	}
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, tomlError(file, data, err)
	}
	pf := &Pipfile{PythonVersion: raw.Requires.PythonVersion, lines: map[string]int{}, Packages: []Requirement{}}
	if raw.Requires.PythonFullVersion != "" {
		pf.PythonVersion = raw.Requires.PythonFullVersion
	}
	for _, s := range raw.Source {
		pf.Sources = append(pf.Sources, s.URL)
	}
	afford := affordable(data, len(raw.Packages)+len(raw.DevPackages))
	conv := func(table map[string]any) ([]Requirement, error) {
		var out []Requirement
		for _, name := range slices.Sorted(maps.Keys(table)) {
			line := 0
			if afford {
				line = lineOfKey(data, name)
			}
			r, err := pipfileRequirement(name, table[name])
			if err != nil {
				return nil, &InputError{File: file, Line: lineOfKey(data, name), Msg: name, Err: err}
			}
			if line > 0 {
				pf.lines[r.Normalized()] = line
			}
			out = append(out, r)
		}
		return out, nil
	}
	var err error
	if pf.Packages, err = conv(raw.Packages); err != nil {
		return nil, err
	}
	if pf.DevPackages, err = conv(raw.DevPackages); err != nil {
		return nil, err
	}
	pf.Packages = nonNil(pf.Packages)
	return pf, nil
}

// DependencyLine returns the line declaring the package (normalized name).
func (p *Pipfile) DependencyLine(normalized string) int { return p.lines[normalized] }

// pipfileRequirement converts a Pipfile entry: "*", a PEP 440 specifier,
// or a table {version, extras, markers, git, ref, path, file, editable, index}.
func pipfileRequirement(name string, v any) (Requirement, error) {
	if !validName(name) {
		return Requirement{}, fmt.Errorf("%q is not a valid project name", name)
	}
	r := Requirement{Name: name}
	spec := func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" || s == "*" {
			return nil
		}
		n, err := normalizeSpec(s)
		r.Specifier = n
		return err
	}
	switch x := v.(type) {
	case string:
		return r, spec(x)
	case map[string]any:
		if s, ok := x["version"].(string); ok {
			if err := spec(s); err != nil {
				return r, err
			}
		}
		if ex, ok := x["extras"].([]any); ok {
			for _, e := range ex {
				if s, ok := e.(string); ok {
					r.Extras = append(r.Extras, s)
				}
			}
		}
		if m, ok := x["markers"].(string); ok {
			r.Marker = m
		}
		if g, ok := x["git"].(string); ok {
			r.URL = "git+" + g
			if ref, ok := x["ref"].(string); ok {
				r.URL += "@" + ref
			}
		} else if s, ok := firstString(x, "file", "path"); ok {
			r.URL = s
		}
		return r, nil
	}
	return r, fmt.Errorf("want a version specifier or a table, not %T", v)
}
