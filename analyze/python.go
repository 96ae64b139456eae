package analyze

import (
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/pyimg/pyimg/layers"
	"github.com/pyimg/pyimg/pydist"
)

var (
	pythonExe   = regexp.MustCompile(`^python(\d+(?:\.\d+)?)?$`)
	pythonLibXY = regexp.MustCompile(`(?:^|/)python(\d+\.\d+)(?:/|$)`)
)

// pythonVersionFromPath returns the X.Y in ".../lib/python3.12/...".
func pythonVersionFromPath(p string) string {
	if m := pythonLibXY.FindStringSubmatch(p); m != nil {
		return m[1]
	}
	return ""
}

func (a *Analyzer) envValue(key string) string {
	if a.cfg == nil {
		return ""
	}
	for _, kv := range a.cfg.Config.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// interpreters lists the Python executables in bin directories.
func (a *Analyzer) interpreters(f *finalFS) []Interpreter {
	t := f.t
	out := []Interpreter{}
	for id := 1; id < t.len(); id++ {
		n := nodeID(id)
		if !f.present(n) {
			continue
		}
		m := pythonExe.FindStringSubmatch(t.name(n))
		if m == nil {
			continue
		}
		bin := t.parent(n)
		if bn := t.name(bin); bn != "bin" && bn != "sbin" {
			continue
		}
		r := f.rec(n)
		if r.kind != layers.TypeFile && r.kind != layers.TypeSymlink && r.kind != layers.TypeHardlink {
			continue
		}
		in := Interpreter{Path: t.path(n), Layer: int(f.layer[n])}
		if r.kind == layers.TypeSymlink {
			in.Target = f.link(n)
		}
		prefix := t.parent(bin)
		if cfg, ok := t.child(prefix, "pyvenv.cfg"); ok && f.isFile(cfg) {
			in.Venv = t.path(prefix)
		}
		in.Version = a.interpreterVersion(f, n, m[1], in.Venv, prefix)
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// interpreterVersion finds the version of the interpreter at n: the most
// precise of pyvenv.cfg's version, the X.Y in its name or its symlink
// chain's, the lib/python3.X next to its bin directory, refined by the
// config's PYTHON_VERSION for the official images' /usr/local/bin.
func (a *Analyzer) interpreterVersion(f *finalFS, n nodeID, fromName, venv string, prefix nodeID) string {
	t := f.t
	if venv != "" {
		if cfg, ok := t.child(prefix, "pyvenv.cfg"); ok {
			if pf := f.parsed(cfg); pf != nil && pf.text != "" {
				return pf.text
			}
		}
	}
	v := fromName
	if !strings.Contains(v, ".") {
		if sv := symlinkVersion(f, n); sv != "" {
			v = sv
		}
	}
	if !strings.Contains(v, ".") {
		// lib/python3.X next to the bin directory.
		if lib, ok := t.child(prefix, "lib"); ok {
			var best string
			for c := t.nodes[lib].firstChild; c != 0; c = t.nodes[c].nextSibling {
				if lv := pythonVersionFromPath(t.name(c)); lv != "" && f.exists(c) && versionLess(best, lv) {
					best = lv
				}
			}
			if best != "" {
				v = best
			}
		}
	}
	if strings.HasPrefix(t.path(n), "/usr/local/bin/") {
		if ev := a.envValue("PYTHON_VERSION"); ev != "" && (v == "" || ev == v || strings.HasPrefix(ev, v+".")) {
			return ev
		}
	}
	return v
}

// symlinkVersion follows a symlink chain to a versioned name
// (python3 -> python3.11).
func symlinkVersion(f *finalFS, n nodeID) string {
	t := f.t
	cur := n
	for range 8 {
		if !f.present(cur) || f.rec(cur).kind != layers.TypeSymlink {
			return ""
		}
		target := f.link(cur)
		if m := pythonExe.FindStringSubmatch(path.Base(target)); m != nil && strings.Contains(m[1], ".") {
			return m[1]
		}
		var abs string
		if strings.HasPrefix(target, "/") {
			abs = path.Clean(target)
		} else {
			abs = path.Join(t.path(t.parent(cur)), target)
		}
		next, ok := t.lookup(abs)
		if !ok {
			return ""
		}
		cur = next
	}
	return ""
}

// versionLess compares dotted numeric versions ("" is lowest).
func versionLess(a, b string) bool {
	if a == "" {
		return b != ""
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if len(as[i]) != len(bs[i]) {
			return len(as[i]) < len(bs[i])
		}
		if as[i] != bs[i] {
			return as[i] < bs[i]
		}
	}
	return len(as) < len(bs)
}

// pkgState is a distribution being accounted.
type pkgState struct {
	PythonPackage
	rawName string // the Name as written in the metadata
	site    nodeID
	meta    nodeID
}

// pythonPackages finds every installed distribution in the final
// filesystem and attributes file bytes to it.
func (a *Analyzer) pythonPackages(f *finalFS) []PythonPackage {
	t := f.t
	var pkgs []*pkgState
	for id := 1; id < t.len(); id++ {
		n := nodeID(id)
		name := t.name(n)
		isDist := strings.HasSuffix(name, ".dist-info")
		isEgg := strings.HasSuffix(name, ".egg-info")
		if !isDist && !isEgg {
			continue
		}
		if vendored(t, n) {
			// a copy bundled inside another package (setuptools/_vendor),
			// whose files that package's RECORD already lists.
			continue
		}
		var metaFile nodeID
		switch {
		case isEgg && f.isFile(n):
			metaFile = n
		case isDist:
			c, ok := t.child(n, "METADATA")
			if !ok || !f.isFile(c) {
				continue
			}
			metaFile = c
		default:
			c, ok := t.child(n, "PKG-INFO")
			if !ok || !f.isFile(c) {
				continue
			}
			metaFile = c
		}
		p := &pkgState{site: t.parent(n), meta: n}
		p.Location = t.path(p.site)
		p.Metadata = t.path(n)
		p.Layer = int(f.layer[metaFile])
		p.Python = pythonVersionFromPath(p.Location)
		if pf := f.parsed(metaFile); pf != nil {
			p.Name, p.Version = pf.name, pf.version
		}
		if p.Name == "" || p.Version == "" {
			dn, dv := nameVersionFromDir(name)
			if p.Name == "" {
				p.Name = dn
			}
			if p.Version == "" {
				p.Version = dv
			}
		}
		p.rawName = p.Name
		p.Name = pydist.NormalizeName(p.Name)
		if c, ok := t.child(n, "INSTALLER"); ok {
			if pf := f.parsed(c); pf != nil {
				p.Installer = pf.text
			}
		}
		pkgs = append(pkgs, p)
	}

	// A stable order, whatever order the layers were read in.
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Metadata < pkgs[j].Metadata })

	// Files listed in RECORD / installed-files.txt; directories owning
	// them point to the package (-1: shared by several).
	claimed := make(map[nodeID]bool)
	owner := make(map[nodeID]int)
	setOwner := func(dir nodeID, pi int) {
		if o, ok := owner[dir]; ok && o != pi {
			owner[dir] = -1
		} else if !ok {
			owner[dir] = pi
		}
	}
	for pi, p := range pkgs {
		var list []nodeID
		if f.isFile(p.meta) {
			// single-file egg-info: only itself
			list = []nodeID{p.meta}
		} else {
			for _, lname := range []string{"RECORD", "installed-files.txt"} {
				if c, ok := t.child(p.meta, lname); ok {
					if pf := f.parsed(c); pf != nil {
						list = append(list, a.listedNodes(pf.paths)...)
					}
				}
			}
			// The metadata directory itself always belongs to the package.
			t.walk(p.meta, func(x nodeID) bool {
				if f.isFile(x) {
					list = append(list, x)
				}
				return true
			})
		}
		for _, x := range list {
			if !f.isFile(x) || claimed[x] {
				continue
			}
			claimed[x] = true
			p.SizeBytes += f.rec(x).size
			p.Files++
			if !t.isUnder(x, p.site) || x == p.meta {
				continue
			}
			for d := t.parent(x); d != p.site; d = t.parent(d) {
				if d == p.meta {
					break
				}
				setOwner(d, pi)
			}
		}
	}

	// Directories no RECORD speaks for: those named by top_level.txt
	// (shared namespace directories such as lazr/ belong to nobody) and the
	// directory of a dotted project name (lazr.uri -> lazr/uri).
	extra := make(map[nodeID]int)
	for pi, p := range pkgs {
		if f.isFile(p.meta) {
			continue
		}
		if c, ok := t.child(p.meta, "top_level.txt"); ok {
			if pf := f.parsed(c); pf != nil {
				for _, tl := range pf.topLevel {
					// a package directory, or a single module
					for _, nm := range []string{tl, tl + ".py"} {
						if d, ok := t.child(p.site, nm); ok {
							if o, set := extra[d]; set && o != pi {
								extra[d] = -1
							} else {
								extra[d] = pi
							}
						}
					}
				}
			}
		}
	}
	for pi, p := range pkgs {
		if strings.Contains(p.rawName, ".") {
			if d, ok := t.lookup(p.Location + "/" + strings.ReplaceAll(p.rawName, ".", "/")); ok {
				extra[d] = pi
			}
		}
	}
	for d, o := range extra {
		if _, set := owner[d]; !set {
			owner[d] = o
		}
	}

	// Unlisted files below a site directory go to the package owning the
	// nearest directory.
	sites := make(map[nodeID]bool)
	for _, p := range pkgs {
		sites[p.site] = true
	}
	for site := range sites {
		t.walk(site, func(x nodeID) bool {
			if x == site || !f.isFile(x) || claimed[x] {
				return true
			}
			for d := x; d != site; d = t.parent(d) {
				if o, ok := owner[d]; ok {
					if o >= 0 {
						pkgs[o].SizeBytes += f.rec(x).size
						pkgs[o].Files++
					}
					break
				}
			}
			return true
		})
	}

	out := make([]PythonPackage, 0, len(pkgs))
	for _, p := range pkgs {
		out = append(out, p.PythonPackage)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Location < out[j].Location
	})
	return out
}

// nameVersionFromDir splits "Name-1.0.dist-info" (or .egg-info, where a
// "-py3.11" suffix may follow the version).
func nameVersionFromDir(dir string) (string, string) {
	base := strings.TrimSuffix(strings.TrimSuffix(dir, ".dist-info"), ".egg-info")
	name, version, _ := strings.Cut(base, "-")
	if i := strings.Index(version, "-py"); i >= 0 {
		version = version[:i]
	}
	return name, version
}

// vendored reports whether n lies below a _vendor directory.
func vendored(t *pathTable, n nodeID) bool {
	for p := t.parent(n); p != rootID; p = t.parent(p) {
		if nm := t.name(p); nm == "_vendor" || nm == "_vendored" {
			return true
		}
	}
	return false
}
