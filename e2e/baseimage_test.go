package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyimg/pyimg/baseimage/registrytest"
	reg "github.com/pyimg/pyimg/e2e/internal/registry"
)

// baseNow is the date the seeded images' ages are measured from.
var baseNow = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// pythonRegistryE2E is a docker-registry of its own (so tests may stop or
// corrupt it) seeded with python-style tags.
type pythonRegistryE2E struct {
	reg     *reg.Registry
	dir     string
	repo    string            // HOST/library/python
	digests map[string]string // tag -> digest, as the pushing client saw it
	stopped bool
}

// stop stops the registry once (reg.Registry.Close blocks when called twice).
func (p *pythonRegistryE2E) stop() {
	if !p.stopped {
		p.stopped = true
		p.reg.Close()
	}
}

// startPythonRegistry starts docker-registry on 127.0.0.1 and pushes small
// images under many python-style tags with go-containerregistry.
func startPythonRegistry(t *testing.T) *pythonRegistryE2E {
	t.Helper()
	skipShort(t)
	if pyimgErr != nil {
		t.Fatalf("pyimg binary unavailable: %v", pyimgErr)
	}
	for _, tool := range reg.Tools {
		if _, err := exec.LookPath(tool); err != nil {
			skipOrFail(t, fmt.Sprintf("registry tools missing: %v (run scripts/install-test-deps.sh as root)", reg.Tools))
		}
	}
	dir := t.TempDir()
	r, err := reg.Start(context.Background(), dir)
	if err != nil {
		t.Fatalf("starting docker-registry: %v", err)
	}
	images := registrytest.PythonImages(baseNow)
	// More series and patches, so tag lists are long and updates have
	// choices.
	for _, series := range []string{"3.10", "3.11"} {
		for patch := 0; patch < 4; patch++ {
			v := fmt.Sprintf("%s.%d", series, patch)
			images = append(images, registrytest.Image{
				Tags:    []string{v + "-slim-bookworm", v + "-bookworm"},
				Python:  v,
				Created: baseNow.Add(-time.Duration(100-20*patch) * 24 * time.Hour),
			})
		}
	}
	repo := r.Host + "/library/python"
	digests, err := registrytest.Push(context.Background(), repo, images)
	if err != nil {
		r.Close()
		t.Fatalf("seeding %s: %v\nregistry log:\n%s", repo, err, r.Log())
	}
	pr := &pythonRegistryE2E{reg: r, dir: dir, repo: repo, digests: digests}
	t.Cleanup(pr.stop)
	return pr
}

// skopeoDigest returns sha256 of the manifest skopeo fetches for ref, the
// registry's real digest, computed without pyimg or go-containerregistry.
func skopeoDigest(t *testing.T, ref string) string {
	t.Helper()
	out, err := exec.Command("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://"+ref).Output()
	if err != nil {
		t.Fatalf("skopeo inspect --raw %s: %v", ref, err)
	}
	sum := sha256.Sum256(out)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func writeDockerfile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "Dockerfile")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pinArgs are the flags every registry command in these tests gets: no
// cache, so each run talks to the registry.
var pinArgs = []string{"--insecure", "--cache-ttl", "0"}

