package build

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyimg/pyimg/project"
	"github.com/pyimg/pyimg/pydist"
)

// Requirement is one locked distribution to install.
type Requirement struct {
	// Name and Version are the pinned distribution.
	Name    string `json:"name"`
	Version string `json:"version"`
	// Hashes are the digests the lock allows, "sha256:<hex>".
	Hashes []string `json:"hashes"`
	// Marker is the environment marker ("" for none).
	Marker string `json:"marker,omitempty"`
	// Files are the file names the lock lists for it (may be empty).
	Files []string `json:"files,omitempty"`
	// Line is where it is in the lock (0 when unknown).
	Line int `json:"line,omitempty"`
}

// Lock is the lock file a build installs from.
type Lock struct {
	// File is the lock's path.
	File string `json:"file"`
	// SHA256 is the hex digest of the lock file's bytes.
	SHA256 string `json:"sha256"`
	// Requirements are sorted by normalized name.
	Requirements []Requirement `json:"requirements"`
	// project is the lock as package project read it (nil for requirements
	// files): its dependency graph, when it records one (uv.lock), limits
	// the install to what the project's runtime dependencies reach.
	project *project.Lock
}

// LockReader reads the lock of the project in dir. ok is false when dir
// has no lock this reader understands.
type LockReader func(dir string) (lock *Lock, ok bool, err error)

// requirementsNames are the pip requirements files read as locks, in
// order; lockNames the lock files package project parses.
var (
	requirementsNames = []string{"requirements.lock", "requirements.txt"}
	lockNames         = []string{project.LockUV, project.LockPylock, project.LockPoetry, project.LockPDM, project.LockPipfile}
)

// ReadLock reads the lock of the project in dir: a requirements file in
// which every requirement is pinned with "==" and carries --hash options
// (pip-compile --generate-hashes, uv export), else uv.lock, pylock.toml,
// poetry.lock, pdm.lock or Pipfile.lock. Every requirement must be pinned
// and hashed; the project itself (an editable "." entry) is skipped, as
// are packages only in development groups.
func ReadLock(dir string) (*Lock, bool, error) {
	for _, n := range requirementsNames {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("reading %s: %w", filepath.Join(dir, n), err)
		}
		l, err := fromRequirements(dir, n, b)
		return l, true, err
	}
	for _, n := range lockNames {
		file := filepath.Join(dir, n)
		b, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("reading %s: %w", file, err)
		}
		pl, err := project.ParseLock(file, b)
		if err != nil {
			return nil, true, err
		}
		l, err := fromLock(file, b, pl)
		return l, true, err
	}
	return nil, false, nil
}

func newLock(file string, b []byte) *Lock {
	sum := sha256.Sum256(b)
	return &Lock{File: file, SHA256: hex.EncodeToString(sum[:])}
}

// fromRequirements reads a requirements file through package project.
func fromRequirements(dir, name string, b []byte) (*Lock, error) {
	file := filepath.Join(dir, name)
	read := func(n string) ([]byte, error) {
		if n == name {
			return b, nil
		}
		return os.ReadFile(filepath.Join(dir, filepath.FromSlash(n)))
	}
	reqs, err := project.ParseRequirements(name, read, nil)
	if err != nil {
		return nil, err
	}
	l := newLock(file, b)
	seen := map[string]bool{}
	for _, r := range reqs.Requirements {
		at := func(format string, args ...any) error {
			f := r.File
			if f == name {
				f = file
			}
			return &InputError{File: f, Line: r.Line, Err: fmt.Errorf(format, args...)}
		}
		switch {
		case r.Editable && (r.Path == "." || r.Path == "./"):
			continue // the project itself, built into its own layer
		case r.Editable || r.Path != "":
			return nil, at("%s: local and editable requirements are not supported; build their wheels into the --wheelhouse and pin them", r.String())
		case r.URL != "":
			return nil, at("%s: direct references are not supported; pin a version with ==", r.String())
		}
		v := r.Pinned()
		if v == "" {
			return nil, at("%s is not pinned with ==: build installs from a lock (pip-compile --generate-hashes, uv export)", r.String())
		}
		hashes, err := sha256Hashes(r.Hashes)
		if err != nil {
			return nil, at("%s: %v", r.Name, err)
		}
		if len(hashes) == 0 {
			return nil, at("%s==%s has no --hash: every wheel is checked against the lock's hashes (pip-compile --generate-hashes, uv export)", r.Name, v)
		}
		n := pydist.NormalizeName(r.Name)
		if seen[n] {
			return nil, at("%s is listed twice", r.Name)
		}
		seen[n] = true
		l.Requirements = append(l.Requirements, Requirement{Name: r.Name, Version: v, Hashes: hashes, Marker: r.Marker, Line: r.Line})
	}
	sortRequirements(l.Requirements)
	return l, nil
}

