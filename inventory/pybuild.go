package inventory

import (
	"path"
	"strings"

	"github.com/pyimg/pyimg/layers"
	"github.com/pyimg/pyimg/pydist"
)

// pyDist is one Python distribution found in the final filesystem.
type pyDist struct {
	meta  *rec   // METADATA, PKG-INFO or the .egg-info file
	dir   string // the .dist-info / .egg-info path
	site  string // the directory holding it
	files []string
	name  string // PEP 503 normalized, once read
}

// installedDist reports whether a metadata directory looks installed rather
// than part of a source tree or a build directory: dist-info anywhere except
// under build/, egg-info when its name carries a version or it sits in a
// site-packages or dist-packages directory.
func installedDist(dir string) bool {
	if strings.Contains(dir, "/build/bdist.") || strings.Contains(dir, "/build/lib") {
		return false
	}
	if strings.HasSuffix(dir, ".dist-info") {
		return true
	}
	site := path.Base(path.Dir(dir))
	if site == "site-packages" || site == "dist-packages" {
		return true
	}
	_, v := distInfoName(path.Base(dir))
	return v != ""
}

func (b *builder) python() {
	var dists []*pyDist
	for _, k := range []kind{kMetadata, kPkgInfo, kEggInfoFile} {
		for _, r := range b.f.ofKind(k) {
			if r.typ != layers.TypeFile {
				continue
			}
			dir := r.path
			if k != kEggInfoFile {
				dir = path.Dir(r.path)
			}
			if !installedDist(dir) {
				continue
			}
			d := &pyDist{meta: r, dir: dir, site: path.Dir(dir)}
			if b.v.opts.files {
				switch k {
				case kMetadata:
					if rr := b.f.file(dir + "/RECORD"); rr != nil {
						d.files = rr.files
					}
				case kPkgInfo:
					if rr := b.f.file(dir + "/installed-files.txt"); rr != nil {
						d.files = rr.files
					}
				}
			}
			dists = append(dists, d)
		}
	}
	purls := map[string]string{} // dist dir -> purl, for vendored libraries
	bySite := map[string][]*pyDist{}
	for _, d := range dists {
		var m pyMetadata
		if d.meta.meta != nil {
			m = *d.meta.meta
		}
		name, version := m.name, m.version
		if name == "" || version == "" {
			n, v := distInfoName(path.Base(d.dir))
			if name == "" {
				name = n
			}
			if version == "" {
				version = v
			}
		}
		if name == "" || version == "" {
			continue
		}
		norm := pydist.NormalizeName(name)
		if norm == "" {
			continue
		}
		p := Package{
			Ecosystem: EcosystemPyPI,
			Name:      norm,
			Version:   version,
			PURL:      PyPIPURL(norm, version),
			Location:  d.dir,
			Layer:     d.meta.layer,
			Files:     d.files,
			Licenses:  m.licenses,
			OSOwned:   b.ownedByOS(d.dir, d.site, norm),
		}
		p.Interpreter, p.PythonVersion = b.owner(d.site)
		purls[d.dir] = p.PURL
		bySite[d.site] = append(bySite[d.site], d)
		b.add(p)
		d.name = norm
	}
	b.vendored(bySite, purls)
}

// ownedByOS reports whether dpkg or apk own the distribution in dir.
// Without dpkg file lists (slim and distroless images delete or never ship
// them), a distribution in /usr/lib/python3/dist-packages counts as dpkg's
// when an installed python3-* package is named after it (python3-<name>,
// python3-yaml for pyyaml) or built from a source package of its name.
func (b *builder) ownedByOS(dir, site, norm string) bool {
	if b.osOwned[dir] {
		return true
	}
	if b.haveLists || site != "/usr/lib/python3/dist-packages" {
		return false
	}
	short := strings.TrimPrefix(strings.TrimPrefix(norm, "python-"), "py")
	for name, src := range b.dpkgSources {
		if !strings.HasPrefix(name, "python3-") {
			continue
		}
		n := strings.TrimPrefix(name, "python3-")
		if n == norm || n == short || src == norm || src == "python-"+norm {
			return true
		}
	}
	return false
}

