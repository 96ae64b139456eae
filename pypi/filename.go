package pypi

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pyimg/pyimg/pydist"
)

// Wheel is a parsed wheel file name (PEP 427 / the binary distribution
// format): {name}-{version}(-{build tag})?-{python}-{abi}-{platform}.whl.
type Wheel struct {
	// Filename is the file name as given.
	Filename string `json:"filename"`
	// Name is the distribution name as written in the file name.
	Name string `json:"name"`
	// Project is the PEP 503 normalized name.
	Project string `json:"project"`
	// Version is the version as written in the file name.
	Version string `json:"version"`
	// BuildTag is the optional build tag ("" when absent).
	BuildTag string `json:"build_tag,omitempty"`
	// TagSet is the compressed tag set as written, e.g. "py2.py3-none-any".
	TagSet string `json:"tag_set"`
	// Tags is the expanded tag set.
	Tags []Tag `json:"tags"`
}

// maxFilename bounds the file names the parsers accept.
const maxFilename = 512

var (
	// nameRe is the distribution name grammar of the core metadata spec,
	// as it may appear escaped in file names.
	nameRe = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?$`)
	// versionRe accepts PEP 440 versions and the legacy strings real file
	// names carry, but nothing with a separator or path characters.
	versionRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+!]*$`)
	buildRe   = regexp.MustCompile(`^[0-9][A-Za-z0-9_.]*$`)
)

// ParseWheelFilename parses a wheel file name. It rejects names that are not
// wheels, have the wrong number of parts, an invalid name, version, build
// tag (must start with a digit) or tag set.
func ParseWheelFilename(filename string) (Wheel, error) {
	if len(filename) > maxFilename {
		return Wheel{}, fmt.Errorf("wheel file name too long (%d bytes)", len(filename))
	}
	base, ok := strings.CutSuffix(filename, ".whl")
	if !ok {
		return Wheel{}, fmt.Errorf("wheel file name %q: does not end in .whl", filename)
	}
	parts := strings.Split(base, "-")
	if len(parts) != 5 && len(parts) != 6 {
		return Wheel{}, fmt.Errorf("wheel file name %q: want name-version[-build]-python-abi-platform.whl", filename)
	}
	w := Wheel{Filename: filename, Name: parts[0], Version: parts[1]}
	if !nameRe.MatchString(w.Name) {
		return Wheel{}, fmt.Errorf("wheel file name %q: invalid project name %q", filename, w.Name)
	}
	if !versionRe.MatchString(w.Version) {
		return Wheel{}, fmt.Errorf("wheel file name %q: invalid version %q", filename, w.Version)
	}
	if len(parts) == 6 {
		w.BuildTag = parts[2]
		if !buildRe.MatchString(w.BuildTag) {
			return Wheel{}, fmt.Errorf("wheel file name %q: build tag %q must start with a digit", filename, w.BuildTag)
		}
	}
	n := len(parts)
	w.TagSet = strings.Join(parts[n-3:], "-")
	tags, err := ParseTagSet(w.TagSet)
	if err != nil {
		return Wheel{}, fmt.Errorf("wheel file name %q: %w", filename, err)
	}
	w.Tags = tags
	w.Project = pydist.NormalizeName(w.Name)
	return w, nil
}

// Sdist is a parsed source distribution file name: {name}-{version}.tar.gz
// (PEP 625) or one of the legacy archive kinds (.zip, .tar.bz2, .tgz, .tar.xz, .tar).
type Sdist struct {
	// Filename is the file name as given.
	Filename string `json:"filename"`
	// Name is the project name as written (before the last "-").
	Name string `json:"name"`
	// Project is the PEP 503 normalized name.
	Project string `json:"project"`
	// Version is the version as written.
	Version string `json:"version"`
	// Ext is the archive extension, e.g. ".tar.gz".
	Ext string `json:"ext"`
}

var sdistExts = []string{".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar"}

// IsSdist reports whether filename has a source-distribution extension.
func IsSdist(filename string) bool {
	for _, e := range sdistExts {
		if strings.HasSuffix(filename, e) {
			return true
		}
	}
	return false
}

// ParseSdistFilename parses a source distribution file name, splitting name
// and version at the last "-" (PEP 625 names have no "-"; legacy names such
// as python-dateutil-2.8.2.tar.gz split right too). Use SdistFor when the
// project is known, which also handles versions written with "-".
func ParseSdistFilename(filename string) (Sdist, error) {
	if len(filename) > maxFilename {
		return Sdist{}, fmt.Errorf("sdist file name too long (%d bytes)", len(filename))
	}
	for _, ext := range sdistExts {
		base, ok := strings.CutSuffix(filename, ext)
		if !ok {
			continue
		}
		i := strings.LastIndexByte(base, '-')
		if i <= 0 {
			return Sdist{}, fmt.Errorf("sdist file name %q: want name-version%s", filename, ext)
		}
		s := Sdist{Filename: filename, Name: base[:i], Version: base[i+1:], Ext: ext}
		if !nameRe.MatchString(strings.ReplaceAll(s.Name, "-", "_")) || !versionRe.MatchString(s.Version) {
			return Sdist{}, fmt.Errorf("sdist file name %q: invalid name or version", filename)
		}
		s.Project = pydist.NormalizeName(s.Name)
		return s, nil
	}
	return Sdist{}, fmt.Errorf("sdist file name %q: not a source archive (%s)", filename, strings.Join(sdistExts, ", "))
}

// SdistFor parses filename as an sdist of project (any spelling), the way
// pip matches links: the file name must start with the project's name
// followed by "-"; the rest before the extension is the version.
func SdistFor(filename, project string) (Sdist, bool) {
	if len(filename) > maxFilename || !IsSdist(filename) {
		return Sdist{}, false
	}
	var ext, base string
	for _, e := range sdistExts {
		if b, ok := strings.CutSuffix(filename, e); ok {
			ext, base = e, b
			break
		}
	}
	want := pydist.NormalizeName(project)
	// The name part may contain "-" itself, so try every split point.
	for i := 0; i < len(base); i++ {
		if base[i] != '-' {
			continue
		}
		if pydist.NormalizeName(base[:i]) == want {
			v := base[i+1:]
			if !versionRe.MatchString(strings.ReplaceAll(v, "-", "_")) {
				return Sdist{}, false
			}
			return Sdist{Filename: filename, Name: base[:i], Project: want, Version: v, Ext: ext}, true
		}
	}
	return Sdist{}, false
}
