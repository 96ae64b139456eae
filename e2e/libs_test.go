package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
)

// The `pyimg libs` images: built once from e2e/libsdata/Containerfile on
// top of the fixture images and cached (keyed by a hash of libsdata and the
// fixture set) next to the fixtures. They live outside e2e/testdata so they
// do not change the shared fixtures' recipe hash.
var libsImages = []string{"build", "runtime", "dlruntime"}

// buildah runs buildah against a private containers/storage, like the
// fixture builder.
type buildah struct {
	dir, driver string
}

func newBuildah(t *testing.T, driver string) *buildah {
	t.Helper()
	if _, err := fx.LookPath("buildah"); err != nil {
		skipOrFail(t, "buildah not found (run scripts/install-test-deps.sh as root)")
	}
	if os.Geteuid() != 0 {
		skipOrFail(t, "the libs e2e builds need root (buildah with chroot isolation)")
	}
	dir, err := os.MkdirTemp("", "pyimg-e2e-libs-")
	if err != nil {
		t.Fatal(err)
	}
	b := &buildah{dir: dir, driver: driver}
	if err := os.WriteFile(filepath.Join(dir, "policy.json"), []byte(`{"default":[{"type":"insecureAcceptAnything"}]}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "registries.conf"), []byte("unqualified-search-registries = []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = b.cmd(ctx, "rm", "--all")
		_, _ = b.cmd(ctx, "rmi", "--all", "--force")
		for _, sub := range []string{"storage/overlay", "run"} {
			_ = exec.Command("umount", "-R", filepath.Join(dir, sub)).Run()
		}
		if err := os.RemoveAll(dir); err != nil {
			t.Logf("removing buildah storage %s: %v", dir, err)
		}
	})
	return b
}

func (b *buildah) cmd(ctx context.Context, args ...string) (string, error) {
	global := []string{"--root", filepath.Join(b.dir, "storage"), "--runroot", filepath.Join(b.dir, "run"), "--storage-driver", b.driver}
	sub, rest := args[:1], args[1:]
	switch args[0] {
	case "bud", "pull", "push", "from":
		rest = append([]string{"--signature-policy", filepath.Join(b.dir, "policy.json")}, rest...)
	}
	c := exec.CommandContext(ctx, "buildah", append(append(global, sub...), rest...)...)
	c.Env = append(os.Environ(), "CONTAINERS_REGISTRIES_CONF="+filepath.Join(b.dir, "registries.conf"), "BUILDAH_ISOLATION=chroot", "TMPDIR="+filepath.Join(b.dir, "tmp"))
	var out, errb strings.Builder
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		return out.String(), fmt.Errorf("buildah %s: %w\n%s%s", strings.Join(args, " "), err, tailLines(out.String(), 30)+"\n", tailLines(errb.String(), 30))
	}
	return out.String(), nil
}

func (b *buildah) must(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	start := time.Now()
	out, err := b.cmd(ctx, args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("buildah %s: %s", args[0], time.Since(start).Round(100*time.Millisecond))
	return out
}

// load pulls an oci-archive into the storage under name.
func (b *buildah) load(t *testing.T, archive, name string) {
	t.Helper()
	id := strings.TrimSpace(b.must(t, "pull", "--quiet", "oci-archive:"+archive))
	b.must(t, "tag", id, name)
}

// libsFixtures returns the directory holding build.oci.tar, runtime.oci.tar
// and dlruntime.oci.tar, building them when they are not cached, and a
// buildah whose storage holds them as localhost/pyimg-e2e-libs/<name>.
func libsFixtures(t *testing.T) (string, *buildah) {
	t.Helper()
	set := fixtures(t)
	src := filepath.Join(repoRoot, "e2e", "libsdata")
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00", set.Version)
	for _, f := range []string{"Containerfile", "pqext.c"} {
		data, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", f, len(data))
		h.Write(data)
	}
	root, err := fx.CacheRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "libs-"+hex.EncodeToString(h.Sum(nil))[:12])
	b := newBuildah(t, set.StorageDriver)
	unlock := flock(t, filepath.Join(root, "libs.lock"))
	defer unlock()
	cached := true
	for _, n := range libsImages {
		if _, err := os.Stat(filepath.Join(dir, n+".oci.tar")); err != nil {
			cached = false
		}
	}
	if cached {
		for _, n := range libsImages {
			b.load(t, filepath.Join(dir, n+".oci.tar"), "localhost/pyimg-e2e-libs/"+n)
		}
		return dir, b
	}
	// Remove the images of older recipes before building new ones.
	old, _ := filepath.Glob(filepath.Join(root, "libs-*"))
	for _, o := range old {
		if o != dir {
			_ = os.RemoveAll(o)
		}
	}
	b.load(t, set.Path(fx.Wasted, fx.OCIArchive), "localhost/pyimg-e2e-libs/base")
	b.load(t, set.Path(fx.Distroless, fx.OCIArchive), "localhost/pyimg-e2e-libs/distroless")
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, n := range libsImages {
		tag := "localhost/pyimg-e2e-libs/" + n
		b.must(t, "bud", "--layers", "--isolation=chroot", "--pull=never", "--target", n,
			"--build-arg", "BASE=localhost/pyimg-e2e-libs/base", "--build-arg", "DISTROLESS=localhost/pyimg-e2e-libs/distroless",
			"-f", filepath.Join(src, "Containerfile"), "-t", tag, src)
		b.must(t, "push", "--quiet", tag, "oci-archive:"+filepath.Join(tmp, n+".oci.tar")+":latest")
	}
	if err := os.Rename(tmp, dir); err != nil {
		t.Fatal(err)
	}
	return dir, b
}

func flock(t *testing.T, path string) func() {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}
}

type libsMissing struct {
	Soname        string   `json:"soname"`
	NeededBy      []string `json:"needed_by"`
	Extensions    []string `json:"extensions"`
	Distributions []string `json:"distributions"`
	Providers     []struct {
		Package string `json:"package"`
		Manager string `json:"manager"`
		Source  string `json:"source"`
	} `json:"providers"`
}

type libsReport struct {
	Missing        []libsMissing `json:"missing"`
	GlibcRequired  string        `json:"glibc_required"`
	GlibcAvailable string        `json:"glibc_available"`
	Libc           string        `json:"libc"`
}

func libsJSON(t *testing.T, args ...string) (libsReport, int) {
	t.Helper()
	stdout, stderr, code := runPyimg(t, append([]string{"libs", "--format", "json"}, args...)...)
	var r libsReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("pyimg libs %v: exit %d, %v\nstdout:\n%s\nstderr:\n%s", args, code, err, stdout, stderr)
	}
	return r, code
}

const pqextPath = "/usr/local/lib/python3.11/dist-packages/pqext.cpython-311-x86_64-linux-gnu.so"

// TestLibsMissingLibpq builds an app whose C extension links libpq in a
// builder with libpq-dev and copies it into runtimes without libpq5: pyimg
// libs must name libpq.so.5, the extension and libpq5; the image fixed
// with the suggested apt line, and a distroless-style runtime assembled
// from the suggested COPY lines, must import the extension.
func TestLibsMissingLibpq(t *testing.T) {
	dir, b := libsFixtures(t)
	runtime := "oci-archive:" + filepath.Join(dir, "runtime.oci.tar")
	build := "oci-archive:" + filepath.Join(dir, "build.oci.tar")
	dlruntime := "oci-archive:" + filepath.Join(dir, "dlruntime.oci.tar")

	r, code := libsJSON(t, runtime)
	if code != 1 {
		t.Errorf("pyimg libs on the runtime without libpq5: exit %d, want 1", code)
	}
	i := slices.IndexFunc(r.Missing, func(m libsMissing) bool { return m.Soname == "libpq.so.5" })
	if i < 0 {
		t.Fatalf("missing = %+v, want libpq.so.5", r.Missing)
	}
	m := r.Missing[i]
	if len(r.Missing) != 1 {
		t.Errorf("missing = %+v, want only libpq.so.5", r.Missing)
	}
	if !slices.Equal(m.NeededBy, []string{pqextPath}) || !slices.Equal(m.Extensions, []string{pqextPath}) || !slices.Equal(m.Distributions, []string{"pqext==1.0"}) {
		t.Errorf("libpq.so.5 needed by %q (distributions %q), want %s (pqext==1.0)", m.NeededBy, m.Distributions, pqextPath)
	}
	if len(m.Providers) == 0 || m.Providers[0].Package != "libpq5" || m.Providers[0].Manager != "apt" {
		t.Errorf("providers = %+v, want libpq5 (apt)", m.Providers)
	}
	if r.Libc != "glibc" || r.GlibcAvailable != "2.36" || r.GlibcRequired == "" {
		t.Errorf("libc %q, glibc required %q, available %q; want glibc, 2.36 available (bookworm)", r.Libc, r.GlibcRequired, r.GlibcAvailable)
	}

	// The builder has libpq5 (pulled in by libpq-dev): --from names it.
	r, _ = libsJSON(t, "--from", build, runtime)
	if p := r.Missing[0].Providers; len(p) == 0 || p[0].Package != "libpq5" || p[0].Source != "image:"+build {
		t.Errorf("providers with --from = %+v, want libpq5 from %s first", p, build)
	}
	text, _, _ := runPyimg(t, "libs", runtime)
	for _, want := range []string{pqextPath, "libpq.so.5  NOT FOUND", "(pqext==1.0)", "provided by: libpq5"} {
		if !strings.Contains(text, want) {
			t.Errorf("text output lacks %q:\n%s", want, text)
		}
	}

	t.Run("apt line", func(t *testing.T) {
		emitted, stderr, code := runPyimg(t, "libs", "--emit", "dockerfile", runtime)
		if code != 1 || !strings.Contains(emitted, "apt-get install -y --no-install-recommends libpq5") {
			t.Fatalf("--emit dockerfile: exit %d\n%s%s", code, emitted, stderr)
		}
		ctxDir := t.TempDir()
		cf := "FROM localhost/pyimg-e2e-libs/runtime\n" + emitted
		if err := os.WriteFile(filepath.Join(ctxDir, "Containerfile"), []byte(cf), 0o644); err != nil {
			t.Fatal(err)
		}
		b.must(t, "bud", "--isolation=chroot", "--pull=never", "-t", "localhost/pyimg-e2e-libs/fixed", ctxDir)
		checkImport(t, b, "localhost/pyimg-e2e-libs/fixed", "python3")
		out := filepath.Join(t.TempDir(), "fixed.oci.tar")
		b.must(t, "push", "--quiet", "localhost/pyimg-e2e-libs/fixed", "oci-archive:"+out+":latest")
		if r, code := libsJSON(t, "oci-archive:"+out); code != 0 || len(r.Missing) != 0 {
			t.Errorf("pyimg libs on the fixed image: exit %d, missing %+v; want 0 and none", code, r.Missing)
		}
	})

	t.Run("distroless COPY lines", func(t *testing.T) {
		emitted, stderr, code := runPyimg(t, "libs", "--from", build, "--emit", "dockerfile", "--distroless", "--stage", "build", dlruntime)
		if code != 1 || !strings.Contains(emitted, "COPY --from=build /usr/lib/x86_64-linux-gnu/libpq.so.5* /usr/lib/x86_64-linux-gnu/\n") {
			t.Fatalf("--distroless: exit %d\n%s%s", code, emitted, stderr)
		}
		if strings.Contains(emitted, "#") {
			t.Errorf("some missing library was not found in the build image:\n%s", emitted)
		}
		t.Logf("suggested lines:\n%s", emitted)
		ctxDir := t.TempDir()
		cf := "FROM localhost/pyimg-e2e-libs/build AS build\nFROM localhost/pyimg-e2e-libs/dlruntime\n" + emitted
		if err := os.WriteFile(filepath.Join(ctxDir, "Containerfile"), []byte(cf), 0o644); err != nil {
			t.Fatal(err)
		}
		b.must(t, "bud", "--isolation=chroot", "--pull=never", "-t", "localhost/pyimg-e2e-libs/dlfixed", ctxDir)
		checkImport(t, b, "localhost/pyimg-e2e-libs/dlfixed", "/usr/bin/python3")
		out := filepath.Join(t.TempDir(), "dlfixed.oci.tar")
		b.must(t, "push", "--quiet", "localhost/pyimg-e2e-libs/dlfixed", "oci-archive:"+out+":latest")
		if r, code := libsJSON(t, "oci-archive:"+out); code != 0 || len(r.Missing) != 0 {
			t.Errorf("pyimg libs on the fixed distroless image: exit %d, missing %+v; want 0 and none", code, r.Missing)
		}
	})
}

// checkImport runs python in a container of image and imports pqext,
// which calls into libpq.
func checkImport(t *testing.T, b *buildah, image, python string) {
	t.Helper()
	c := strings.TrimSpace(b.must(t, "from", "--pull-never", image))
	out := b.must(t, "run", "--isolation=chroot", c, "--", python, "-c", "import pqext; print('libpq', pqext.version())")
	if !strings.HasPrefix(out, "libpq ") {
		t.Errorf("importing pqext in %s printed %q", image, out)
	}
	t.Logf("%s: %s", image, strings.TrimSpace(out))
}
