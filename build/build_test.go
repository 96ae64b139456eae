package build

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/build/wheelinstall"
	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/internal/wheeltest"
)

// testBase writes a small Debian-like base image (python3.11, glibc 2.36)
// as an OCI layout and returns its reference.
func testBase(t testing.TB) string {
	t.Helper()
	return testBaseOf(t, true)
}

// testBaseOf writes the test base with OCI media types, or Docker's.
func testBaseOf(t testing.TB, oci bool) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	files := []struct{ name, content, link string }{
		{name: "usr/bin/python3.11", content: "\x7fELF"},
		{name: "usr/bin/python3", link: "python3.11"},
		{name: "lib/x86_64-linux-gnu/libc.so.6", content: "\x7fELF"},
		{name: "var/lib/dpkg/status", content: "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n\nPackage: python3.11-minimal\nStatus: install ok installed\nVersion: 3.11.2-6\n"},
	}
	for _, f := range files {
		h := &tar.Header{Name: f.name, Mode: 0o755, Size: int64(len(f.content)), Typeflag: tar.TypeReg}
		if f.link != "" {
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, f.link, 0
		}
		tw.WriteHeader(h)
		io.WriteString(tw, f.content)
	}
	tw.Close()
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	start, lt := empty.Image, types.DockerLayer
	if oci {
		start, lt = mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON), types.OCILayer
	}
	img, err := mutate.Append(start, mutate.Addendum{Layer: l, MediaType: lt})
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"}
	cfg.Config.Cmd = []string{"python3"}
	img, _ = mutate.ConfigFile(img, cfg)
	dir := filepath.Join(t.TempDir(), "base")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	return "oci:" + dir
}

