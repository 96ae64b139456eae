package inventory

import (
	"path"
	"regexp"
	"strings"

	"github.com/pyimg/pyimg/pydist"
)

// pyMetadata is what is read from a METADATA or PKG-INFO header.
type pyMetadata struct {
	name, version string
	licenses      []string
}

// parseMetadata reads the core metadata header (METADATA, PKG-INFO): the
// Name, Version and license fields. The license is License-Expression
// (metadata 2.4) when present, else a one-line License field, else the
// names of the "License ::" classifiers.
// Bounds on the fields kept of a package: names and versions longer than
// maxIdentLen are not real ones; licenses are capped in length and number.
const (
	maxIdentLen   = 512
	maxLicenseLen = 1024
	maxLicenses   = 16
)

func parseMetadata(b []byte) pyMetadata {
	var m pyMetadata
	parseStanzas(b, true, func(s stanza) bool {
		m.name = strings.TrimSpace(s.get("Name"))
		m.version = strings.TrimSpace(s.get("Version"))
		if len(m.name) > maxIdentLen || len(m.version) > maxIdentLen {
			m.name, m.version = "", ""
		}
		if e := strings.TrimSpace(s.get("License-Expression")); e != "" && len(e) <= maxLicenseLen {
			m.licenses = []string{e}
			return false
		}
		if l := strings.TrimSpace(s.get("License")); l != "" && !strings.Contains(l, "\n") && len(l) <= 100 && !strings.EqualFold(l, "UNKNOWN") {
			m.licenses = []string{l}
			return false
		}
		for _, c := range s.all("Classifier") {
			parts := strings.Split(c, "::")
			if len(parts) >= 2 && strings.TrimSpace(parts[0]) == "License" {
				if l := strings.TrimSpace(parts[len(parts)-1]); l != "" && l != "OSI Approved" && len(l) <= maxLicenseLen && len(m.licenses) < maxLicenses {
					m.licenses = append(m.licenses, l)
				}
			}
		}
		return false
	})
	return m
}

// parseRecord returns the paths listed in a RECORD file (CSV rows of path,
// hash, size), resolved against dir, the directory that holds the
// .dist-info directory.
func parseRecord(b []byte, dir string) []string {
	rel := pydist.ParseRecord(b, false)
	out := make([]string, 0, len(rel))
	for _, p := range rel {
		out = append(out, joinInside(dir, p))
	}
	return out
}

// parseInstalledFiles returns the paths of an egg-info installed-files.txt,
// which are relative to the .egg-info directory.
func parseInstalledFiles(b []byte, eggInfo string) []string {
	var out []string
	for _, l := range parseLines(b) {
		out = append(out, joinInside(eggInfo, l))
	}
	return out
}

// joinInside joins rel to the absolute dir and keeps the result inside the
// image root ("../../../bin/x" from a deep site-packages stays absolute).
func joinInside(dir, rel string) string {
	if strings.HasPrefix(rel, "/") {
		return path.Clean(rel)
	}
	return path.Clean("/" + path.Join(dir, rel))
}

// parsePyvenvVersion reads the interpreter version from a pyvenv.cfg.
func parsePyvenvVersion(b []byte) string {
	_, v := pydist.ParsePyvenv(b)
	return v
}

var libPythonXY = regexp.MustCompile(`^(.*)/lib/python(\d+\.\d+)/`)

// pythonOwner returns the installation prefix and the X.Y version of the
// interpreter that owns a site directory, from ".../lib/pythonX.Y/...", or
// Debian's system interpreter for /usr/lib/python3/dist-packages.
func pythonOwner(dir string) (prefix, xy string) {
	if m := libPythonXY.FindStringSubmatch(dir + "/"); m != nil {
		prefix = m[1]
		if prefix == "" {
			prefix = "/"
		}
		return prefix, m[2]
	}
	if dir == "/usr/lib/python3/dist-packages" || strings.HasPrefix(dir, "/usr/lib/python3/dist-packages/") {
		return "/usr", ""
	}
	return "", ""
}

// distInfoName splits a .dist-info or .egg-info directory name into the
// project name and version ("numpy-2.1.2.dist-info",
// "requests-2.28.1.egg-info", "PyYAML-6.0-py3.11.egg-info").
func distInfoName(base string) (name, version string) {
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".dist-info"), ".egg-info")
	name, version, _ = strings.Cut(base, "-")
	if i := strings.Index(version, "-py"); i >= 0 {
		version = version[:i]
	}
	return name, version
}

// vendoredLib matches the names auditwheel and delocate give to vendored
// libraries: "libgfortran-040039e1.so.5.0.0",
// "libopenblas64_p-r0-0cf96a72.3.23.dev.so".
var vendoredLib = regexp.MustCompile(`^(.+?)-([0-9a-f]{8})((?:\.[^.]+)*?)\.so(?:\.([0-9][0-9.]*))?$`)

// vendoredNameVersion derives a component name and version from a vendored
// library's file name; version is "" when the name carries none.
func vendoredNameVersion(base string) (name, version string) {
	if m := vendoredLib.FindStringSubmatch(base); m != nil {
		version = m[4]
		if version == "" {
			version = strings.TrimPrefix(m[3], ".")
		}
		return m[1], version
	}
	name, rest, _ := strings.Cut(base, ".so")
	return name, strings.TrimPrefix(rest, ".")
}
