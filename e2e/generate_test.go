package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
)

// Images the generate tests build on, in their own buildah storage.
const (
	genBaseTag       = "localhost/pyimg-e2e/base:bookworm"
	genDistrolessTag = "localhost/pyimg-e2e/distroless:latest"
)

// buildahStore is a private containers/storage root for one test.
type buildahStore struct {
	t      *testing.T
	dir    string
	driver string
	env    []string
}

// newBuildahStore sets up private storage (the fixtures' driver) and
// removes it, with every image and container in it, when the test ends.
func newBuildahStore(t *testing.T, driver string) *buildahStore {
	t.Helper()
	dir, err := os.MkdirTemp("/var/tmp", "pyimg-e2e-generate-")
	if err != nil {
		t.Fatal(err)
	}
	b := &buildahStore{t: t, dir: dir, driver: driver}
	for _, d := range []string{"storage", "run", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{
		"registries.conf": "unqualified-search-registries = []\n",
		"policy.json":     `{"default":[{"type":"insecureAcceptAnything"}]}` + "\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b.env = []string{
		"CONTAINERS_REGISTRIES_CONF=" + filepath.Join(dir, "registries.conf"),
		"BUILDAH_ISOLATION=chroot",
		"TMPDIR=" + filepath.Join(dir, "tmp"),
	}
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = b.run(ctx, "rm", "--all")
		_, _ = b.run(ctx, "rmi", "--all", "--force")
		unmountBelow(dir)
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("removing buildah storage %s: %v", dir, err)
		}
	})
	return b
}

// run runs buildah against the private storage and returns its stdout.
func (b *buildahStore) run(ctx context.Context, args ...string) (string, error) {
	global := []string{"--root", filepath.Join(b.dir, "storage"), "--runroot", filepath.Join(b.dir, "run"), "--storage-driver", b.driver}
	sub, rest := args[:1], args[1:]
	switch args[0] {
	case "bud", "from", "pull", "push":
		rest = append([]string{"--signature-policy", filepath.Join(b.dir, "policy.json")}, rest...)
	}
	c := exec.CommandContext(ctx, "buildah", append(append(global, sub...), rest...)...)
	c.Env = append(os.Environ(), b.env...)
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	c.WaitDelay = 10 * time.Second
	if err := c.Run(); err != nil {
		return out.String(), fmt.Errorf("buildah %s: %w\n%s", strings.Join(args, " "), err, tailLines(out.String()+errb.String(), 30))
	}
	return out.String(), nil
}

func (b *buildahStore) must(t *testing.T, ctx context.Context, args ...string) string {
	t.Helper()
	out, err := b.run(ctx, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// unmountBelow unmounts every mount point under dir, deepest first.
func unmountBelow(dir string) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	var mounts []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			mounts = append(mounts, fields[4])
		}
	}
	for i := len(mounts) - 1; i >= 0; i-- {
		_ = exec.Command("umount", "-l", mounts[i]).Run()
	}
}

// loadGenerateBases puts the debootstrap base (the first layer of the
// wasted fixture, which is the base image's only layer) and the distroless
// fixture into the store under genBaseTag and genDistrolessTag.
func loadGenerateBases(ctx context.Context, t *testing.T, set *fx.Set, b *buildahStore) {
	t.Helper()
	wasted := layoutImage(t, set.Path(fx.Wasted, fx.OCILayout))
	layers, err := wasted.Layers()
	if err != nil || len(layers) == 0 {
		t.Fatalf("reading the wasted fixture's layers: %v", err)
	}
	oci := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	base, err := mutate.AppendLayers(oci, layers[0])
	if err != nil {
		t.Fatal(err)
	}
	base, err = mutate.Config(base, v1.Config{
		Env: []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8"},
		Cmd: []string{"python3"},
	})
	if err != nil {
		t.Fatal(err)
	}
	b.load(t, ctx, base, genBaseTag)
	b.load(t, ctx, layoutImage(t, set.Path(fx.Distroless, fx.OCILayout)), genDistrolessTag)
}