// owner returns the interpreter that imports from site and its version.
func (b *builder) owner(site string) (interp, version string) {
	prefix, xy := pythonOwner(site)
	switch {
	case prefix == "":
		return "", ""
	case xy == "": // Debian's /usr/lib/python3/dist-packages
		return "/usr/bin/python3", libcVersion(b.dpkgNames["python3"])
	}
	interp = path.Join(prefix, "bin", "python"+xy)
	version = xy
	if cfg := b.f.file(path.Join(prefix, "pyvenv.cfg")); cfg != nil {
		if v := parsePyvenvVersion([]byte(cfg.content)); strings.HasPrefix(v, xy) {
			version = v
		}
	} else if prefix == "/usr/local" {
		if v := b.env("PYTHON_VERSION"); strings.HasPrefix(v, xy+".") {
			version = v
		}
	}
	return interp, version
}

// vendored lists the native libraries in <site>/<pkg>.libs directories as
// components of the distribution that ships them.
func (b *builder) vendored(bySite map[string][]*pyDist, purls map[string]string) {
	var owner map[string]string  // file in a .libs directory -> distribution purl
	var byName map[string]string // site + "\x00" + normalized name -> purl
	for _, r := range b.f.ofKind(kVendored) {
		if r.typ != layers.TypeFile && r.typ != layers.TypeSymlink {
			continue
		}
		if owner == nil {
			owner, byName = map[string]string{}, map[string]string{}
			for site, ds := range bySite {
				for _, d := range ds {
					byName[site+"\x00"+d.name] = purls[d.dir]
					for _, f := range d.files {
						if strings.HasSuffix(path.Dir(f), ".libs") {
							owner[f] = purls[d.dir]
						}
					}
				}
			}
		}
		libs := path.Dir(r.path)
		site := path.Dir(libs)
		parent := owner[r.path]
		if parent == "" {
			parent = byName[site+"\x00"+pydist.NormalizeName(strings.TrimSuffix(path.Base(libs), ".libs"))]
		}
		if parent == "" {
			continue
		}
		name, version := vendoredNameVersion(path.Base(r.path))
		if name == "" {
			continue
		}
		b.add(Package{
			Ecosystem: EcosystemGeneric,
			Name:      name,
			Version:   version,
			PURL:      GenericPURL(name, version),
			Location:  r.path,
			Layer:     r.layer,
			Parent:    parent,
		})
	}
}

// interpreter lists the CPython built from source in /usr/local, as the
// official python images install it.
func (b *builder) interpreter() {
	for _, r := range b.f.ofKind(kInterpreter) {
		if r.typ != layers.TypeFile && r.typ != layers.TypeHardlink {
			continue
		}
		xy := strings.TrimPrefix(path.Base(r.path), "python")
		version := ""
		if v := b.env("PYTHON_VERSION"); v == xy || strings.HasPrefix(v, xy+".") {
			version = v
		} else if v := b.venvVersion("/usr/local/bin", xy); v != "" {
			version = v
		} else if b.f["/usr/local/lib/python"+xy] != nil {
			version = xy
		}
		if version == "" {
			continue
		}
		b.add(Package{
			Ecosystem: EcosystemGeneric,
			Name:      "python",
			Version:   version,
			PURL:      GenericPURL("python", version),
			CPE:       PythonCPE(version),
			Location:  r.path,
			Layer:     r.layer,
		})
	}
}

// venvVersion returns the full X.Y.Z version a venv made by the
// interpreter in home records, when one does.
func (b *builder) venvVersion(home, xy string) string {
	for _, r := range b.f.ofKind(kPyvenv) {
		if r.typ != layers.TypeFile {
			continue
		}
		if h, v := pydist.ParsePyvenv([]byte(r.content)); h == home && strings.HasPrefix(v, xy+".") {
			return v
		}
	}
	return ""
}

// env returns the value of key in the image config's environment.
func (b *builder) env(key string) string {
	if b.v.cfg == nil {
		return ""
	}
	for _, kv := range b.v.cfg.Config.Env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}
