package project

import (
	"strings"

	"github.com/BurntSushi/toml"
)

// poetry.lock: [[package]] with name, version, optional, python-versions,
// markers and groups (Poetry 2), files = [{file, hash}], and
// [package.source] {type, url, reference} for non-PyPI sources;
// [metadata] lock-version, python-versions, content-hash.
type rawPoetryLock struct {
	Package []struct {
		Name    string   `toml:"name"`
		Version string   `toml:"version"`
		Groups  []string `toml:"groups"`
		Markers any      `toml:"markers"`
		Files   []struct {
			File string `toml:"file"`
			Hash string `toml:"hash"`
		} `toml:"files"`
		Source *struct {
			Type      string `toml:"type"`
			URL       string `toml:"url"`
			Reference string `toml:"reference"`
		} `toml:"source"`
	} `toml:"package"`
	Metadata struct {
		LockVersion    string `toml:"lock-version"`
		PythonVersions string `toml:"python-versions"`
		// Poetry 1.0 kept the hashes here, by package name.
		Files map[string][]struct {
			File string `toml:"file"`
			Hash string `toml:"hash"`
		} `toml:"files"`
	} `toml:"metadata"`
}

// ParsePoetryLock parses Poetry's poetry.lock (lock versions 1.x and 2.x).
func ParsePoetryLock(file string, data []byte) (*Lock, error) {
	if err := checkTOML(file, data); err != nil {
		return nil, err
	}
	var raw rawPoetryLock
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, tomlError(file, data, err)
	}
	if raw.Metadata.LockVersion == "" && raw.Metadata.PythonVersions == "" && len(raw.Package) == 0 {
		return nil, inputErr(file, 0, "no [metadata] and no [[package]]: not a poetry.lock")
	}
	l := &Lock{Kind: LockPoetry, File: file, RequiresPython: raw.Metadata.PythonVersions}
	if meta := lineAt(headerLines(data, "[metadata]"), 0); meta > 0 && l.RequiresPython != "" {
		l.RequiresPythonLine = lineOf(data, "python-versions", meta)
	}
	hl := headerLines(data, "[[package]]")
	for i, p := range raw.Package {
		if p.Name == "" {
			return nil, inputErr(file, lineAt(hl, i), "[[package]] without a name")
		}
		lp := Locked{Name: p.Name, Version: p.Version, Groups: p.Groups}
		switch m := p.Markers.(type) {
		case string:
			lp.Markers = m
		case map[string]any: // Poetry 2: markers per group
			var parts []string
			for _, g := range p.Groups {
				if s, ok := m[g].(string); ok {
					parts = append(parts, s)
				}
			}
			lp.Markers = strings.Join(parts, " or ")
		}
		files := p.Files
		if len(files) == 0 {
			files = raw.Metadata.Files[p.Name]
		}
		for _, f := range files {
			if f.File != "" {
				lp.Files = append(lp.Files, f.File)
			}
			if f.Hash != "" {
				lp.Hashes = append(lp.Hashes, f.Hash)
			}
		}
		if s := p.Source; s != nil {
			switch s.Type {
			case "git":
				lp.Source = "git+" + s.URL
				if s.Reference != "" {
					lp.Source += "@" + s.Reference
				}
			case "legacy", "":
				lp.Source = s.URL
			default:
				lp.Source = s.Type + ":" + s.URL
			}
		}
		lp.Line = lineAt(hl, i)
		l.Packages = append(l.Packages, lp)
	}
	return l.finish(), nil
}
