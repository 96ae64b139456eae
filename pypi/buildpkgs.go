package pypi

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"sync"

	"github.com/pyimg/pyimg/pydist"
)

//go:embed data/build_packages.json
var buildPackagesJSON []byte

// BuildNeeds says what building one project from source needs on a base,
// beyond the Python headers.
type BuildNeeds struct {
	// Apt and Apk are the -dev packages (Debian and Alpine names).
	Apt []string `json:"apt,omitempty"`
	Apk []string `json:"apk,omitempty"`
	// AptRuntime and ApkRuntime are the libraries the built extension links
	// at run time (for the runtime stage).
	AptRuntime []string `json:"apt_runtime,omitempty"`
	ApkRuntime []string `json:"apk_runtime,omitempty"`
	// CXX reports a C++ compiler is needed; Rust a Rust toolchain.
	CXX  bool `json:"cxx,omitempty"`
	Rust bool `json:"rust,omitempty"`
	// Note says anything else worth knowing.
	Note string `json:"note,omitempty"`
}

type buildPackagesFile struct {
	About    string                `json:"about"`
	Projects map[string]BuildNeeds `json:"projects"`
}

var knownBuildNeeds = sync.OnceValues(func() (map[string]BuildNeeds, error) {
	var f buildPackagesFile
	if err := json.Unmarshal(buildPackagesJSON, &f); err != nil {
		return nil, fmt.Errorf("embedded data/build_packages.json: %w", err)
	}
	for name := range f.Projects {
		if pydist.NormalizeName(name) != name {
			return nil, fmt.Errorf("embedded data/build_packages.json: key %q is not a normalized project name", name)
		}
	}
	return f.Projects, nil
})

// KnownBuildNeeds returns what building project (any spelling) from
// source is known to need, from the embedded table of popular sdists.
func KnownBuildNeeds(project string) (BuildNeeds, bool) {
	m, err := knownBuildNeeds()
	if err != nil {
		return BuildNeeds{}, false
	}
	n, ok := m[pydist.NormalizeName(project)]
	return n, ok
}

// KnownBuildProjects lists the projects the embedded table knows, sorted.
func KnownBuildProjects() []string {
	m, _ := knownBuildNeeds()
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// PackageManager names a base's system package manager.
type PackageManager string

// The package managers bases use.
const (
	Apt PackageManager = "apt"
	Apk PackageManager = "apk"
)

// toolchain returns the compiler packages for a package manager.
func toolchain(pm PackageManager, cxx, rust bool) []string {
	var out []string
	if pm == Apk {
		out = []string{"gcc", "musl-dev"}
		if cxx {
			out = append(out, "g++")
		}
		if rust {
			out = append(out, "cargo")
		}
		return out
	}
	out = []string{"gcc", "libc6-dev"}
	if cxx {
		out = append(out, "g++")
	}
	if rust {
		out = append(out, "cargo", "rustc")
	}
	return out
}

// buildPackagesFor returns the system packages to build a project's sdist
// on a base with package manager pm, and whether the project's needs are
// known (false: only the generic compiler toolchain is suggested).
func buildPackagesFor(project string, pm PackageManager, native bool, pythonHeaders string) ([]string, bool) {
	needs, known := KnownBuildNeeds(project)
	if !known && !native {
		return nil, false
	}
	var out []string
	out = append(out, toolchain(pm, needs.CXX, needs.Rust)...)
	if pythonHeaders != "" {
		out = append(out, pythonHeaders)
	}
	if pm == Apk {
		out = append(out, needs.Apk...)
	} else {
		out = append(out, needs.Apt...)
	}
	return dedupe(out), known
}

// dedupe drops repeated strings, keeping the first occurrence.
func dedupe(in []string) []string {
	seen := make(map[string]bool, len(in))
	out := in[:0:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