func TestBaseImageTags(t *testing.T) {
	pr := startPythonRegistry(t)
	stdout, stderr, code := runPyimg(t, append([]string{"tags", "--format", "json", "--now", "2026-11-22", pr.repo}, pinArgs...)...)
	if code != 0 {
		t.Fatalf("pyimg tags = exit %d\n%s", code, stderr)
	}
	var out struct {
		Total  int `json:"total_tags"`
		Groups []struct {
			Series, Variant, OS, Newest string
			Tags                        []string
			Python                      *struct{ Support string } `json:"python_status"`
		} `json:"groups"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("pyimg tags json: %v\n%s", err, stdout)
	}
	var listed []string
	for _, g := range out.Groups {
		listed = append(listed, g.Tags...)
		if g.Series == "3.11" && g.Variant == "slim" && g.OS == "bookworm" && g.Newest != "3.11.3-slim-bookworm" {
			t.Errorf("group 3.11 slim bookworm newest = %s, want 3.11.3-slim-bookworm", g.Newest)
		}
		if g.Series == "3.8" && (g.Python == nil || g.Python.Support != "eol") {
			t.Errorf("group 3.8 python status = %+v, want eol", g.Python)
		}
	}
	if out.Total != len(pr.digests) || len(listed) != len(pr.digests) {
		t.Errorf("pyimg tags listed %d of %d tags (total %d)", len(listed), len(pr.digests), out.Total)
	}
	for tag := range pr.digests {
		if !slices.Contains(listed, tag) {
			t.Errorf("pyimg tags lacks %s", tag)
		}
	}
	// Filters.
	stdout, _, code = runPyimg(t, append([]string{"tags", "--python", "3.10", "--variant", "slim", "--now", "2026-11-22", pr.repo}, pinArgs...)...)
	if code != 0 || !strings.Contains(stdout, "3.10.3-slim-bookworm") || strings.Contains(stdout, "3.11") {
		t.Errorf("pyimg tags --python 3.10 --variant slim = exit %d\n%s", code, stdout)
	}
}

func TestBaseImagePinWritesRegistryDigest(t *testing.T) {
	pr := startPythonRegistry(t)
	df := writeDockerfile(t, "# build\nARG PY=3.12\nFROM "+pr.repo+":${PY}-slim AS build\nRUN true\n\nfrom "+pr.repo+":3.13-slim\nCOPY --from=build /x /x\n")

	// --dry-run: a diff, the file untouched.
	before := fileSum(t, df)
	stdout, stderr, code := runPyimg(t, append([]string{"pin", "--dry-run", df}, pinArgs...)...)
	if code != 0 || !strings.Contains(stdout, "+ARG PY=3.12.6") || fileSum(t, df) != before {
		t.Fatalf("pyimg pin --dry-run = exit %d, changed %v\n%s%s", code, fileSum(t, df) != before, stdout, stderr)
	}
	// --check: unpinned, exit 1.
	if _, _, code := runPyimg(t, append([]string{"pin", "--check", df}, pinArgs...)...); code != 1 {
		t.Errorf("pyimg pin --check on unpinned images = exit %d, want 1", code)
	}

	if _, stderr, code := runPyimg(t, append([]string{"pin", df}, pinArgs...)...); code != 0 {
		t.Fatalf("pyimg pin = exit %d\n%s", code, stderr)
	}
	got, _ := os.ReadFile(df)
	slim := skopeoDigest(t, pr.repo+":3.12.6-slim-trixie")
	index := skopeoDigest(t, pr.repo+":3.13.1-slim-trixie") // a multi-platform index
	want := "# build\nARG PY=3.12.6\nFROM " + pr.repo + ":${PY}-slim-trixie@" + slim + " AS build\nRUN true\n\nfrom " + pr.repo + ":3.13.1-slim-trixie@" + index + "\nCOPY --from=build /x /x\n"
	if string(got) != want {
		t.Errorf("pyimg pin wrote\n%s\nwant\n%s", got, want)
	}
	if index != pr.digests["3.13.1-slim-trixie"] {
		t.Errorf("skopeo sees %s for the index, the pusher saw %s", index, pr.digests["3.13.1-slim-trixie"])
	}
	if _, _, code := runPyimg(t, append([]string{"pin", "--check", df}, pinArgs...)...); code != 0 {
		t.Errorf("pyimg pin --check after pin = exit %d, want 0", code)
	}

	// --platform pins the platform image inside the index.
	df2 := writeDockerfile(t, "FROM "+pr.repo+":3.13-slim\n")
	if _, stderr, code := runPyimg(t, append([]string{"pin", "--platform", "linux/arm64", df2}, pinArgs...)...); code != 0 {
		t.Fatalf("pyimg pin --platform = exit %d\n%s", code, stderr)
	}
	raw, err := exec.Command("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://"+pr.repo+":3.13-slim").Output()
	if err != nil {
		t.Fatal(err)
	}
	var idx struct {
		Manifests []struct {
			Digest   string
			Platform struct{ Architecture string }
		}
	}
	if err := json.Unmarshal(raw, &idx); err != nil {
		t.Fatal(err)
	}
	var arm string
	for _, m := range idx.Manifests {
		if m.Platform.Architecture == "arm64" {
			arm = m.Digest
		}
	}
	if got, _ := os.ReadFile(df2); arm == "" || !strings.Contains(string(got), "@"+arm) {
		t.Errorf("pyimg pin --platform linux/arm64 wrote %q, want the arm64 digest %s", got, arm)
	}
}

func TestBaseImagePinUpdate(t *testing.T) {
	pr := startPythonRegistry(t)
	old := pr.repo + ":3.11.1-slim-bookworm@" + pr.digests["3.11.1-slim-bookworm"]
	df := writeDockerfile(t, "FROM "+old+"\n")
	// 3.11.2 is 60 days old and 3.11.3 40: --min-age 50d stops at 3.11.2.
	if _, stderr, code := runPyimg(t, append([]string{"pin", "--update", "--min-age", "50d", "--now", "2026-11-22", df}, pinArgs...)...); code != 0 {
		t.Fatalf("pyimg pin --update --min-age 50d = exit %d\n%s", code, stderr)
	}
	got, _ := os.ReadFile(df)
	if want := "FROM " + pr.repo + ":3.11.2-slim-bookworm@" + skopeoDigest(t, pr.repo+":3.11.2-slim-bookworm") + "\n"; string(got) != want {
		t.Errorf("pyimg pin --update --min-age 50d wrote %q, want %q", got, want)
	}
	if _, _, code := runPyimg(t, append([]string{"pin", "--check", "--now", "2026-11-22", df}, pinArgs...)...); code != 1 {
		t.Errorf("pyimg pin --check with 3.11.3 available = exit %d, want 1", code)
	}
	if _, stderr, code := runPyimg(t, append([]string{"pin", "--update", df}, pinArgs...)...); code != 0 {
		t.Fatalf("pyimg pin --update = exit %d\n%s", code, stderr)
	}
	got, _ = os.ReadFile(df)
	if want := "FROM " + pr.repo + ":3.11.3-slim-bookworm@" + skopeoDigest(t, pr.repo+":3.11.3-slim-bookworm") + "\n"; string(got) != want {
		t.Errorf("pyimg pin --update wrote %q, want %q", got, want)
	}
	// The OS stays bookworm even though 3.12 has trixie images; the series
	// stays 3.11.
	if strings.Contains(string(got), "trixie") || strings.Contains(string(got), ":3.12") {
		t.Errorf("pyimg pin --update changed the OS or series: %s", got)
	}
}

// TestBaseImageRegistryFaults: a registry answering 500, serving a manifest
// that does not match its digest, or gone, makes pin exit 3 with a clear
// message and leaves the Dockerfile byte-identical.
func TestBaseImageRegistryFaults(t *testing.T) {
	pr := startPythonRegistry(t)

	// HTTP 500 from a proxy in front of the real registry.
	faults := &registrytest.Faults{}
	target, _ := url.Parse("http://" + pr.reg.Host)
	proxy := httptest.NewServer(faults.Wrap(httputil.NewSingleHostReverseProxy(target)))
	defer proxy.Close()
	proxyHost := strings.TrimPrefix(proxy.URL, "http://")
	faults.Fail500("/manifests/")
	df := writeDockerfile(t, "FROM "+proxyHost+"/library/python:3.12-slim\n")
	before := fileSum(t, df)
	_, stderr, code := runPyimg(t, append([]string{"pin", df}, pinArgs...)...)
	t.Logf("500: %s", stderr)
	if code != 3 || !strings.Contains(stderr, "500") || fileSum(t, df) != before {
		t.Errorf("pyimg pin through a 500ing proxy = exit %d, file changed %v, stderr %q; want exit 3, unchanged", code, fileSum(t, df) != before, stderr)
	}

	// A manifest corrupted in the registry's storage: its bytes no longer
	// hash to the digest the registry reports.
	d := strings.TrimPrefix(pr.digests["3.12.5-slim-trixie"], "sha256:")
	blob := filepath.Join(pr.dir, "storage", "docker", "registry", "v2", "blobs", "sha256", d[:2], d, "data")
	b, err := os.ReadFile(blob)
	if err != nil {
		t.Fatalf("finding the manifest blob: %v", err)
	}
	if err := os.WriteFile(blob, append(b, ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	df = writeDockerfile(t, "FROM "+pr.repo+":3.12.5-slim-trixie\n")
	before = fileSum(t, df)
	_, stderr, code = runPyimg(t, append([]string{"pin", df}, pinArgs...)...)
	t.Logf("corrupt: %s", stderr)
	if code != 3 || !strings.Contains(stderr, "hashes to") || fileSum(t, df) != before {
		t.Errorf("pyimg pin of a corrupted manifest = exit %d, file changed %v, stderr %q; want exit 3 naming the digest, unchanged", code, fileSum(t, df) != before, stderr)
	}

	// The registry stopped.
	df = writeDockerfile(t, "ARG PY=3.12\nFROM "+pr.repo+":${PY}-slim\n")
	before = fileSum(t, df)
	pr.stop()
	_, stderr, code = runPyimg(t, append([]string{"pin", "--update", df}, pinArgs...)...)
	t.Logf("stopped: %s", stderr)
	if code != 3 || !strings.Contains(stderr, pr.reg.Host) || fileSum(t, df) != before {
		t.Errorf("pyimg pin against a stopped registry = exit %d, file changed %v, stderr %q; want exit 3 naming the registry, unchanged", code, fileSum(t, df) != before, stderr)
	}
	if _, _, code := runPyimg(t, append([]string{"tags", pr.repo}, pinArgs...)...); code != 3 {
		t.Errorf("pyimg tags against a stopped registry = exit %d, want 3", code)
	}
}

func TestBaseImageRecommend(t *testing.T) {
	pr := startPythonRegistry(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[project]\nname = \"app\"\nrequires-python = \">=3.11,<3.14\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runPyimg(t, append([]string{"recommend", "--format", "json", "--now", "2026-11-22", "--repo", pr.repo, dir}, pinArgs...)...)
	if code != 0 {
		t.Fatalf("pyimg recommend = exit %d\n%s", code, stderr)
	}
	var out struct {
		Build, Runtime  struct{ Image string }
		DigestsResolved bool `json:"digests_resolved"`
		Reasons         []string
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	want := pr.repo + ":3.13.1-slim-trixie@" + skopeoDigest(t, pr.repo+":3.13.1-slim-trixie")
	if out.Build.Image != want || out.Runtime.Image != want || !out.DigestsResolved || len(out.Reasons) == 0 {
		t.Errorf("pyimg recommend = %+v, want build and runtime %s", out, want)
	}
}
