package e2e

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/layers"
)

// TestFinalFilesystemBuildah builds a two-layer image with buildah whose
// upper layer deletes a tree, replaces a directory with a file and another
// with a symlink, and recreates a directory; then checks that
// layers.FinalFS, go-containerregistry's mutate.Extract and pyimg's SBOM
// agree with the container's real root filesystem.
func TestFinalFilesystemBuildah(t *testing.T) {
	skipShort(t)
	buildah, err := exec.LookPath("buildah")
	if err != nil {
		skipOrFail(t, "buildah not installed (scripts/install-test-deps.sh)")
	}
	dir := t.TempDir()
	store := []string{"--root", filepath.Join(dir, "root"), "--runroot", filepath.Join(dir, "runroot"), "--storage-driver", "vfs"}
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(buildah, append(slices.Clone(store), args...)...)
		out, err := cmd.Output()
		if err != nil {
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				t.Fatalf("buildah %s: %v\n%s", strings.Join(args, " "), err, ee.Stderr)
			}
			t.Fatalf("buildah %s: %v", strings.Join(args, " "), err)
		}
		return strings.TrimSpace(string(out))
	}
	defer func() {
		exec.Command(buildah, append(slices.Clone(store), "rm", "--all")...).Run()
		exec.Command(buildah, append(slices.Clone(store), "rmi", "--all", "--force")...).Run()
	}()

	ctr := run("from", "scratch")
	mnt := run("mount", ctr)
	put := func(p, body string) {
		t.Helper()
		mustWrite(t, filepath.Join(mnt, p), body)
	}
	put("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n")
	put("var/lib/dpkg/status", "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.11-1~deb12u2\n\n")
	put("usr/lib/python3/site-packages/requests-2.0.0.dist-info/METADATA", "Name: requests\nVersion: 2.0.0\n")
	put("usr/lib/python3/site-packages/requests/__init__.py", "x = 1\n")
	put("gone/a/b.txt", "b")
	put("opt/keep/old.txt", "old")
	put("opt/other.txt", "o")
	run("commit", ctr, "finalfs-base")

	for _, p := range []string{"usr/lib/python3/site-packages", "var/lib/dpkg", "gone", "opt/keep"} {
		if err := os.RemoveAll(filepath.Join(mnt, p)); err != nil {
			t.Fatal(err)
		}
	}
	put("usr/lib/python3/site-packages", "a file where a directory was")
	if err := os.Symlink("/nowhere", filepath.Join(mnt, "var/lib/dpkg")); err != nil {
		t.Fatal(err)
	}
	put("opt/keep/new.txt", "new")
	run("commit", ctr, "finalfs-top")
	layout := filepath.Join(dir, "layout")
	run("push", "finalfs-top", "oci:"+layout+":top")

	// The truth: the container's root filesystem, non-directories.
	var want []string
	err = filepath.WalkDir(mnt, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(mnt, p)
		want = append(want, "/"+filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(want)

	img, err := image.Open(context.Background(), "oci:"+layout+":top")
	if err != nil {
		t.Fatal(err)
	}
	if got := finalNonDirs(t, img); !slices.Equal(got, want) {
		t.Errorf("layers.FinalFS = %q\nroot filesystem = %q", got, want)
	}
	if got := extractNonDirs(t, img); !slices.Equal(got, want) {
		t.Errorf("mutate.Extract = %q\nroot filesystem = %q", got, want)
	}

	r := runPyimgIn(t, dir, "sbom", "--format", "cyclonedx-json", "oci:"+layout+":top")
	if r.code != 0 || strings.Contains(r.stdout, "pkg:pypi/requests") || strings.Contains(r.stdout, "openssl") {
		t.Errorf("sbom: exit %d, lists hidden packages or failed:\n%s%s", r.code, firstLines(r.stdout, 20), r.stderr)
	}
}

// finalNonDirs walks img and lists the non-directories FinalFS keeps.
func finalNonDirs(t *testing.T, img *image.Image) []string {
	t.Helper()
	v := &finalVisitor{cs: layers.NewChangeSet(), byLayer: map[int]*finalLayer{}}
	if err := layers.Walk(context.Background(), img.Image, []layers.Visitor{v}); err != nil {
		t.Fatal(err)
	}
	var chs []*layers.Changes
	for i := range len(v.byLayer) {
		chs = append(chs, v.byLayer[i].ch)
	}
	final := v.cs.Stack(chs)
	var out []string
	for i := range len(v.byLayer) {
		for _, p := range v.byLayer[i].nonDirs {
			if final.Present(p, i) {
				out = append(out, p)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

type finalVisitor struct {
	cs      *layers.ChangeSet
	mu      sync.Mutex
	byLayer map[int]*finalLayer
}

type finalLayer struct {
	ch      *layers.Changes
	nonDirs []string
}

func (v *finalVisitor) VisitLayer(l layers.Layer) layers.LayerVisitor {
	fl := &finalLayer{ch: v.cs.NewChanges()}
	v.mu.Lock()
	v.byLayer[l.Index] = fl
	v.mu.Unlock()
	return fl
}

func (fl *finalLayer) Want(*layers.Entry) int64 { return 0 }
func (fl *finalLayer) Done(layers.Stats) error  { return nil }
func (fl *finalLayer) Entry(e *layers.Entry, _ []byte) error {
	fl.ch.Add(e)
	if !e.Whiteout && !e.Opaque && e.Type != layers.TypeDir {
		fl.nonDirs = append(fl.nonDirs, e.Path)
	}
	return nil
}

// extractNonDirs lists the non-directories of mutate.Extract's tar.
func extractNonDirs(t *testing.T, img *image.Image) []string {
	t.Helper()
	rc := mutate.Extract(img.Image)
	defer rc.Close()
	tr := tar.NewReader(rc)
	var out []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeDir {
			out = append(out, "/"+strings.TrimPrefix(filepath.Clean(h.Name), "/"))
		}
	}
	slices.Sort(out)
	return out
}
