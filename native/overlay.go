package native

import (
	"fmt"
	"path"
	"sort"

	"github.com/pyimg/pyimg/layers"
)

// File is a file to place over an analysed filesystem with Overlay: for
// example an extension module of a wheel that `build` is about to install.
type File struct {
	// Path is the absolute path the file will have in the image.
	Path string
	// Data is the file's content; only ELF shared objects and interpreters
	// are used.
	Data []byte
	// Distribution is the Python distribution ("name==version") that owns
	// the file, reported with its missing libraries.
	Distribution string
	// Link, when set, makes the file a symlink to this target instead.
	Link string
}

// Overlay returns the report of res's filesystem with files added on top
// (replacing what is at their paths), resolved again with the same
// configuration. res is unchanged. It lets a caller check what it is about
// to install against a base image before writing anything: the missing
// libraries, glibc required against available, libc mismatches.
func (res *Result) Overlay(files []File) (*Result, error) {
	if res.fs == nil {
		return nil, fmt.Errorf("overlaying files: the result has no filesystem")
	}
	f := &finalFS{top: make(map[string]*rec, len(res.fs.top)+len(files)), byBase: map[string][]string{}}
	for p, r := range res.fs.top {
		f.top[p] = r
	}
	in := res.in
	in.extraPy = map[string]string{}
	for p, d := range res.in.extraPy {
		in.extraPy[p] = d
	}
	for _, file := range files {
		p := path.Clean("/" + file.Path)
		r := &rec{path: p, layer: 1 << 30, typ: layers.TypeFile}
		if file.Link != "" {
			r.typ = layers.TypeSymlink
			r.target = path.Clean(path.Join(path.Dir(p), file.Link))
			if path.IsAbs(file.Link) {
				r.target = path.Clean(file.Link)
			}
		} else {
			if classify(p) != cELF {
				continue
			}
			obj, err := ParseELF(file.Data)
			switch {
			case err == ErrNotELF:
				continue
			case err != nil:
				r.skip = err.Error()
			}
			r.obj = obj
		}
		f.top[p] = r
		if file.Distribution != "" {
			in.extraPy[p] = file.Distribution
		}
	}
	for p, r := range f.top {
		if r.typ == layers.TypeFile || r.typ == layers.TypeHardlink || r.typ == layers.TypeSymlink && sharedName.MatchString(path.Base(p)) {
			f.byBase[path.Base(p)] = append(f.byBase[path.Base(p)], p)
		}
	}
	for _, ps := range f.byBase {
		sort.Strings(ps)
	}
	return build(f, in), nil
}
