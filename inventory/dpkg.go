package inventory

import (
	"path"
	"strings"
)

// dpkgPackage is one installed package from a dpkg status file or a
// status.d file.
type dpkgPackage struct {
	name, version, arch   string
	source, sourceVersion string
}

// parseDpkgStatus returns the installed packages of a dpkg status file
// (/var/lib/dpkg/status). Stanzas whose Status is not "<want> ok installed"
// (removed, config-files, half-installed) are skipped. When requireStatus is
// false (distroless status.d files carry no Status field) a missing Status
// counts as installed.
func parseDpkgStatus(b []byte, requireStatus bool) []dpkgPackage {
	var out []dpkgPackage
	parseStanzas(b, false, func(s stanza) bool {
		if p, ok := dpkgFromStanza(s, requireStatus); ok {
			out = append(out, p)
		}
		return true
	})
	return out
}

func dpkgFromStanza(s stanza, requireStatus bool) (dpkgPackage, bool) {
	p := dpkgPackage{
		name:    s.get("Package"),
		version: s.get("Version"),
		arch:    s.get("Architecture"),
	}
	if p.name == "" || p.version == "" || strings.ContainsAny(p.name, " \n/") ||
		len(p.name) > maxIdentLen || len(p.version) > maxIdentLen || len(p.arch) > maxIdentLen {
		return p, false
	}
	st := s.get("Status")
	if st == "" && requireStatus {
		return p, false
	}
	if st != "" {
		w := strings.Fields(st)
		if len(w) != 3 || w[1] != "ok" || w[2] != "installed" {
			return p, false
		}
	}
	p.source, p.sourceVersion = parseDpkgSource(s.get("Source"))
	if len(p.source) > maxIdentLen || len(p.sourceVersion) > maxIdentLen {
		p.source, p.sourceVersion = "", ""
	}
	if p.source == "" {
		p.source = p.name
	}
	if p.sourceVersion == "" {
		p.sourceVersion = p.version
	}
	return p, true
}

// parseDpkgSource splits a Source field, "glibc" or "glibc (2.36-9+deb12u4)".
func parseDpkgSource(s string) (name, version string) {
	s = strings.TrimSpace(s)
	name, rest, ok := strings.Cut(s, " ")
	if !ok {
		return name, ""
	}
	rest = strings.TrimSpace(rest)
	if strings.HasPrefix(rest, "(") && strings.HasSuffix(rest, ")") {
		version = strings.TrimSpace(rest[1 : len(rest)-1])
	}
	return name, version
}

// dpkgListName returns the package name a /var/lib/dpkg/info/*.list file
// belongs to ("libc6:amd64.list" -> "libc6"), or "" for other files.
func dpkgListName(p string) string {
	if path.Dir(p) != "/var/lib/dpkg/info" {
		return ""
	}
	base, ok := strings.CutSuffix(path.Base(p), ".list")
	if !ok || base == "" {
		return ""
	}
	name, _, _ := strings.Cut(base, ":")
	return name
}

// parseLines returns the non-empty lines of b, trimmed.
func parseLines(b []byte) []string {
	var out []string
	for line := range strings.SplitSeq(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line != "" {
			out = append(out, line)
		}
	}
	return out
}
