package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
	"github.com/pyimg/pyimg/internal/indextest"
	"github.com/pyimg/pyimg/internal/wheeltest"
	"github.com/pyimg/pyimg/pypi"
)

// pypiIndex is a local index directory with wheels built here and the real
// wheels Debian ships.
type pypiIndex struct {
	dir    string
	debian []string // Debian's wheel file names
	cext   string   // the gcc-built wheel's file name ("" when gcc or headers are missing)
	host   wheeltest.Host
}

// buildPypiIndex writes: hello-lib (pure library), demo-cli (console
// script, .data/scripts, Requires-Dist hello-lib), fastext (a C extension
// compiled with gcc, plus an sdist) and Debian's pip, setuptools and wheel.
func buildPypiIndex(t *testing.T) *pypiIndex {
	t.Helper()
	skipShort(t)
	ix := &pypiIndex{dir: t.TempDir()}
	specs := []wheeltest.Spec{
		{Name: "Hello.Lib", Version: "1.0", Files: map[string]string{"hello_lib/__init__.py": "def greet():\n    return 'hello from hello_lib'\n"}},
		{Name: "demo-cli", Version: "2.0", RequiresPython: ">=3.8", RequiresDist: []string{"hello-lib>=1.0"},
			Files:          map[string]string{"demo_cli/__init__.py": "import hello_lib\n\ndef main():\n    print('demo-cli:', hello_lib.greet())\n"},
			ConsoleScripts: map[string]string{"demo-cli": "demo_cli:main"},
			Scripts:        map[string]string{"demo-tool": "#!python\nprint('demo-tool ok')\n"}},
	}
	for _, s := range specs {
		if _, err := wheeltest.Pure(ix.dir, s); err != nil {
			t.Fatal(err)
		}
	}
	names, err := indextest.AddDebianWheels(ix.dir)
	if err != nil {
		skipOrFail(t, fmt.Sprintf("Debian wheels: %v", err))
	}
	ix.debian = names
	ctx := context.Background()
	path, err := wheeltest.CExtension(ctx, ix.dir, wheeltest.CSpec{Spec: wheeltest.Spec{Name: "fastext", Version: "0.3"}})
	switch {
	case errors.Is(err, wheeltest.ErrUnavailable):
		skipOrFail(t, fmt.Sprintf("C extension wheel: %v (install gcc python3-dev)", err))
	case err != nil:
		t.Fatal(err)
	}
	ix.cext = filepath.Base(path)
	ix.host, _ = wheeltest.HostPython(ctx, "")
	writeSdist(t, filepath.Join(ix.dir, "fastext-0.3.tar.gz"), "fastext-0.3")
	return ix
}

