package native

import (
	"path"
	"regexp"
	"sort"
	"strings"

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
	// Venv is true for a directory input without a system (no /etc, /usr
	// or /lib): sonames not found inside it are listed in External, not in
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
	return build(f, input{inv: inv, env: env, label: v.opts.label}), nil
}

// moduleName matches the file name of an extension module Python can
// import: a module name, an optional platform tag, ".so" (PEP 3149).
var moduleName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)?\.so$`)

// rootKind says whether the ELF object at p is loaded by Python.
func rootKind(p string, o *Object) string {
	dir, base := path.Split(p)
	switch {
	case o.Type != "dyn" && o.Type != "exec":
		return ""
	case strings.HasPrefix(base, "libpython") && !strings.Contains(p, "-packages/"):
		return "libpython"
	case interpreterName.MatchString(base) && strings.HasSuffix(dir, "/bin/"):
		return "interpreter"
	case !moduleName.MatchString(base):
		// Libraries beside extensions (vendored *.libs, torch/lib/*.so.1)
		// are reached through the extensions' closures.
		return ""
	case strings.Contains(p, "/site-packages/") || strings.Contains(p, "/dist-packages/"):
		return "extension"
	case strings.Contains(dir, "/lib-dynload/") && strings.Contains(dir, "/python"):
		return "stdlib"
	}
	return ""
}

type owners struct {
	os, py map[string]string
}

func newOwners(inv *inventory.Inventory) owners {
	o := owners{os: map[string]string{}, py: map[string]string{}}
	for _, p := range inv.Packages {
		switch p.Ecosystem {
		case inventory.EcosystemDebian, inventory.EcosystemAlpine:
			for _, f := range p.Files {
				o.os[f] = p.Name
			}
		case inventory.EcosystemPyPI:
			for _, f := range p.Files {
				o.py[f] = p.Name + "==" + p.Version
			}
		}
	}
	return o
}

// usrMerged returns p and its alias across the /usr merge (/lib → /usr/lib).
func usrMerged(p string) []string {
	for _, d := range []string{"/lib", "/lib64", "/lib32", "/bin", "/sbin"} {
		if strings.HasPrefix(p, d+"/") {
			return []string{p, "/usr" + p}
		}
		if strings.HasPrefix(p, "/usr"+d+"/") {
			return []string{p, strings.TrimPrefix(p, "/usr")}
		}
	}
	return []string{p}
}

func lookup(m map[string]string, paths ...string) string {
	for _, p := range paths {
		for _, q := range usrMerged(p) {
			if v := m[q]; v != "" {
				return v
			}
		}
	}
	return ""
}

// input is what build needs besides the filesystem; a Result keeps it so
// Overlay can recompute.
type input struct {
	inv   *inventory.Inventory
	env   []string
	label string
	venv  bool
	// extraPy maps overlaid files to their Python distribution.
	extraPy map[string]string
}

func build(f *finalFS, in input) *Result {
	inv, env, label, venv := in.inv, in.env, in.label, in.venv
	res := &Result{
		in:     in,
		Distro: inv.Distro, Libc: inv.Distro.Libc, LibcVersion: inv.Distro.LibcVersion,
		Missing: []Missing{}, Mismatches: []Mismatch{}, VersionGaps: []VersionGap{},
		Roots: []Root{}, Libraries: []Library{}, NotAnalysed: []NotAnalysed{},
		Venv: venv, fs: f, label: label, arch: arches["EM_X86_64"],
	}
	own := newOwners(inv)
	for p, d := range in.extraPy {
		own.py[p] = d
	}
	res.owners = own.os
	rs := newResolver(f, env)

	type rootNode struct {
		l    *loaded
		kind string
	}
	var roots []rootNode
	for _, r := range f.files() {
		if r.obj == nil {
			if r.skip != "" {
				res.NotAnalysed = append(res.NotAnalysed, NotAnalysed{Path: r.path, Reason: r.skip})
			}
			continue
		}
		if k := rootKind(r.path, r.obj); k != "" {
			if a, ok := arches[r.obj.Machine]; ok && len(roots) == 0 {
				res.arch = a
			}
			roots = append(roots, rootNode{rs.load(r.path, r.path, r), k})
		}
	}
	res.detectLibc(rs)

	missing := map[string]*Missing{}
	closureOf := func(root *loaded) []*loaded {
		seen := map[*loaded]bool{root: true}
		out := []*loaded{root}
		for i := 0; i < len(out); i++ {
			for _, d := range out[i].deps {
				if d.lib != nil && !seen[d.lib] {
					seen[d.lib] = true
					out = append(out, d.lib)
				}
			}
		}
		return out
	}
	neededBy := map[*loaded][]string{}
	gapSeen := map[VersionGap]bool{}
	for _, rn := range roots {
		root := rn.l
		dist := lookup(own.py, root.path)
		rt := Root{Path: root.path, Kind: rn.kind, Distribution: dist, Package: lookup(own.os, root.path), Libc: objLibc(root.obj), Needs: needs(root)}
		res.Roots = append(res.Roots, rt)
		if m := res.mismatch(root, f); m != nil {
			m.Distribution = dist
			res.Mismatches = append(res.Mismatches, *m)
		}
		for _, l := range closureOf(root) {
			if l.obj == nil {
				continue
			}
			// glibc's own objects (they define GLIBC_ versions) need each
			// other's newest versions; they do not raise the requirement.
			if v := l.obj.MaxVersion("GLIBC_"); v != "" && !definesGlibc(l.obj) {
				ver := strings.TrimPrefix(v, "GLIBC_")
				if c := compareVersion(ver, res.GlibcRequired); c > 0 || (c == 0 && l.path < res.GlibcRequiredBy) {
					res.GlibcRequired, res.GlibcRequiredBy = ver, l.path
				}
			}
			for _, d := range l.deps {
				if d.lib == nil {
					m := missing[d.soname]
					if m == nil {
						m = &Missing{Soname: d.soname}
						missing[d.soname] = m
					}
					m.NeededBy = append(m.NeededBy, l.path)
					m.Extensions = append(m.Extensions, root.path)
					if dist != "" {
						m.Distributions = append(m.Distributions, dist)
					}
					continue
				}
				if !d.lib.root {
					neededBy[d.lib] = append(neededBy[d.lib], l.path)
				}
				if d.lib.obj == nil || len(d.lib.obj.Versions) == 0 {
					continue
				}
				for _, want := range l.obj.VersionNeeds[d.soname] {
					if !contains(d.lib.obj.Versions, want) {
						g := VersionGap{Path: l.path, Library: d.lib.real, Version: want}
						if !gapSeen[g] {
							gapSeen[g] = true
							res.VersionGaps = append(res.VersionGaps, g)
						}
					}
				}
			}
		}
	}
	for l, by := range neededBy {
		soname := path.Base(l.path)
		if l.obj != nil && l.obj.Soname != "" {
			soname = l.obj.Soname
		}
		res.Libraries = append(res.Libraries, Library{
			Soname: soname, Path: l.path, RealPath: l.real,
			Package:  lookup(own.os, l.path, l.real),
			NeededBy: uniq(by), Needs: needs(l),
			glibc: l.obj != nil && definesGlibc(l.obj),
		})
	}
	sort.Slice(res.Libraries, func(i, j int) bool { return res.Libraries[i].RealPath < res.Libraries[j].RealPath })
	for _, m := range missing {
		m.NeededBy, m.Extensions, m.Distributions = uniq(m.NeededBy), uniq(m.Extensions), uniq(m.Distributions)
		if m.Distributions == nil {
			m.Distributions = []string{}
		}
		m.Providers = res.indexProviders(m.Soname)
		if venv {
			res.External = append(res.External, *m)
		} else {
			res.Missing = append(res.Missing, *m)
		}
	}
	sort.Slice(res.Missing, func(i, j int) bool { return res.Missing[i].Soname < res.Missing[j].Soname })
	sort.Slice(res.External, func(i, j int) bool { return res.External[i].Soname < res.External[j].Soname })
	sort.Slice(res.VersionGaps, func(i, j int) bool {
		a, b := res.VersionGaps[i], res.VersionGaps[j]
		return a.Path+"\x00"+a.Version < b.Path+"\x00"+b.Version
	})
	return res
}

func needs(l *loaded) []Need {
	out := make([]Need, 0, len(l.deps))
	for _, d := range l.deps {
		n := Need{Soname: d.soname}
		if d.lib != nil {
			n.Path = d.lib.real
		}
		out = append(out, n)
	}
	return out
}

func objLibc(o *Object) string {
	switch {
	case o.Musl():
		return LibcMusl
	case o.Glibc():
		return LibcGlibc
	}
	return ""
}

// detectLibc fills Libc when the package databases did not, and
// GlibcAvailable from libc.so.6's version definitions.
func (res *Result) detectLibc(rs *resolver) {
	if _, _, r := rs.find("libc.so.6", res.probe(), nil, false); r != nil {
		if res.Libc == "" {
			res.Libc = LibcGlibc
		}
		if r.obj != nil {
			best := ""
			for _, v := range r.obj.Versions {
				if s, ok := strings.CutPrefix(v, "GLIBC_"); ok && compareVersion(s, best) > 0 && s[0] >= '0' && s[0] <= '9' {
					best = s
				}
			}
			res.GlibcAvailable = best
		}
	}
	if res.Libc == "" {
		if _, r := rs.fs.file("/lib/ld-musl-" + res.arch.musl + ".so.1"); r != nil {
			res.Libc = LibcMusl
		}
	}
	if res.GlibcAvailable == "" && res.Libc == LibcGlibc && res.LibcVersion != "" {
		res.GlibcAvailable = majorMinor(res.LibcVersion)
	}
}

func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		return parts[0] + "." + strings.TrimRightFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
	}
	return v
}

// mismatch reports a root linked against the other libc, or whose program
// interpreter is absent.
func (res *Result) mismatch(l *loaded, f *finalFS) *Mismatch {
	if res.Venv {
		return nil
	}
	ol := objLibc(l.obj)
	if ol != "" && res.Libc != "" && ol != res.Libc {
		return &Mismatch{Path: l.path, ObjectLibc: ol, ImageLibc: res.Libc,
			Reason: "linked against " + ol + " but the image's C library is " + res.Libc}
	}
	if l.obj.Interp != "" {
		if _, r := f.file(l.obj.Interp); r == nil {
			if _, ok := f.top[l.obj.Interp]; !ok {
				return &Mismatch{Path: l.path, ObjectLibc: ol, ImageLibc: res.Libc,
					Reason: "program interpreter " + l.obj.Interp + " is absent"}
			}
		}
	}
	return nil
}

func definesGlibc(o *Object) bool {
	for _, v := range o.Versions {
		if strings.HasPrefix(v, "GLIBC_") {
			return true
		}
	}
	return false
}

func contains(v []string, s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

func uniq(v []string) []string {
	if len(v) == 0 {
		return []string{}
	}
	sort.Strings(v)
	return dedup(v)
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
