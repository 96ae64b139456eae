package analyze

import (
	"regexp"
	"sort"
	"strings"
)

// buildOnlyPackages are distributions only needed to install others; their
// __pycache__ directories are dead weight in a runtime image.
var buildOnlyPackages = []string{"pip", "setuptools", "wheel", "pkg_resources", "_distutils_hack"}

// compilerName matches gcc, g++ and their target-prefixed and versioned
// names (x86_64-linux-gnu-gcc-12, x86_64-alpine-linux-musl-g++) and the
// compiler proper (cc1, cc1plus).
var compilerName = regexp.MustCompile(`^(?:[a-z0-9_]+(?:-[a-z0-9_]+)*-linux-[a-z0-9_]+-)?(?:gcc|g\+\+|c\+\+|cc1|cc1plus)(?:-\d+(?:\.\d+)*)?$`)

func isSiteDir(name string) bool { return name == "site-packages" || name == "dist-packages" }

// leftovers finds build-time files kept in the final filesystem.
func (a *Analyzer) leftovers(f *finalFS) []Leftover {
	t := f.t
	out := []Leftover{}
	addTree := func(kind string, n nodeID, keep func(nodeID) bool) {
		b, files, l := f.subtreeByLayer(n, keep)
		if b == 0 {
			// nothing to win: an empty cache, apt's lock file.
			return
		}
		out = append(out, Leftover{Kind: kind, Path: t.path(n), SizeBytes: b, Files: files, Layer: l})
	}
	for _, p := range []string{"/usr/include", "/usr/local/include"} {
		if n, ok := t.lookup(p); ok {
			addTree("c-headers", n, nil)
		}
	}
	if n, ok := t.lookup("/var/lib/apt/lists"); ok {
		addTree("apt-lists", n, nil)
	}
	gccLib := mustLookup(t, "/usr/lib/gcc")
	for id := 1; id < t.len(); id++ {
		n := nodeID(id)
		name := t.name(n)
		parent := t.parent(n)
		pname := t.name(parent)
		switch {
		case pname == ".cache" && (name == "pip" || name == "uv" || name == "pypoetry"):
			kind := map[string]string{"pip": "pip-cache", "uv": "uv-cache", "pypoetry": "poetry-cache"}[name]
			addTree(kind, n, nil)
		case isSiteDir(name):
			a.siteLeftovers(f, n, addTree)
		case compilerName.MatchString(name) && f.isFile(n) && f.rec(n).size > 0 &&
			(pname == "bin" || t.isUnder(n, gccLib) || strings.HasPrefix(t.path(n), "/usr/libexec/gcc/")):
			l := int(f.layer[n])
			out = append(out, Leftover{Kind: "compiler", Path: t.path(n), SizeBytes: f.rec(n).size, Files: 1, Layer: l})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].SizeBytes != out[j].SizeBytes {
			return out[i].SizeBytes > out[j].SizeBytes
		}
		return out[i].Path < out[j].Path
	})
	return out
}

func mustLookup(t *pathTable, p string) nodeID {
	n, ok := t.lookup(p)
	if !ok {
		return ^nodeID(0)
	}
	return n
}

// siteLeftovers reports tests directories, C headers and the __pycache__
// of build-only packages below one site directory.
func (a *Analyzer) siteLeftovers(f *finalFS, site nodeID, addTree func(string, nodeID, func(nodeID) bool)) {
	t := f.t
	for c := t.nodes[site].firstChild; c != 0; c = t.nodes[c].nextSibling {
		name := t.name(c)
		if strings.HasSuffix(name, ".dist-info") || strings.HasSuffix(name, ".egg-info") {
			continue
		}
		for _, b := range buildOnlyPackages {
			if name == b {
				addTree("build-pycache", c, func(x nodeID) bool { return t.name(t.parent(x)) == "__pycache__" })
			}
		}
		// tests directories: the topmost ones below this package.
		t.walk(c, func(x nodeID) bool {
			if (t.name(x) == "tests" || t.name(x) == "test") && !f.isFile(x) {
				addTree("tests", x, nil)
				return false
			}
			return true
		})
		addTree("c-headers", c, func(x nodeID) bool { return strings.HasSuffix(t.name(x), ".h") && !inTestsPath(t, x, c) })
	}
}

// inTestsPath reports whether x is inside a tests directory below top, so
// its bytes are already reported as tests.
func inTestsPath(t *pathTable, x, top nodeID) bool {
	for d := t.parent(x); d != top && d != rootID; d = t.parent(d) {
		if n := t.name(d); n == "tests" || n == "test" {
			return true
		}
	}
	return false
}
