package baseimage

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Variants of the official python image.
const (
	VariantDefault           = ""                  // full Debian image ("3.12", "3.12-bookworm")
	VariantSlim              = "slim"              // "3.12-slim", "3.12-slim-bookworm"
	VariantAlpine            = "alpine"            // "3.12-alpine", "3.12-alpine3.22"
	VariantWindowsServerCore = "windowsservercore" // "3.12-windowsservercore-ltsc2022"
	VariantNanoServer        = "nanoserver"        // "3.12-nanoserver-1809"
	VariantOnbuild           = "onbuild"           // removed in 2017, still seen in old Dockerfiles
)

// debianCodenames are the Debian releases the official python image has
// been (or will likely be) built on.
var debianCodenames = map[string]bool{
	"wheezy": true, "jessie": true, "stretch": true, "buster": true,
	"bullseye": true, "bookworm": true, "trixie": true, "forky": true, "duke": true,
}

// Tag is a parsed tag of the official python image, such as
// "3.12.5-slim-bookworm" = version "3.12.5", variant "slim", OS "bookworm".
type Tag struct {
	Raw     string // the tag as given
	Version string // version part as written: "3", "3.12", "3.12.5", "3.15.0rc1", "3.15-rc"; "" if none
	Major   int
	Minor   int
	Patch   int
	// HasMinor and HasPatch report which version numbers the tag names.
	HasMinor, HasPatch bool
	// Pre is the pre-release: "a1", "b3", "rc2" after a patch number, or
	// "rc" for the series release-candidate alias ("3.15-rc"); "" for finals.
	Pre string
	// Variant is one of the Variant constants.
	Variant string
	// OS is the OS release: a Debian codename ("bookworm"), an Alpine
	// release as written ("alpine3.22", with Variant "alpine"), or a Windows
	// release ("ltsc2022", "1809", with a Windows variant); "" if unpinned.
	OS string
	// Shared reports whether the tag is an alias that moves to another
	// Python series or OS release over time: it names no OS release, or no
	// minor version ("latest", "slim", "3-slim", "bookworm", "3.12").
	Shared bool
}

// ParseTag parses a tag of the official python image. The error says which
// part of the tag is wrong.
func ParseTag(tag string) (Tag, error) {
	t, err := parseTag(tag)
	if err != nil {
		return Tag{}, fmt.Errorf("parsing python image tag %q: %w", tag, err)
	}
	return t, nil
}

func parseTag(tag string) (Tag, error) {
	t := Tag{Raw: tag}
	if tag == "" {
		return t, errors.New("empty tag")
	}
	if tag == "latest" {
		t.Shared = true
		return t, nil
	}
	toks := strings.Split(tag, "-")
	for _, tok := range toks {
		if tok == "" {
			return t, errors.New("empty part between dashes")
		}
	}
	if c := toks[0][0]; c >= '0' && c <= '9' {
		if isWindowsRelease(toks[0]) && len(toks[0]) == 4 && !strings.Contains(toks[0], ".") {
			return t, fmt.Errorf("Windows release %q must follow windowsservercore or nanoserver", toks[0])
		}
		if err := t.parseVersion(toks[0]); err != nil {
			return t, fmt.Errorf("version %q: %w", toks[0], err)
		}
		toks = toks[1:]
		if len(toks) > 0 && toks[0] == "rc" {
			if !t.HasMinor || t.HasPatch {
				return t, fmt.Errorf(`"-rc" follows only MAJOR.MINOR, not %q`, t.Version)
			}
			t.Pre = "rc"
			t.Version += "-rc"
			toks = toks[1:]
		}
	}
	if err := t.parseSuffix(toks); err != nil {
		return t, err
	}
	t.Shared = t.OS == "" || !t.HasMinor
	return t, nil
}

// parseVersion reads "3", "3.12", "3.12.5" or "3.12.0rc1".
func (t *Tag) parseVersion(v string) error {
	t.Version = v
	nums := strings.Split(v, ".")
	if len(nums) > 3 {
		return errors.New("more than three numbers")
	}
	names := []string{"major", "minor", "patch"}
	last := len(nums) - 1
	if last == 2 {
		// A pre-release suffix is allowed after the patch number only.
		i := strings.IndexFunc(nums[2], func(r rune) bool { return r < '0' || r > '9' })
		if i > 0 {
			pre := nums[2][i:]
			if !validPre(pre) {
				return fmt.Errorf("pre-release %q is not aN, bN or rcN", pre)
			}
			t.Pre = pre
			nums[2] = nums[2][:i]
		}
	}
	vals := make([]int, len(nums))
	for i, n := range nums {
		x, ok := atoi(n)
		switch {
		case ok:
		case isDigits(n) && n[0] == '0':
			return fmt.Errorf("%s %q has a leading zero", names[i], n)
		default:
			return fmt.Errorf("%s %q is not a number", names[i], n)
		}
		vals[i] = x
	}
	if vals[0] < 2 || vals[0] > 9 {
		return fmt.Errorf("major %d is not a Python major version", vals[0])
	}
	t.Major = vals[0]
	if len(vals) > 1 {
		t.Minor, t.HasMinor = vals[1], true
	}
	if len(vals) > 2 {
		t.Patch, t.HasPatch = vals[2], true
	}
	return nil
}

