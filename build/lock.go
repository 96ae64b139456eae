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

	"github.com/pyimg/pyimg/pydist"
)

// Requirement is one locked distribution to install.
type Requirement struct {
	// Name and Version are the pinned distribution ("==").
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
}

// LockReader reads the lock of the project in dir. ok is false when dir
// has no lock this reader understands.
type LockReader func(dir string) (lock *Lock, ok bool, err error)

// lockNames are the lock files looked for, in order.
var lockNames = []string{"requirements.lock", "requirements.txt"}

// readRequirementsLock reads a pip-style requirements file in which every
// requirement is pinned with "==" and carries --hash options, as
// `pip-compile --generate-hashes` and `uv export` write them.
func readRequirementsLock(dir string) (*Lock, bool, error) {
	for _, n := range lockNames {
		file := filepath.Join(dir, n)
		b, err := os.ReadFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("reading %s: %w", file, err)
		}
		l, err := parseRequirementsLock(file, b)
		return l, true, err
	}
	return nil, false, nil
}

func parseRequirementsLock(file string, b []byte) (*Lock, error) {
	sum := sha256.Sum256(b)
	l := &Lock{File: file, SHA256: hex.EncodeToString(sum[:])}
	lines := strings.Split(string(b), "\n")
	seen := map[string]bool{}
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := lines[i]
		for strings.HasSuffix(strings.TrimRight(line, " \t\r"), "\\") && i+1 < len(lines) {
			line = strings.TrimSuffix(strings.TrimRight(line, " \t\r"), "\\") + " " + lines[i+1]
			i++
		}
		if j := strings.Index(line, " #"); j >= 0 {
			line = line[:j]
		}
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "-") {
			opt := strings.Fields(line)[0]
			switch {
			case strings.HasPrefix(opt, "--index-url"), strings.HasPrefix(opt, "--extra-index-url"), strings.HasPrefix(opt, "-i"),
				strings.HasPrefix(opt, "--find-links"), strings.HasPrefix(opt, "-f"), opt == "--no-binary" || opt == "--only-binary", strings.HasPrefix(opt, "--trusted-host"):
				continue
			}
			return nil, &InputError{File: file, Line: start, Err: fmt.Errorf("option %s is not supported in a lock build installs from (no -r, -c, -e or local paths)", opt)}
		}
		r, err := parseRequirementLine(line)
		if err != nil {
			return nil, &InputError{File: file, Line: start, Err: err}
		}
		r.Line = start
		n := pydist.NormalizeName(r.Name)
		if seen[n] {
			return nil, &InputError{File: file, Line: start, Err: fmt.Errorf("%s is listed twice", r.Name)}
		}
		seen[n] = true
		l.Requirements = append(l.Requirements, r)
	}
	sort.Slice(l.Requirements, func(i, j int) bool {
		return pydist.NormalizeName(l.Requirements[i].Name) < pydist.NormalizeName(l.Requirements[j].Name)
	})
	return l, nil
}

// parseRequirementLine parses "name[extras]==version ; marker --hash=sha256:…".
func parseRequirementLine(line string) (Requirement, error) {
	var r Requirement
	var spec []string
	fields := strings.Fields(line)
	for k := 0; k < len(fields); k++ {
		f := fields[k]
		if f == "--hash" && k+1 < len(fields) {
			k++
			f = "--hash=" + fields[k]
		}
		if h, ok := strings.CutPrefix(f, "--hash="); ok {
			algo, hexd, ok := strings.Cut(h, ":")
			if !ok || algo != "sha256" || len(hexd) != 64 {
				return r, fmt.Errorf("hash %q: want sha256:<64 hex digits>", h)
			}
			if _, err := hex.DecodeString(hexd); err != nil {
				return r, fmt.Errorf("hash %q: want sha256:<64 hex digits>", h)
			}
			r.Hashes = append(r.Hashes, "sha256:"+strings.ToLower(hexd))
			continue
		}
		if strings.HasPrefix(f, "--") {
			return r, fmt.Errorf("option %s is not supported on a requirement line", f)
		}
		spec = append(spec, f)
	}
	s := strings.Join(spec, " ")
	if req, marker, ok := strings.Cut(s, ";"); ok {
		s, r.Marker = strings.TrimSpace(req), strings.TrimSpace(marker)
	}
	if strings.Contains(s, "@") || strings.Contains(s, "://") {
		return r, fmt.Errorf("%q: direct references are not supported; pin a version with ==", s)
	}
	name, version, ok := strings.Cut(s, "==")
	if !ok || strings.ContainsAny(version, "<>=!~,*") || strings.TrimSpace(version) == "" {
		return r, fmt.Errorf("%q is not pinned with ==: build installs from a lock (pip-compile --generate-hashes, uv export)", s)
	}
	name = strings.TrimSpace(name)
	if i := strings.IndexByte(name, '['); i >= 0 {
		name = strings.TrimSpace(name[:i])
	}
	r.Name, r.Version = name, strings.TrimSpace(version)
	if r.Name == "" {
		return r, fmt.Errorf("%q has no name", s)
	}
	if len(r.Hashes) == 0 {
		return r, fmt.Errorf("%s==%s has no --hash: every wheel is checked against the lock's hashes (pip-compile --generate-hashes, uv export)", r.Name, r.Version)
	}
	sort.Strings(r.Hashes)
	return r, nil
}
