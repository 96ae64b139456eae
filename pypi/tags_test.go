package pypi

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func tagStrings(tags []Tag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.String()
	}
	return out
}

// TestCompatibleTagsSmallGolden checks a complete list derived by hand from
// packaging's src/packaging/tags.py and _musllinux.py (pypa/packaging main,
// read for this test):
//   - _linux_platforms: manylinux (none on musl), then musllinux_{major}_{minor}
//     for minor = target minor … 0, then linux_<arch> (packaging ≤ 26.2 and pip);
//   - cpython_tags: cp34-cp34-<each platform>, cp34-abi3-<each>, cp34-none-<each>,
//     then for minor 3 … 2: cp3<minor>-abi3-<each>;
//   - compatible_tags: _py_interpreter_range = py34, py3, py33, py32, py31, py30,
//     each with none-<each platform>, then cp34-none-any, then each with none-any.
func TestCompatibleTagsSmallGolden(t *testing.T) {
	got, err := CompatibleTags(Target{PythonVersion: "3.4", Libc: Musl, LibcVersion: "1.1.24", Arch: "aarch64"})
	if err != nil {
		t.Fatal(err)
	}
	want := `cp34-cp34-musllinux_1_1_aarch64 cp34-cp34-musllinux_1_0_aarch64 cp34-cp34-linux_aarch64
cp34-abi3-musllinux_1_1_aarch64 cp34-abi3-musllinux_1_0_aarch64 cp34-abi3-linux_aarch64
cp34-none-musllinux_1_1_aarch64 cp34-none-musllinux_1_0_aarch64 cp34-none-linux_aarch64
cp33-abi3-musllinux_1_1_aarch64 cp33-abi3-musllinux_1_0_aarch64 cp33-abi3-linux_aarch64
cp32-abi3-musllinux_1_1_aarch64 cp32-abi3-musllinux_1_0_aarch64 cp32-abi3-linux_aarch64
py34-none-musllinux_1_1_aarch64 py34-none-musllinux_1_0_aarch64 py34-none-linux_aarch64
py3-none-musllinux_1_1_aarch64 py3-none-musllinux_1_0_aarch64 py3-none-linux_aarch64
py33-none-musllinux_1_1_aarch64 py33-none-musllinux_1_0_aarch64 py33-none-linux_aarch64
py32-none-musllinux_1_1_aarch64 py32-none-musllinux_1_0_aarch64 py32-none-linux_aarch64
py31-none-musllinux_1_1_aarch64 py31-none-musllinux_1_0_aarch64 py31-none-linux_aarch64
py30-none-musllinux_1_1_aarch64 py30-none-musllinux_1_0_aarch64 py30-none-linux_aarch64
cp34-none-any py34-none-any py3-none-any py33-none-any py32-none-any py31-none-any py30-none-any`
	if g, w := strings.Join(tagStrings(got), " "), strings.Join(strings.Fields(want), " "); g != w {
		t.Errorf("CompatibleTags =\n%s\nwant\n%s", g, w)
	}
}

