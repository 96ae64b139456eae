package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
	"github.com/pyimg/pyimg/internal/indextest"
	"github.com/pyimg/pyimg/internal/wheeltest"
)

// buildBase is the base image of the build tests: the fixture built from
// the debootstrap'ed Debian bookworm, with Debian's python3.11 and the
// libraries it links, no shell, user 65532.
func buildBase(t *testing.T) string {
	return fixtures(t).Ref(fx.Distroless, fx.OCIArchive)
}

// buildResult is `pyimg build --format json`.
type buildResult struct {
	Digest    string `json:"digest"`
	Reference string `json:"reference"`
	Layers    []struct {
		Digest string `json:"digest"`
		Size   int64  `json:"size"`
		Kind   string `json:"kind"`
	} `json:"layers"`
	Packages int `json:"packages"`
}

// buildInputs are the wheels, index and project of the build tests.
type buildInputs struct {
	wheels  string // the index directory
	index   *indextest.Server
	project string
	// versions maps each distribution the image must hold to its version.
	versions map[string]string
	cext     bool
	pip      string // the version of Debian's pip wheel
}

const webappSource = `import http.server, sys, threading, urllib.request

class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"webapp ok\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass

def main():
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    if "--self-test" not in sys.argv:
        srv.serve_forever()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    port = srv.server_address[1]
    with urllib.request.urlopen("http://127.0.0.1:%d/" % port) as r:
        print(r.status, r.read().decode().strip())
    with open("/app/static/index.html") as f:
        print(f.read().strip())
`

