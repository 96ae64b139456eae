package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// libsRoots builds, with gcc, a runtime root whose extension needs
// libpq.so.5 (absent) and a build root that has it, owned by libpq5
// according to its dpkg file list.
func libsRoots(t *testing.T) (runtime, build string) {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("gcc not found")
		}
		t.Skip("SKIPPING: gcc not found")
	}
	if _, err := os.Stat("/lib/x86_64-linux-gnu/libc.so.6"); err != nil {
		t.Skip("SKIPPING: not a Debian amd64 host")
	}
	gcc := func(src, out string, args ...string) {
		t.Helper()
		dir := t.TempDir()
		c := filepath.Join(dir, "s.c")
		if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			t.Fatal(err)
		}
		if b, err := exec.Command("gcc", append([]string{c, "-o", out}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("gcc: %v\n%s", err, b)
		}
	}
	runtime, build = t.TempDir(), t.TempDir()
	lib := "usr/lib/x86_64-linux-gnu"
	for _, root := range []string{runtime, build} {
		writeFile(t, root, "etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n")
		for _, f := range []string{"libc.so.6", "ld-linux-x86-64.so.2"} {
			b, err := os.ReadFile("/lib/x86_64-linux-gnu/" + f)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, root, lib+"/"+f, string(b))
		}
	}
	gcc("int PQlibVersion(void){return 1;}\n", filepath.Join(build, lib, "libpq.so.5.15"), "-shared", "-fPIC", "-Wl,-soname,libpq.so.5")
	if err := os.Symlink("libpq.so.5.15", filepath.Join(build, lib, "libpq.so.5")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, build, "var/lib/dpkg/status", "Package: libpq5\nStatus: install ok installed\nArchitecture: amd64\nVersion: 15.14-0+deb12u1\n\n")
	writeFile(t, build, "var/lib/dpkg/info/libpq5:amd64.list", "/.\n/usr\n/usr/lib\n/"+lib+"\n/"+lib+"/libpq.so.5\n/"+lib+"/libpq.so.5.15\n")
	ext := filepath.Join(runtime, "opt/venv/lib/python3.11/site-packages/pq.cpython-311-x86_64-linux-gnu.so")
	gcc("int PQlibVersion(void); int pq(void){return PQlibVersion();}\n", ext, "-shared", "-fPIC", "-L"+filepath.Join(build, lib), "-l:libpq.so.5")
	return runtime, build
}

func TestLibsCommand(t *testing.T) {
	runtime, build := libsRoots(t)
	ext := "/opt/venv/lib/python3.11/site-packages/pq.cpython-311-x86_64-linux-gnu.so"

	r := run(t, nil, "libs", "--format", "json", runtime)
	if r.code != ExitFindings {
		t.Fatalf("libs --format json: exit %d, want 1\n%s", r.code, r.stderr)
	}
	var got struct {
		Missing []struct {
			Soname    string   `json:"soname"`
			NeededBy  []string `json:"needed_by"`
			Providers []struct {
				Package string `json:"package"`
			} `json:"providers"`
		} `json:"missing"`
		GlibcRequired  *string `json:"glibc_required"`
		GlibcAvailable *string `json:"glibc_available"`
		Libc           string  `json:"libc"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("decoding JSON: %v\n%s", err, r.stdout)
	}
	if len(got.Missing) != 1 || got.Missing[0].Soname != "libpq.so.5" || len(got.Missing[0].NeededBy) != 1 || got.Missing[0].NeededBy[0] != ext {
		t.Fatalf("missing = %+v, want libpq.so.5 needed by %s", got.Missing, ext)
	}
	if p := got.Missing[0].Providers; len(p) != 1 || p[0].Package != "libpq5" {
		t.Errorf("providers = %+v, want libpq5 from the bookworm index", p)
	}
	if got.Libc != "glibc" || got.GlibcRequired == nil || got.GlibcAvailable == nil || *got.GlibcAvailable == "" {
		t.Errorf("libc %q, glibc required %v, available %v", got.Libc, got.GlibcRequired, got.GlibcAvailable)
	}

	r = run(t, nil, "libs", "--emit", "dockerfile", runtime)
	if r.code != ExitFindings || !strings.Contains(r.stdout, "apt-get install -y --no-install-recommends libpq5") {
		t.Errorf("--emit dockerfile: exit %d, output:\n%s", r.code, r.stdout)
	}

	r = run(t, nil, "libs", "--from", build, "--emit", "dockerfile", "--distroless", "--stage", "builder", runtime)
	want := "COPY --from=builder /usr/lib/x86_64-linux-gnu/libpq.so.5* /usr/lib/x86_64-linux-gnu/\n"
	if r.stdout != want {
		t.Errorf("--distroless output:\n%s\nwant:\n%s(stderr: %s)", r.stdout, want, r.stderr)
	}
	r = run(t, nil, "libs", "--from", build, "--format", "json", runtime)
	if !strings.Contains(r.stdout, `"source": "image:`+build+`"`) || !strings.Contains(r.stdout, `"package": "libpq5"`) {
		t.Errorf("--from provider not reported:\n%s", r.stdout)
	}

	if r = run(t, nil, "libs", "--fail-on", "none", runtime); r.code != ExitOK || !strings.Contains(r.stdout, "libpq.so.5  NOT FOUND") {
		t.Errorf("--fail-on none: exit %d, output:\n%s", r.code, r.stdout)
	}
	if r = run(t, nil, "libs", build); r.code != ExitOK {
		t.Errorf("libs on a root with nothing missing: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestLibsUsage(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"libs", "--emit", "compose", dir},
		{"libs", "--distroless", dir},
		{"libs", "--fail-on", "sometimes", dir},
		{"libs", "--format", "xml", dir},
		{"libs", "dir:" + filepath.Join(dir, "absent")},
		{"libs", "oci:" + filepath.Join(dir, "absent")},
	} {
		if r := run(t, nil, args...); r.code != ExitUsage {
			t.Errorf("pyimg %s: exit %d, want 2\n%s", strings.Join(args, " "), r.code, r.stderr)
		}
	}
}
