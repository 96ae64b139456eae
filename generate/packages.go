package generate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pyimg/pyimg/pydist"
)

// Package families: the package manager of the base image.
const (
	FamilyDebian = "debian" // apt; runtime names differ per release
	FamilyAlpine = "alpine" // apk
)

// debRuntime maps a Debian -dev package to the runtime libraries a program
// built against it needs, per release codename ("" applies to every
// release without its own entry). Names follow the 64-bit time_t
// transition of trixie (libssl3t64, libpng16-16t64, ...).
var debRuntime = map[string]map[string][]string{
	"libpq-dev":                  {"": {"libpq5"}},
	"libxml2-dev":                {"": {"libxml2"}},
	"libxslt1-dev":               {"": {"libxslt1.1", "libxml2"}},
	"libffi-dev":                 {"": {"libffi8"}},
	"libjpeg-dev":                {"": {"libjpeg62-turbo"}},
	"libjpeg62-turbo-dev":        {"": {"libjpeg62-turbo"}},
	"default-libmysqlclient-dev": {"": {"libmariadb3"}},
	"libmariadb-dev":             {"": {"libmariadb3"}},
	"libmariadb-dev-compat":      {"": {"libmariadb3"}},
	"libssl-dev":                 {"bookworm": {"libssl3"}, "": {"libssl3t64"}},
	"zlib1g-dev":                 {"": {"zlib1g"}},
	"libpng-dev":                 {"bookworm": {"libpng16-16"}, "": {"libpng16-16t64"}},
	"libfreetype-dev":            {"": {"libfreetype6"}},
	"libfreetype6-dev":           {"": {"libfreetype6"}},
	"libtiff-dev":                {"": {"libtiff6"}},
	"libwebp-dev":                {"": {"libwebp7"}},
	"liblcms2-dev":               {"": {"liblcms2-2"}},
	"libopenjp2-7-dev":           {"": {"libopenjp2-7"}},
	"libyaml-dev":                {"": {"libyaml-0-2"}},
	"libsqlite3-dev":             {"": {"libsqlite3-0"}},
	"libbz2-dev":                 {"": {"libbz2-1.0"}},
	"liblzma-dev":                {"": {"liblzma5"}},
	"libzstd-dev":                {"": {"libzstd1"}},
	"liblz4-dev":                 {"": {"liblz4-1"}},
	"libsnappy-dev":              {"": {"libsnappy1v5"}},
	"libgmp-dev":                 {"": {"libgmp10"}},
	"libcairo2-dev":              {"": {"libcairo2"}},
	"libgeos-dev":                {"bookworm": {"libgeos-c1v5"}, "": {"libgeos-c1t64"}},
	"libgdal-dev":                {"bookworm": {"libgdal32"}, "": {"libgdal36"}},
	"libldap2-dev":               {"bookworm": {"libldap-2.5-0"}, "": {"libldap2"}},
	"libldap-dev":                {"bookworm": {"libldap-2.5-0"}, "": {"libldap2"}},
	"libsasl2-dev":               {"": {"libsasl2-2"}},
	"libkrb5-dev":                {"": {"libkrb5-3", "libgssapi-krb5-2"}},
	"libcurl4-openssl-dev":       {"bookworm": {"libcurl4"}, "": {"libcurl4t64"}},
	"libopenblas-dev":            {"": {"libopenblas0"}},
	"liblapack-dev":              {"": {"liblapack3"}},
	"libhdf5-dev":                {"bookworm": {"libhdf5-103-1"}, "": {"libhdf5-310"}},
	"unixodbc-dev":               {"": {"libodbc2"}},
	"libmagic-dev":               {"": {"libmagic1"}},
}

// apkRuntime maps an Alpine -dev package to its runtime libraries.
var apkRuntime = map[string][]string{
	"postgresql-dev":          {"libpq"},
	"libpq-dev":               {"libpq"},
	"libxml2-dev":             {"libxml2"},
	"libxslt-dev":             {"libxslt"},
	"libffi-dev":              {"libffi"},
	"jpeg-dev":                {"libjpeg-turbo"},
	"libjpeg-turbo-dev":       {"libjpeg-turbo"},
	"mariadb-dev":             {"mariadb-connector-c"},
	"mariadb-connector-c-dev": {"mariadb-connector-c"},
	"openssl-dev":             {"libssl3", "libcrypto3"},
	"zlib-dev":                {"zlib"},
	"libpng-dev":              {"libpng"},
	"freetype-dev":            {"freetype"},
	"tiff-dev":                {"tiff"},
	"libwebp-dev":             {"libwebp"},
	"lcms2-dev":               {"lcms2"},
	"openjpeg-dev":            {"openjpeg"},
	"yaml-dev":                {"yaml"},
	"sqlite-dev":              {"sqlite-libs"},
	"bzip2-dev":               {"libbz2"},
	"xz-dev":                  {"xz-libs"},
	"zstd-dev":                {"zstd-libs"},
	"lz4-dev":                 {"lz4-libs"},
	"snappy-dev":              {"snappy"},
	"gmp-dev":                 {"gmp"},
	"cairo-dev":               {"cairo"},
	"geos-dev":                {"geos"},
	"gdal-dev":                {"gdal"},
	"openldap-dev":            {"libldap"},
	"cyrus-sasl-dev":          {"libsasl"},
	"krb5-dev":                {"krb5-libs"},
	"curl-dev":                {"libcurl"},
	"openblas-dev":            {"openblas"},
	"unixodbc-dev":            {"unixodbc"},
	"file-dev":                {"libmagic"},
	"linux-headers":           nil,
	"musl-dev":                nil,
	"build-base":              nil,
	"gcc":                     nil,
	"g++":                     nil,
	"make":                    nil,
	"pkgconf":                 nil,
	"cargo":                   nil,
	"rust":                    nil,
	"python3-dev":             nil,
}