// layoutImage returns the first image of the OCI layout at dir.
func layoutImage(t *testing.T, dir string) v1.Image {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatalf("opening %s: %v", dir, err)
	}
	im, err := idx.IndexManifest()
	if err != nil || len(im.Manifests) == 0 {
		t.Fatalf("reading the index of %s: %v", dir, err)
	}
	img, err := idx.Image(im.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// load writes img to a layout inside the store's directory (buildah 1.28
// derives a name from the path and rejects dots in it), pulls it and tags
// it.
func (b *buildahStore) load(t *testing.T, ctx context.Context, img v1.Image, tag string) {
	t.Helper()
	dir := filepath.Join(b.dir, "load")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatalf("writing %s to a layout: %v", tag, err)
	}
	b.must(t, ctx, "tag", lastLine(b.must(t, ctx, "pull", "--quiet", "oci:"+dir)), tag)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
}

// imageSize pushes img to an OCI layout and returns the sum of its
// compressed layer blobs and of their uncompressed tar streams.
func (b *buildahStore) imageSize(t *testing.T, ctx context.Context, img string) (compressed, uncompressed int64) {
	t.Helper()
	dir := filepath.Join(b.dir, "size")
	defer os.RemoveAll(dir)
	b.must(t, ctx, "push", "--quiet", img, "oci:"+dir)
	layers, err := layoutImage(t, dir).Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		n, err := l.Size()
		if err != nil {
			t.Fatal(err)
		}
		compressed += n
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		u, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		uncompressed += u
	}
	return compressed, uncompressed
}

