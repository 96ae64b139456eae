package native

import (
	_ "embed"
	"path"
	"strings"

	"github.com/pyimg/pyimg/layers"
)

//go:embed data/sonames.tsv
var sonameIndex string

// indexRelease is a column of data/sonames.tsv.
type indexRelease struct {
	column  int
	name    string // "debian-bookworm"
	manager string
}

var releases = []indexRelease{
	{1, "debian-bookworm", "apt"},
	{2, "debian-trixie", "apt"},
	{3, "alpine", "apk"},
}

// IndexLookup returns the packages of the embedded soname index that ship
// soname, for every release that has one.
func IndexLookup(soname string) []Provider {
	var out []Provider
	for line := range strings.SplitSeq(sonameIndex, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) < 4 || cols[0] != soname {
			continue
		}
		for _, r := range releases {
			if pkg := cols[r.column]; pkg != "-" && pkg != "" {
				out = append(out, Provider{Package: pkg, Manager: r.manager, Source: "index:" + r.name})
			}
		}
	}
	return out
}

// indexProviders returns the index's providers for the image's
// distribution: the matching release when it is known, else the Debian
// releases for glibc and Alpine for musl, else every release; one provider
// per package name.
func (res *Result) indexProviders(soname string) []Provider {
	all := IndexLookup(soname)
	want := ""
	switch res.Distro.ID {
	case "debian":
		switch {
		case res.Distro.Codename == "bookworm" || res.Distro.VersionID == "12":
			want = "index:debian-bookworm"
		case res.Distro.Codename == "trixie" || res.Distro.VersionID == "13":
			want = "index:debian-trixie"
		default:
			want = "index:debian-"
		}
	case "alpine":
		want = "index:alpine"
	}
	if want == "" {
		switch res.Libc {
		case LibcMusl:
			want = "index:alpine"
		case LibcGlibc:
			want = "index:debian-"
		}
	}
	out := []Provider{}
	seen := map[string]bool{}
	for _, p := range all {
		// One provider per package name: the first release that has it.
		if (want == "" || strings.HasPrefix(p.Source, want)) && !seen[p.Manager+"/"+p.Package] {
			seen[p.Manager+"/"+p.Package] = true
			out = append(out, p)
		}
	}
	return out
}

// AddProvidersFrom looks every missing soname of res up in another image's
// result (typically the build stage, pyimg libs --from): the file the
// loader would find there for the soname and the OS package owning it. The
// providers found come first. It also records, for distroless copies, the
// closure of those libraries that res lacks.
func (res *Result) AddProvidersFrom(from *Result) {
	if from == nil || from.fs == nil {
		return
	}
	rs := newResolver(from.fs, nil)
	own := from.ownersIndex()
	here := newResolver(res.fs, nil)
	copied := map[string]bool{}
	for i := range res.Missing {
		m := &res.Missing[i]
		files, found := from.filesFor(rs, m.Soname)
		if !found {
			continue
		}
		res.addCopies(from, rs, here, m.Soname, copied)
		p := Provider{Package: lookup(own, files...), Source: "image:" + from.label, Path: files[0], Files: files}
		if p.Package != "" {
			if from.Libc == LibcMusl || from.Distro.ID == "alpine" {
				p.Manager = "apk"
			} else {
				p.Manager = "apt"
			}
		}
		m.Providers = append([]Provider{p}, m.Providers...)
	}
}

// addCopies records the files of soname's closure in from that res's
// loader would not find, for DistrolessCopies.
func (res *Result) addCopies(from *Result, rs, here *resolver, soname string, copied map[string]bool) {
	probe := from.probe()
	musl := from.Libc == LibcMusl
	cand, real, r := rs.find(soname, probe, nil, musl)
	if r == nil || copied[real] {
		return
	}
	rs.sonames = map[string]*loaded{}
	top := &loaded{path: cand, real: real, obj: r.obj, rec: r}
	if r.obj != nil {
		rs.walk(top, nil, musl)
	}
	queue := []dep{{soname: soname, lib: top}}
	for len(queue) > 0 {
		d := queue[0]
		queue = queue[1:]
		if d.lib == nil || copied[d.lib.real] {
			continue
		}
		copied[d.lib.real] = true
		if _, _, have := here.find(d.soname, res.probe(), nil, res.Libc == LibcMusl); have != nil && d.soname != soname {
			continue // the runtime has it already
		}
		res.copies = append(res.copies, copyGroup{soname: d.soname, files: from.fs.chain(d.lib.path, d.lib.real)})
		queue = append(queue, d.lib.deps...)
	}
}

// probe is a stand-in object of the image's architecture for default-path
// lookups.
func (res *Result) probe() *loaded {
	o := &Object{Class: 64, Machine: "EM_X86_64"}
	for m, a := range arches {
		if a == res.arch {
			o.Machine = m
		}
	}
	if res.arch.triplet == "i386-linux-gnu" || res.arch.triplet == "arm-linux-gnueabihf" {
		o.Class = 32
	}
	return &loaded{path: "/", obj: o}
}

// ownersIndex maps the paths of OS package files of res to their package.
func (res *Result) ownersIndex() map[string]string {
	if res.owners == nil {
		return map[string]string{}
	}
	return res.owners
}

// filesFor resolves soname in res's filesystem with the default search
// path and returns the canonical path (directories resolved, the soname
// link kept) followed by the files behind it.
func (res *Result) filesFor(rs *resolver, soname string) ([]string, bool) {
	probe := res.probe()
	cand, real, r := rs.find(soname, probe, nil, res.Libc == LibcMusl)
	if r == nil {
		// Not on the default search path (a private directory such as
		// /usr/lib/postgresql/15/lib): any file with that name.
		for _, p := range res.fs.byBase[soname] {
			if real, r = res.fs.file(p); r != nil {
				cand = p
				break
			}
		}
	}
	if r == nil {
		return nil, false
	}
	return res.fs.chain(cand, real), true
}

// chain returns the path cand with its directory resolved, every symlink
// on the way to real, and real itself.
func (f *finalFS) chain(cand, real string) []string {
	dir, err := layers.ResolvePath(path.Dir(cand), f.readlink)
	if err != nil {
		return []string{real}
	}
	out := []string{path.Join(dir, path.Base(cand))}
	p := out[0]
	for range 40 {
		t, ok := f.readlink(p)
		if !ok {
			break
		}
		d, err := layers.ResolvePath(path.Dir(t), f.readlink)
		if err != nil {
			break
		}
		p = path.Join(d, path.Base(t))
		out = append(out, p)
	}
	if out[len(out)-1] != real {
		out = append(out, real)
	}
	return uniqKeepOrder(out)
}

func uniqKeepOrder(v []string) []string {
	seen := map[string]bool{}
	out := v[:0]
	for _, s := range v {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
