package check

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pyimg/pyimg/project"
)

// NativeNeed is a system package set a dependency needs.
type NativeNeed struct {
	// Package is the Python distribution (or the project itself).
	Package string `json:"package"`
	// Version is the locked or pinned version ("" when unknown).
	Version string `json:"version,omitempty"`
	// BuildPackages are needed to build it (Debian names).
	BuildPackages []string `json:"build_packages"`
	// RuntimePackages are needed to run it (Debian bookworm/trixie names).
	RuntimePackages []string `json:"runtime_packages"`
	// Reason says why.
	Reason string `json:"reason"`
}

// knownSdist is what a popular source-only distribution needs to build on
// Debian, and what its extension loads at run time.
type knownSdist struct {
	build, runtime []string
	why            string
}

// knownSdists lists popular distributions that PyPI serves for Linux as
// source only (or whose wheels are commonly avoided), with their needs.
var knownSdists = map[string]knownSdist{
	"psycopg2":     {[]string{"gcc", "libpq-dev"}, []string{"libpq5"}, "psycopg2 is published as an sdist only; it compiles against libpq (psycopg2-binary or psycopg[binary] ship wheels)"},
	"mysqlclient":  {[]string{"gcc", "pkg-config", "default-libmysqlclient-dev"}, []string{"libmariadb3"}, "mysqlclient has no Linux wheels; it compiles against the MySQL/MariaDB client library"},
	"python-ldap":  {[]string{"gcc", "libldap2-dev", "libsasl2-dev"}, []string{"libldap-2.5-0", "libsasl2-2"}, "python-ldap has no wheels; it compiles against OpenLDAP and Cyrus SASL"},
	"pygraphviz":   {[]string{"gcc", "libgraphviz-dev"}, []string{"libcgraph6", "libgvc6"}, "pygraphviz has no Linux wheels; it compiles against graphviz"},
	"uwsgi":        {[]string{"gcc"}, []string{}, "uWSGI is an sdist only; it compiles a server binary"},
	"pycairo":      {[]string{"gcc", "pkg-config", "libcairo2-dev"}, []string{"libcairo2"}, "pycairo's Linux builds compile against cairo"},
	"dbus-python":  {[]string{"gcc", "pkg-config", "libdbus-1-dev", "libglib2.0-dev"}, []string{"libdbus-1-3", "libglib2.0-0"}, "dbus-python is an sdist only"},
	"python-magic": {[]string{}, []string{"libmagic1"}, "python-magic loads libmagic at run time (ctypes)"},
}

// libraryPackages maps a C library a setup.py links (libraries=[...]) to
// its Debian development and runtime packages.
var libraryPackages = map[string][2][]string{
	"pq":      {{"libpq-dev"}, {"libpq5"}},
	"ssl":     {{"libssl-dev"}, {"libssl3"}},
	"crypto":  {{"libssl-dev"}, {"libssl3"}},
	"z":       {{"zlib1g-dev"}, {"zlib1g"}},
	"ffi":     {{"libffi-dev"}, {"libffi8"}},
	"xml2":    {{"libxml2-dev"}, {"libxml2"}},
	"yaml":    {{"libyaml-dev"}, {"libyaml-0-2"}},
	"sqlite3": {{"libsqlite3-dev"}, {"libsqlite3-0"}},
}

var reLibraries = regexp.MustCompile(`libraries\s*=\s*\[([^\]]*)\]`)

// KnownNeeds lists the native needs pyimg knows without the package index:
// the project's own [tool.pyimg.generate] packages, the C libraries its
// setup.py links, and well-known source-only distributions among its
// dependencies.
func KnownNeeds(_ context.Context, p *project.Project) ([]NativeNeed, error) {
	var out []NativeNeed
	if g := p.Generate; len(g.BuildPackages)+len(g.RuntimePackages) > 0 {
		out = append(out, NativeNeed{Package: p.Name, Version: p.Version, BuildPackages: nonNil(g.BuildPackages), RuntimePackages: nonNil(g.RuntimePackages),
			Reason: "declared in pyproject.toml [tool.pyimg.generate]"})
	} else if libs := setupLibraries(p); len(libs) > 0 {
		n := NativeNeed{Package: p.Name, Version: p.Version, BuildPackages: []string{"gcc"}, RuntimePackages: []string{}}
		for _, l := range libs {
			if pk, ok := libraryPackages[l]; ok {
				n.BuildPackages = append(n.BuildPackages, pk[0]...)
				n.RuntimePackages = append(n.RuntimePackages, pk[1]...)
			}
		}
		n.Reason = fmt.Sprintf("setup.py builds a C extension linking %s", strings.Join(libs, ", "))
		out = append(out, n)
	}
	seen := map[string]bool{}
	add := func(name, version string) {
		n := project.NormalizeName(name)
		k, ok := knownSdists[n]
		if !ok || seen[n] {
			return
		}
		seen[n] = true
		out = append(out, NativeNeed{Package: n, Version: version, BuildPackages: nonNil(k.build), RuntimePackages: nonNil(k.runtime), Reason: k.why})
	}
	if l := p.Lock(); l != nil {
		for _, lp := range l.Packages {
			if hasLinuxWheel(lp.Wheels()) {
				continue // the lock lists Linux wheels: nothing to build
			}
			add(lp.Name, lp.Version)
		}
	}
	for _, r := range p.Dependencies {
		add(r.Name, r.Pinned())
	}
	for _, rf := range p.Requirements {
		for _, r := range rf.Requirements {
			add(r.Name, r.Pinned())
		}
	}
	slices.SortStableFunc(out, func(a, b NativeNeed) int {
		if (a.Package == p.Name) != (b.Package == p.Name) {
			if a.Package == p.Name {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Package, b.Package)
	})
	return out, nil
}

func hasLinuxWheel(wheels []string) bool {
	for _, w := range wheels {
		if strings.Contains(platformTag(w), "linux") {
			return true
		}
	}
	return false
}

// setupLibraries returns the C libraries setup.py passes as libraries=[...].
func setupLibraries(p *project.Project) []string {
	if !p.SetupPy {
		return nil
	}
	b, err := readBounded(p.Dir, "setup.py", 256<<10)
	if err != nil {
		return nil
	}
	var out []string
	for _, m := range reLibraries.FindAllStringSubmatch(string(b), -1) {
		for _, f := range strings.Split(m[1], ",") {
			f = strings.Trim(strings.TrimSpace(f), `"'`)
			if f != "" && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
