package inventory

import (
	"github.com/package-url/packageurl-go"
	"github.com/pyimg/pyimg/pydist"
)

// DebPURL returns the purl of a Debian (or Ubuntu) binary package, with
// the upstream qualifier naming its source package (see Upstream):
// pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl.
func DebPURL(d Distro, name, version, arch, upstream string) string {
	ns := d.ID
	if ns == "" {
		ns = "debian"
	}
	return purl(packageurl.TypeDebian, ns, name, version, arch, upstream, d)
}

// ApkPURL returns the purl of an apk package, with the upstream qualifier
// naming its origin when it differs:
// pkg:apk/alpine/libcrypto3@3.3.2-r1?arch=x86_64&distro=alpine-3.20.3&upstream=openssl.
func ApkPURL(d Distro, name, version, arch, upstream string) string {
	ns := d.ID
	if ns == "" {
		ns = "alpine"
	}
	return purl(packageurl.TypeApk, ns, name, version, arch, upstream, d)
}

// Upstream returns the value of a purl's upstream qualifier, as syft writes
// it: "" when the source package is the binary package itself, the source
// name when only the names differ, "name@version" when the versions differ.
// OSV's Debian and Alpine advisories are keyed by the source package, so a
// scanner reading the purl alone needs it.
func Upstream(name, version, sourceName, sourceVersion string) string {
	if sourceName == "" {
		return ""
	}
	if sourceVersion != "" && sourceVersion != version {
		return sourceName + "@" + sourceVersion
	}
	if sourceName == name {
		return ""
	}
	return sourceName
}

// PyPIPURL returns the purl of a Python distribution, with the PEP 503
// normalized name: pkg:pypi/zope-interface@6.4.
func PyPIPURL(name, version string) string {
	return packageurl.NewPackageURL(packageurl.TypePyPi, "", pydist.NormalizeName(name), version, nil, "").ToString()
}

// GenericPURL returns a pkg:generic purl, with a download_url-free name and
// version: pkg:generic/python@3.12.7.
func GenericPURL(name, version string) string {
	return packageurl.NewPackageURL(packageurl.TypeGeneric, "", name, version, nil, "").ToString()
}

func purl(typ, ns, name, version, arch, upstream string, d Distro) string {
	var q packageurl.Qualifiers
	if arch != "" {
		q = append(q, packageurl.Qualifier{Key: "arch", Value: arch})
	}
	if d.ID != "" && d.VersionID != "" {
		q = append(q, packageurl.Qualifier{Key: "distro", Value: d.ID + "-" + d.VersionID})
	}
	if upstream != "" {
		q = append(q, packageurl.Qualifier{Key: "upstream", Value: upstream})
	}
	return packageurl.NewPackageURL(typ, ns, name, version, q, "").ToString()
}

// PythonCPE returns the NVD CPE 2.3 name of the CPython interpreter.
func PythonCPE(version string) string {
	return "cpe:2.3:a:python:python:" + cpeEscape(version) + ":*:*:*:*:*:*:*"
}

// cpeEscape quotes the characters CPE 2.3 formatted strings reserve.
func cpeEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '.', c == '-':
		default:
			out = append(out, '\\')
		}
		out = append(out, c)
	}
	return string(out)
}
