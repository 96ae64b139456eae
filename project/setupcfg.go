package project

import (
	"bufio"
	"bytes"
	"strings"
)

// SetupCfg is what a setuptools setup.cfg declares ([metadata] and
// [options], including multi-line values).
type SetupCfg struct {
	// Name and Version from [metadata].
	Name    string `json:"name,omitempty"`
	Version string `json:"version,omitempty"`
	// PythonRequires is [options] python_requires; PythonRequiresLine its line.
	PythonRequires     string `json:"python_requires,omitempty"`
	PythonRequiresLine int    `json:"python_requires_line,omitempty"`
	// InstallRequires are [options] install_requires.
	InstallRequires []Requirement `json:"install_requires,omitempty"`
	// ConsoleScripts are [options.entry_points] console_scripts.
	ConsoleScripts map[string]string `json:"console_scripts,omitempty"`
}

// ParseSetupCfg parses setup.cfg (INI with indented continuation lines);
// file names it in errors, which are *InputError with the line.
func ParseSetupCfg(file string, data []byte) (*SetupCfg, error) {
	c := &SetupCfg{}
	type entry struct {
		section, key string
		line         int
		values       []string // first line's value, then continuation lines
		lines        []int
	}
	var entries []*entry
	var cur *entry
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxProjectFileBytes)
	n := 0
	for sc.Scan() {
		n++
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if cur != nil && (raw[0] == ' ' || raw[0] == '\t') {
			cur.values, cur.lines = append(cur.values, line), append(cur.lines, n)
			continue
		}
		if strings.HasPrefix(line, "[") {
			if !strings.HasSuffix(line, "]") {
				return nil, inputErr(file, n, "section header %q lacks its closing ]", line)
			}
			section, cur = strings.TrimSpace(line[1:len(line)-1]), nil
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			k, v, ok = strings.Cut(line, ":")
		}
		if !ok {
			return nil, inputErr(file, n, "%q is neither a section, a key = value line nor a continuation", line)
		}
		cur = &entry{section: section, key: strings.TrimSpace(k), line: n}
		if v = strings.TrimSpace(v); v != "" {
			cur.values, cur.lines = append(cur.values, v), append(cur.lines, n)
		}
		entries = append(entries, cur)
	}
	if err := sc.Err(); err != nil {
		return nil, &InputError{File: file, Line: n + 1, Msg: "reading", Err: err}
	}
	for _, e := range entries {
		first := ""
		if len(e.values) > 0 {
			first = e.values[0]
		}
		switch {
		case e.section == "metadata" && e.key == "name":
			c.Name = first
		case e.section == "metadata" && e.key == "version":
			c.Version = first
		case e.section == "options" && e.key == "python_requires":
			c.PythonRequires, c.PythonRequiresLine = first, e.line
		case e.section == "options" && e.key == "install_requires":
			for i, v := range e.values {
				for _, item := range splitList(v) {
					r, err := ParseRequirement(item)
					if err != nil {
						return nil, &InputError{File: file, Line: e.lines[i], Msg: "invalid install_requires entry", Err: err}
					}
					c.InstallRequires = append(c.InstallRequires, r)
				}
			}
		case e.section == "options.entry_points" && e.key == "console_scripts":
			for i, v := range e.values {
				name, obj, ok := strings.Cut(v, "=")
				if !ok {
					return nil, inputErr(file, e.lines[i], "console_scripts entry %q: want name = module:function", v)
				}
				setMap(&c.ConsoleScripts, strings.TrimSpace(name), strings.TrimSpace(obj))
			}
		}
	}
	return c, nil
}

// splitList splits a one-line setup.cfg list ("a, b") unless it holds a
// marker, whose commas are not separators.
func splitList(v string) []string {
	if strings.Contains(v, ";") {
		return []string{v}
	}
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" && !strings.ContainsAny(s[:1], "<>=!~") {
			out = append(out, s)
		} else if s != "" && len(out) > 0 {
			out[len(out)-1] += "," + s // ">=1,<2" belongs to the previous item
		}
	}
	return out
}

// readSetupCfg reads setup.cfg: python_requires, the name, and, when
// pyproject.toml declares none, the dependencies and console scripts.
func (p *Project) readSetupCfg() error {
	b, ok, err := p.read("setup.cfg")
	if err != nil || !ok {
		return err
	}
	p.SetupCfg = true
	c, err := ParseSetupCfg("setup.cfg", b)
	if err != nil {
		return err
	}
	if p.RequiresPython == "" && c.PythonRequires != "" {
		p.RequiresPython, p.RequiresPythonFrom, p.RequiresPythonLine = c.PythonRequires, "setup.cfg [options] python_requires", c.PythonRequiresLine
	}
	if p.Name == "" {
		p.Name = c.Name
	}
	if p.Version == "" {
		p.Version = c.Version
	}
	if len(p.Dependencies) == 0 {
		p.Dependencies = c.InstallRequires
	}
	if len(p.Scripts) == 0 && len(c.ConsoleScripts) > 0 {
		p.Scripts = c.ConsoleScripts
	}
	return nil
}