// testWheel writes a pure wheel with a console script into dir and returns
// its file name and sha256.
func testWheel(t *testing.T, dir, name, version string, script bool) (string, string) {
	t.Helper()
	di := name + "-" + version + ".dist-info"
	files := map[string]string{
		name + "/__init__.py": "VERSION = " + fmt.Sprintf("%q", version) + "\n",
		di + "/METADATA":      "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n",
		di + "/WHEEL":         "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
	}
	if script {
		files[di+"/entry_points.txt"] = "[console_scripts]\n" + name + "-cli = " + name + ":main\n"
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var rec strings.Builder
	for _, n := range names {
		w, _ := zw.Create(n)
		io.WriteString(w, files[n])
		sum := sha256.Sum256([]byte(files[n]))
		fmt.Fprintf(&rec, "%s,sha256=%s,%d\n", n, base64.RawURLEncoding.EncodeToString(sum[:]), len(files[n]))
	}
	w, _ := zw.Create(di + "/RECORD")
	io.WriteString(w, rec.String()+di+"/RECORD,,\n")
	zw.Close()
	file := name + "-" + version + "-py3-none-any.whl"
	if err := os.WriteFile(filepath.Join(dir, file), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return file, hex.EncodeToString(sum[:])
}

// dirResolver resolves requirements to NAME-VERSION-py3-none-any.whl in a
// directory: a test double for the index and wheelhouse resolver.
type dirResolver string

func (d dirResolver) Resolve(_ context.Context, r Requirement) (*Wheel, error) {
	file := r.Name + "-" + r.Version + "-py3-none-any.whl"
	p := filepath.Join(string(d), file)
	if _, err := os.Stat(p); err != nil {
		return nil, &NoWheelError{Name: r.Name, Version: r.Version, Tags: []string{"py3-none-any"}}
	}
	return &Wheel{Name: r.Name, Version: r.Version, File: file, URL: p, Path: p}, nil
}

type fixture struct {
	base, project, wheels, cache string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	root := t.TempDir()
	f := &fixture{base: testBase(t), project: filepath.Join(root, "proj"), wheels: filepath.Join(root, "wheels"), cache: filepath.Join(root, "cache")}
	for _, d := range []string{f.wheels, filepath.Join(f.project, "src", "myapp"), filepath.Join(f.project, "static")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_, h1 := testWheel(t, f.wheels, "alpha", "1.0", true)
	_, h2 := testWheel(t, f.wheels, "beta", "2.0", false)
	write := func(rel, content string) {
		if err := os.WriteFile(filepath.Join(f.project, rel), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pyproject.toml", `[project]
name = "myapp"
version = "0.1.0"
dependencies = ["alpha", "beta"]

[project.scripts]
myapp = "myapp:main"

[tool.pyimg.build]
include = ["static"]
ports = ["8000"]
`)
	write("requirements.txt", "alpha==1.0 \\\n    --hash=sha256:"+h1+"\nbeta==2.0 --hash=sha256:"+h2+"\nwinonly==1.0 ; sys_platform == \"win32\" --hash=sha256:"+strings.Repeat("0", 64)+"\n")
	write("src/myapp/__init__.py", "def main():\n    print('hello')\n")
	write("static/index.html", "<p>hi</p>\n")
	return f
}

func (f *fixture) run(t *testing.T, opts ...Option) (*Result, error) {
	t.Helper()
	opts = append([]Option{WithBase(f.base), WithCacheDir(f.cache), WithResolver(func(context.Context, *target.Target) (Resolver, error) { return dirResolver(f.wheels), nil })}, opts...)
	return Run(context.Background(), f.project, opts...)
}

// layerFiles reads the tar of a layer into name → content (dirs and links
// as "dir"/"-> target") and checks the owner and time of every entry.
func layerFiles(t *testing.T, l v1.Layer, mtime int64) map[string]string {
	t.Helper()
	rc, err := l.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || h.ModTime.Unix() != mtime {
			t.Errorf("%s: uid %d gid %d mtime %d", h.Name, h.Uid, h.Gid, h.ModTime.Unix())
		}
		switch h.Typeflag {
		case tar.TypeDir:
			out[h.Name] = "dir"
		case tar.TypeSymlink:
			out[h.Name] = "-> " + h.Linkname
		default:
			b, _ := io.ReadAll(tr)
			out[h.Name] = fmt.Sprintf("%o:%s", h.Mode, b)
		}
	}
}

func TestRun(t *testing.T) {
	f := newFixture(t)
	out := filepath.Join(t.TempDir(), "img.tar")
	var events []Event
	res, err := f.run(t, WithOutput(Output{Transport: OutputOCIArchive, Path: out}), WithSourceDateEpoch(time.Unix(1700000000, 0)),
		WithProgress(func(e Event) { events = append(events, e) }))
	if err != nil {
		t.Fatal(err)
	}
	if res.Packages != 3 || len(res.Installed) != 3 {
		t.Errorf("packages = %d, installed %v", res.Packages, res.Installed)
	}
	kinds := []string{}
	for _, l := range res.Layers {
		kinds = append(kinds, l.Kind)
	}
	if strings.Join(kinds, ",") != "base,dependencies,project,include" {
		t.Errorf("layer kinds = %v", kinds)
	}
	if len(res.Plan.Skipped) != 1 || !strings.HasPrefix(res.Plan.Skipped[0], "winonly==1.0") {
		t.Errorf("skipped = %v", res.Plan.Skipped)
	}

	img, err := image.Open(context.Background(), "oci-archive:"+out)
	if err != nil {
		t.Fatal(err)
	}
	if img.Digest.String() != res.Digest {
		t.Errorf("archive digest %s, result %s", img.Digest, res.Digest)
	}
	c := img.Config.Config
	if c.User != "65532" || c.WorkingDir != "/app" || strings.Join(c.Entrypoint, " ") != "/opt/venv/bin/myapp" || len(c.Cmd) != 0 {
		t.Errorf("config user %q workdir %q entrypoint %v cmd %v", c.User, c.WorkingDir, c.Entrypoint, c.Cmd)
	}
	env := strings.Join(c.Env, " ")
	for _, want := range []string{"PATH=/opt/venv/bin:/usr/local/bin:/usr/bin:/bin", "VIRTUAL_ENV=/opt/venv", "PYTHONUNBUFFERED=1", "PYTHONDONTWRITEBYTECODE=1", "LANG=C.UTF-8"} {
		if !strings.Contains(env, want) {
			t.Errorf("env %q lacks %q", env, want)
		}
	}
	if _, ok := c.ExposedPorts["8000/tcp"]; !ok {
		t.Errorf("exposed ports = %v", c.ExposedPorts)
	}
	if c.Labels[AnnotationCreated] != "2023-11-14T22:13:20Z" || !strings.HasPrefix(c.Labels[AnnotationBaseDigest], "sha256:") || c.Labels[AnnotationBaseName] != f.base {
		t.Errorf("labels = %v", c.Labels)
	}
	if img.Manifest.Annotations[AnnotationBaseDigest] != c.Labels[AnnotationBaseDigest] {
		t.Errorf("annotations = %v", img.Manifest.Annotations)
	}
	if h := img.Config.History; len(h) < 3 || h[len(h)-3].CreatedBy != "pyimg build: dependencies" || h[len(h)-1].CreatedBy != "pyimg build: include" {
		t.Errorf("history = %+v", h)
	}
	ls, _ := img.Image.Layers()
	deps := layerFiles(t, ls[1], 1700000000)
	for name, want := range map[string]string{
		"opt/venv/pyvenv.cfg": "644:home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.2\nexecutable = /usr/bin/python3.11\ncommand = /usr/bin/python3.11 -m venv --without-pip /opt/venv\n",
		"opt/venv/bin/python": "-> /usr/bin/python3.11",
		"opt/venv/lib/python3.11/site-packages/alpha/__init__.py":            "644:VERSION = \"1.0\"\n",
		"opt/venv/lib/python3.11/site-packages/beta-2.0.dist-info/INSTALLER": "644:pyimg\n",
	} {
		if deps[name] != want {
			t.Errorf("dependency layer %s = %q, want %q", name, deps[name], want)
		}
	}
	if !strings.HasPrefix(deps["opt/venv/bin/alpha-cli"], "755:#!/opt/venv/bin/python\n") {
		t.Errorf("alpha-cli = %q", deps["opt/venv/bin/alpha-cli"])
	}
	proj := layerFiles(t, ls[2], 1700000000)
	if proj["opt/venv/lib/python3.11/site-packages/myapp/__init__.py"] == "" || proj["app/"] != "dir" ||
		!strings.Contains(proj["opt/venv/lib/python3.11/site-packages/myapp-0.1.0.dist-info/entry_points.txt"], "myapp = myapp:main") {
		t.Errorf("project layer = %v", proj)
	}
	if inc := layerFiles(t, ls[3], 1700000000); inc["app/static/index.html"] != "644:<p>hi</p>\n" {
		t.Errorf("include layer = %v", inc)
	}
	var sawFresh bool
	for _, e := range events {
		sawFresh = sawFresh || (e.Stage == "layer" && strings.HasPrefix(e.Message, "dependencies:") && !strings.Contains(e.Message, "cached"))
	}
	if !sawFresh {
		t.Errorf("events = %v", events)
	}
	if res.Provenance.LockSHA256 == "" || len(res.Provenance.Wheels) != 2 || res.Provenance.Wheels[0].SHA256 == "" || res.Provenance.BaseDigest == "" {
		t.Errorf("provenance = %+v", res.Provenance)
	}
}

func TestRunReproducibleAndCached(t *testing.T) {
	f := newFixture(t)
	first, err := f.run(t)
	if err != nil {
		t.Fatal(err)
	}
	// A fresh cache, the same inputs: the same digest.
	f2 := *f
	f2.cache = t.TempDir()
	second, err := f2.run(t)
	if err != nil {
		t.Fatal(err)
	}
	if first.Digest != second.Digest {
		t.Fatalf("digests differ: %s, %s", first.Digest, second.Digest)
	}
	// A code change: the dependency layer is reused from the cache and keeps
	// its digest; the project layer changes.
	if err := os.WriteFile(filepath.Join(f.project, "src/myapp/__init__.py"), []byte("def main():\n    print('bye')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var cached bool
	third, err := f.run(t, WithProgress(func(e Event) {
		cached = cached || (e.Stage == "layer" && strings.Contains(e.Message, "cached"))
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !cached {
		t.Error("dependency layer was not taken from the cache")
	}
	if third.Layers[1].Digest != first.Layers[1].Digest || third.Layers[2].Digest == first.Layers[2].Digest || third.Digest == first.Digest {
		t.Errorf("after a code change: deps %s → %s, project %s → %s", first.Layers[1].Digest, third.Layers[1].Digest, first.Layers[2].Digest, third.Layers[2].Digest)
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(t *testing.T, f *fixture)
		check  func(error) bool
		opts   []Option
	}{
		{"unreachable registry", func(t *testing.T, f *fixture) {}, func(err error) bool { return err != nil && !IsInputError(err) },
			[]Option{WithPush("127.0.0.1:1/x/y:1", true)}},
		{"hash mismatch", func(t *testing.T, f *fixture) {
			testWheel(t, f.wheels, "alpha", "1.0", false) // different content, same name
		}, func(err error) bool { var he *HashError; return errors.As(err, &he) }, nil},
		{"RECORD mismatch", func(t *testing.T, f *fixture) {
			p, err := wheeltest.Corrupt(f.wheels, wheeltest.Spec{Name: "alpha", Version: "1.0"}, wheeltest.HashMismatch)
			if err != nil {
				t.Fatal(err)
			}
			sum, _ := fileSHA256(p)
			req, _ := os.ReadFile(filepath.Join(f.project, "requirements.txt"))
			lines := strings.SplitN(string(req), "\n", 3)
			os.WriteFile(filepath.Join(f.project, "requirements.txt"), []byte("alpha==1.0 --hash=sha256:"+sum+"\n"+lines[2]), 0o644)
		}, func(err error) bool {
			var we *wheelinstall.Error
			return errors.As(err, &we) && errors.Is(err, wheelinstall.ErrRecord) && we.Wheel == "alpha-1.0-py3-none-any.whl"
		}, nil},
		{"no wheel", func(t *testing.T, f *fixture) {
			os.Remove(filepath.Join(f.wheels, "beta-2.0-py3-none-any.whl"))
		}, func(err error) bool { var nw *NoWheelError; return errors.As(err, &nw) }, nil},
		{"no lock", func(t *testing.T, f *fixture) {
			os.Remove(filepath.Join(f.project, "requirements.txt"))
		}, func(err error) bool { return errors.Is(err, ErrUnsupportedLock) }, nil},
		{"no lock needed without dependencies", func(t *testing.T, f *fixture) {
			// Without a lock, a project that declares no dependency has
			// nothing to install: the build goes on to the project itself.
			os.Remove(filepath.Join(f.project, "requirements.txt"))
			pp, _ := os.ReadFile(filepath.Join(f.project, "pyproject.toml"))
			os.WriteFile(filepath.Join(f.project, "pyproject.toml"), []byte(regexp.MustCompile(`(?s)dependencies = \[.*?\]\n`).ReplaceAllString(string(pp), "dependencies = []\n")), 0o644)
			os.RemoveAll(filepath.Join(f.project, "src"))
		}, func(err error) bool {
			var ie *InputError
			return errors.As(err, &ie) && !errors.Is(err, ErrUnsupportedLock) && strings.Contains(err.Error(), "no package for project")
		}, nil},
		{"no lock and dependencies omitted", func(t *testing.T, f *fixture) {
			// Omitting [project] dependencies does not say there are none
			// (setup.py, a requirements.in may hold them): a lock is needed.
			os.Remove(filepath.Join(f.project, "requirements.txt"))
			pp, _ := os.ReadFile(filepath.Join(f.project, "pyproject.toml"))
			os.WriteFile(filepath.Join(f.project, "pyproject.toml"), []byte(regexp.MustCompile(`(?s)dependencies = \[.*?\]\n`).ReplaceAllString(string(pp), "")), 0o644)
		}, func(err error) bool { return errors.Is(err, ErrUnsupportedLock) }, nil},
		{"unpinned", func(t *testing.T, f *fixture) {
			os.WriteFile(filepath.Join(f.project, "requirements.txt"), []byte("alpha>=1.0 --hash=sha256:"+strings.Repeat("a", 64)+"\n"), 0o644)
		}, func(err error) bool { var ie *InputError; return errors.As(err, &ie) && ie.Line == 1 }, nil},
		{"no package", func(t *testing.T, f *fixture) {
			os.RemoveAll(filepath.Join(f.project, "src"))
		}, func(err error) bool { var ie *InputError; return errors.As(err, &ie) }, nil},
		{"missing include", func(t *testing.T, f *fixture) {
			os.RemoveAll(filepath.Join(f.project, "static"))
		}, func(err error) bool { var ie *InputError; return errors.As(err, &ie) }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			tt.modify(t, f)
			outDir := t.TempDir()
			out := filepath.Join(outDir, "img.tar")
			opts := []Option{WithOutput(Output{Transport: OutputOCIArchive, Path: out}), WithOutput(Output{Transport: OutputOCI, Path: filepath.Join(outDir, "layout")})}
			opts = append(opts, tt.opts...)
			opts = append(opts, WithSBOM(filepath.Join(outDir, "sbom.json")))
			_, err := f.run(t, opts...)
			if err == nil || !tt.check(err) || (tt.opts == nil && !IsInputError(err)) {
				t.Fatalf("Run() = %v (%T)", err, err)
			}
			if ents, _ := os.ReadDir(outDir); len(ents) != 0 {
				t.Errorf("failed build left %d files in the output directory", len(ents))
			}
			if tmps, _ := filepath.Glob(filepath.Join(f.cache, "layers", ".layer-*")); len(tmps) != 0 {
				t.Errorf("failed build left temporary layers: %v", tmps)
			}
		})
	}
}

func TestRunDryRun(t *testing.T) {
	f := newFixture(t)
	out := filepath.Join(t.TempDir(), "img.tar")
	res, err := f.run(t, WithDryRun(true), WithOutput(Output{Transport: OutputOCIArchive, Path: out}))
	if err != nil {
		t.Fatal(err)
	}
	if res.Image != nil || len(res.Plan.Wheels) != 2 || res.Plan.Target.ABI != "cp311" {
		t.Errorf("plan = %+v", res.Plan)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("dry run wrote the output")
	}
	if _, err := os.Stat(filepath.Join(f.cache, "layers")); err == nil {
		t.Error("dry run wrote layers")
	}
}
