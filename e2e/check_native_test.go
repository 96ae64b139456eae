package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCheckNativeNeedsMatchBuild builds the C extension example with the
// host's gcc against the system libpq and Python headers, runs it, and
// checks that the packages `pyimg check` names are the ones dpkg says own
// the header it compiled against and the library the built module loads.
func TestCheckNativeNeedsMatchBuild(t *testing.T) {
	skipShort(t)
	for _, tool := range []string{"gcc", "python3-config", "dpkg-query", "ldd"} {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, tool+" not found (scripts/install-test-deps.sh installs gcc, python3-dev and libpq-dev)")
		}
	}
	const header = "/usr/include/postgresql/libpq-fe.h"
	if _, err := os.Stat(header); err != nil {
		skipOrFail(t, header+" missing (libpq-dev)")
	}
	src := filepath.Join(repoRoot, "examples", "c-extension-libpq")

	stdout, stderr, code := runCheck(t, t.TempDir(), "check", "--format", "json", "--now", "2026-11-30", src)
	if code != 0 {
		t.Fatalf("pyimg check = exit %d\n%s", code, stderr)
	}
	var c checkJSON
	var native struct {
		Native []struct {
			Package         string   `json:"package"`
			BuildPackages   []string `json:"build_packages"`
			RuntimePackages []string `json:"runtime_packages"`
		} `json:"native"`
	}
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(stdout), &native); err != nil || len(native.Native) != 1 {
		t.Fatalf("check native = %+v (%v), want one entry for pgver", native.Native, err)
	}
	need := native.Native[0]

	// Build the extension as setup.py would, with the system toolchain.
	python := "/usr/bin/python3"
	out := t.TempDir()
	pkg := filepath.Join(out, "pgver")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"__init__.py", "__main__.py"} {
		b, err := os.ReadFile(filepath.Join(src, "pgver", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(pkg, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmdOut := func(name string, args ...string) string {
		t.Helper()
		b, err := exec.Command(name, args...).Output()
		if err != nil {
			t.Fatalf("%s %v: %v", name, args, err)
		}
		return strings.TrimSpace(string(b))
	}
	includes := strings.Fields(cmdOut("python3-config", "--includes"))
	suffix := cmdOut("python3-config", "--extension-suffix")
	so := filepath.Join(pkg, "_pgver"+suffix)
	args := append([]string{"-shared", "-fPIC", "-O2", "-I/usr/include/postgresql"}, includes...)
	args = append(args, filepath.Join(src, "pgver", "_pgver.c"), "-lpq", "-o", so)
	if b, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
		t.Fatalf("gcc %v: %v\n%s", args, err, b)
	}
	run := exec.Command(python, "-m", "pgver")
	run.Dir = out
	b, err := run.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(b), "libpq ") {
		t.Fatalf("python -m pgver = %q, %v; want \"libpq N.M\"", b, err)
	}
	t.Logf("built example prints %s", strings.TrimSpace(string(b)))

	// dpkg, not pyimg, says which packages the header and the loaded library come from.
	owner := func(path string) string {
		t.Helper()
		o := cmdOut("dpkg-query", "-S", path)
		name, _, _ := strings.Cut(o, ":")
		return name
	}
	if dev := owner(header); !slices.Contains(need.BuildPackages, dev) {
		t.Errorf("the header comes from %s; check's build packages are %v", dev, need.BuildPackages)
	}
	var lib string
	for _, line := range strings.Split(cmdOut("ldd", so), "\n") {
		if f := strings.Fields(line); len(f) >= 3 && strings.HasPrefix(f[0], "libpq.so") {
			lib = f[2]
		}
	}
	if lib == "" {
		t.Fatalf("ldd %s does not list libpq", so)
	}
	resolved, err := filepath.EvalSymlinks(lib)
	if err != nil {
		t.Fatal(err)
	}
	// dpkg records the path under /usr/lib on merged-/usr systems.
	rt := ""
	for _, p := range []string{lib, resolved, strings.Replace(resolved, "/lib/", "/usr/lib/", 1), strings.TrimPrefix(resolved, "/usr")} {
		if o, err := exec.Command("dpkg-query", "-S", p).Output(); err == nil {
			rt, _, _ = strings.Cut(strings.TrimSpace(string(o)), ":")
			break
		}
	}
	if rt == "" || !slices.Contains(need.RuntimePackages, rt) {
		t.Errorf("the module loads %s from package %q; check's runtime packages are %v", lib, rt, need.RuntimePackages)
	}
	if c.Musl.Verdict != "source-builds" {
		t.Errorf("musl verdict = %q, want source-builds for a project with its own C extension", c.Musl.Verdict)
	}
}