func validPre(s string) bool {
	for _, p := range []string{"rc", "a", "b"} {
		if n, ok := strings.CutPrefix(s, p); ok {
			_, ok := atoi(n)
			return ok
		}
	}
	return false
}

// parseSuffix reads what follows the version: variant and OS release.
func (t *Tag) parseSuffix(toks []string) error {
	if len(toks) == 0 {
		return nil
	}
	first, rest := toks[0], toks[1:]
	tooMany := func(after string) error {
		return fmt.Errorf("unexpected %q after %q", strings.Join(rest, "-"), after)
	}
	switch {
	case first == VariantSlim:
		t.Variant = first
		if len(rest) == 0 {
			return nil
		}
		if !debianCodenames[rest[0]] {
			return fmt.Errorf("%q after slim is not a Debian release (bookworm, trixie, ...)", rest[0])
		}
		t.OS = rest[0]
		if len(rest) > 1 {
			rest = rest[1:]
			return tooMany(t.OS)
		}
	case first == VariantAlpine:
		t.Variant = first
		if len(rest) > 0 {
			return tooMany(first)
		}
	case isAlpineRelease(first):
		t.Variant, t.OS = VariantAlpine, first
		if len(rest) > 0 {
			return tooMany(first)
		}
	case first == VariantWindowsServerCore || first == VariantNanoServer:
		t.Variant = first
		if len(rest) == 0 {
			return nil
		}
		if !isWindowsRelease(rest[0]) {
			return fmt.Errorf("%q after %s is not a Windows release (ltsc2022, 1809, ...)", rest[0], first)
		}
		t.OS = rest[0]
		if len(rest) > 1 {
			rest = rest[1:]
			return tooMany(t.OS)
		}
	case first == VariantOnbuild:
		t.Variant = first
		if len(rest) > 0 {
			return tooMany(first)
		}
	case debianCodenames[first]:
		t.OS = first
		if len(rest) > 0 {
			if rest[0] == VariantSlim {
				return fmt.Errorf("variant goes before the release: want slim-%s", first)
			}
			return tooMany(first)
		}
	case isWindowsRelease(first):
		return fmt.Errorf("Windows release %q must follow windowsservercore or nanoserver", first)
	case first == "latest":
		return errors.New(`"latest" cannot be combined with other parts`)
	default:
		return fmt.Errorf("unknown variant or OS release %q", first)
	}
	return nil
}

// isAlpineRelease matches "alpine3.22".
func isAlpineRelease(s string) bool {
	v, ok := strings.CutPrefix(s, "alpine")
	if !ok {
		return false
	}
	maj, min, ok := strings.Cut(v, ".")
	_, ok1 := atoi(maj)
	_, ok2 := atoi(min)
	return ok && ok1 && ok2
}

// isWindowsRelease matches "ltsc2022", "sac2016", "1809" and "20H2".
func isWindowsRelease(s string) bool {
	if n, ok := strings.CutPrefix(s, "ltsc"); ok {
		return len(n) == 4 && isDigits(n)
	}
	if n, ok := strings.CutPrefix(s, "sac"); ok {
		return len(n) == 4 && isDigits(n)
	}
	if len(s) == 4 && (s[2] == 'H' || s[2] == 'h') {
		return isDigits(s[:2]) && isDigits(s[3:])
	}
	return len(s) == 4 && isDigits(s)
}

// String renders the tag from Version, Variant and OS; for a tag from
// ParseTag it equals Raw.
func (t Tag) String() string {
	var parts []string
	if t.Version != "" {
		parts = append(parts, t.Version)
	}
	switch {
	case t.Variant == VariantAlpine && t.OS != "":
		parts = append(parts, t.OS)
	default:
		if t.Variant != "" {
			parts = append(parts, t.Variant)
		}
		if t.OS != "" {
			parts = append(parts, t.OS)
		}
	}
	if len(parts) == 0 {
		return "latest"
	}
	return strings.Join(parts, "-")
}

// Series returns "MAJOR.MINOR" ("3.12"), or "" when the tag names no minor
// version.
func (t Tag) Series() string {
	if !t.HasMinor {
		return ""
	}
	return strconv.Itoa(t.Major) + "." + strconv.Itoa(t.Minor)
}

// Windows reports whether the tag is a Windows image.
func (t Tag) Windows() bool {
	return t.Variant == VariantWindowsServerCore || t.Variant == VariantNanoServer
}

// Prerelease reports whether the tag names an alpha, beta or release
// candidate.
func (t Tag) Prerelease() bool { return t.Pre != "" }