// writeSdist writes a minimal PEP 625 sdist archive (PKG-INFO only).
func writeSdist(t *testing.T, path, root string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	body := []byte("Metadata-Version: 2.1\nName: fastext\nVersion: 0.3\n")
	if err := tw.WriteHeader(&tar.Header{Name: root + "/PKG-INFO", Mode: 0o644, Size: int64(len(body))}); err != nil {
		t.Fatal(err)
	}
	tw.Write(body)
	tw.Close()
	gz.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func startPypiIndex(t *testing.T, dir string, opts ...indextest.Option) *indextest.Server {
	t.Helper()
	srv, err := indextest.New(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// TestPypiClient exercises package pypi through real HTTP against the test
// index: JSON and HTML pages, hashes of Debian's real wheels, the cache and
// its revalidation, offline mode, credentials kept out of errors, wheel
// choice and the feasibility verdicts.
func TestPypiClient(t *testing.T) {
	ix := buildPypiIndex(t)
	ctx := context.Background()
	const user, pass = "e2e-user", "e2e-pass-s3cret"
	jsonSrv := startPypiIndex(t, ix.dir, indextest.WithBasicAuth(user, pass), indextest.WithCoreMetadata())
	htmlSrv := startPypiIndex(t, ix.dir, indextest.WithOnly(indextest.HTMLOnly))
	cache := t.TempDir()

	jc, err := pypi.NewClient(pypi.WithIndexURL(jsonSrv.IndexURL()), pypi.WithCacheDir(cache), pypi.WithTTL(0))
	if err != nil {
		t.Fatal(err)
	}
	hc, err := pypi.NewClient(pypi.WithIndexURL(htmlSrv.IndexURL()), pypi.WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"pip", "setuptools", "wheel"} {
		pj, err := jc.Project(ctx, name)
		if err != nil {
			t.Fatalf("JSON %s: %v", name, err)
		}
		ph, err := hc.Project(ctx, name)
		if err != nil {
			t.Fatalf("HTML %s: %v", name, err)
		}
		if len(pj.Files) != 1 || len(ph.Files) != 1 || pj.Files[0].SHA256() != ph.Files[0].SHA256() || pj.Files[0].Filename != ph.Files[0].Filename {
			t.Fatalf("%s: JSON %+v, HTML %+v", name, pj.Files, ph.Files)
		}
		f := pj.Files[0]
		local, err := os.ReadFile(filepath.Join(indextest.DebianWheelsDir, f.Filename))
		if err != nil {
			t.Fatalf("%s is not one of Debian's wheels: %v", f.Filename, err)
		}
		path, err := jc.Download(ctx, f, "")
		if err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if !bytes.Equal(got, local) {
			t.Errorf("%s: downloaded bytes differ from %s", f.Filename, indextest.DebianWheelsDir)
		}
		w, err := pypi.ParseWheelFilename(f.Filename)
		if err != nil || w.Project != name {
			t.Errorf("ParseWheelFilename(%s) = %+v, %v", f.Filename, w, err)
		}
	}
	var jsonPages, revalidated int
	for _, r := range jsonSrv.Requests() {
		if strings.HasPrefix(r.Path, "/simple/") && r.ContentType == indextest.MediaJSON {
			jsonPages++
		}
	}
	// TTL 0: asking again revalidates with the ETag and gets 304.
	if _, err := jc.Project(ctx, "pip"); err != nil {
		t.Fatal(err)
	}
	for _, r := range jsonSrv.Requests() {
		if r.Status == 304 && r.IfNoneMatch != "" {
			revalidated++
		}
	}
	if jsonPages != 3 || revalidated != 1 {
		t.Errorf("JSON pages %d (want 3), 304 revalidations %d (want 1)", jsonPages, revalidated)
	}

	// Wheel choice: the host's C extension (linux_<arch>) only with AllowLinuxTag.
	parts := strings.Split(ix.host.Tag, "-") // cp311-cp311-linux_x86_64
	arch, isLinux := strings.CutPrefix(parts[2], "linux_")
	if !strings.HasPrefix(parts[0], "cp3") || !isLinux {
		t.Fatalf("host tag %s is not a CPython Linux tag", ix.host.Tag)
	}
	target := pypi.Target{PythonVersion: "3." + parts[0][3:], Libc: pypi.Glibc, LibcVersion: "2.36", Arch: arch}
	tags, err := pypi.CompatibleTags(target)
	if err != nil {
		t.Fatal(err)
	}
	fe, err := jc.Project(ctx, "fastext")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := pypi.NewRanker(tags).Best(fe.Wheels()); ok {
		t.Errorf("%s chosen without AllowLinuxTag", ix.cext)
	}
	if w, ok := pypi.NewRanker(tags, pypi.AllowLinuxTag()).Best(fe.Wheels()); !ok || w.Filename != ix.cext {
		t.Errorf("with AllowLinuxTag: %v %v, want %s", w, ok, ix.cext)
	}

	// Feasibility through the real client.
	reqs := []pypi.Requirement{{Name: "demo-cli", Version: "2.0"}, {Name: "hello.lib", Version: "1.0"}, {Name: "fastext", Version: "0.3"}, {Name: "pip", Version: "23.0.1"}}
	bases := []pypi.Base{{Name: "bookworm", Libc: pypi.Glibc, LibcVersion: "2.36"}, {Name: "alpine3.22", Libc: pypi.Musl, LibcVersion: "1.2.5"}}
	res, err := pypi.CheckFeasibility(ctx, jc, pypi.FeasibilityInput{Python: target.PythonVersion, Arch: arch, Requirements: reqs, Bases: bases})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range res.Bases {
		if b.Verdict != pypi.StatusSourceBuild || b.Packages[2].Sdist != "fastext-0.3.tar.gz" || b.Packages[0].Status != pypi.StatusWheel {
			t.Errorf("%s: %s\n%+v", b.Base.Name, b.Summary, b.Packages)
		}
	}
	allow, err := pypi.CheckFeasibility(ctx, jc, pypi.FeasibilityInput{Python: target.PythonVersion, Arch: arch, Requirements: reqs, Bases: bases}, pypi.WithSelection(pypi.AllowLinuxTag()))
	if err != nil {
		t.Fatal(err)
	}
	if allow.Bases[0].Verdict != pypi.StatusWheel || allow.Bases[0].Packages[2].Wheel != ix.cext {
		t.Errorf("bookworm with AllowLinuxTag: %s", allow.Bases[0].Summary)
	}
	if !strings.Contains(allow.Bases[1].Packages[2].Reason, "musl") {
		t.Errorf("alpine reason for fastext: %s", allow.Bases[1].Packages[2].Reason)
	}

	// Offline: the cache answers with the index gone; what is not cached is a clear error.
	jsonSrv.Close()
	off, err := pypi.NewClient(pypi.WithIndexURL(jsonSrv.IndexURL()), pypi.WithCacheDir(cache), pypi.WithOffline(true))
	if err != nil {
		t.Fatal(err)
	}
	if p, err := off.Project(ctx, "pip"); err != nil || len(p.Files) != 1 {
		t.Errorf("offline from cache: %v %v", p, err)
	} else if _, err := off.Download(ctx, p.Files[0], ""); err != nil {
		t.Errorf("offline download from cache: %v", err)
	}
	_, err = off.Project(ctx, "not-cached")
	if !errors.Is(err, pypi.ErrOffline) || !strings.Contains(err.Error(), "offline") {
		t.Errorf("offline miss: %v", err)
	}
	// Credentials never show: not in errors against a dead index, not in the cache.
	online, _ := pypi.NewClient(pypi.WithIndexURL(jsonSrv.IndexURL()), pypi.WithCacheDir(t.TempDir()))
	_, deadErr := online.Project(ctx, "pip")
	for _, e := range []error{err, deadErr} {
		if e == nil || strings.Contains(e.Error(), pass) || strings.Contains(e.Error(), user) {
			t.Errorf("error leaks credentials or is missing: %v", e)
		}
	}
	filepath.Walk(cache, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(pass)) {
				t.Errorf("cache file %s holds the password", p)
			}
		}
		return nil
	})
}

