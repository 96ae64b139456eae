package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
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

// buildahStore is a private containers/storage root for one test, shared
// by the generate, build and libs tests.
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
	if _, err := exec.LookPath("buildah"); err != nil {
		skipOrFail(t, "buildah not found (run scripts/install-test-deps.sh as root)")
	}
	if os.Geteuid() != 0 {
		skipOrFail(t, "buildah builds with chroot isolation need root")
	}
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

// loadArchive pulls an oci-archive into the store under name.
func (b *buildahStore) loadArchive(t *testing.T, archive, name string) {
	t.Helper()
	ctx := context.Background()
	id := strings.TrimSpace(b.must(t, ctx, "pull", "--quiet", "oci-archive:"+archive))
	b.must(t, ctx, "tag", id, name)
}
