package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
	"github.com/pyimg/pyimg/internal/wheeltest"
)

// TestBuildBadInput checks that each kind of bad input fails with exit 2
// or 3 and a message naming the problem, writing and pushing nothing.
func TestBuildBadInput(t *testing.T) {
	base := buildBase(t)
	in := newBuildInputs(t)
	extra := t.TempDir() // wheels only some cases use
	sdist := filepath.Join(extra, "srconly-1.0.tar.gz")
	if err := os.WriteFile(sdist, []byte("not really a tarball"), 0o644); err != nil {
		t.Fatal(err)
	}
	foreign, err := wheeltest.Pure(extra, wheeltest.Spec{Name: "foreign", Version: "1.0", Tag: "cp312-cp312-manylinux_2_17_x86_64"})
	if err != nil {
		t.Fatal(err)
	}
	dotdot, err := wheeltest.Corrupt(extra, wheeltest.Spec{Name: "dotdot", Version: "1.0"}, wheeltest.DotDot)
	if err != nil {
		t.Fatal(err)
	}
	mismatch, err := wheeltest.Corrupt(extra, wheeltest.Spec{Name: "badrecord", Version: "1.0"}, wheeltest.HashMismatch)
	if err != nil {
		t.Fatal(err)
	}
	var libpq string
	if in.cext {
		libpq, err = wheeltest.CExtension(context.Background(), extra, wheeltest.Libpq("pqext", "1.0"))
		if err != nil && !errors.Is(err, wheeltest.ErrUnavailable) {
			t.Fatal(err)
		}
	}
	pin := func(p, name string) string {
		parts := strings.SplitN(filepath.Base(p), "-", 3)
		return fmt.Sprintf("%s==%s --hash=sha256:%s", name, parts[1], sha256File(t, p))
	}
	host := ""
	tests := []struct {
		name  string
		lock  string // requirements.txt ("" keeps the good one); "-" removes it
		files map[string]string
		args  []string
		code  []int
		want  []string
	}{
		{name: "sdist only", lock: in.lock(t, nil) + pin(sdist, "srconly") + "\n", args: []string{"--wheelhouse", extra},
			code: []int{2}, want: []string{"srconly", "source distribution", "--wheelhouse"}},
		{name: "no wheel for the target", lock: in.lock(t, nil) + pin(foreign, "foreign") + "\n", args: []string{"--wheelhouse", extra},
			code: []int{2}, want: []string{"foreign==1.0", "cp311-cp311-manylinux", "do not match", "pyimg generate"}},
		{name: "linux tag refused", args: []string{"--no-allow-linux"}, code: []int{2}, want: []string{"fastmath", "--allow-linux-tag"}},
		{name: "hash mismatch", lock: in.lock(t, map[string]string{"greet": "greet==1.2.0 --hash=sha256:" + strings.Repeat("0", 64)}),
			code: []int{2}, want: []string{"greet", "sha256:" + strings.Repeat("0", 64)}},
		{name: "dotdot entry", lock: in.lock(t, nil) + pin(dotdot, "dotdot") + "\n", args: []string{"--wheelhouse", extra},
			code: []int{2}, want: []string{filepath.Base(dotdot), "../escaped.txt"}},
		{name: "RECORD mismatch", lock: in.lock(t, nil) + pin(mismatch, "badrecord") + "\n", args: []string{"--wheelhouse", extra},
			code: []int{2}, want: []string{filepath.Base(mismatch), "RECORD"}},
		{name: "missing native library", lock: "LIBPQ", args: []string{"--wheelhouse", extra},
			code: []int{2}, want: []string{"pqext==1.0", "libpq.so.5 not found", "apt libpq5"}},
		{name: "unsupported lock", lock: "-", files: map[string]string{"poetry.lock": "[[package]]\nname = \"greet\"\nversion = \"1.2.0\"\n"},
			code: []int{2}, want: []string{"poetry.lock", "greet==1.2.0 has no sha256 hash"}},
		{name: "no lock", lock: "-", code: []int{2}, want: []string{"unsupported or missing lock"}},
		{name: "unreachable registry", args: []string{"--push", "127.0.0.1:1/pyimg-e2e/nothing:1", "--insecure"}, code: []int{3}, want: []string{"127.0.0.1:1"}},
		{name: "push after a failure", lock: in.lock(t, map[string]string{"greet": "greet==1.2.0 --hash=sha256:" + strings.Repeat("0", 64)}),
			args: []string{"--push", "REGISTRY/pyimg-e2e/bad:1", "--insecure"}, code: []int{2}, want: []string{"greet"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			proj := filepath.Join(dir, "proj")
			copyTree(t, in.project, proj)
			switch tt.lock {
			case "LIBPQ":
				if libpq == "" {
					skipOrFail(t, "no libpq to link a C extension against (apt install libpq-dev)")
				}
				tt.lock = in.lock(t, nil) + pin(libpq, "pqext") + "\n"
				if err := os.WriteFile(filepath.Join(proj, "requirements.txt"), []byte(tt.lock), 0o644); err != nil {
					t.Fatal(err)
				}
			case "":
			case "-":
				os.Remove(filepath.Join(proj, "requirements.txt"))
			default:
				if err := os.WriteFile(filepath.Join(proj, "requirements.txt"), []byte(tt.lock), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for name, content := range tt.files {
				if err := os.WriteFile(filepath.Join(proj, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			outDir := filepath.Join(dir, "out")
			os.MkdirAll(outDir, 0o755)
			args := []string{"--base", base, "--index-url", in.index.IndexURL(), "--allow-linux-tag", "--output", "oci-archive:" + filepath.Join(outDir, "img.tar")}
			var pushRef string
			for i := 0; i < len(tt.args); i++ {
				a := tt.args[i]
				switch {
				case a == "--no-allow-linux":
					args = append(args[:4], args[5:]...) // drop --allow-linux-tag
					if !in.cext {
						t.Skip("no C extension wheel")
					}
				case strings.HasPrefix(a, "REGISTRY/"):
					if host == "" {
						host = registry(t)
					}
					pushRef = host + strings.TrimPrefix(a, "REGISTRY")
					args = append(args, pushRef)
				default:
					args = append(args, a)
				}
			}
			_, stderr, code := runBuild(t, "022", "UTC", dir, append(args, proj)...)
			if !contains(tt.code, code) {
				t.Fatalf("exit %d, want %v\n%s", code, tt.code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if ents, _ := os.ReadDir(outDir); len(ents) != 0 {
				t.Errorf("failed build left %d files in the output directory", len(ents))
			}
			if pushRef != "" {
				if out, err := exec.Command("skopeo", "inspect", "--tls-verify=false", "docker://"+pushRef).CombinedOutput(); err == nil {
					t.Errorf("failed build pushed %s:\n%s", pushRef, out)
				}
			}
		})
	}
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// TestBuildTargetFromDpkg plans a build on the "wasted" fixture (Debian's
// python3 with dpkg status) and checks the target against the dpkg status
// read with archive/tar: interpreter, full Python version, glibc version.
func TestBuildTargetFromDpkg(t *testing.T) {
	set := fixtures(t)
	in := newBuildInputs(t)
	status := string(finalDpkgStatus(t, set.Path(fx.Wasted, fx.OCILayout)))
	version := func(pkg string) string {
		for _, stanza := range strings.Split(status, "\n\n") {
			if strings.Contains(stanza, "Package: "+pkg+"\n") {
				for _, l := range strings.Split(stanza, "\n") {
					if v, ok := strings.CutPrefix(l, "Version: "); ok {
						return v
					}
				}
			}
		}
		t.Fatalf("dpkg status has no %s", pkg)
		return ""
	}
	stdout, stderr, code := runBuild(t, "022", "UTC", t.TempDir(), "--dry-run", "--format", "json", "--base", set.Ref(fx.Wasted, fx.OCILayout),
		"--index-url", in.index.IndexURL(), "--allow-linux-tag", in.project)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var plan struct {
		Target struct {
			Interpreter, ABI, Libc, Arch string
			PythonFull                   string `json:"python_full_version"`
			LibcVersion                  string `json:"libc_version"`
		} `json:"target"`
		Wheels []struct{ Name, File string } `json:"wheels"`
	}
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatalf("%v\n%s", err, stdout)
	}
	tg := plan.Target
	py := version("python3.11-minimal")
	libc := version("libc6")
	if tg.Interpreter != "/usr/bin/python3.11" || tg.ABI != "cp311" || tg.Libc != "glibc" || tg.Arch != "x86_64" ||
		!strings.HasPrefix(py, tg.PythonFull+"-") || !strings.HasPrefix(libc, tg.LibcVersion+"-") {
		t.Errorf("target = %+v; dpkg says python3.11-minimal %s, libc6 %s", tg, py, libc)
	}
	if len(plan.Wheels) != len(in.versions)-1 { // the project is not a wheel of the lock
		t.Errorf("plan has %d wheels, want %d", len(plan.Wheels), len(in.versions)-1)
	}
}