// newBuildInputs builds the test wheels (pure with console scripts, one
// with .data/scripts, a gcc C extension), adds Debian's real wheels, serves
// them as a PEP 691 index and writes a project whose requirements.txt pins
// all of them with hashes.
func newBuildInputs(t *testing.T) *buildInputs {
	t.Helper()
	root := t.TempDir()
	in := &buildInputs{wheels: filepath.Join(root, "index"), project: filepath.Join(root, "webapp"), versions: map[string]string{}}
	for _, d := range []string{in.wheels, filepath.Join(in.project, "src", "webapp"), filepath.Join(in.project, "static")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	specs := []wheeltest.Spec{
		{Name: "greet", Version: "1.2.0", Files: map[string]string{"greet/__init__.py": "def main():\n    print('greet 1.2.0')\n"},
			ConsoleScripts: map[string]string{"greet": "greet:main"}},
		{Name: "data-tool", Version: "2.0", Files: map[string]string{"data_tool/__init__.py": ""},
			Scripts: map[string]string{"data-tool-run": "#!python\nimport sys\nprint('data-tool ok', sys.executable)\n"},
			Data:    map[string]string{"share/data-tool/notes.txt": "notes\n"}},
	}
	for _, s := range specs {
		if _, err := wheeltest.Pure(in.wheels, s); err != nil {
			t.Fatal(err)
		}
		in.versions[s.Name] = s.Version
	}
	_, err := wheeltest.CExtension(context.Background(), in.wheels, wheeltest.CSpec{Spec: wheeltest.Spec{Name: "fastmath", Version: "0.9"}})
	switch {
	case errors.Is(err, wheeltest.ErrUnavailable):
		if inCI() {
			t.Fatalf("building the C extension: %v", err)
		}
		t.Logf("no C extension (%v): the C-extension checks are skipped", err)
	case err != nil:
		t.Fatal(err)
	default:
		in.cext = true
		in.versions["fastmath"] = "0.9"
	}
	debian, err := indextest.AddDebianWheels(in.wheels)
	if err != nil {
		skipOrFail(t, fmt.Sprintf("Debian's wheels (python3-pip-whl, python3-setuptools-whl, python3-wheel-whl): %v", err))
	}
	for _, w := range debian {
		parts := strings.SplitN(w, "-", 3)
		in.versions[parts[0]] = parts[1]
	}
	in.index, err = indextest.New(in.wheels)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(in.index.Close)

	write := func(rel, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(in.project, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pyproject.toml", `[project]
name = "webapp"
version = "0.3.0"
requires-python = ">=3.9"

[project.scripts]
webapp = "webapp:main"

[tool.pyimg.build]
include = ["static"]
ports = ["8000"]
`)
	write("src/webapp/__init__.py", webappSource)
	write("static/index.html", "<p>static ok</p>\n")
	// Debian's pip wheel ships colorama's test suite (a PY604 leftover):
	// the analyzed image installs setuptools and wheel; pip is installed
	// in its own build (TestBuild/pip).
	write("requirements.txt", in.lock(t, map[string]string{"pip": ""}))
	in.pip = in.versions["pip"]
	delete(in.versions, "pip")
	in.versions["webapp"] = "0.3.0"
	return in
}

// lock returns a requirements.txt pinning every wheel of the index with
// its hash; override replaces the line of a distribution.
func (in *buildInputs) lock(t *testing.T, override map[string]string) string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(in.wheels, "*.whl"))
	sort.Strings(paths)
	var b strings.Builder
	b.WriteString("# pinned for pyimg build\n")
	for _, p := range paths {
		parts := strings.SplitN(filepath.Base(p), "-", 3)
		name := parts[0]
		if line, ok := override[name]; ok {
			if line != "" {
				b.WriteString(line + "\n")
			}
			continue
		}
		fmt.Fprintf(&b, "%s==%s \\\n    --hash=sha256:%s\n", name, parts[1], sha256File(t, p))
	}
	return b.String()
}

func sha256File(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// runBuild runs `pyimg build` through sh with the given umask, TZ and
// working directory, and its own cache directory.
func runBuild(t *testing.T, umask, tz, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	skipShort(t)
	if pyimgErr != nil {
		t.Fatal("pyimg binary unavailable; see the error printed before the tests ran")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	c := exec.CommandContext(ctx, "sh", "-c", "umask "+umask+" && exec '"+pyimgBin+"' build "+strings.Join(quoted, " "))
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr, c.Dir = &out, &errb, dir
	c.Env = append(os.Environ(), "NO_COLOR=1", "TZ="+tz, "TMPDIR="+dir, "XDG_CACHE_HOME="+filepath.Join(dir, "cache"), "SOURCE_DATE_EPOCH=1700000000")
	start := time.Now()
	err := c.Run()
	t.Logf("pyimg build %s: %s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("running pyimg build: %v", err)
	}
	return out.String(), errb.String(), code
}

// copyTree copies a project directory, creating files under the current
// umask (so modes differ between copies).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	c := exec.Command("sh", "-c", "umask 077 && cp -r \"$0\" \"$1\"", src, dst)
	if out, err := c.CombinedOutput(); err != nil {
		t.Fatalf("copying %s: %v\n%s", src, err, out)
	}
}

// buildah runs buildah in a private vfs storage below dir.
type vfsBuildah struct{ dir string }

func newVFSBuildah(t *testing.T) *vfsBuildah {
	t.Helper()
	if _, err := exec.LookPath("buildah"); err != nil {
		skipOrFail(t, "buildah not installed (run scripts/install-test-deps.sh as root)")
	}
	s := &vfsBuildah{dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(s.dir, "policy.json"), []byte(`{"default":[{"type":"insecureAcceptAnything"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = s.run(context.Background(), "rm", "--all")
		_, _ = s.run(context.Background(), "rmi", "--all", "--force")
	})
	return s
}

func (s *vfsBuildah) run(ctx context.Context, args ...string) (string, error) {
	global := []string{"--root", filepath.Join(s.dir, "storage"), "--runroot", filepath.Join(s.dir, "run"), "--storage-driver", "vfs"}
	sub, rest := args[:1], args[1:]
	if sub[0] == "from" {
		rest = append([]string{"--signature-policy", filepath.Join(s.dir, "policy.json")}, rest...)
	}
	if sub[0] == "run" {
		rest = append([]string{"--isolation", "chroot"}, rest...)
	}
	c := exec.CommandContext(ctx, "buildah", append(append(global, sub...), rest...)...)
	c.Env = append(os.Environ(), "TMPDIR="+s.dir, "BUILDAH_ISOLATION=chroot")
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		return out.String(), fmt.Errorf("buildah %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

func skopeoInspectDigest(t *testing.T, ref string, extra ...string) string {
	t.Helper()
	out, err := exec.Command("skopeo", append(append([]string{"inspect", "--format", "{{.Digest}}"}, extra...), ref)...).CombinedOutput()
	if err != nil {
		t.Fatalf("skopeo inspect %s: %v\n%s", ref, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestBuild builds an image from locked wheels served by a PEP 691 index,
// runs it with buildah as the non-root user, checks that building again
// elsewhere gives the same digest, pushes it and pulls it back by digest,
// and reads it back with analyze and sbom.
func TestBuild(t *testing.T) {
	base := buildBase(t)
	if _, err := exec.LookPath("skopeo"); err != nil {
		skipOrFail(t, "skopeo not installed (run scripts/install-test-deps.sh as root)")
	}
	in := newBuildInputs(t)
	dir1 := t.TempDir()
	img1 := filepath.Join(dir1, "out", "webapp.tar")
	sbomFile := filepath.Join(dir1, "out", "sbom.json")
	common := []string{"--base", base, "--index-url", in.index.IndexURL(), "--allow-linux-tag", "--format", "json"}
	stdout, stderr, code := runBuild(t, "022", "UTC", dir1, append(common, "--output", "oci-archive:"+img1, "--sbom", sbomFile, in.project)...)
	if code != 0 {
		t.Fatalf("pyimg build: exit %d\n%s", code, stderr)
	}
	var res buildResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("decoding %q: %v", stdout, err)
	}
	if got := skopeoInspectDigest(t, "oci-archive:"+img1); got != res.Digest {
		t.Errorf("skopeo reports %s, pyimg %s", got, res.Digest)
	}
	if res.Packages != len(in.versions) {
		t.Errorf("packages = %d, want %d (%v)", res.Packages, len(in.versions), in.versions)
	}
	var kinds []string
	for _, l := range res.Layers {
		kinds = append(kinds, l.Kind)
	}
	if k := strings.Join(kinds, ","); !strings.HasSuffix(k, "base,dependencies,project,include") {
		t.Errorf("layer kinds = %s", k)
	}

	t.Run("runs as non-root", func(t *testing.T) {
		st := newVFSBuildah(t)
		ctx := context.Background()
		ctr, err := st.run(ctx, "from", "oci-archive:"+img1)
		if err != nil {
			t.Fatal(err)
		}
		ctr = strings.TrimSpace(ctr)
		checks := []struct {
			argv []string
			want string
		}{
			{[]string{"/opt/venv/bin/python", "-c", "import os; print('uid', os.getuid())"}, "uid 65532"},
			{[]string{"greet"}, "greet 1.2.0"},
			{[]string{"data-tool-run"}, "data-tool ok /opt/venv/bin/python"},
			{[]string{"webapp", "--self-test"}, "200 webapp ok\n<p>static ok</p>"},
			{[]string{"/opt/venv/bin/python", "-c", "import sys, setuptools, wheel; print(sys.prefix, setuptools.__version__, wheel.__version__)"},
				"/opt/venv " + in.versions["setuptools"] + " " + in.versions["wheel"]},
		}
		if in.cext {
			checks = append(checks, struct {
				argv []string
				want string
			}{[]string{"/opt/venv/bin/python", "-c", "import fastmath; print(fastmath.hello())"}, "hello from fastmath"})
		}
		for _, c := range checks {
			out, err := st.run(ctx, append([]string{"run", ctr, "--"}, c.argv...)...)
			if err != nil {
				t.Errorf("%v: %v", c.argv, err)
				continue
			}
			if !strings.Contains(out, c.want) {
				t.Errorf("%v printed %q, want %q", c.argv, out, c.want)
			}
		}
	})

	t.Run("pip", func(t *testing.T) {
		// Debian's real pip wheel, installed with everything else: pip itself
		// must accept what pyimg installed.
		dir := t.TempDir()
		proj := filepath.Join(dir, "withpip")
		copyTree(t, in.project, proj)
		if err := os.WriteFile(filepath.Join(proj, "requirements.txt"), []byte(in.lock(t, nil)), 0o644); err != nil {
			t.Fatal(err)
		}
		img := filepath.Join(dir, "withpip.tar")
		if _, stderr, code := runBuild(t, "022", "UTC", dir, append(common, "--output", "oci-archive:"+img, proj)...); code != 0 {
			t.Fatalf("build with pip: exit %d\n%s", code, stderr)
		}
		st := newVFSBuildah(t)
		ctx := context.Background()
		ctr, err := st.run(ctx, "from", "oci-archive:"+img)
		if err != nil {
			t.Fatal(err)
		}
		out, err := st.run(ctx, "run", strings.TrimSpace(ctr), "--", "pip", "list", "--format", "json", "--disable-pip-version-check")
		if err != nil {
			t.Fatal(err)
		}
		var listed []struct{ Name, Version string }
		if err := json.Unmarshal([]byte(out), &listed); err != nil {
			t.Fatalf("pip list: %v\n%s", err, out)
		}
		got := map[string]string{}
		for _, p := range listed {
			got[normalize(p.Name)] = p.Version
		}
		want := map[string]string{"pip": in.pip}
		for n, v := range in.versions {
			want[normalize(n)] = v
		}
		for n, v := range want {
			if got[n] != v {
				t.Errorf("pip list: %s = %q, want %q (all: %v)", n, got[n], v, got)
			}
		}
		if len(got) != len(want) {
			t.Errorf("pip list has %d distributions, want %d: %v", len(got), len(want), got)
		}
	})

	t.Run("reproducible", func(t *testing.T) {
		dir2 := t.TempDir()
		proj2 := filepath.Join(dir2, "elsewhere")
		copyTree(t, in.project, proj2)
		img2 := filepath.Join(dir2, "again.tar")
		stdout2, stderr2, code := runBuild(t, "077", "Asia/Tokyo", dir2, append(common, "--output", "oci-archive:"+img2, proj2)...)
		if code != 0 {
			t.Fatalf("second build: exit %d\n%s", code, stderr2)
		}
		var res2 buildResult
		if err := json.Unmarshal([]byte(stdout2), &res2); err != nil {
			t.Fatal(err)
		}
		if res2.Digest != res.Digest {
			t.Errorf("second build in %s (umask 077, TZ Asia/Tokyo) gave %s, first %s", dir2, res2.Digest, res.Digest)
		}
		// A code change rebuilds the project layer only.
		src := filepath.Join(proj2, "src", "webapp", "__init__.py")
		if err := os.WriteFile(src, []byte(webappSource+"\n# changed\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout3, stderr3, code := runBuild(t, "022", "UTC", dir2, append(common, "--output", "oci-archive:"+img2, proj2)...)
		if code != 0 {
			t.Fatalf("third build: exit %d\n%s", code, stderr3)
		}
		var res3 buildResult
		if err := json.Unmarshal([]byte(stdout3), &res3); err != nil {
			t.Fatal(err)
		}
		n := len(res3.Layers)
		if res3.Layers[n-3].Digest != res.Layers[n-3].Digest || res3.Layers[n-2].Digest == res.Layers[n-2].Digest {
			t.Errorf("after a code change: dependencies %s → %s, project %s → %s",
				res.Layers[n-3].Digest, res3.Layers[n-3].Digest, res.Layers[n-2].Digest, res3.Layers[n-2].Digest)
		}
	})

	t.Run("push and pull by digest", func(t *testing.T) {
		host := registry(t)
		dir := t.TempDir()
		ref := host + "/pyimg-e2e/build:1"
		stdout, stderr, code := runBuild(t, "022", "UTC", dir, append(common, "--push", ref, "--insecure", in.project)...)
		if code != 0 {
			t.Fatalf("push build: exit %d\n%s", code, stderr)
		}
		var pushed buildResult
		if err := json.Unmarshal([]byte(stdout), &pushed); err != nil {
			t.Fatal(err)
		}
		if pushed.Digest != res.Digest || pushed.Reference != host+"/pyimg-e2e/build@"+res.Digest {
			t.Errorf("pushed %s as %s, want digest %s", pushed.Digest, pushed.Reference, res.Digest)
		}
		pulled := filepath.Join(dir, "pulled.tar")
		out, err := exec.Command("skopeo", "copy", "--src-tls-verify=false", "docker://"+pushed.Reference, "oci-archive:"+pulled).CombinedOutput()
		if err != nil {
			t.Fatalf("skopeo copy: %v\n%s", err, out)
		}
		if got := skopeoInspectDigest(t, "oci-archive:"+pulled); got != res.Digest {
			t.Errorf("pulled back %s, want %s", got, res.Digest)
		}
	})

	t.Run("analyze and sbom", func(t *testing.T) {
		stdout, stderr, code := runPyimg(t, "analyze", "--format", "json", "oci-archive:"+img1)
		if code != 0 && code != 1 {
			t.Fatalf("analyze: exit %d\n%s", code, stderr)
		}
		var a analysis
		if err := json.Unmarshal([]byte(stdout), &a); err != nil {
			t.Fatal(err)
		}
		for name, version := range in.versions {
			if findPackageVersion(a.PythonPackages, name, version) == nil {
				t.Errorf("analyze lacks %s %s; has %v", name, version, a.PythonPackages)
			}
		}
		for _, f := range a.Findings {
			if strings.HasPrefix(f.Rule, "PY6") {
				t.Errorf("analyze finding %s at %s: %s", f.Rule, f.Path, f.Message)
			}
		}
		for _, doc := range []string{sbomCycloneDX(t, "oci-archive:"+img1), readFile(t, sbomFile)} {
			for name, version := range in.versions {
				purl := "pkg:pypi/" + normalize(name) + "@" + version
				if !strings.Contains(doc, purl) {
					t.Errorf("SBOM lacks %s", purl)
				}
			}
		}
	})
}

func sbomCycloneDX(t *testing.T, ref string) string {
	t.Helper()
	stdout, stderr, code := runPyimg(t, "sbom", "--format", "cyclonedx-json", ref)
	if code != 0 {
		t.Fatalf("sbom: exit %d\n%s", code, stderr)
	}
	return stdout
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
