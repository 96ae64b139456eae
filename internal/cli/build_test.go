package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/internal/wheeltest"
)

// buildProject writes a base image, a wheelhouse and a project locking one
// wheel; it returns the base reference, the wheelhouse and the project.
func buildProject(t *testing.T, hash string) (base, wheels, proj string) {
	t.Helper()
	base = ociLayoutWithArch(t, layerOf(t,
		tarFile{name: "usr/bin/python3.11", size: 100, mode: 0o755},
		tarFile{name: "lib/x86_64-linux-gnu/libc.so.6", size: 100},
		tarFile{name: "var/lib/dpkg/status", body: "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\n"},
	))
	wheels = t.TempDir()
	p, err := wheeltest.Pure(wheels, wheeltest.Spec{Name: "dep", Version: "1.0", Files: map[string]string{"dep/__init__.py": ""}})
	if err != nil {
		t.Fatal(err)
	}
	if hash == "" {
		b, _ := os.ReadFile(p)
		sum := sha256.Sum256(b)
		hash = hex.EncodeToString(sum[:])
	}
	proj = t.TempDir()
	writeFile(t, proj, "pyproject.toml", "[project]\nname = \"tool\"\nversion = \"2.0\"\n[project.scripts]\ntool = \"tool:main\"\n")
	writeFile(t, proj, "requirements.txt", "dep==1.0 --hash=sha256:"+hash+"\n")
	if err := os.MkdirAll(filepath.Join(proj, "tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, proj, "tool/__init__.py", "def main():\n    pass\n")
	return base, wheels, proj
}

// ociLayoutWithArch is ociLayoutOf for linux/amd64: build reads the
// architecture from the base's config.
func ociLayoutWithArch(t *testing.T, ls ...v1.Layer) string {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", "amd64"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	return "oci:" + dir
}

func TestBuildJSON(t *testing.T) {
	base, wheels, proj := buildProject(t, "")
	out := filepath.Join(t.TempDir(), "img.tar")
	r := run(t, []runOpt{withEnv("SOURCE_DATE_EPOCH", "1700000000")}, "build", "--base", base, "--wheelhouse", wheels,
		"--output", "oci-archive:"+out, "--cache-dir", t.TempDir(), "--format", "json", proj)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "digest,layers,packages,reference" {
		t.Errorf("JSON keys = %v", keys)
	}
	var res struct {
		Digest, Reference string
		Layers            []map[string]any
		Packages          int
	}
	json.Unmarshal([]byte(r.stdout), &res)
	if res.Packages != 2 || len(res.Layers) != 3 || res.Layers[1]["kind"] != "dependencies" || res.Reference != "oci-archive:"+out {
		t.Errorf("result = %+v", res)
	}
	for _, l := range res.Layers {
		if len(l) != 3 || l["digest"] == nil || l["size"] == nil {
			t.Errorf("layer = %v", l)
		}
	}
	img, err := image.Open(context.Background(), "oci-archive:"+out)
	if err != nil {
		t.Fatal(err)
	}
	if img.Digest.String() != res.Digest {
		t.Errorf("digest %s, archive %s", res.Digest, img.Digest)
	}
	c := img.Config.Config
	if strings.Join(c.Entrypoint, " ") != "/opt/venv/bin/tool" || c.Labels["org.opencontainers.image.created"] != "2023-11-14T22:13:20Z" {
		t.Errorf("entrypoint %v, labels %v", c.Entrypoint, c.Labels)
	}

	// Text output is the digest alone; --entrypoint takes a JSON array.
	r = run(t, nil, "build", "--base", base, "--wheelhouse", wheels, "--output", "oci-archive:"+out, "--cache-dir", t.TempDir(),
		"--entrypoint", `["/opt/venv/bin/python","-m","tool"]`, proj)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "sha256:") || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("exit %d, stdout %q, stderr %s", r.code, r.stdout, r.stderr)
	}
	img, _ = image.Open(context.Background(), "oci-archive:"+out)
	if strings.Join(img.Config.Config.Entrypoint, " ") != "/opt/venv/bin/python -m tool" {
		t.Errorf("entrypoint = %v", img.Config.Config.Entrypoint)
	}
}

