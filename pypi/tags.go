package pypi

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Tag is one PEP 425 compatibility tag: interpreter, ABI and platform, all
// lower case (e.g. cp312-cp312-manylinux_2_17_x86_64).
type Tag struct {
	Interpreter string `json:"interpreter"`
	ABI         string `json:"abi"`
	Platform    string `json:"platform"`
}

// String returns the tag as written in wheel names: "py3-none-any".
func (t Tag) String() string { return t.Interpreter + "-" + t.ABI + "-" + t.Platform }

// maxTagSet bounds how many tags a compressed tag set may expand to, as
// packaging's parse_tag(limit=…) does, so hostile names cannot blow up.
const maxTagSet = 256

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseTagSet expands a possibly compressed tag set ("py2.py3-none-any") into
// its tags, in the order interpreters × ABIs × platforms. Tags are lower-cased.
// It fails on a set without exactly three parts, an empty component, an
// interpreter that is not an identifier, or more than 256 tags.
func ParseTagSet(s string) ([]Tag, error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return nil, fmt.Errorf("tag set %q: want interpreter-abi-platform", s)
	}
	var comps [3][]string
	n := 1
	for i, p := range parts {
		comps[i] = strings.Split(strings.ToLower(p), ".")
		for _, c := range comps[i] {
			if c == "" {
				return nil, fmt.Errorf("tag set %q: empty component", s)
			}
			if i == 0 && !identRe.MatchString(c) {
				return nil, fmt.Errorf("tag set %q: interpreter %q is not an identifier", s, c)
			}
		}
		n *= len(comps[i])
		if n > maxTagSet {
			return nil, fmt.Errorf("tag set %q: more than %d tags", s, maxTagSet)
		}
	}
	out := make([]Tag, 0, n)
	for _, i := range comps[0] {
		for _, a := range comps[1] {
			for _, p := range comps[2] {
				out = append(out, Tag{i, a, p})
			}
		}
	}
	return out, nil
}

// Libc is the C library family of a target.
type Libc string

// The libc families wheels are built for.
const (
	Glibc Libc = "glibc"
	Musl  Libc = "musl"
)

// Target describes the interpreter a wheel must run on.
type Target struct {
	// PythonVersion is the major.minor version, e.g. "3.12".
	PythonVersion string `json:"python_version"`
	// Implementation is the interpreter short name; only "cp" (CPython, the
	// default when empty) is supported.
	Implementation string `json:"implementation,omitempty"`
	// Libc is the C library family (glibc or musl).
	Libc Libc `json:"libc"`
	// LibcVersion is the glibc ("2.36") or musl ("1.2.5") version.
	LibcVersion string `json:"libc_version"`
	// Arch is the machine as in platform tags: x86_64, aarch64, i686,
	// armv7l, ppc64le, s390x, riscv64... (see NormalizeArch for OCI names).
	Arch string `json:"arch"`
	// FreeThreaded selects a free-threaded (PEP 703) build: ABI cp313t and
	// no abi3.
	FreeThreaded bool `json:"free_threaded,omitempty"`
}

// String renders the target compactly: "cp312 glibc 2.36 x86_64".
func (t Target) String() string {
	impl := t.Implementation
	if impl == "" {
		impl = "cp"
	}
	ft := ""
	if t.FreeThreaded {
		ft = "t"
	}
	return fmt.Sprintf("%s%s%s %s %s %s", impl, strings.ReplaceAll(t.PythonVersion, ".", ""), ft, t.Libc, t.LibcVersion, t.Arch)
}

// NormalizeArch maps OCI/Go architecture names (amd64, arm64, arm with
// variant v7, 386) to the machine names platform tags use (x86_64, aarch64,
// armv7l, i686); other names are returned lower-cased.
func NormalizeArch(arch, variant string) string {
	switch a := strings.ToLower(arch); a {
	case "amd64", "x86-64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386", "i386", "i586":
		return "i686"
	case "arm":
		if variant == "v6" {
			return "armv6l"
		}
		return "armv7l"
	default:
		return a
	}
}

// version is a major.minor pair.
type version struct{ major, minor int }

func parseVersion(what, s string) (version, error) {
	maj, rest, ok := strings.Cut(strings.TrimSpace(s), ".")
	if !ok {
		return version{}, fmt.Errorf("%s %q: want major.minor", what, s)
	}
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		rest = rest[:i] // 1.2.5 → 1.2
	}
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(rest)
	if err1 != nil || err2 != nil || a < 0 || b < 0 || a > 99 || b > 999 {
		return version{}, fmt.Errorf("%s %q: want major.minor", what, s)
	}
	return version{a, b}, nil
}

var archRe = regexp.MustCompile(`^[a-z0-9_]+$`)

// Validate reports what is wrong with t, if anything.
func (t Target) Validate() error {
	if t.Implementation != "" && t.Implementation != "cp" {
		return fmt.Errorf("target implementation %q: only cp (CPython) is supported", t.Implementation)
	}
	if v, err := parseVersion("target Python version", t.PythonVersion); err != nil {
		return err
	} else if v.major != 3 {
		return fmt.Errorf("target Python version %q: only Python 3 is supported", t.PythonVersion)
	}
	if t.Libc != Glibc && t.Libc != Musl {
		return fmt.Errorf("target libc %q: want glibc or musl", t.Libc)
	}
	if _, err := parseVersion("target "+string(t.Libc)+" version", t.LibcVersion); err != nil {
		return err
	}
	if !archRe.MatchString(t.Arch) {
		return fmt.Errorf("target arch %q: want a machine name such as x86_64 or aarch64", t.Arch)
	}
	return nil
}

