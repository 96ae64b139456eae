package native

import (
	"bytes"
	"debug/elf"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Object is what native keeps of one ELF file: the facts the dynamic loader
// uses, never the bytes.
type Object struct {
	// Class is 32 or 64; Machine the ELF machine ("EM_X86_64").
	Class   int    `json:"class"`
	Machine string `json:"machine"`
	// Type is "exec", "dyn" or "rel".
	Type string `json:"type"`
	// Soname is DT_SONAME, empty for executables and most extensions.
	Soname string `json:"soname,omitempty"`
	// Interp is PT_INTERP, the program interpreter ("/lib64/ld-linux-x86-64.so.2").
	Interp string `json:"interp,omitempty"`
	// Needed are the DT_NEEDED entries in order.
	Needed []string `json:"needed,omitempty"`
	// RPath and RunPath are DT_RPATH and DT_RUNPATH, split at ':', unexpanded.
	RPath   []string `json:"rpath,omitempty"`
	RunPath []string `json:"runpath,omitempty"`
	// VersionNeeds maps a needed soname to the symbol versions required from
	// it (.gnu.version_r), e.g. "libc.so.6" → ["GLIBC_2.34"].
	VersionNeeds map[string][]string `json:"version_needs,omitempty"`
	// Versions are the symbol versions this object defines (.gnu.version_d).
	Versions []string `json:"versions,omitempty"`
}

// ErrNotELF is returned by ParseELF for content that is not an ELF object.
var ErrNotELF = errors.New("not an ELF file")

// maxNames bounds the DT_NEEDED, path and version entries kept per object,
// so hostile files cannot make the facts large.
const maxNames = 4096

// ParseELF extracts the dynamic-linking facts of an ELF object from its
// bytes. It reads the program headers, the dynamic section and the GNU
// version sections; it never executes or keeps the content.
func ParseELF(b []byte) (obj *Object, err error) {
	if len(b) < 4 || !bytes.Equal(b[:4], []byte(elf.ELFMAG)) {
		return nil, ErrNotELF
	}
	defer func() {
		// debug/elf is not hardened against every malformed file.
		if r := recover(); r != nil {
			obj, err = nil, fmt.Errorf("parsing ELF: malformed file (%v)", r)
		}
	}()
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parsing ELF: %w", err)
	}
	o := &Object{Machine: f.Machine.String()}
	switch f.Class {
	case elf.ELFCLASS32:
		o.Class = 32
	case elf.ELFCLASS64:
		o.Class = 64
	}
	switch f.Type {
	case elf.ET_EXEC:
		o.Type = "exec"
	case elf.ET_DYN:
		o.Type = "dyn"
	case elf.ET_REL:
		o.Type = "rel"
	default:
		o.Type = f.Type.String()
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP && p.Filesz > 0 && p.Filesz < 4096 {
			buf := make([]byte, p.Filesz)
			if _, err := p.ReadAt(buf, 0); err == nil {
				o.Interp = string(bytes.TrimRight(buf, "\x00"))
			}
			break
		}
	}
	if f.SectionByType(elf.SHT_DYNAMIC) == nil {
		return o, nil
	}
	// Errors from the dynamic section leave the facts read so far: a broken
	// section header table is reported by the loader, not by us.
	if v, err := f.DynString(elf.DT_NEEDED); err == nil {
		o.Needed = capNames(v)
	}
	if v, err := f.DynString(elf.DT_SONAME); err == nil && len(v) > 0 && len(v[0]) <= maxNameLen {
		o.Soname = v[0]
	}
	if v, err := f.DynString(elf.DT_RPATH); err == nil {
		o.RPath = splitPath(v)
	}
	if v, err := f.DynString(elf.DT_RUNPATH); err == nil {
		o.RunPath = splitPath(v)
	}
	if needs, err := f.DynamicVersionNeeds(); err == nil && len(needs) > 0 {
		o.VersionNeeds = map[string][]string{}
		n := 0
		for _, need := range needs {
			for _, d := range need.Needs {
				if n++; n > maxNames {
					break
				}
				o.VersionNeeds[need.Name] = append(o.VersionNeeds[need.Name], d.Dep)
			}
		}
		for k, v := range o.VersionNeeds {
			sort.Strings(v)
			o.VersionNeeds[k] = dedup(v)
		}
	}
	if defs, err := f.DynamicVersions(); err == nil {
		for _, d := range defs {
			if d.Flags&elf.VER_FLG_BASE != 0 || d.Name == "" {
				continue
			}
			o.Versions = append(o.Versions, d.Name)
		}
		o.Versions = capNames(o.Versions)
	}
	return o, nil
}

