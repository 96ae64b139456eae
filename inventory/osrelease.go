package inventory

import (
	"regexp"
	"strconv"
	"strings"
)

// parseOSRelease reads an os-release file (KEY=value lines, values
// optionally quoted) into a Distro.
func parseOSRelease(b []byte) Distro {
	kv := map[string]string{}
	for _, l := range parseLines(b) {
		if strings.HasPrefix(l, "#") {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			if v[0] == '"' {
				if u, err := strconv.Unquote(v); err == nil {
					v = u
				} else {
					v = v[1 : len(v)-1]
				}
			} else {
				v = v[1 : len(v)-1]
			}
		}
		kv[strings.TrimSpace(k)] = v
	}
	return Distro{
		ID:         strings.ToLower(kv["ID"]),
		VersionID:  kv["VERSION_ID"],
		Codename:   kv["VERSION_CODENAME"],
		PrettyName: kv["PRETTY_NAME"],
		Distroless: strings.HasPrefix(kv["PRETTY_NAME"], "Distroless"),
	}
}

var upstreamVersion = regexp.MustCompile(`^(?:\d+:)?(\d+(?:\.\d+)+)`)

// libcVersion returns the upstream version of a libc package version
// ("2.36-9+deb12u4" -> "2.36", "1.2.5-r0" -> "1.2.5").
func libcVersion(v string) string {
	if m := upstreamVersion.FindStringSubmatch(v); m != nil {
		return m[1]
	}
	return ""
}

var glibcFile = regexp.MustCompile(`^/(?:usr/)?lib(?:64)?/(?:[a-z0-9_]+-linux-gnu[a-z0-9_]*/)?(libc\.so\.6|libc-(\d+\.\d+)\.so)$`)

var muslLoader = regexp.MustCompile(`^/(?:usr/)?lib/ld-musl-[a-z0-9_]+\.so\.1$`)
