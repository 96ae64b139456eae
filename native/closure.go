package native

import (
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/layers"
)

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

// addStatusD adds the files listed by distroless status.d md5sums files
// ("<md5>  usr/lib/x86_64-linux-gnu/libssl.so.3") to their package, for
// images without dpkg file lists.
func (o owners) addStatusD(f *finalFS) {
	for p, r := range f.top {
		if r.typ != layers.TypeFile || classify(p) != cMD5 {
			continue
		}
		pkg := strings.TrimSuffix(path.Base(p), ".md5sums")
		pkg, _, _ = strings.Cut(pkg, ":")
		for line := range strings.SplitSeq(r.conf, "\n") {
			fields := strings.Fields(line)
			if len(fields) != 2 {
				continue
			}
			file := path.Clean("/" + fields[1])
			if o.os[file] == "" {
				o.os[file] = pkg
			}
		}
	}
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
	own.addStatusD(f)
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
