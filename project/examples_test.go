package project

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// exampleView is what the golden files record of a detected example: the
// facts, with lock and requirements entries summarised one per line so a
// person can review them.
type exampleView struct {
	Dir                string            `json:"dir"`
	Name               string            `json:"name,omitempty"`
	Version            string            `json:"version,omitempty"`
	RequiresPython     string            `json:"requires_python,omitempty"`
	RequiresPythonFrom string            `json:"requires_python_from,omitempty"`
	PythonVersion      string            `json:"python_version,omitempty"`
	Manager            string            `json:"manager,omitempty"`
	BuildBackend       string            `json:"build_backend,omitempty"`
	SetupPy            bool              `json:"setup_py,omitempty"`
	Dependencies       []string          `json:"dependencies"`
	Locks              []lockView        `json:"locks,omitempty"`
	Requirements       []reqView         `json:"requirements,omitempty"`
	Scripts            map[string]string `json:"scripts,omitempty"`
	Generate           GenerateConfig    `json:"generate"`
	Dockerfiles        []string          `json:"dockerfiles"`
	App                App               `json:"app"`
	Valid              string            `json:"valid"`
}

type lockView struct {
	File     string   `json:"file"`
	Packages []string `json:"packages"`
}

type reqView struct {
	Files          []string `json:"files"`
	Requirements   []string `json:"requirements"`
	HashesComplete bool     `json:"hashes_complete"`
}

func viewOf(name string, p *Project) exampleView {
	v := exampleView{Dir: "examples/" + name, Name: p.Name, Version: p.Version, RequiresPython: p.RequiresPython,
		RequiresPythonFrom: p.RequiresPythonFrom, PythonVersion: p.PythonVersion, Manager: p.Manager,
		BuildBackend: p.BuildBackend, SetupPy: p.SetupPy, Scripts: p.Scripts, Generate: p.Generate,
		Dockerfiles: p.Dockerfiles, App: p.App, Dependencies: []string{}, Valid: "ok"}
	for _, d := range p.Dependencies {
		v.Dependencies = append(v.Dependencies, d.String())
	}
	for _, l := range p.Locks {
		lv := lockView{File: l.File}
		for _, lp := range l.Packages {
			lv.Packages = append(lv.Packages, fmt.Sprintf("%s %s: %d wheels, %d sdists, %d hashes, source %s", lp.Name, lp.Version, len(lp.Wheels()), len(lp.Sdists()), len(lp.Hashes), lp.Source))
		}
		v.Locks = append(v.Locks, lv)
	}
	for _, r := range p.Requirements {
		rv := reqView{Files: r.Files, HashesComplete: r.HashesComplete()}
		for _, l := range r.Requirements {
			rv.Requirements = append(rv.Requirements, fmt.Sprintf("%s %s (%d hashes)", l.Location(), l.Requirement.String(), len(l.Hashes)))
		}
		v.Requirements = append(v.Requirements, rv)
	}
	if err := p.Validate(); err != nil {
		v.Valid = err.Error()
	}
	return v
}

// TestExamplesGolden detects every project under examples/ and compares
// the facts with testdata/golden/<example>.json (go test -update rewrites).
func TestExamplesGolden(t *testing.T) {
	t.Parallel()
	entries, err := os.ReadDir(filepath.Join("..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			p, err := Detect(filepath.Join("..", "examples", e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "golden", e.Name()+".json"), viewOf(e.Name(), p))
		})
	}
	if n < 6 {
		t.Errorf("found %d example projects, want at least 6", n)
	}
}