// RuntimeFor returns the runtime packages that programs built with the
// build packages need, for a family and (Debian) release codename, and the
// build packages it knows nothing about. Compilers and tools map to
// nothing.
func RuntimeFor(family, codename string, build []string) (runtime, unknown []string) {
	for _, p := range build {
		var libs []string
		var ok bool
		switch family {
		case FamilyAlpine:
			libs, ok = apkRuntime[p]
		default:
			var byRelease map[string][]string
			if byRelease, ok = debRuntime[p]; ok {
				if l, has := byRelease[codename]; has {
					libs = l
				} else {
					libs = byRelease[""]
				}
			} else if isDebTool(p) {
				ok = true
			}
		}
		if !ok {
			unknown = append(unknown, p)
			continue
		}
		for _, l := range libs {
			if !slices.Contains(runtime, l) {
				runtime = append(runtime, l)
			}
		}
	}
	return runtime, unknown
}

// isDebTool reports whether a Debian build package is a compiler or tool
// with no runtime counterpart.
func isDebTool(p string) bool {
	switch p {
	case "build-essential", "gcc", "g++", "make", "pkg-config", "pkgconf", "cmake", "git",
		"cargo", "rustc", "python3-dev", "libc6-dev", "linux-libc-dev", "autoconf", "automake", "libtool", "swig":
		return true
	}
	return false
}

// sdistNeed is what a popular package needs when it builds from source.
type sdistNeed struct {
	deb, apk []string // build packages
	note     string
}

// sdistNeeds lists the system packages popular sdists build against, by
// normalized project name.
var sdistNeeds = map[string]sdistNeed{
	"psycopg2":     {deb: []string{"build-essential", "libpq-dev"}, apk: []string{"build-base", "postgresql-dev"}, note: "or depend on psycopg2-binary / psycopg[binary], which ship wheels"},
	"psycopg":      {deb: []string{"libpq-dev"}, apk: []string{"postgresql-dev"}, note: "psycopg 3 loads libpq at run time unless psycopg[binary] is used"},
	"psycopg-c":    {deb: []string{"build-essential", "libpq-dev"}, apk: []string{"build-base", "postgresql-dev"}},
	"mysqlclient":  {deb: []string{"build-essential", "default-libmysqlclient-dev", "pkg-config"}, apk: []string{"build-base", "mariadb-dev", "pkgconf"}},
	"python-ldap":  {deb: []string{"build-essential", "libldap2-dev", "libsasl2-dev"}, apk: []string{"build-base", "openldap-dev"}},
	"pycairo":      {deb: []string{"build-essential", "libcairo2-dev", "pkg-config"}, apk: []string{"build-base", "cairo-dev", "pkgconf"}},
	"gdal":         {deb: []string{"build-essential", "libgdal-dev"}, apk: []string{"build-base", "gdal-dev"}},
	"lxml":         {deb: []string{"build-essential", "libxml2-dev", "libxslt1-dev"}, apk: []string{"build-base", "libxml2-dev", "libxslt-dev"}, note: "only when no wheel fits"},
	"pillow":       {deb: []string{"build-essential", "libjpeg-dev", "zlib1g-dev"}, apk: []string{"build-base", "jpeg-dev", "zlib-dev"}, note: "only when no wheel fits"},
	"cffi":         {deb: []string{"build-essential", "libffi-dev"}, apk: []string{"build-base", "libffi-dev"}, note: "only when no wheel fits"},
	"pyodbc":       {deb: []string{"build-essential", "unixodbc-dev"}, apk: []string{"build-base", "unixodbc-dev"}},
	"python-magic": {deb: []string{"libmagic1"}, apk: []string{"libmagic"}, note: "a runtime package: it loads libmagic with ctypes"},
	"uwsgi":        {deb: []string{"build-essential"}, apk: []string{"build-base", "linux-headers"}},
	"shapely":      {deb: []string{"libgeos-dev"}, apk: []string{"geos-dev"}, note: "only when no wheel fits"},
	"pygraphviz":   {deb: []string{"build-essential", "graphviz-dev"}, apk: []string{"build-base", "graphviz-dev"}},
}

// Suggestions returns one line per dependency with known system needs
// that the configured build packages do not cover, for the family.
func Suggestions(family string, deps, build []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range deps {
		n := pydist.NormalizeName(d)
		need, ok := sdistNeeds[n]
		if !ok || seen[n] {
			continue
		}
		seen[n] = true
		pkgs := need.deb
		if family == FamilyAlpine {
			pkgs = need.apk
		}
		var missing []string
		for _, p := range pkgs {
			if !slices.Contains(build, p) {
				missing = append(missing, p)
			}
		}
		if len(missing) == 0 {
			continue
		}
		s := fmt.Sprintf("%s builds from source against %s: add them to [tool.pyimg.generate] build-packages if no wheel fits", d, strings.Join(missing, ", "))
		if need.note != "" {
			s += " (" + need.note + ")"
		}
		out = append(out, s)
	}
	return out
}
