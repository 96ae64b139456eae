package project

import (
	"github.com/BurntSushi/toml"
)

// pdm.lock: [metadata] groups, strategy, lock_version, content_hash;
// [[metadata.targets]]; [[package]] with name, version, requires_python,
// groups, marker, dependencies and files = [{file | url, hash}].
type rawPDMLock struct {
	Metadata struct {
		LockVersion string `toml:"lock_version"`
		Targets     []struct {
			RequiresPython string `toml:"requires_python"`
		} `toml:"targets"`
	} `toml:"metadata"`
	Package []struct {
		Name     string   `toml:"name"`
		Version  string   `toml:"version"`
		Groups   []string `toml:"groups"`
		Marker   string   `toml:"marker"`
		Editable bool     `toml:"editable"`
		Path     string   `toml:"path"`
		URL      string   `toml:"url"`
		Git      string   `toml:"git"`
		Revision string   `toml:"revision"`
		Files    []struct {
			File string `toml:"file"`
			URL  string `toml:"url"`
			Hash string `toml:"hash"`
		} `toml:"files"`
	} `toml:"package"`
}

// ParsePDMLock parses PDM's pdm.lock.
func ParsePDMLock(file string, data []byte) (*Lock, error) {
	if err := checkTOML(file, data); err != nil {
		return nil, err
	}
	var raw rawPDMLock
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, tomlError(file, data, err)
	}
	if raw.Metadata.LockVersion == "" {
		return nil, inputErr(file, 0, "no [metadata] lock_version: not a pdm.lock")
	}
	l := &Lock{Kind: LockPDM, File: file}
	if len(raw.Metadata.Targets) > 0 {
		l.RequiresPython = raw.Metadata.Targets[0].RequiresPython
	}
	hl := headerLines(data, "[[package]]")
	for i, p := range raw.Package {
		if p.Name == "" {
			return nil, inputErr(file, lineAt(hl, i), "[[package]] without a name")
		}
		lp := Locked{Name: p.Name, Version: p.Version, Groups: p.Groups, Markers: p.Marker, Editable: p.Editable}
		switch {
		case p.Git != "":
			lp.Source = "git+" + p.Git
			if p.Revision != "" {
				lp.Source += "@" + p.Revision
			}
		case p.URL != "":
			lp.Source = p.URL
		case p.Path != "":
			lp.Source = "path:" + p.Path
		}
		for _, f := range p.Files {
			name := f.File
			if name == "" && f.URL != "" {
				name = fileName(f.URL)
			}
			if name != "" {
				lp.Files = append(lp.Files, name)
			}
			if f.Hash != "" {
				lp.Hashes = append(lp.Hashes, f.Hash)
			}
		}
		lp.Line = lineAt(hl, i)
		l.Packages = append(l.Packages, lp)
	}
	return l.finish(), nil
}
