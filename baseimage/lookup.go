package baseimage

import (
	"cmp"
	"strconv"
	"strings"
)

// parseSeries reads the leading MAJOR.MINOR of a version such as "3.12",
// "3.12.5", "3.15.0rc1" or "3.15-rc". Numbers with leading zeros are refused.
func parseSeries(v string) (major, minor int, ok bool) {
	maj, rest, found := strings.Cut(v, ".")
	if !found {
		return 0, 0, false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	if end < len(rest) {
		switch rest[end] {
		case '.', '-', 'a', 'b', 'r':
		default:
			return 0, 0, false
		}
	}
	major, ok1 := atoi(maj)
	minor, ok2 := atoi(rest[:end])
	return major, minor, ok1 && ok2
}

// atoi parses a non-negative decimal without sign or leading zeros.
func atoi(s string) (int, bool) {
	if !isDigits(s) || (len(s) > 1 && s[0] == '0') || len(s) > 6 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// seriesOf returns "MAJOR.MINOR" for a version, or "" if it has none.
func seriesOf(v string) string {
	major, minor, ok := parseSeries(v)
	if !ok {
		return ""
	}
	return strconv.Itoa(major) + "." + strconv.Itoa(minor)
}

// compareSeries orders "3.9" before "3.10"; unparsable versions sort last by text.
func compareSeries(a, b string) int {
	amaj, amin, aok := parseSeries(a)
	bmaj, bmin, bok := parseSeries(b)
	if !aok || !bok {
		if aok != bok {
			if aok {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	}
	return cmp.Or(cmp.Compare(amaj, bmaj), cmp.Compare(amin, bmin))
}

// Python returns the CPython series for "3.12", or for a release of it such
// as "3.12.5", "3.15.0rc1" or "3.15-rc".
func (k *Knowledge) Python(series string) (PythonSeries, bool) {
	s := seriesOf(strings.TrimSpace(series))
	if s == "" {
		return PythonSeries{}, false
	}
	for _, p := range k.PythonSeries {
		if p.Version == s {
			return p, true
		}
	}
	return PythonSeries{}, false
}

// Debian returns the Debian release for a codename ("bookworm") or version
// ("12", "12.5", "debian12"), case-insensitively.
func (k *Knowledge) Debian(codenameOrVersion string) (OSRelease, bool) {
	q := strings.ToLower(strings.TrimSpace(codenameOrVersion))
	q = strings.TrimPrefix(strings.TrimPrefix(q, "debian"), "-")
	if major, _, found := strings.Cut(q, "."); found && isDigits(major) {
		q = major
	}
	if q == "" {
		return OSRelease{}, false
	}
	for _, r := range k.OS {
		if r.Distro == "debian" && (r.Codename == q || r.Version == q) {
			return r, true
		}
	}
	return OSRelease{}, false
}

// Alpine returns the Alpine release for "3.20", "3.20.3", "v3.20" or
// "alpine3.20".
func (k *Knowledge) Alpine(version string) (OSRelease, bool) {
	q := strings.ToLower(strings.TrimSpace(version))
	q = strings.TrimPrefix(q, "alpine")
	q = strings.TrimPrefix(q, "v")
	// Only MAJOR.MINOR or MAJOR.MINOR.PATCH.
	parts := strings.Split(q, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return OSRelease{}, false
	}
	for _, p := range parts {
		if _, ok := atoi(p); !ok {
			return OSRelease{}, false
		}
	}
	s := parts[0] + "." + parts[1]
	for _, r := range k.OS {
		if r.Distro == "alpine" && r.Version == s {
			return r, true
		}
	}
	return OSRelease{}, false
}

// TagOS returns the OS release an official python image tag is built on.
// Tags without an OS release ("3.12-slim", "alpine") resolve to the release
// they pointed to at k.AsOf (see Knowledge.Defaults); Windows tags and
// unknown releases report false.
func (k *Knowledge) TagOS(t Tag) (OSRelease, bool) {
	switch {
	case t.Variant == VariantAlpine && t.OS == "":
		return k.Alpine(k.Defaults.Alpine)
	case t.Variant == VariantAlpine:
		return k.Alpine(t.OS)
	case t.Windows():
		return OSRelease{}, false
	case t.OS == "":
		return k.Debian(k.Defaults.Debian)
	default:
		return k.Debian(t.OS)
	}
}
