package project

import (
	"maps"
	"slices"

	"github.com/BurntSushi/toml"
)

// pylock.toml (PEP 751): lock-version, environments, requires-python,
// extras, dependency-groups, default-groups, created-by; [[packages]] with
// name, version, marker, requires-python, index, and one of vcs, directory,
// archive, sdist, wheels — each file with name, url/path, size and hashes =
// {algorithm = digest}.
type rawPylock struct {
	LockVersion    string       `toml:"lock-version"`
	RequiresPython string       `toml:"requires-python"`
	CreatedBy      string       `toml:"created-by"`
	Packages       []rawPylockP `toml:"packages"`
}

type rawPylockP struct {
	Name    string         `toml:"name"`
	Version string         `toml:"version"`
	Marker  string         `toml:"marker"`
	Index   string         `toml:"index"`
	Sdist   *pylockFile    `toml:"sdist"`
	Wheels  []pylockFile   `toml:"wheels"`
	Archive *pylockFile    `toml:"archive"`
	VCS     map[string]any `toml:"vcs"`
	Dir     map[string]any `toml:"directory"`
}

type pylockFile struct {
	Name   string            `toml:"name"`
	URL    string            `toml:"url"`
	Path   string            `toml:"path"`
	Hashes map[string]string `toml:"hashes"`
}

func (f pylockFile) fileName() string {
	switch {
	case f.Name != "":
		return f.Name
	case f.URL != "":
		return fileName(f.URL)
	case f.Path != "":
		return fileName(f.Path)
	}
	return ""
}

// ParsePylock parses a PEP 751 pylock.toml.
func ParsePylock(file string, data []byte) (*Lock, error) {
	if err := checkTOML(file, data); err != nil {
		return nil, err
	}
	var raw rawPylock
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, tomlError(file, data, err)
	}
	if raw.LockVersion == "" {
		return nil, inputErr(file, 0, "no lock-version: not a pylock.toml")
	}
	if raw.LockVersion[0] != '1' {
		return nil, inputErr(file, lineOf(data, "lock-version", 1), "lock-version %q: only 1.x is understood", raw.LockVersion)
	}
	l := &Lock{Kind: LockPylock, File: file, RequiresPython: raw.RequiresPython}
	hl := headerLines(data, "[[packages]]")
	for i, p := range raw.Packages {
		if p.Name == "" {
			return nil, inputErr(file, lineAt(hl, i), "[[packages]] without a name")
		}
		lp := Locked{Name: p.Name, Version: p.Version, Markers: p.Marker, Source: p.Index}
		var files []pylockFile
		files = append(files, p.Wheels...)
		for _, f := range []*pylockFile{p.Sdist, p.Archive} {
			if f != nil {
				files = append(files, *f)
			}
		}
		for _, f := range files {
			if n := f.fileName(); n != "" && n != "." {
				lp.Files = append(lp.Files, n)
			}
			for _, alg := range slices.Sorted(maps.Keys(f.Hashes)) {
				lp.Hashes = append(lp.Hashes, alg+":"+f.Hashes[alg])
			}
		}
		if u, ok := p.VCS["url"].(string); ok {
			lp.Source = "vcs:" + u
		} else if d, ok := p.Dir["path"].(string); ok {
			lp.Source = "directory:" + d
			lp.Editable, _ = p.Dir["editable"].(bool)
		}
		lp.Line = lineAt(hl, i)
		l.Packages = append(l.Packages, lp)
	}
	return l.finish(), nil
}