// TagOption changes how CompatibleTags orders tags.
type TagOption func(*tagOptions)

type tagOptions struct{ nativeFirst bool }

// WithNativeFirst orders linux_<arch> before the manylinux and musllinux
// platforms, as packaging 26.3 and later do. By default linux_<arch> comes
// last, as in pip (which vendors an older packaging) and packaging ≤ 26.2.
func WithNativeFirst() TagOption { return func(o *tagOptions) { o.nativeFirst = true } }

// manylinuxArchs are the architectures packaging accepts for manylinux
// besides the 32-bit ones (i686, armv7l) it checks by ELF header.
var manylinuxArchs = map[string]bool{"x86_64": true, "aarch64": true, "ppc64": true, "ppc64le": true, "s390x": true, "loongarch64": true, "riscv64": true, "i686": true, "armv7l": true}

// lastGlibcMinor mirrors packaging's _LAST_GLIBC_MINOR guess for glibc
// major versions before the target's.
const lastGlibcMinor = 50

// legacyManylinux maps glibc versions to the legacy manylinux names.
var legacyManylinux = map[version]string{{2, 17}: "manylinux2014", {2, 12}: "manylinux2010", {2, 5}: "manylinux1"}

// PlatformTags returns the platform tags of t, best first, computed as
// packaging's _linux_platforms does for an interpreter on that system.
func PlatformTags(t Target, opts ...TagOption) ([]string, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	var o tagOptions
	for _, opt := range opts {
		opt(&o)
	}
	archs := []string{t.Arch}
	if t.Arch == "armv8l" {
		archs = []string{"armv8l", "armv7l"}
	}
	libcv, _ := parseVersion("libc", t.LibcVersion)
	var out []string
	native := func() {
		for _, a := range archs {
			out = append(out, "linux_"+a)
		}
	}
	if o.nativeFirst {
		native()
	}
	if t.Libc == Glibc && compatibleABI(archs) {
		out = append(out, manylinuxTags(libcv, archs)...)
	}
	if t.Libc == Musl {
		for _, a := range archs {
			for m := libcv.minor; m >= 0; m-- {
				out = append(out, fmt.Sprintf("musllinux_%d_%d_%s", libcv.major, m, a))
			}
		}
	}
	if !o.nativeFirst {
		native()
	}
	return out, nil
}

// compatibleABI mirrors packaging's _have_compatible_abi for a target whose
// interpreter is known to match its arch.
func compatibleABI(archs []string) bool {
	for _, a := range archs {
		if a == "armv7l" || a == "i686" || manylinuxArchs[a] {
			return true
		}
	}
	return false
}

func manylinuxTags(cur version, archs []string) []string {
	tooOld := version{2, 16}
	for _, a := range archs {
		if a == "x86_64" || a == "i686" {
			tooOld = version{2, 4}
		}
	}
	maxes := []version{cur}
	for major := cur.major - 1; major > 1; major-- {
		maxes = append(maxes, version{major, lastGlibcMinor})
	}
	var out []string
	for _, a := range archs {
		for _, m := range maxes {
			minMinor := -1
			if m.major == tooOld.major {
				minMinor = tooOld.minor
			}
			for minor := m.minor; minor > minMinor; minor-- {
				v := version{m.major, minor}
				out = append(out, fmt.Sprintf("manylinux_%d_%d_%s", v.major, v.minor, a))
				if legacy, ok := legacyManylinux[v]; ok {
					out = append(out, legacy+"_"+a)
				}
			}
		}
	}
	return out
}

// CompatibleTags returns the tags a wheel may have to install on t, best
// first, in the order packaging.tags.sys_tags() yields them on such an
// interpreter: cpython_tags (cpXY-cpXY, cpXY-abi3, cpXY-none per platform,
// then abi3 of older minors), then compatible_tags (pyXY/py3/older-none per
// platform, cpXY-none-any, pyXY/py3/older-none-any).
func CompatibleTags(t Target, opts ...TagOption) ([]Tag, error) {
	plats, err := PlatformTags(t, opts...)
	if err != nil {
		return nil, err
	}
	v, _ := parseVersion("python", t.PythonVersion)
	nodot := fmt.Sprintf("%d%d", v.major, v.minor)
	interp := "cp" + nodot
	abi := interp
	if t.FreeThreaded {
		abi += "t"
	}
	useABI3 := !t.FreeThreaded && v.minor >= 2
	n := len(plats)*(3+v.minor*2+2) + v.minor + 3
	out := make([]Tag, 0, n)
	for _, p := range plats {
		out = append(out, Tag{interp, abi, p})
	}
	if useABI3 {
		for _, p := range plats {
			out = append(out, Tag{interp, "abi3", p})
		}
	}
	for _, p := range plats {
		out = append(out, Tag{interp, "none", p})
	}
	if useABI3 {
		for minor := v.minor - 1; minor > 1; minor-- {
			older := fmt.Sprintf("cp%d%d", v.major, minor)
			for _, p := range plats {
				out = append(out, Tag{older, "abi3", p})
			}
		}
	}
	// _py_interpreter_range: pyXY, pyX, then pyX(Y-1) … pyX0.
	pys := []string{"py" + nodot, fmt.Sprintf("py%d", v.major)}
	for minor := v.minor - 1; minor >= 0; minor-- {
		pys = append(pys, fmt.Sprintf("py%d%d", v.major, minor))
	}
	for _, py := range pys {
		for _, p := range plats {
			out = append(out, Tag{py, "none", p})
		}
	}
	out = append(out, Tag{interp, "none", "any"})
	for _, py := range pys {
		out = append(out, Tag{py, "none", "any"})
	}
	return out, nil
}
