package project

import (
	"path"
	"slices"
	"strings"

	"github.com/pyimg/pyimg/pydist"
)

// Lock kinds, named after their files.
const (
	LockUV       = "uv.lock"
	LockPoetry   = "poetry.lock"
	LockPDM      = "pdm.lock"
	LockPylock   = "pylock.toml"
	LockPipfile  = "Pipfile.lock"
	maxLockBytes = 32 << 20
)

// Lock is one lock file read into the common model.
type Lock struct {
	// Kind is one of the Lock constants.
	Kind string `json:"kind"`
	// File is the file read, relative to the project directory.
	File string `json:"file"`
	// RequiresPython is the lock's Python constraint when it records one.
	RequiresPython string `json:"requires_python,omitempty"`
	// RequiresPythonLine is the line of RequiresPython (0 when unknown).
	RequiresPythonLine int `json:"requires_python_line,omitempty"`
	// Packages are the locked distributions, sorted by normalized name then
	// version.
	Packages []Locked `json:"packages"`
}

// Locked is one locked distribution.
type Locked struct {
	// Name is the project name as the lock writes it.
	Name string `json:"name"`
	// Version is the locked version ("" for a path or VCS source without one).
	Version string `json:"version,omitempty"`
	// Hashes are "algorithm:hex" digests of the files ("sha256:…"), sorted.
	Hashes []string `json:"hashes,omitempty"`
	// Markers is the environment marker that limits where it installs.
	Markers string `json:"markers,omitempty"`
	// Source is the index URL, VCS URL, path or "editable:." it comes from.
	Source string `json:"source,omitempty"`
	// Files are the wheel and sdist file names the lock lists, sorted.
	Files []string `json:"files,omitempty"`
	// Groups are the dependency groups it belongs to, when the lock says
	// ("main", "dev", "default").
	Groups []string `json:"groups,omitempty"`
	// Editable reports a local project installed in development mode (the
	// project itself in uv.lock).
	Editable bool `json:"editable,omitempty"`
	// Line is where the entry starts in the lock file (0 when unknown).
	Line int `json:"line,omitempty"`
	// Dependencies are the packages this one requires, with the marker
	// under which it does, when the lock records the graph (uv.lock).
	// The project's own entry lists its runtime dependencies; development
	// groups are left out.
	Dependencies []LockedDep `json:"dependencies,omitempty"`
	// Optional are the dependencies of each extra, by extra name.
	Optional map[string][]LockedDep `json:"optional,omitempty"`
}

// LockedDep is one edge of a lock's dependency graph.
type LockedDep struct {
	Name string `json:"name"`
	// Marker is the environment marker of the edge ("" for always).
	Marker string `json:"marker,omitempty"`
	// Extras are the extras of Name the edge asks for.
	Extras []string `json:"extras,omitempty"`
}

// Normalized returns the PEP 503 normalized name.
func (l Locked) Normalized() string { return pydist.NormalizeName(l.Name) }

// Wheels returns the wheel file names among Files.
func (l Locked) Wheels() []string {
	var out []string
	for _, f := range l.Files {
		if strings.HasSuffix(f, ".whl") {
			out = append(out, f)
		}
	}
	return out
}

// Sdists returns the source distribution file names among Files.
func (l Locked) Sdists() []string {
	var out []string
	for _, f := range l.Files {
		if !strings.HasSuffix(f, ".whl") {
			out = append(out, f)
		}
	}
	return out
}

// Find returns the locked packages with the normalized name.
func (l *Lock) Find(normalized string) []Locked {
	var out []Locked
	for _, p := range l.Packages {
		if p.Normalized() == normalized {
			out = append(out, p)
		}
	}
	return out
}

// finish sorts packages and their lists.
func (l *Lock) finish() *Lock {
	for i := range l.Packages {
		p := &l.Packages[i]
		slices.Sort(p.Hashes)
		p.Hashes = slices.Compact(p.Hashes)
		slices.Sort(p.Files)
		p.Files = slices.Compact(p.Files)
	}
	slices.SortStableFunc(l.Packages, func(a, b Locked) int {
		if c := strings.Compare(a.Normalized(), b.Normalized()); c != 0 {
			return c
		}
		return strings.Compare(a.Version, b.Version)
	})
	if l.Packages == nil {
		l.Packages = []Locked{}
	}
	return l
}

// fileName returns the last path element of a URL, without query or fragment.
func fileName(url string) string {
	url, _, _ = strings.Cut(url, "#")
	url, _, _ = strings.Cut(url, "?")
	return path.Base(url)
}

// ParseLock parses a lock file by its base name (uv.lock, poetry.lock,
// pdm.lock, pylock.toml or pylock.NAME.toml, Pipfile.lock); file names it in
// errors, which are *InputError.
func ParseLock(file string, data []byte) (*Lock, error) {
	base := path.Base(strings.ReplaceAll(file, "\\", "/"))
	if len(data) > maxLockBytes {
		return nil, inputErr(file, 0, "lock file larger than %d MiB", maxLockBytes>>20)
	}
	switch {
	case base == LockUV:
		return ParseUVLock(file, data)
	case base == LockPoetry:
		return ParsePoetryLock(file, data)
	case base == LockPDM:
		return ParsePDMLock(file, data)
	case base == LockPipfile:
		return ParsePipfileLock(file, data)
	case IsPylockName(base):
		return ParsePylock(file, data)
	}
	return nil, inputErr(file, 0, "not a known lock file name")
}

// IsPylockName reports whether a base name is a PEP 751 lock file name:
// pylock.toml or pylock.NAME.toml.
func IsPylockName(base string) bool {
	if base == LockPylock {
		return true
	}
	mid, ok := strings.CutPrefix(base, "pylock.")
	if !ok {
		return false
	}
	mid, ok = strings.CutSuffix(mid, ".toml")
	return ok && mid != "" && !strings.Contains(mid, ".")
}
