package project

import (
	"cmp"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
)

// Pipfile.lock (Pipenv, JSON): _meta {hash, pipfile-spec, requires
// {python_version}, sources [{name, url, verify_ssl}]}, and the "default"
// and "develop" sections mapping names to {version "==x", hashes, markers,
// index, extras, git, ref, path, editable}.
type rawPipfileLock struct {
	Meta struct {
		Requires struct {
			PythonVersion     string `json:"python_version"`
			PythonFullVersion string `json:"python_full_version"`
		} `json:"requires"`
		Sources []struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		} `json:"sources"`
	} `json:"_meta"`
	Default map[string]pipfileEntry `json:"default"`
	Develop map[string]pipfileEntry `json:"develop"`
}

type pipfileEntry struct {
	Version  string   `json:"version"`
	Hashes   []string `json:"hashes"`
	Markers  string   `json:"markers"`
	Index    string   `json:"index"`
	Git      string   `json:"git"`
	Ref      string   `json:"ref"`
	Path     string   `json:"path"`
	File     string   `json:"file"`
	Editable bool     `json:"editable"`
}

// ParsePipfileLock parses Pipenv's Pipfile.lock.
func ParsePipfileLock(file string, data []byte) (*Lock, error) {
	var raw rawPipfileLock
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		line := 0
		switch {
		case errors.As(err, &se):
			line = 1 + strings.Count(string(data[:min(int(se.Offset), len(data))]), "\n")
		case errors.As(err, &te):
			line = 1 + strings.Count(string(data[:min(int(te.Offset), len(data))]), "\n")
		}
		return nil, &InputError{File: file, Line: line, Msg: "invalid JSON", Err: err}
	}
	if raw.Default == nil && raw.Develop == nil {
		return nil, inputErr(file, 0, "no \"default\" or \"develop\" section: not a Pipfile.lock")
	}
	l := &Lock{Kind: LockPipfile, File: file}
	if v := raw.Meta.Requires.PythonVersion; v != "" {
		l.RequiresPython = "==" + v + ".*"
	}
	if v := raw.Meta.Requires.PythonFullVersion; v != "" {
		l.RequiresPython = "==" + v
	}
	indexes := map[string]string{}
	for _, s := range raw.Meta.Sources {
		indexes[s.Name] = s.URL
	}
	for _, sec := range []struct {
		group   string
		entries map[string]pipfileEntry
	}{{"default", raw.Default}, {"develop", raw.Develop}} {
		for _, name := range slices.Sorted(maps.Keys(sec.entries)) {
			e := sec.entries[name]
			if strings.TrimSpace(name) == "" {
				return nil, inputErr(file, lineOf(data, "\"\"", 1), "a package without a name in %q", sec.group)
			}
			lp := Locked{Name: name, Version: strings.TrimPrefix(strings.TrimPrefix(e.Version, "==="), "=="),
				Hashes: e.Hashes, Markers: e.Markers, Groups: []string{sec.group}, Editable: e.Editable}
			switch {
			case e.Git != "":
				lp.Source = "git+" + e.Git
				if e.Ref != "" {
					lp.Source += "@" + e.Ref
				}
			case e.Path != "":
				lp.Source = "path:" + e.Path
			case e.File != "":
				lp.Source = e.File
			case e.Index != "":
				lp.Source = cmp.Or(indexes[e.Index], e.Index)
			}
			if affordable(data, len(raw.Default)+len(raw.Develop)) {
				lp.Line = cmp.Or(lineOf(data, "\""+name+"\": {", 1), lineOf(data, "\""+name+"\":{", 1))
			}
			l.Packages = append(l.Packages, lp)
		}
	}
	return l.finish(), nil
}