// fromLock converts a lock file parsed by package project.
func fromLock(file string, b []byte, pl *project.Lock) (*Lock, error) {
	l := newLock(file, b)
	l.project = pl
	seen := map[string]bool{}
	for _, p := range pl.Packages {
		at := func(format string, args ...any) error {
			return &InputError{File: file, Line: p.Line, Err: fmt.Errorf(format, args...)}
		}
		if p.Editable || strings.HasPrefix(p.Source, "virtual:") {
			continue // the project itself (or a workspace member without files)
		}
		if devOnly(p.Groups) {
			continue
		}
		if kind, _, ok := strings.Cut(p.Source, ":"); ok && (kind == "path" || kind == "directory" || kind == "git" || kind == "url") {
			return nil, at("%s comes from %s: only packages from an index or wheelhouse are supported", p.Name, p.Source)
		}
		if p.Version == "" {
			return nil, at("%s has no version", p.Name)
		}
		hashes, err := sha256Hashes(p.Hashes)
		if err != nil {
			return nil, at("%s: %v", p.Name, err)
		}
		if len(hashes) == 0 {
			return nil, at("%s==%s has no sha256 hash: every wheel is checked against the lock's hashes", p.Name, p.Version)
		}
		n := pydist.NormalizeName(p.Name)
		if seen[n] {
			return nil, at("%s is locked at several versions (%s is one); build needs one version per package", p.Name, p.Version)
		}
		seen[n] = true
		l.Requirements = append(l.Requirements, Requirement{Name: p.Name, Version: p.Version, Hashes: hashes, Marker: p.Markers, Files: p.Files, Line: p.Line})
	}
	sortRequirements(l.Requirements)
	return l, nil
}

// devOnly reports whether the groups a lock gives name only development
// groups.
func devOnly(groups []string) bool {
	if len(groups) == 0 {
		return false
	}
	for _, g := range groups {
		if g == "main" || g == "default" {
			return false
		}
	}
	return true
}

// sha256Hashes keeps the sha256 hashes ("sha256:<hex>", lower case).
func sha256Hashes(hs []string) ([]string, error) {
	var out []string
	for _, h := range hs {
		algo, v, ok := strings.Cut(h, ":")
		if !ok {
			algo, v, ok = strings.Cut(h, "=")
		}
		if !ok {
			return nil, fmt.Errorf("hash %q: want sha256:<hex>", h)
		}
		if algo != "sha256" {
			continue
		}
		if _, err := hex.DecodeString(v); err != nil || len(v) != 64 {
			return nil, fmt.Errorf("hash %q: want sha256:<64 hex digits>", h)
		}
		out = append(out, "sha256:"+strings.ToLower(v))
	}
	sort.Strings(out)
	return out, nil
}

func sortRequirements(rs []Requirement) {
	sort.Slice(rs, func(i, j int) bool { return pydist.NormalizeName(rs[i].Name) < pydist.NormalizeName(rs[j].Name) })
}