// TestPypiHostPipInstalls proves the index is a real one: Debian's pip on
// this host resolves a dependency through it, verifies the hashes it
// publishes and installs the wheels (the gcc-built extension imports).
func TestPypiHostPipInstalls(t *testing.T) {
	ix := buildPypiIndex(t)
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-m", "pip", "--version").Run(); err != nil {
		skipOrFail(t, fmt.Sprintf("%s -m pip: %v (install python3-pip)", py, err))
	}
	for _, only := range []indextest.Format{indextest.Both, indextest.HTMLOnly} {
		srv := startPypiIndex(t, ix.dir, indextest.WithOnly(only), indextest.WithBasicAuth("pip", "pw"))
		target := t.TempDir()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		cmd := exec.CommandContext(ctx, py, "-m", "pip", "install", "--no-cache-dir", "--disable-pip-version-check",
			"--target", target, "--index-url", srv.IndexURL(), "demo-cli==2.0", "fastext==0.3", "--only-binary", ":all:")
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("pip install (format %d): %v\n%s", only, err, out)
		}
		run := exec.Command(filepath.Join(target, "bin", "demo-cli"))
		run.Env = append(os.Environ(), "PYTHONPATH="+target)
		if out, err := run.CombinedOutput(); err != nil || string(out) != "demo-cli: hello from hello_lib\n" {
			t.Errorf("demo-cli: %v %q", err, out)
		}
		imp := exec.Command(py, "-c", "import fastext; print(fastext.hello())")
		imp.Env = append(os.Environ(), "PYTHONPATH="+target)
		if out, err := imp.CombinedOutput(); err != nil || string(out) != "hello from fastext\n" {
			t.Errorf("import fastext: %v %q", err, out)
		}
		var sawPage bool
		for _, r := range srv.Requests() {
			if r.Path == "/simple/hello-lib/" && r.Status == 200 {
				sawPage = true
			}
		}
		if !sawPage {
			t.Errorf("pip did not resolve hello-lib through the index: %+v", srv.Requests())
		}
		dl := t.TempDir()
		out, err = exec.Command(py, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "--disable-pip-version-check",
			"--index-url", srv.IndexURL(), "-d", dl, "pip", "setuptools", "wheel").CombinedOutput()
		if err != nil {
			t.Fatalf("pip download of Debian's wheels: %v\n%s", err, out)
		}
		for _, name := range ix.debian {
			a, _ := os.ReadFile(filepath.Join(indextest.DebianWheelsDir, name))
			b, err := os.ReadFile(filepath.Join(dl, name))
			if err != nil || !bytes.Equal(a, b) {
				t.Errorf("pip download %s: %v", name, err)
			}
		}
	}
}

