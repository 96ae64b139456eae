package native

import (
	"github.com/pyimg/pyimg/inventory"
)

// Libc families.
const (
	LibcGlibc = "glibc"
	LibcMusl  = "musl"
)

// Result is the native-library report of one image or directory.
type Result struct {
	// Libc is the image's C library family: "glibc", "musl" or "" when none
	// was found (a venv directory, a scratch image).
	Libc string `json:"libc"`
	// LibcVersion is the version the package database gives, when known.
	LibcVersion string `json:"libc_version,omitempty"`
	// GlibcRequired is the highest GLIBC_x.y symbol version required by
	// the closure ("2.34"), "" when none; GlibcRequiredBy the object that
	// requires it.
	GlibcRequired   string `json:"glibc_required"`
	GlibcRequiredBy string `json:"glibc_required_by,omitempty"`
	// GlibcAvailable is the highest GLIBC_x.y version libc.so.6 defines
	// (from its version definitions, else the libc6 package), "" when the
	// image has no glibc.
	GlibcAvailable string `json:"glibc_available"`
	// Distro is the image's operating system, from os-release.
	Distro inventory.Distro `json:"distro"`
	// Missing are the sonames the loader would not find, with who needs
	// them and which packages provide them.
	Missing []Missing `json:"missing"`
	// Mismatches are objects linked against the other C library, or whose
	// program interpreter is absent.
	Mismatches []Mismatch `json:"mismatches"`
	// VersionGaps are symbol versions an object requires that the library
	// found for it does not define ("GLIBCXX_3.4.30 not found").
	VersionGaps []VersionGap `json:"version_gaps"`
	// Roots are the objects Python loads: extension modules, vendored
	// libraries, the interpreter, libpython, stdlib modules.
	Roots []Root `json:"roots"`
	// Libraries are the other objects of the closure, as resolved.
	Libraries []Library `json:"libraries"`
	// NotAnalysed are ELF candidates that were not parsed (too large,
	// malformed), with the reason.
	NotAnalysed []NotAnalysed `json:"not_analysed"`
	// Truncated is true when the image had more entries than the
	// visitor's record budget (WithMaxRecords): the resolution may then
	// report libraries as missing that are present.
	Truncated bool `json:"truncated,omitempty"`
	// Venv is true for a directory input that is a venv or prefix
	// (pyvenv.cfg, or no /etc and no /usr): sonames not found inside it are listed in External, not in
	// Missing, since the base image will supply them.
	Venv bool `json:"venv,omitempty"`
	// External lists, for a venv directory, the sonames expected from the
	// base image.
	External []Missing `json:"external,omitempty"`

	fs     *finalFS
	label  string
	arch   arch
	in     input
	owners map[string]string // OS package files → package
	copies []copyGroup       // libraries to copy from a --from image
}

// copyGroup is one library to copy for a distroless runtime: its soname
// and the files (symlinks and the real file) behind it.
type copyGroup struct {
	soname string
	files  []string
}

// Missing is a soname the loader would not find.
type Missing struct {
	Soname string `json:"soname"`
	// NeededBy are the objects whose DT_NEEDED names it.
	NeededBy []string `json:"needed_by"`
	// Extensions are the objects Python loads whose closure needs it, and
	// Distributions the Python distributions ("name==version") owning them.
	Extensions    []string `json:"extensions"`
	Distributions []string `json:"distributions"`
	// Providers are OS packages that ship the soname.
	Providers []Provider `json:"providers"`
}

// Provider is an OS package that ships a soname.
type Provider struct {
	// Package is the package name ("libpq5").
	Package string `json:"package"`
	// Manager is "apt" or "apk".
	Manager string `json:"manager"`
	// Source says where the answer comes from: "index:debian-bookworm" for
	// the embedded index, "image:REF" for a --from image.
	Source string `json:"source"`
	// Path is the file in the --from image, when known.
	Path string `json:"path,omitempty"`
	// Files are the paths to copy from the --from image for a distroless
	// runtime: the soname's symlink and the real file behind it.
	Files []string `json:"files,omitempty"`
}

// Mismatch is an object that cannot load in this image's libc.
type Mismatch struct {
	Path         string `json:"path"`
	Distribution string `json:"distribution,omitempty"`
	ObjectLibc   string `json:"object_libc"`
	ImageLibc    string `json:"image_libc"`
	Reason       string `json:"reason"`
}

// VersionGap is a symbol version required but not defined by the library
// the loader found.
type VersionGap struct {
	Path    string `json:"path"`
	Library string `json:"library"`
	Version string `json:"version"`
}

// Root is an object Python loads.
type Root struct {
	Path string `json:"path"`
	// Kind is "extension" (a module file in site-packages or
	// dist-packages), "stdlib" (lib-dynload), "interpreter" or "libpython".
	Kind         string `json:"kind"`
	Distribution string `json:"distribution,omitempty"`
	Package      string `json:"package,omitempty"`
	Libc         string `json:"libc,omitempty"`
	Needs        []Need `json:"needs"`
}

// Need is one DT_NEEDED entry and where it resolved.
type Need struct {
	Soname string `json:"soname"`
	// Path is the real path of the library found, "" when missing.
	Path string `json:"path"`
}

// Library is a resolved object of the closure that Python does not load
// directly.
type Library struct {
	Soname string `json:"soname"`
	// Path is where the loader found it; RealPath the file behind symlinks.
	Path     string `json:"path"`
	RealPath string `json:"real_path"`
	// Package is the OS package owning the file, "" when none does.
	Package  string   `json:"package,omitempty"`
	NeededBy []string `json:"needed_by"`
	Needs    []Need   `json:"needs"`

	glibc bool // part of glibc itself: its dependencies are not shown
}

// NotAnalysed is an ELF candidate native did not parse.
type NotAnalysed struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Result resolves the closure of the image's final filesystem. Call it
// after layers.Walk has returned without error.
func (v *Visitor) Result() (*Result, error) {
	ls, err := v.orderedLayers()
	if err != nil {
		return nil, err
	}
	inv, err := v.inv.Result()
	if err != nil {
		return nil, err
	}
	var env []string
	if v.cfg != nil {
		env = v.cfg.Config.Env
	}
	f := stack(ls)
	res := build(f, input{inv: inv, env: env, label: v.opts.label})
	v.mu.Lock()
	res.Truncated = v.truncated
	v.mu.Unlock()
	return res, nil
}

// Failed reports whether the result should fail a gate: a missing library,
// a libc mismatch, a symbol version the image lacks, or glibc too old.
func (res *Result) Failed() bool {
	return len(res.Missing) > 0 || len(res.Mismatches) > 0 || len(res.VersionGaps) > 0 || res.GlibcTooOld()
}

// GlibcTooOld reports whether the closure requires a newer glibc than the
// image has.
func (res *Result) GlibcTooOld() bool {
	return res.GlibcRequired != "" && res.GlibcAvailable != "" && compareVersion(res.GlibcRequired, res.GlibcAvailable) > 0
}
