package native

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// needGCC skips the test when gcc is absent, and fails in CI.
func needGCC(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("gcc not found; scripts/install-test-deps.sh installs it")
		}
		t.Skip("SKIPPING: gcc not found (install build-essential)")
	}
}

// gcc compiles C source src into out with args, in a scratch directory.
func gcc(t *testing.T, src, out string, args ...string) {
	t.Helper()
	dir := t.TempDir()
	c := filepath.Join(dir, "src.c")
	if err := os.WriteFile(c, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("gcc", append(append([]string{c, "-o", out}, args...), "-L"+filepath.Dir(out))...)
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gcc %s: %v\n%s", strings.Join(args, " "), err, b)
	}
}

func writeFile(t *testing.T, p, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

const (
	helperSrc = `int helper_v1(void) { return 1; }
int helper_v2(void) { return 2; }
`
	extSrc = `#include <pthread.h>
int helper_v2(void);
int gone(void);
static void *run(void *a) { return a; }
int ext_init(void) {
	pthread_t t;
	pthread_create(&t, 0, run, 0);
	return helper_v2() + gone();
}
`
	site   = "/opt/venv/lib/python3.11/site-packages"
	extRel = site + "/pkg/ext/_ext.cpython-311-x86_64-linux-gnu.so"
)

// fixtureRoot builds a small root filesystem with real ELF files:
//
//   - libhelper.so.1 in site-packages/pkg/lib, built with a version script:
//     the extension links against HELPER_2.0, but the copy in the root only
//     defines HELPER_1.0 (a version gap);
//   - the extension, with DT_RUNPATH $ORIGIN/../lib, needing libhelper.so.1,
//     libgone.so.7 (absent from the root) and pthread_create@GLIBC_2.34;
//   - the host's libc.so.6 in /lib/x86_64-linux-gnu behind a /lib symlink
//     layout like Debian's merged /usr;
//   - a RECORD naming the extension, so its distribution is known.
func fixtureRoot(t *testing.T) string {
	t.Helper()
	needGCC(t)
	build := t.TempDir()
	root := t.TempDir()
	v1 := filepath.Join(build, "v1.map")
	v2 := filepath.Join(build, "v2.map")
	writeFile(t, v1, "HELPER_1.0 { global: helper_v1; helper_v2; local: *; };\n")
	writeFile(t, v2, "HELPER_1.0 { global: helper_v1; local: *; };\nHELPER_2.0 { global: helper_v2; } HELPER_1.0;\n")
	// Link against the v2 library and libgone, then ship the v1 library.
	gcc(t, helperSrc, filepath.Join(build, "libhelper.so.1"), "-shared", "-fPIC", "-Wl,-soname,libhelper.so.1", "-Wl,--version-script="+v2)
	if err := os.Symlink("libhelper.so.1", filepath.Join(build, "libhelper.so")); err != nil {
		t.Fatal(err)
	}
	gcc(t, "int gone(void) { return 0; }\n", filepath.Join(build, "libgone.so.7"), "-shared", "-fPIC", "-Wl,-soname,libgone.so.7")
	if err := os.Symlink("libgone.so.7", filepath.Join(build, "libgone.so")); err != nil {
		t.Fatal(err)
	}
	gcc(t, extSrc, filepath.Join(build, "ext.so"), "-shared", "-fPIC", "-lhelper", "-lgone", "-pthread", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib")
	copyFile(t, filepath.Join(build, "ext.so"), filepath.Join(root, extRel))
	gcc(t, helperSrc, filepath.Join(root, site, "pkg/lib/libhelper.so.1"), "-shared", "-fPIC", "-Wl,-soname,libhelper.so.1", "-Wl,--version-script="+v1)

	libc := "/lib/x86_64-linux-gnu/libc.so.6"
	if _, err := os.Stat(libc); err != nil {
		t.Skipf("SKIPPING: %s not found (not a Debian amd64 host)", libc)
	}
	copyFile(t, libc, filepath.Join(root, "usr/lib/x86_64-linux-gnu/libc.so.6"))
	copyFile(t, "/lib64/ld-linux-x86-64.so.2", filepath.Join(root, "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"))
	if err := os.Symlink("usr/lib", filepath.Join(root, "lib")); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n")
	writeFile(t, filepath.Join(root, site, "pkg-1.0.dist-info/METADATA"), "Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n")
	writeFile(t, filepath.Join(root, site, "pkg-1.0.dist-info/RECORD"), "pkg/ext/_ext.cpython-311-x86_64-linux-gnu.so,,\npkg/lib/libhelper.so.1,,\npkg-1.0.dist-info/METADATA,,\n")
	return root
}

// runGCC runs gcc and returns a reader of the output on success.
func runGCC(args []string) (func(string) []byte, error) {
	if b, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("gcc: %v: %s", err, b)
	}
	return func(p string) []byte {
		b, _ := os.ReadFile(p)
		return b
	}, nil
}