// maxNameLen bounds the length of one kept name (a soname, a path
// entry, a version), as PATH_MAX does.
const maxNameLen = 4096

func capNames(v []string) []string {
	if len(v) > maxNames {
		v = v[:maxNames]
	}
	out := v[:0]
	for _, s := range v {
		if len(s) <= maxNameLen {
			out = append(out, s)
		}
	}
	return out
}

// size estimates the bytes the facts hold.
func (o *Object) size() int64 {
	n := int64(len(o.Machine) + len(o.Type) + len(o.Soname) + len(o.Interp) + 128)
	for _, vs := range [][]string{o.Needed, o.RPath, o.RunPath, o.Versions} {
		for _, v := range vs {
			n += int64(len(v)) + 16
		}
	}
	for k, vs := range o.VersionNeeds {
		n += int64(len(k)) + 48
		for _, v := range vs {
			n += int64(len(v)) + 16
		}
	}
	return n
}

func splitPath(v []string) []string {
	var out []string
	for _, s := range v {
		for _, p := range strings.Split(s, ":") {
			if p != "" {
				out = append(out, p)
			}
		}
	}
	return capNames(out)
}

func dedup(v []string) []string {
	out := v[:0]
	for i, s := range v {
		if i == 0 || s != v[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// Musl reports whether the object is linked against musl: its interpreter is
// ld-musl-*, or it needs libc.musl-* (Alpine's soname) or a bare libc.so.
func (o *Object) Musl() bool {
	if strings.Contains(o.Interp, "ld-musl-") {
		return true
	}
	for _, n := range o.Needed {
		if strings.HasPrefix(n, "libc.musl-") || n == "libc.so" {
			return true
		}
	}
	return false
}

// Glibc reports whether the object is linked against glibc: its interpreter
// is ld-linux*, or it needs libc.so.6 or GLIBC_ symbol versions.
func (o *Object) Glibc() bool {
	if strings.Contains(o.Interp, "ld-linux") || strings.HasSuffix(o.Interp, "/ld.so.1") {
		return true
	}
	for _, n := range o.Needed {
		if n == "libc.so.6" {
			return true
		}
	}
	return o.MaxVersion("GLIBC_") != ""
}

// MaxVersion returns the highest symbol version with the prefix ("GLIBC_",
// "GLIBCXX_", "CXXABI_") that the object requires from any library, or "".
func (o *Object) MaxVersion(prefix string) string {
	best := ""
	for _, vs := range o.VersionNeeds {
		for _, v := range vs {
			num, ok := strings.CutPrefix(v, prefix)
			// GLIBC_PRIVATE and GLIBC_ABI_DT_RELR are not releases.
			if ok && num != "" && num[0] >= '0' && num[0] <= '9' && compareVersion(num, strings.TrimPrefix(best, prefix)) > 0 {
				best = v
			}
		}
	}
	return best
}

// compareVersion compares dotted numeric versions ("2.34" < "2.4" is false).
// Non-numeric parts compare as 0; "" is lowest.
func compareVersion(a, b string) int {
	if a == b {
		return 0
	}
	if b == "" {
		return 1
	}
	if a == "" {
		return -1
	}
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(as), len(bs)); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return strings.Compare(a, b)
}
