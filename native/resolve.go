package native

import (
	"path"
	"strings"
)

// arch describes the loader conventions of one ELF machine.
type arch struct {
	triplet  string // Debian multiarch directory
	musl     string // musl's ARCH in ld-musl-ARCH.so.1
	platform string // $PLATFORM
}

var arches = map[string]arch{
	"EM_X86_64":  {"x86_64-linux-gnu", "x86_64", "x86_64"},
	"EM_AARCH64": {"aarch64-linux-gnu", "aarch64", "aarch64"},
	"EM_386":     {"i386-linux-gnu", "i386", "i686"},
	"EM_ARM":     {"arm-linux-gnueabihf", "armhf", "v7l"},
	"EM_PPC64":   {"powerpc64le-linux-gnu", "powerpc64le", "powerpc64le"},
	"EM_S390":    {"s390x-linux-gnu", "s390x", "s390x"},
	"EM_RISCV":   {"riscv64-linux-gnu", "riscv64", "riscv64"},
}

// loaded is one object of the closure, as the loader found it.
type loaded struct {
	path string // the path it was loaded from (the search candidate)
	real string // after resolving symlinks
	obj  *Object
	rec  *rec
	deps []dep
	root bool
}

type dep struct {
	soname string
	lib    *loaded // nil when not found
}

// resolver finds libraries in the final filesystem as ld.so would.
type resolver struct {
	fs            *finalFS
	ldLibraryPath []string
	conf          []string // ld.so.conf directories
	multiarch     bool     // the image uses Debian's multiarch layout
	byReal        map[string]*loaded
	// sonames are the objects loaded in the current root's closure by
	// DT_SONAME: ld.so reuses a loaded object whose soname matches.
	sonames map[string]*loaded
}

func newResolver(f *finalFS, env []string) *resolver {
	rs := &resolver{fs: f, conf: f.ldSoConf(), byReal: map[string]*loaded{}}
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "LD_LIBRARY_PATH="); ok {
			for _, d := range strings.FieldsFunc(v, func(r rune) bool { return r == ':' || r == ';' }) {
				if strings.HasPrefix(d, "/") {
					rs.ldLibraryPath = append(rs.ldLibraryPath, path.Clean(d))
				}
			}
		}
	}
	for p := range f.top {
		if strings.HasPrefix(p, "/usr/lib/x86_64-linux-gnu/") || strings.HasPrefix(p, "/usr/lib/aarch64-linux-gnu/") {
			rs.multiarch = true
			break
		}
	}
	return rs
}

// expand substitutes $ORIGIN, $LIB and $PLATFORM (and their ${} forms) in a
// DT_RPATH or DT_RUNPATH entry of an object loaded from objPath.
func (rs *resolver) expand(entry, objPath string, o *Object) string {
	a := arches[o.Machine]
	lib := "lib"
	if o.Class == 64 {
		lib = "lib64"
	}
	if rs.multiarch && a.triplet != "" {
		lib = "lib/" + a.triplet
	}
	r := strings.NewReplacer(
		"${ORIGIN}", path.Dir(objPath), "$ORIGIN", path.Dir(objPath),
		"${LIB}", lib, "$LIB", lib,
		"${PLATFORM}", a.platform, "$PLATFORM", a.platform,
	)
	d := r.Replace(entry)
	if !strings.HasPrefix(d, "/") {
		// glibc resolves relative entries against the working directory;
		// an image has none that is known, so the root is used.
		d = "/" + d
	}
	return path.Clean(d)
}

// searchDirs returns the directories searched for the DT_NEEDED entries of
// l, loaded through the chain of loaders (outermost first).
func (rs *resolver) searchDirs(l *loaded, chain []*loaded, musl bool) []string {
	var dirs []string
	add := func(o *loaded, entries []string) {
		for _, e := range entries {
			dirs = append(dirs, rs.expand(e, o.path, o.obj))
		}
	}
	a := arches[l.obj.Machine]
	if musl {
		dirs = append(dirs, rs.ldLibraryPath...)
		for i := len(chain) - 1; i >= -1; i-- {
			o := l
			if i >= 0 {
				o = chain[i]
			}
			if len(o.obj.RunPath) > 0 {
				add(o, o.obj.RunPath)
			} else {
				add(o, o.obj.RPath)
			}
		}
		if sys := rs.fs.muslPath(a.musl); sys != nil {
			return append(dirs, sys...)
		}
		return append(dirs, "/lib", "/usr/local/lib", "/usr/lib")
	}
	if len(l.obj.RunPath) == 0 {
		add(l, l.obj.RPath)
		for i := len(chain) - 1; i >= 0; i-- {
			if o := chain[i]; len(o.obj.RunPath) == 0 {
				add(o, o.obj.RPath)
			}
		}
	}
	dirs = append(dirs, rs.ldLibraryPath...)
	add(l, l.obj.RunPath)
	dirs = append(dirs, rs.conf...)
	if a.triplet != "" {
		dirs = append(dirs, "/lib/"+a.triplet, "/usr/lib/"+a.triplet)
	}
	if l.obj.Class == 64 {
		dirs = append(dirs, "/lib64", "/usr/lib64")
	}
	return append(dirs, "/lib", "/usr/lib")
}

// find looks soname up for l. A candidate of another ELF class or machine
// is skipped, as ld.so skips it.
func (rs *resolver) find(soname string, l *loaded, chain []*loaded, musl bool) (candidate, real string, r *rec) {
	if strings.Contains(soname, "/") {
		p := path.Clean("/" + soname)
		real, r := rs.fs.file(p)
		if r != nil {
			return p, real, r
		}
		return "", "", nil
	}
	seen := map[string]bool{}
	for _, d := range rs.searchDirs(l, chain, musl) {
		if seen[d] {
			continue
		}
		seen[d] = true
		c := path.Join(d, soname)
		real, r := rs.fs.file(c)
		if r == nil {
			continue
		}
		if r.obj != nil && (r.obj.Class != l.obj.Class || r.obj.Machine != l.obj.Machine) {
			continue
		}
		return c, real, r
	}
	return "", "", nil
}

// load resolves the closure of root depth first and returns its node.
func (rs *resolver) load(p, real string, r *rec) *loaded {
	root := &loaded{path: p, real: real, obj: r.obj, rec: r, root: true}
	rs.byReal[real] = root
	rs.sonames = map[string]*loaded{}
	if root.obj.Soname != "" {
		rs.sonames[root.obj.Soname] = root
	}
	rs.walk(root, nil, root.obj.Musl())
	return root
}

func (rs *resolver) walk(l *loaded, chain []*loaded, musl bool) {
	if len(chain) > 64 {
		return
	}
	next := append(chain[:len(chain):len(chain)], l)
	for _, n := range l.obj.Needed {
		c, real, r := rs.find(n, l, chain, musl)
		if r == nil {
			l.deps = append(l.deps, dep{soname: n, lib: rs.sonames[n]})
			continue
		}
		if d := rs.byReal[real]; d != nil {
			l.deps = append(l.deps, dep{soname: n, lib: d})
			continue
		}
		d := &loaded{path: c, real: real, obj: r.obj, rec: r}
		rs.byReal[real] = d
		l.deps = append(l.deps, dep{soname: n, lib: d})
		if d.obj != nil && d.obj.Soname != "" {
			rs.sonames[d.obj.Soname] = d
		}
		if d.obj != nil {
			rs.walk(d, next, musl)
		}
	}
}
