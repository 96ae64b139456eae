package native

import (
	"path"
	"sort"
	"strings"

	"github.com/pyimg/pyimg/layers"
)

// finalFS is the part of the image's final filesystem that native kept:
// ELF candidates, loader configuration, and every symlink and hardlink,
// after applying whiteouts, opaque directories and replacements in layer
// order, as analyze and inventory do.
type finalFS struct {
	top map[string]*rec
	// byBase lists the present paths by base name, for provider lookups.
	byBase map[string][]string
}

func stack(ls []*layerData) *finalFS {
	top := map[string]*rec{}
	whiteout := map[string]int{}
	opaque := map[string]int{}
	for li, d := range ls {
		for _, p := range d.whiteouts {
			whiteout[p] = li
		}
		for _, p := range d.opaques {
			opaque[p] = li
		}
		for i := range d.recs {
			r := &d.recs[i]
			// A layer that writes a path hides what lower layers had
			// there, whatever the order of its own entries.
			top[r.path] = r
		}
	}
	deleted := func(r *rec) bool {
		for p := r.path; ; p = path.Dir(p) {
			if l, ok := whiteout[p]; ok && l > r.layer {
				return true
			}
			if l, ok := opaque[p]; ok && l > r.layer && p != r.path {
				return true
			}
			// A later non-directory at an ancestor (a symlink replacing a
			// directory) hides everything the lower layers put below it.
			if p != r.path {
				if a := top[p]; a != nil && a.layer > r.layer && a.typ != layers.TypeDir {
					return true
				}
			}
			if p == "/" {
				return false
			}
		}
	}
	f := &finalFS{top: map[string]*rec{}, byBase: map[string][]string{}}
	for p, r := range top {
		if !deleted(r) {
			f.top[p] = r
			if r.typ == layers.TypeFile || r.typ == layers.TypeHardlink || r.typ == layers.TypeSymlink && strings.Contains(path.Base(p), ".so") {
				f.byBase[path.Base(p)] = append(f.byBase[path.Base(p)], p)
			}
		}
	}
	for _, ps := range f.byBase {
		sort.Strings(ps)
	}
	return f
}

func (f *finalFS) readlink(p string) (string, bool) {
	if r := f.top[p]; r != nil && r.typ == layers.TypeSymlink {
		return r.target, true
	}
	return "", false
}

// file resolves p through symlinks and hardlinks and returns the real path
// and the regular file's record, or nil when nothing is there.
func (f *finalFS) file(p string) (string, *rec) {
	for range 8 {
		rp, err := layers.ResolvePath(p, f.readlink)
		if err != nil {
			return "", nil
		}
		r := f.top[rp]
		if r == nil {
			return rp, nil
		}
		switch r.typ {
		case layers.TypeFile:
			return rp, r
		case layers.TypeHardlink:
			p = r.target
			continue
		}
		return rp, nil
	}
	return "", nil
}

// sorted returns the present regular-file records sorted by path.
func (f *finalFS) files() []*rec {
	var out []*rec
	for _, r := range f.top {
		if r.typ == layers.TypeFile {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// ldSoConf returns the directories of /etc/ld.so.conf in order, following
// include lines (globs over the files kept, as glibc's ldconfig does).
func (f *finalFS) ldSoConf() []string {
	var dirs []string
	seen := map[string]bool{}
	var read func(p string, depth int)
	read = func(p string, depth int) {
		if depth > 8 || seen[p] {
			return
		}
		seen[p] = true
		_, r := f.file(p)
		if r == nil {
			return
		}
		for line := range strings.SplitSeq(r.conf, "\n") {
			if i := strings.IndexByte(line, '#'); i >= 0 {
				line = line[:i]
			}
			fields := strings.Fields(line)
			if len(fields) == 0 {
				continue
			}
			if fields[0] == "include" {
				for _, pat := range fields[1:] {
					if !strings.HasPrefix(pat, "/") {
						pat = path.Join(path.Dir(p), pat)
					}
					for _, m := range f.glob(pat) {
						read(m, depth+1)
					}
				}
				continue
			}
			if fields[0] == "hwcap" {
				continue
			}
			for _, d := range fields {
				for _, dd := range strings.FieldsFunc(d, func(r rune) bool { return r == ':' || r == ',' || r == '=' }) {
					if strings.HasPrefix(dd, "/") {
						dirs = append(dirs, path.Clean(dd))
					}
				}
			}
		}
	}
	read("/etc/ld.so.conf", 0)
	return dirs
}

// glob matches pat against the configuration files kept, sorted.
func (f *finalFS) glob(pat string) []string {
	var out []string
	for p, r := range f.top {
		if r.typ == layers.TypeDir {
			continue
		}
		if ok, _ := path.Match(pat, p); ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// muslPath returns the directories of /etc/ld-musl-ARCH.path, or nil.
func (f *finalFS) muslPath(arch string) []string {
	_, r := f.file("/etc/ld-musl-" + arch + ".path")
	if r == nil {
		return nil
	}
	var dirs []string
	for _, d := range strings.FieldsFunc(r.conf, func(r rune) bool { return r == ':' || r == '\n' || r == ' ' || r == '\t' }) {
		if strings.HasPrefix(d, "/") {
			dirs = append(dirs, path.Clean(d))
		}
	}
	return dirs
}
