package project

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/pyimg/pyimg/pydist"
)

// readPoetry reads [tool.poetry] (Poetry 1, and the Poetry 2 additions to a
// PEP 621 [project]).
func (p *Pyproject) readPoetry(file string, data []byte, po *rawPoetry) error {
	if p.Name == "" {
		p.Name = po.Name
	}
	if p.Version == "" {
		p.Version = po.Version
	}
	if py, ok := po.Dependencies["python"]; ok && p.RequiresPython == "" {
		c, _ := poetryConstraint(py)
		p.RequiresPython, p.RequiresPythonFrom = c, "pyproject.toml [tool.poetry.dependencies] python"
		p.RequiresPythonLine = lineOfKey(data, "python")
	}
	declared := map[string]bool{}
	for _, r := range p.Dependencies {
		declared[r.Normalized()] = true
	}
	optional := map[string]Requirement{}
	afford := affordable(data, len(po.Dependencies))
	for _, name := range slices.Sorted(maps.Keys(po.Dependencies)) {
		if strings.EqualFold(name, "python") {
			continue
		}
		reqs, opt, err := poetryRequirements(name, po.Dependencies[name])
		line := 0
		if afford || err != nil {
			line = lineOfKey(data, name)
		}
		if err != nil {
			return &InputError{File: file, Line: line, Msg: "[tool.poetry.dependencies] " + name, Err: err}
		}
		n := pydist.NormalizeName(name)
		if _, ok := p.lines[n]; !ok && line > 0 {
			p.lines[n] = line
		}
		if opt {
			for _, r := range reqs {
				optional[n] = r
			}
			continue
		}
		if declared[n] {
			continue // Poetry 2: [project] declares it; [tool.poetry] only refines
		}
		p.Dependencies = append(p.Dependencies, reqs...)
	}
	for _, extra := range slices.Sorted(maps.Keys(po.Extras)) {
		var reqs []Requirement
		for _, name := range po.Extras[extra] {
			if r, ok := optional[pydist.NormalizeName(name)]; ok {
				reqs = append(reqs, r)
			}
		}
		setMap(&p.OptionalDependencies, extra, reqs)
	}
	addGroup := func(g string, deps map[string]any) error {
		for _, name := range slices.Sorted(maps.Keys(deps)) {
			reqs, _, err := poetryRequirements(name, deps[name])
			if err != nil {
				return &InputError{File: file, Line: lineOfKey(data, name), Msg: fmt.Sprintf("[tool.poetry] group %s: %s", g, name), Err: err}
			}
			setMap(&p.Groups, g, append(p.Groups[g], reqs...))
		}
		return nil
	}
	if err := addGroup("dev", po.DevDependencies); err != nil {
		return err
	}
	for _, g := range slices.Sorted(maps.Keys(po.Group)) {
		if err := addGroup(g, po.Group[g].Dependencies); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(po.Scripts)) {
		switch v := po.Scripts[name].(type) {
		case string:
			setMap(&p.Scripts, name, v)
		case map[string]any:
			if c, ok := v["callable"].(string); ok {
				setMap(&p.Scripts, name, c)
			}
		default:
			return inputErr(file, lineOfKey(data, name), "[tool.poetry.scripts] %s: want \"module:function\" or {callable = ...}", name)
		}
	}
	for _, pk := range po.Packages {
		if pk.Include == "" {
			continue
		}
		p.Packages = append(p.Packages, path.Join(pk.From, pk.Include))
	}
	for g, eps := range po.Plugins {
		setMap(&p.EntryPoints, g, eps)
	}
	return nil
}

// poetryConstraint returns the version constraint of a Poetry dependency
// value (a string or a table with "version").
func poetryConstraint(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case map[string]any:
		s, ok := x["version"].(string)
		return s, ok
	}
	return "", false
}

// poetryRequirements converts a [tool.poetry.dependencies] entry to
// requirements: a constraint string, a table (version, extras, markers,
// python, optional, git/path/url sources) or an array of tables (multiple
// constraints). Poetry constraints ("^2.0", "~1.2") are kept as written; a
// bare version ("2.0") means "==2.0" and "*" means any.
func poetryRequirements(name string, v any) ([]Requirement, bool, error) {
	if !validName(name) {
		return nil, false, fmt.Errorf("%q is not a valid project name", name)
	}
	conv := func(c string) string {
		c = strings.TrimSpace(c)
		switch {
		case c == "*" || c == "":
			return ""
		case c[0] >= '0' && c[0] <= '9':
			return "==" + c
		}
		return strings.Join(strings.Fields(c), "")
	}
	switch x := v.(type) {
	case string:
		if _, err := ParseSpecifier(x); err != nil && !strings.ContainsAny(x, "abrc") {
			return nil, false, err
		}
		return []Requirement{{Name: name, Specifier: conv(x)}}, false, nil
	case map[string]any:
		r := Requirement{Name: name}
		if s, ok := x["version"].(string); ok {
			r.Specifier = conv(s)
		}
		if ex, ok := x["extras"].([]any); ok {
			for _, e := range ex {
				if s, ok := e.(string); ok {
					r.Extras = append(r.Extras, s)
				}
			}
		}
		var markers []string
		if m, ok := x["markers"].(string); ok && m != "" {
			markers = append(markers, m)
		}
		if py, ok := x["python"].(string); ok && py != "" {
			markers = append(markers, "python "+py) // a Poetry constraint, not PEP 508
		}
		r.Marker = strings.Join(markers, " and ")
		for _, k := range []string{"git", "url", "path"} {
			if s, ok := x[k].(string); ok {
				r.URL = s
				if k == "git" {
					r.URL = "git+" + s
					if ref, ok := firstString(x, "rev", "tag", "branch"); ok {
						r.URL += "@" + ref
					}
				}
			}
		}
		opt, _ := x["optional"].(bool)
		return []Requirement{r}, opt, nil
	case []map[string]any:
		items := make([]any, len(x))
		for i := range x {
			items[i] = x[i]
		}
		return poetryRequirements(name, items)
	case []any:
		var out []Requirement
		opt := false
		for _, item := range x {
			rs, o, err := poetryRequirements(name, item)
			if err != nil {
				return nil, false, err
			}
			out, opt = append(out, rs...), opt || o
		}
		return out, opt, nil
	}
	return nil, false, fmt.Errorf("want a version constraint or a table, not %T", v)
}

func firstString(m map[string]any, keys ...string) (string, bool) {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s, true
		}
	}
	return "", false
}