// TestPypiPipInFixture runs Debian's pip inside the e2e debootstrap image
// (buildah, host network) against the index on 127.0.0.1: the console
// script and the C extension work in the image too.
func TestPypiPipInFixture(t *testing.T) {
	set := fixtures(t)
	ix := buildPypiIndex(t)
	srv := startPypiIndex(t, ix.dir)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	work := t.TempDir()
	policy := filepath.Join(work, "policy.json")
	if err := os.WriteFile(policy, []byte(`{"default":[{"type":"insecureAcceptAnything"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	buildah := func(args ...string) string {
		t.Helper()
		global := []string{"--root", filepath.Join(work, "storage"), "--runroot", filepath.Join(work, "run"), "--storage-driver", "vfs"}
		cmd := exec.CommandContext(ctx, "buildah", append(global, args...)...)
		cmd.Env = append(os.Environ(), "BUILDAH_ISOLATION=chroot", "CONTAINERS_REGISTRIES_CONF="+filepath.Join(work, "registries.conf"))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("buildah %s: %v\n%s\n%s", strings.Join(args, " "), err, out, stderr.String())
		}
		return strings.TrimSpace(string(out))
	}
	t.Cleanup(func() {
		global := []string{"--root", filepath.Join(work, "storage"), "--runroot", filepath.Join(work, "run"), "--storage-driver", "vfs"}
		exec.Command("buildah", append(global, "rm", "--all")...).Run()
		exec.Command("buildah", append(global, "rmi", "--all", "--force")...).Run()
	})
	if err := os.WriteFile(filepath.Join(work, "registries.conf"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ctr := buildah("from", "--signature-policy", policy, "--pull-never", set.Ref(fx.Wasted, fx.OCIArchive))
	script := fmt.Sprintf(`set -e
python3 -m venv /tmp/pypi-e2e
/tmp/pypi-e2e/bin/pip install --no-cache-dir --disable-pip-version-check --index-url %s demo-cli==2.0 fastext==0.3 --only-binary :all:
/tmp/pypi-e2e/bin/demo-cli
/tmp/pypi-e2e/bin/demo-tool
/tmp/pypi-e2e/bin/python -c 'import fastext; print(fastext.hello())'
`, srv.IndexURL())
	out := buildah("run", "--network", "host", ctr, "--", "sh", "-c", script)
	for _, want := range []string{"Successfully installed", "demo-cli: hello from hello_lib", "demo-tool ok", "hello from fastext"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