func TestBuildDryRun(t *testing.T) {
	base, wheels, proj := buildProject(t, "")
	out := filepath.Join(t.TempDir(), "img.tar")
	r := run(t, nil, "build", "--dry-run", "--base", base, "--wheelhouse", wheels, "--output", "oci-archive:"+out, "--cache-dir", t.TempDir(), proj)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"target     cpython 3.11 (/usr/bin/python3.11), glibc 2.36, x86_64", "dep==1.0  dep-1.0-py3-none-any.whl", "layer 2    project: sources in", "output     oci-archive:" + out} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("plan lacks %q:\n%s", want, r.stdout)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("--dry-run wrote the output")
	}
}

func TestBuildErrors(t *testing.T) {
	base, wheels, proj := buildProject(t, strings.Repeat("0", 64))
	out := "oci-archive:" + filepath.Join(t.TempDir(), "img.tar")
	// Without a base, build uses the recommended runtime image: here from an
	// unreachable mirror, so it fails as a runtime error after saying so.
	recommendProj := t.TempDir()
	writeFile(t, recommendProj, "pyproject.toml", "[project]\nname = \"tool\"\nversion = \"2.0\"\nrequires-python = \">=3.12,<3.13\"\n[tool.pyimg.base]\nrepo = \"127.0.0.1:1/python\"\n")
	writeFile(t, recommendProj, "requirements.txt", "")
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"nothing to write", []string{"--base", base, "--wheelhouse", wheels, proj}, ExitUsage, "--output"},
		{"bad output", []string{"--base", base, "--output", "tar:x", proj}, ExitUsage, "unknown transport"},
		{"bad entrypoint", []string{"--base", base, "--output", out, "--entrypoint", "[1]", proj}, ExitUsage, "JSON array"},
		{"bad format", []string{"--base", base, "--output", out, "--format", "xml", proj}, ExitUsage, "xml"},
		{"hash mismatch", []string{"--base", base, "--wheelhouse", wheels, "--output", out, proj}, ExitUsage, "does not list"},
		{"no wheel source", []string{"--base", base, "--output", out, proj}, ExitUsage, "--wheelhouse"},
		{"missing base", []string{"--base", "oci-archive:/nonexistent.tar", "--wheelhouse", wheels, "--output", out, proj}, ExitUsage, "nonexistent"},
		{"recommended base", []string{"--wheelhouse", wheels, "--output", out, recommendProj}, ExitRuntime, "using the recommended runtime image 127.0.0.1:1/python:3.12"},
		{"base without architecture", []string{"--base", ociLayoutOf(t, layerOf(t, tarFile{name: "usr/bin/python3.11", size: 1})), "--wheelhouse", wheels, "--output", out, proj}, ExitUsage, "architecture"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, nil, append([]string{"build", "--cache-dir", t.TempDir()}, tt.args...)...)
			if r.code != tt.code || !strings.Contains(r.stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", r.code, r.stderr, tt.code, tt.want)
			}
		})
	}
}

func TestBuildProgressOnlyOnTTY(t *testing.T) {
	base, wheels, proj := buildProject(t, "")
	out := "oci-archive:" + filepath.Join(t.TempDir(), "img.tar")
	args := []string{"build", "--base", base, "--wheelhouse", wheels, "--output", out, "--cache-dir", t.TempDir(), proj}
	r := run(t, []runOpt{withTTY}, args...)
	if r.code != 0 || !strings.Contains(r.stderr, "dependencies: sha256:") || !strings.Contains(r.stderr, "wrote "+out) {
		t.Errorf("on a terminal: exit %d, stderr %q", r.code, r.stderr)
	}
	r = run(t, nil, args...)
	if r.code != 0 || r.stderr != "" {
		t.Errorf("not on a terminal: exit %d, stderr %q", r.code, r.stderr)
	}
}
