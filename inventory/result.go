package inventory

import (
	"errors"
	"path"
	"sort"
	"strings"

	"github.com/pyimg/pyimg/layers"
)

// finalFiles is the set of interesting paths present in the final, stacked
// filesystem, each with the entry that last wrote it.
type finalFiles map[string]*rec

// stack returns the recs present in the final filesystem, by the OCI rules
// of layers.FinalFS: a whiteout, an opaque directory (the root included) or
// a non-directory replacing a directory in a higher layer hides them.
func stack(cs *layers.ChangeSet, ls []*layerData) finalFiles {
	chs := make([]*layers.Changes, len(ls))
	for i, d := range ls {
		chs[i] = d.changes
	}
	final := cs.Stack(chs)
	out := finalFiles{}
	for _, d := range ls {
		for i := range d.recs {
			r := &d.recs[i]
			if final.Present(r.path, r.layer) {
				out[r.path] = r
			}
		}
	}
	return out
}

// file returns the final regular file at p, or nil.
func (f finalFiles) file(p string) *rec {
	if r := f[p]; r != nil && r.typ == layers.TypeFile {
		return r
	}
	return nil
}

// ofKind returns the final entries of kind k, sorted by path.
func (f finalFiles) ofKind(k kind) []*rec {
	var out []*rec
	for _, r := range f {
		if r.kind == k {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

// ErrIncomplete is returned by Result when some layer was not read to its end.
var ErrIncomplete = errors.New("inventory: walk did not finish every layer")

// Result returns the inventory of the image's final filesystem. Call it
// after layers.Walk has returned without error.
func (v *Visitor) Result() (*Inventory, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	ls := make([]*layerData, len(v.layers))
	for i, d := range v.layers {
		if i < 0 || i >= len(ls) || !d.done {
			return nil, ErrIncomplete
		}
		ls[i] = d
	}
	f := stack(v.changes, ls)
	b := builder{v: v, f: f, inv: &Inventory{Packages: []Package{}}}
	b.distro()
	b.dpkg()
	b.apk()
	b.python()
	b.interpreter()
	b.libc()
	sortPackages(b.inv.Packages)
	return b.inv, nil
}

// sortPackages orders packages by ecosystem, name, version and location.
func sortPackages(ps []Package) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := &ps[i], &ps[j]
		if a.Ecosystem != b.Ecosystem {
			return a.Ecosystem < b.Ecosystem
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		if a.Location != b.Location {
			return a.Location < b.Location
		}
		return a.PURL < b.PURL
	})
}

type builder struct {
	v   *Visitor
	f   finalFiles
	inv *Inventory
	// osOwned holds the Python metadata directories that dpkg or apk own.
	osOwned map[string]bool
	// dpkgNames and apkNames are the installed OS package names.
	dpkgNames   map[string]string // name -> version
	dpkgSources map[string]string // name -> source package name
	apkNames    map[string]string
	// haveLists is set when the image has dpkg file lists.
	haveLists bool
}

func (b *builder) add(p Package) { b.inv.Packages = append(b.inv.Packages, p) }

func (b *builder) distro() {
	r := b.f.file("/etc/os-release")
	if r == nil {
		r = b.f.file("/usr/lib/os-release")
	}
	if r != nil {
		b.inv.Distro = parseOSRelease([]byte(r.content))
	}
}

// markOwned records the Python metadata directory that an OS package file
// path lies in, if any.
func (b *builder) markOwned(p string) {
	for _, suf := range []string{".dist-info", ".egg-info"} {
		if i := strings.Index(p, suf); i >= 0 {
			end := i + len(suf)
			if end == len(p) || p[end] == '/' {
				if b.osOwned == nil {
					b.osOwned = map[string]bool{}
				}
				b.osOwned[path.Clean("/"+p[:end])] = true
			}
		}
	}
}

func (b *builder) dpkg() {
	lists := map[string][]string{}
	for _, r := range b.f.ofKind(kDpkgList) {
		b.haveLists = true
		files := parseLines([]byte(r.content))
		for _, p := range files {
			b.markOwned(p)
		}
		if b.v.opts.files && !r.reduced {
			name := dpkgListName(r.path)
			lists[name] = append(lists[name], files...)
		}
	}
	var status []*rec
	if r := b.f.file("/var/lib/dpkg/status"); r != nil {
		status = append(status, r)
	}
	status = append(status, b.f.ofKind(kDpkgStatusD)...)
	seen := map[string]bool{}
	for _, r := range status {
		if r.typ != layers.TypeFile {
			continue
		}
		for _, d := range r.dpkg {
			key := d.name + ":" + d.arch
			if seen[key] {
				continue
			}
			seen[key] = true
			if b.dpkgNames == nil {
				b.dpkgNames, b.dpkgSources = map[string]string{}, map[string]string{}
			}
			b.dpkgNames[d.name] = d.version
			b.dpkgSources[d.name] = d.source
			p := Package{
				Ecosystem:     EcosystemDebian,
				Name:          d.name,
				Version:       d.version,
				SourceName:    d.source,
				SourceVersion: d.sourceVersion,
				Arch:          d.arch,
				PURL:          DebPURL(b.inv.Distro, d.name, d.version, d.arch, Upstream(d.name, d.version, d.source, d.sourceVersion)),
				Location:      r.path,
				Layer:         r.layer,
				Files:         lists[d.name],
			}
			b.add(p)
		}
	}
}

func (b *builder) apk() {
	r := b.f.file("/lib/apk/db/installed")
	if r == nil {
		r = b.f.file("/usr/lib/apk/db/installed")
	}
	if r == nil {
		return
	}
	for _, a := range parseApkInstalled([]byte(r.content)) {
		for _, p := range a.files {
			b.markOwned(p)
		}
		if b.apkNames == nil {
			b.apkNames = map[string]string{}
		}
		b.apkNames[a.name] = a.version
		p := Package{
			Ecosystem:     EcosystemAlpine,
			Name:          a.name,
			Version:       a.version,
			SourceName:    a.origin,
			SourceVersion: a.version,
			Arch:          a.arch,
			PURL:          ApkPURL(b.inv.Distro, a.name, a.version, a.arch, Upstream(a.name, a.version, a.origin, a.version)),
			Location:      r.path,
			Layer:         r.layer,
		}
		if a.license != "" {
			p.Licenses = []string{a.license}
		}
		if b.v.opts.files {
			p.Files = a.files
		}
		b.add(p)
	}
}

func (b *builder) libc() {
	d := &b.inv.Distro
	switch {
	case b.dpkgNames["libc6"] != "":
		d.Libc, d.LibcVersion = "glibc", libcVersion(b.dpkgNames["libc6"])
	case b.apkNames["musl"] != "":
		d.Libc, d.LibcVersion = "musl", libcVersion(b.apkNames["musl"])
	case b.apkNames["glibc"] != "":
		d.Libc, d.LibcVersion = "glibc", libcVersion(b.apkNames["glibc"])
	default:
		for _, r := range b.f.ofKind(kLibc) {
			if m := glibcFile.FindStringSubmatch(r.path); m != nil {
				d.Libc = "glibc"
				if m[2] != "" {
					d.LibcVersion = m[2]
				}
			} else if d.Libc == "" {
				d.Libc = "musl"
			}
		}
	}
}