// TestPlatformTagsGlibc checks manylinux per packaging's _manylinux.platform_tags:
// manylinux_2_<minor> from the target's glibc minor down to 2_17 (2_5 on
// x86_64 and i686), each legacy alias right after its manylinux_2_Y
// equivalent (2_17 → manylinux2014, 2_12 → manylinux2010, 2_5 → manylinux1),
// then linux_<arch>; with WithNativeFirst linux_<arch> comes first.
func TestPlatformTagsGlibc(t *testing.T) {
	many := func(arch string, from, to int) []string {
		var out []string
		for m := from; m >= to; m-- {
			out = append(out, "manylinux_2_"+strconv.Itoa(m)+"_"+arch)
			switch m {
			case 17:
				out = append(out, "manylinux2014_"+arch)
			case 12:
				out = append(out, "manylinux2010_"+arch)
			case 5:
				out = append(out, "manylinux1_"+arch)
			}
		}
		return out
	}
	tests := []struct {
		target Target
		opts   []TagOption
		want   []string
	}{
		{Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.36", Arch: "x86_64"}, nil, append(many("x86_64", 36, 5), "linux_x86_64")},
		{Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.41", Arch: "aarch64"}, nil, append(many("aarch64", 41, 17), "linux_aarch64")},
		{Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.17", Arch: "ppc64le"}, nil, []string{"manylinux_2_17_ppc64le", "manylinux2014_ppc64le", "linux_ppc64le"}},
		{Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.12", Arch: "aarch64"}, nil, []string{"linux_aarch64"}},
		{Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.36", Arch: "x86_64"}, []TagOption{WithNativeFirst()}, append([]string{"linux_x86_64"}, many("x86_64", 36, 5)...)},
		{Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.36", Arch: "armv8l"}, nil, append(append(many("armv8l", 36, 17), many("armv7l", 36, 17)...), "linux_armv8l", "linux_armv7l")},
		{Target{PythonVersion: "3.12", Libc: Musl, LibcVersion: "1.2.5", Arch: "x86_64"}, nil, []string{"musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64", "linux_x86_64"}},
		{Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.36", Arch: "sparc"}, nil, []string{"linux_sparc"}},
	}
	for _, tt := range tests {
		got, err := PlatformTags(tt.target, tt.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("PlatformTags(%v) =\n%v\nwant\n%v", tt.target, got, tt.want)
		}
	}
}

// TestCompatibleTagsGlibcShape checks the bookworm target against counts
// and positions derived from packaging: 36 platforms (manylinux 2_36…2_5 =
// 32, three legacy aliases, linux_x86_64); cpython_tags gives 36×3 plus
// 36×10 abi3 tags of cp311…cp32; compatible_tags 36×14 (py312, py3,
// py311…py30) plus 15 "any" tags: 987 in all.
func TestCompatibleTagsGlibcShape(t *testing.T) {
	tags, err := CompatibleTags(Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.36", Arch: "x86_64"})
	if err != nil {
		t.Fatal(err)
	}
	s := tagStrings(tags)
	if len(s) != 987 {
		t.Fatalf("len = %d, want 987", len(s))
	}
	for i, want := range map[int]string{
		0:   "cp312-cp312-manylinux_2_36_x86_64",
		19:  "cp312-cp312-manylinux_2_17_x86_64",
		20:  "cp312-cp312-manylinux2014_x86_64",
		35:  "cp312-cp312-linux_x86_64",
		36:  "cp312-abi3-manylinux_2_36_x86_64",
		72:  "cp312-none-manylinux_2_36_x86_64",
		108: "cp311-abi3-manylinux_2_36_x86_64",
		467: "cp32-abi3-linux_x86_64",
		468: "py312-none-manylinux_2_36_x86_64",
		504: "py3-none-manylinux_2_36_x86_64",
		971: "py30-none-linux_x86_64",
		972: "cp312-none-any",
		973: "py312-none-any",
		974: "py3-none-any",
		986: "py30-none-any",
	} {
		if s[i] != want {
			t.Errorf("tags[%d] = %s, want %s", i, s[i], want)
		}
	}
	ft, err := CompatibleTags(Target{PythonVersion: "3.13", Libc: Glibc, LibcVersion: "2.41", Arch: "x86_64", FreeThreaded: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range ft {
		if tag.ABI == "abi3" {
			t.Fatalf("free-threaded target accepts %s", tag)
		}
	}
	if ft[0].String() != "cp313-cp313t-manylinux_2_41_x86_64" {
		t.Errorf("free-threaded first tag = %s", ft[0])
	}
}

func TestTargetValidate(t *testing.T) {
	good := Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.36", Arch: "x86_64"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		mod  func(*Target)
		want string
	}{
		{func(t *Target) { t.PythonVersion = "3" }, "major.minor"},
		{func(t *Target) { t.PythonVersion = "2.7" }, "only Python 3"},
		{func(t *Target) { t.Implementation = "pp" }, "only cp"},
		{func(t *Target) { t.Libc = "bionic" }, "want glibc or musl"},
		{func(t *Target) { t.LibcVersion = "" }, "glibc version"},
		{func(t *Target) { t.Arch = "x86-64/../" }, "machine name"},
	} {
		bad := good
		tt.mod(&bad)
		if _, err := CompatibleTags(bad); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CompatibleTags(%+v) error = %v, want %q", bad, err, tt.want)
		}
	}
}

func TestNormalizeArch(t *testing.T) {
	for in, want := range map[[2]string]string{{"amd64", ""}: "x86_64", {"arm64", "v8"}: "aarch64", {"arm", "v7"}: "armv7l", {"arm", "v6"}: "armv6l", {"386", ""}: "i686", {"ppc64le", ""}: "ppc64le", {"S390X", ""}: "s390x"} {
		if got := NormalizeArch(in[0], in[1]); got != want {
			t.Errorf("NormalizeArch(%q, %q) = %q, want %q", in[0], in[1], got, want)
		}
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// referencePython returns an interpreter that can import module, or "".
func referencePython(module string) string {
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import "+module+".tags").Run() == nil {
			return py
		}
	}
	return ""
}

// TestCompatibleTagsMatchPackaging compares with the real packaging.tags
// (Debian's python3-packaging, installed by scripts/install-test-deps.sh)
// and with the copy pip vendors (Debian's python3-pip), through
// testdata/packaging_tags.py, which points packaging at each target.
func TestCompatibleTagsMatchPackaging(t *testing.T) {
	for _, module := range []string{"packaging", "pip._vendor.packaging"} {
		t.Run(module, func(t *testing.T) {
			py := referencePython(module)
			if py == "" {
				if os.Getenv("CI") != "" {
					t.Fatalf("python3 with %s is missing; scripts/install-test-deps.sh installs python3-packaging and python3-pip", module)
				}
				t.Skipf("SKIP: no python3 with %s (apt-get install python3-packaging python3-pip); reference comparison not run", module)
			}
			compareWithPackaging(t, py, module)
		})
	}
}

func compareWithPackaging(t *testing.T, py, module string) {
	script, _ := filepath.Abs(filepath.Join("testdata", "packaging_tags.py"))
	targets := []Target{
		{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.36", Arch: "x86_64"},
		{PythonVersion: "3.13", Libc: Glibc, LibcVersion: "2.41", Arch: "aarch64"},
		{PythonVersion: "3.11", Libc: Musl, LibcVersion: "1.2.5", Arch: "x86_64"},
		{PythonVersion: "3.12", Libc: Musl, LibcVersion: "1.2.4", Arch: "aarch64"},
		{PythonVersion: "3.9", Libc: Glibc, LibcVersion: "2.31", Arch: "ppc64le"},
		{PythonVersion: "3.10", Libc: Glibc, LibcVersion: "2.28", Arch: "i686"},
		{PythonVersion: "3.14", Libc: Glibc, LibcVersion: "2.41", Arch: "s390x"},
	}
	verRe := regexp.MustCompile(`packaging (\d+)\.(\d+)`)
	for _, tg := range targets {
		cmd := exec.Command(py, script, tg.PythonVersion, string(tg.Libc), tg.LibcVersion, tg.Arch, module)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", script, err, stderr.String())
		}
		var opts []TagOption
		if m := verRe.FindStringSubmatch(stderr.String()); m != nil && atoi(m[1])*1000+atoi(m[2]) >= 26003 {
			opts = append(opts, WithNativeFirst()) // packaging ≥ 26.3 orders linux_* first
		}
		got, err := CompatibleTags(tg, opts...)
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Fields(string(out))
		g := tagStrings(got)
		if strings.Join(g, "\n") != strings.Join(want, "\n") {
			for i := 0; i < len(g) && i < len(want); i++ {
				if g[i] != want[i] {
					t.Errorf("%v: first difference at %d: got %s, packaging %s", tg, i, g[i], want[i])
					break
				}
			}
			t.Errorf("%v: %d tags, %s (%s) gives %d", tg, len(g), module, strings.TrimSpace(stderr.String()), len(want))
		}
	}
}
