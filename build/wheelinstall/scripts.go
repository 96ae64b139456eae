package wheelinstall

import (
	"bytes"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
)

// launcherTemplate is the script text pip (through distlib's ScriptMaker)
// writes for a console_scripts or gui_scripts entry point, after the
// shebang line.
const launcherTemplate = `# -*- coding: utf-8 -*-
import re
import sys
from %s import %s
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\.pyw|\.exe)?$', '', sys.argv[0])
    sys.exit(%s())
`

// entryPointRE matches "module.sub:attr.sub [extras]" as distlib's
// get_export_entry does, requiring the callable suffix as pip does.
var entryPointRE = regexp.MustCompile(`^([A-Za-z_][\w.]*)\s*:\s*([A-Za-z_][\w.]*)\s*(\[[^\]]*\])?$`)

// launchers writes the console_scripts and gui_scripts launchers declared in
// entry_points.txt.
func (in *installer) launchers() (scripts []string, console map[string]string, err error) {
	name := in.distInfo + "/entry_points.txt"
	zf := in.files[name]
	console = map[string]string{}
	if zf == nil {
		return nil, console, nil
	}
	b, err := readAll(zf, 4<<20)
	if err != nil {
		return nil, nil, in.fail(name, err)
	}
	eps, err := ParseEntryPoints(b)
	if err != nil {
		return nil, nil, in.fail(name, err)
	}
	for _, group := range []string{"console_scripts", "gui_scripts"} {
		for _, ep := range eps[group] {
			text, err := Launcher(ep.Value, in.o.interpreter())
			if err != nil {
				return nil, nil, in.fail(name, fmt.Errorf("entry point %q: %w", ep.Name, err))
			}
			if strings.ContainsAny(ep.Name, "/\\\x00") || ep.Name == "." || ep.Name == ".." {
				return nil, nil, in.fail(name, fmt.Errorf("%w: script name %q", ErrUnsafe, ep.Name))
			}
			p := path.Join(in.o.prefix, "bin", ep.Name)
			delete(in.out, p) // like pip, the launcher replaces a .data/scripts file of that name
			if err := in.add(&File{Path: p, Mode: 0o755, data: text}); err != nil {
				return nil, nil, err
			}
			scripts = append(scripts, p)
			if group == "console_scripts" {
				console[ep.Name] = ep.Value
			}
		}
	}
	sort.Strings(scripts)
	return scripts, console, nil
}

// Launcher returns the text of the launcher script for entry point value
// ("module:attr [extras]") run by interpreter.
func Launcher(value, interpreter string) ([]byte, error) {
	m := entryPointRE.FindStringSubmatch(strings.TrimSpace(value))
	if m == nil {
		return nil, fmt.Errorf("%w: invalid entry point %q (want module:callable)", ErrInvalid, value)
	}
	module, fn := m[1], m[2]
	importName, _, _ := strings.Cut(fn, ".")
	return fmt.Appendf(nil, "#!%s\n"+launcherTemplate, interpreter, module, importName, fn), nil
}

// EntryPoint is one line of an entry_points.txt group.
type EntryPoint struct {
	Name  string
	Value string
}

// ParseEntryPoints reads entry_points.txt (an INI file: "[group]" headers,
// "name = value" lines, "#" and ";" comments) into its groups, in file
// order.
func ParseEntryPoints(b []byte) (map[string][]EntryPoint, error) {
	out := map[string][]EntryPoint{}
	group := ""
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "", strings.HasPrefix(line, "#"), strings.HasPrefix(line, ";"):
			continue
		case strings.HasPrefix(line, "["):
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("%w: entry_points.txt line %d: bad section header", ErrInvalid, i+1)
			}
			group = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || group == "" {
			return nil, fmt.Errorf("%w: entry_points.txt line %d: want name = value in a [section]", ErrInvalid, i+1)
		}
		out[group] = append(out[group], EntryPoint{Name: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
	}
	return out, nil
}

// rewriteShebang replaces a first line starting with "#!python" (also
// "#!pythonw") with "#!" + interpreter, as pip does; other content is kept.
func rewriteShebang(b []byte, interpreter string) []byte {
	if !bytes.HasPrefix(b, []byte("#!python")) {
		return b
	}
	rest := []byte{}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		rest = b[i+1:]
	}
	out := make([]byte, 0, len(b)+len(interpreter))
	out = append(out, "#!"+interpreter+"\n"...)
	return append(out, rest...)
}
