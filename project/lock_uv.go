package project

import (
	"bytes"

	"github.com/BurntSushi/toml"
)

// uv.lock: version = 1, revision, requires-python, [[package]] with name,
// version, source = { registry | editable | virtual | git | path | url |
// directory }, sdist = { url, hash, size, upload-time }, wheels = [ ... ],
// resolution-markers, and dependencies.
type rawUVLock struct {
	Version        int    `toml:"version"`
	RequiresPython string `toml:"requires-python"`
	Package        []struct {
		Name    string             `toml:"name"`
		Version string             `toml:"version"`
		Source  map[string]string  `toml:"source"`
		Sdist   *uvFile            `toml:"sdist"`
		Wheels  []uvFile           `toml:"wheels"`
		Markers []string           `toml:"resolution-markers"`
		Deps    []uvDep            `toml:"dependencies"`
		Extras  map[string][]uvDep `toml:"optional-dependencies"`
	} `toml:"package"`
}

// uvDep is one entry of a package's dependencies in uv.lock.
type uvDep struct {
	Name   string   `toml:"name"`
	Marker string   `toml:"marker"`
	Extra  []string `toml:"extra"`
}

func uvDeps(ds []uvDep) []LockedDep {
	var out []LockedDep
	for _, d := range ds {
		if d.Name != "" {
			out = append(out, LockedDep{Name: d.Name, Marker: d.Marker, Extras: d.Extra})
		}
	}
	return out
}

type uvFile struct {
	URL      string `toml:"url"`
	Path     string `toml:"path"`
	Filename string `toml:"filename"`
	Hash     string `toml:"hash"`
}

func (f uvFile) name() string {
	switch {
	case f.Filename != "":
		return f.Filename
	case f.URL != "":
		return fileName(f.URL)
	case f.Path != "":
		return fileName(f.Path)
	}
	return ""
}

// ParseUVLock parses uv's uv.lock.
func ParseUVLock(file string, data []byte) (*Lock, error) {
	if err := checkTOML(file, data); err != nil {
		return nil, err
	}
	var raw rawUVLock
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, tomlError(file, data, err)
	}
	if raw.Version == 0 {
		return nil, inputErr(file, 1, "no lock version: not a uv.lock")
	}
	l := &Lock{Kind: LockUV, File: file, RequiresPython: raw.RequiresPython}
	if l.RequiresPython != "" {
		l.RequiresPythonLine = lineOf(data, "requires-python", 1)
	}
	hl := headerLines(data, "[[package]]")
	for i, p := range raw.Package {
		if p.Name == "" {
			return nil, inputErr(file, lineAt(hl, i), "[[package]] without a name")
		}
		lp := Locked{Name: p.Name, Version: p.Version}
		for _, k := range []string{"registry", "git", "url", "path", "directory", "editable", "virtual"} {
			if v, ok := p.Source[k]; ok {
				lp.Source = v
				if k != "registry" {
					lp.Source = k + ":" + v
				}
				lp.Editable = k == "editable"
				break
			}
		}
		files := p.Wheels
		if p.Sdist != nil {
			files = append(files, *p.Sdist)
		}
		for _, f := range files {
			if n := f.name(); n != "" && n != "." {
				lp.Files = append(lp.Files, n)
			}
			if f.Hash != "" {
				lp.Hashes = append(lp.Hashes, f.Hash)
			}
		}
		lp.Line = lineAt(hl, i)
		lp.Dependencies = uvDeps(p.Deps)
		for extra, ds := range p.Extras {
			if lp.Optional == nil {
				lp.Optional = map[string][]LockedDep{}
			}
			lp.Optional[extra] = uvDeps(ds)
		}
		l.Packages = append(l.Packages, lp)
	}
	return l.finish(), nil
}

// headerLines returns the 1-based lines that start with the table-array
// header hdr, in order.
func headerLines(data []byte, hdr string) []int {
	var out []int
	line := 1
	for rest := data; len(rest) > 0; line++ {
		l := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			l, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if bytes.HasPrefix(bytes.TrimSpace(l), []byte(hdr)) {
			out = append(out, line)
		}
	}
	return out
}

// lineAt returns lines[i], or 0 when out of range.
func lineAt(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}