// freePort returns a TCP port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// copyApp copies e2e/apps/<name> into a fresh directory.
func copyApp(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join(repoRoot, "e2e", "apps", name)
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// probeScript starts the image's command, requests /healthz until it
// answers, runs the image's HEALTHCHECK command, and prints what it saw.
const probeScript = `
import json, os, subprocess, sys, time, urllib.request
cmd, health, url = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
p = subprocess.Popen(cmd)
try:
    body = None
    for _ in range(150):
        try:
            body = urllib.request.urlopen(url, timeout=1).read().decode()
            break
        except OSError:
            if p.poll() is not None:
                sys.exit("app exited with %d" % p.returncode)
            time.sleep(0.1)
    if body is None:
        sys.exit("no answer from " + url)
    rc = subprocess.call(health) if health else -1
    print(json.dumps({"uid": os.getuid(), "body": body, "health": rc, "cwd": os.getcwd()}))
finally:
    p.kill()
`

type imageConfig struct {
	User        string
	Cmd         []string
	Healthcheck *struct{ Test []string }
}

type probeResult struct {
	UID    int    `json:"uid"`
	Body   string `json:"body"`
	Health int    `json:"health"`
	Cwd    string `json:"cwd"`
}

// TestGenerateBuildsAndRuns generates Dockerfiles for a pure-Python HTTP
// service, lints them, builds them with buildah on the debootstrap base
// (slim) and on the distroless fixture (distroless) through the base ARGs,
// runs the app as the image's user and requests it; and compares sizes and
// build times with a naive single-stage Dockerfile for the same app.
func TestGenerateBuildsAndRuns(t *testing.T) {
	set := fixtures(t)
	if _, err := exec.LookPath("buildah"); err != nil {
		skipOrFail(t, "buildah missing (run scripts/install-test-deps.sh as root)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	b := newBuildahStore(t, set.StorageDriver)
	loadGenerateBases(ctx, t, set, b)

	type measured struct {
		name              string
		compressed, bytes int64
		seconds           float64
	}
	var sizes []measured
	build := func(t *testing.T, name, dir string, args ...string) {
		t.Helper()
		start := time.Now()
		bud := append([]string{"bud", "--layers", "--isolation=chroot", "--pull=never", "--format", "docker",
			"-t", "localhost/pyimg-e2e-generate/" + name}, args...)
		b.must(t, ctx, append(bud, dir)...)
		secs := time.Since(start).Seconds()
		comp, uncomp := b.imageSize(t, ctx, "localhost/pyimg-e2e-generate/"+name)
		sizes = append(sizes, measured{name, comp, uncomp, secs})
	}

	for _, tc := range []struct {
		variant, runtime, user string
		uid                    int
	}{
		{"slim", genBaseTag, "10001:10001", 10001},
		{"distroless", genDistrolessTag, "65532:65532", 65532},
	} {
		t.Run(tc.variant, func(t *testing.T) {
			dir := copyApp(t, "stdlib-http")
			port := freePort(t)
			cfg := fmt.Sprintf("[project]\nname = \"stdlib-http\"\nversion = \"0.1.0\"\nrequires-python = \">=3.11\"\ndependencies = []\n\n"+
				"[tool.pyimg.generate]\nport = %d\nhealth-path = \"/healthz\"\nenv = {PORT = \"%d\"}\n", port, port)
			if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte(cfg), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := runPyimg(t, "generate", "--variant", tc.variant, dir)
			if code != 0 {
				t.Fatalf("pyimg generate exit %d\n%s%s", code, stdout, stderr)
			}
			df, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(df), "/usr/local/") && !strings.Contains(string(df), "/usr/local/bin/uv") {
				t.Errorf("Dockerfile hard-codes /usr/local paths:\n%s", df)
			}
			if stdout, stderr, code := runPyimg(t, "lint", "--fail-on", "warning", filepath.Join(dir, "Dockerfile")); code != 0 {
				t.Errorf("pyimg lint --fail-on warning exit %d:\n%s%s", code, stdout, stderr)
			}
			args := []string{"--build-arg", "BUILD_IMAGE=" + genBaseTag, "--build-arg", "RUNTIME_IMAGE=" + tc.runtime}
			if tc.variant == "distroless" {
				// The netrc secret is optional: slim builds without it.
				secret := filepath.Join(t.TempDir(), "netrc")
				if err := os.WriteFile(secret, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--secret", "id=netrc,src="+secret)
			}
			build(t, tc.variant, dir, args...)

			img := "localhost/pyimg-e2e-generate/" + tc.variant
			raw := b.must(t, ctx, "inspect", "--type", "image", img)
			var inspected struct {
				Docker struct {
					Config imageConfig `json:"config"`
				}
			}
			if err := json.Unmarshal([]byte(raw), &inspected); err != nil {
				t.Fatalf("buildah inspect: %v\n%s", err, raw)
			}
			cfgJSON := inspected.Docker.Config
			if cfgJSON.User != tc.user {
				t.Errorf("image user = %q, want %q", cfgJSON.User, tc.user)
			}
			if cfgJSON.Healthcheck == nil || len(cfgJSON.Healthcheck.Test) < 2 || cfgJSON.Healthcheck.Test[0] != "CMD" {
				t.Fatalf("image healthcheck = %+v, want an exec-form CMD", cfgJSON.Healthcheck)
			}
			cmdJSON, _ := json.Marshal(cfgJSON.Cmd)
			hcJSON, _ := json.Marshal(cfgJSON.Healthcheck.Test[1:])
			ctr := "pyimg-e2e-generate-" + tc.variant
			b.must(t, ctx, "from", "--pull-never", "--name", ctr, img)
			out := b.must(t, ctx, "run", "--isolation=chroot", "--user", cfgJSON.User, ctr, "--",
				"/opt/venv/bin/python", "-c", probeScript, string(cmdJSON), string(hcJSON), "http://127.0.0.1:"+strconv.Itoa(port)+"/healthz")
			b.must(t, ctx, "rm", ctr)
			var got probeResult
			if err := json.Unmarshal([]byte(lastLine(out)), &got); err != nil {
				t.Fatalf("probe output: %v\n%s", err, out)
			}
			if got.UID != tc.uid {
				t.Errorf("app ran as uid %d, want %d", got.UID, tc.uid)
			}
			if !strings.Contains(got.Body, `"status": "ok"`) || !strings.Contains(got.Body, fmt.Sprintf(`"uid": %d`, tc.uid)) {
				t.Errorf("GET /healthz = %s, want status ok from uid %d", got.Body, tc.uid)
			}
			if got.Health != 0 {
				t.Errorf("HEALTHCHECK command exit %d, want 0", got.Health)
			}
			if got.Cwd != "/app" {
				t.Errorf("working directory %q, want /app", got.Cwd)
			}
		})
	}

	t.Run("naive", func(t *testing.T) {
		dir := copyApp(t, "stdlib-http")
		naive := "FROM " + genBaseTag + "\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y python3-venv && python3 -m venv /opt/venv\n" +
			"ENV PATH=/opt/venv/bin:$PATH\nCMD [\"python\", \"app.py\"]\n"
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(naive), 0o644); err != nil {
			t.Fatal(err)
		}
		build(t, "naive", dir)
	})
	bc, bu := b.imageSize(t, ctx, genBaseTag)
	t.Logf("image %-10s %7.1f MB (%6.1f MB compressed)  (the debootstrap base all builds start from)", "base", float64(bu)/1e6, float64(bc)/1e6)
	for _, m := range sizes {
		t.Logf("image %-10s %7.1f MB (%6.1f MB compressed)  built in %5.1fs", m.name, float64(m.bytes)/1e6, float64(m.compressed)/1e6, m.seconds)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
