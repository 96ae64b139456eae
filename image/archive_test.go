package image

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func TestOpenDockerArchive(t *testing.T) {
	t.Parallel()
	a := testImage(t, 2, DefaultPlatform)
	b := testImage(t, 3, v1.Platform{OS: "linux", Architecture: "arm64"})
	f := filepath.Join(t.TempDir(), "save.tar")
	out, err := os.Create(f)
	if err != nil {
		t.Fatal(err)
	}
	tagA, _ := name.NewTag("example.com/app:a")
	tagB, _ := name.NewTag("python:3.12")
	if err := tarball.MultiRefWrite(map[name.Reference]v1.Image{tagA: a, tagB: b}, out); err != nil {
		t.Fatal(err)
	}
	out.Close()

	cfgA, _ := a.ConfigName()
	cfgB, _ := b.ConfigName()
	for _, tc := range []struct {
		ref     string
		want    v1.Hash // config digest
		nLayers int
	}{
		{"docker-archive:" + f + ":example.com/app:a", cfgA, 2},
		{"docker-archive:" + f + ":python:3.12", cfgB, 3},
		{"docker-archive:" + f + ":docker.io/library/python:3.12", cfgB, 3},
	} {
		t.Run(tc.ref, func(t *testing.T) {
			t.Parallel()
			got, err := Open(context.Background(), tc.ref)
			if err != nil {
				t.Fatalf("Open(%q) = %v", tc.ref, err)
			}
			if got.ConfigDigest != tc.want {
				t.Errorf("Open(%q).ConfigDigest = %s, want %s", tc.ref, got.ConfigDigest, tc.want)
			}
			ls, err := got.Layers()
			if err != nil {
				t.Fatal(err)
			}
			if len(ls) != tc.nLayers || ls[0].CreatedBy != "RUN step 0" {
				t.Errorf("Layers() = %+v, want %d", ls, tc.nLayers)
			}
			if err := readAllLayers(got); err != nil {
				t.Error(err)
			}
		})
	}

	t.Run("first image by default", func(t *testing.T) {
		t.Parallel()
		got, err := Open(context.Background(), "docker-archive:"+f)
		if err != nil {
			t.Fatal(err)
		}
		if got.ConfigDigest != cfgA && got.ConfigDigest != cfgB {
			t.Errorf("ConfigDigest = %s", got.ConfigDigest)
		}
		got2, err := Open(context.Background(), "docker-archive:"+f+":@0")
		if err != nil || got2.ConfigDigest != got.ConfigDigest {
			t.Errorf("Open(@0) = %v, %v; want the first image", got2, err)
		}
	})
	t.Run("unknown tag", func(t *testing.T) {
		t.Parallel()
		_, err := Open(context.Background(), "docker-archive:"+f+":nope:1")
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "python:3.12") {
			t.Errorf("Open(unknown tag) = %v, want ErrNotFound listing tags", err)
		}
	})
	t.Run("index out of range", func(t *testing.T) {
		t.Parallel()
		if _, err := Open(context.Background(), "docker-archive:"+f+":@2"); !errors.Is(err, ErrNotFound) {
			t.Errorf("Open(@2) = %v, want ErrNotFound", err)
		}
	})
}

// dockerSave writes a docker-save style archive with uncompressed
// "<n>/layer.tar" members, as docker itself writes them. corrupt, when not
// negative, flips a byte of that layer.
func dockerSave(t *testing.T, img v1.Image, corrupt int) string {
	t.Helper()
	cfg, err := img.RawConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfgName, _ := img.ConfigName()
	entries := []tarEntry{{name: cfgName.Hex + ".json", body: cfg}}
	ls, _ := img.Layers()
	var paths []string
	for i, l := range ls {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if i == corrupt {
			b[len(b)/2] ^= 0xff
		}
		p := string(rune('a'+i)) + "/layer.tar"
		paths = append(paths, p)
		entries = append(entries, tarEntry{name: string(rune('a'+i)) + "/", typeflag: tar.TypeDir}, tarEntry{name: p, body: b})
	}
	m, _ := json.Marshal([]dockerEntry{{Config: cfgName.Hex + ".json", RepoTags: []string{"app:latest"}, Layers: paths}})
	entries = append(entries, tarEntry{name: "manifest.json", body: m})
	f := filepath.Join(t.TempDir(), "save.tar")
	writeTar(t, f, entries...)
	return f
}

func TestOpenDockerArchiveUncompressed(t *testing.T) {
	t.Parallel()
	img := testImage(t, 2, DefaultPlatform)
	got, err := Open(context.Background(), "docker-archive:"+dockerSave(t, img, -1))
	if err != nil {
		t.Fatal(err)
	}
	ls, err := got.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range ls {
		// Uncompressed layers are served as stored: digest == diff ID.
		if l.Digest != l.DiffID || l.MediaType != "application/vnd.docker.image.rootfs.diff.tar" {
			t.Errorf("layer %d: digest %s, diffID %s, media type %s", l.Index, l.Digest, l.DiffID, l.MediaType)
		}
	}
	if err := readAllLayers(got); err != nil {
		t.Error(err)
	}

	cf, _ := img.ConfigFile()
	bad := cf.RootFS.DiffIDs[1]
	got, err = Open(context.Background(), "docker-archive:"+dockerSave(t, img, 1))
	if err != nil {
		t.Fatal(err)
	}
	err = readAllLayers(got)
	if !errors.Is(err, ErrInvalidImage) || !strings.Contains(err.Error(), bad.String()) || !strings.Contains(err.Error(), "b/layer.tar") {
		t.Errorf("reading a corrupted layer = %v, want ErrInvalidImage naming %s and b/layer.tar", err, bad)
	}
}

func TestOpenArchiveBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	img := testImage(t, 1, DefaultPlatform)
	lay := t.TempDir()
	if _, err := layout.Write(lay, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.tar")
	tarDir(t, lay, good, false)
	goodBytes, _ := os.ReadFile(good)
	ls, _ := img.Layers()
	layerDigest := mustDigest(t, ls[0])
	idx, _ := os.ReadFile(filepath.Join(lay, "index.json"))

	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tarOf := func(name string, entries ...tarEntry) string {
		p := filepath.Join(dir, name)
		writeTar(t, p, entries...)
		return p
	}
	var gz bytes.Buffer
	gz.Write([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0})

	for _, tc := range []struct {
		name, ref string
		want      []string // substrings of the error
		sentinel  error
	}{
		{"missing file", "oci-archive:" + filepath.Join(dir, "nope.tar"), []string{"nope.tar", "no such file"}, os.ErrNotExist},
		{"directory", "oci-archive:" + lay, []string{"is a directory", "oci:"}, ErrInvalidImage},
		{"not a tar", "oci-archive:" + write("text.tar", bytes.Repeat([]byte("hello world\n"), 100)), []string{"text.tar", "not a tar"}, ErrInvalidImage},
		{"empty file", "oci-archive:" + write("empty.tar", nil), []string{"empty.tar", "empty"}, ErrInvalidImage},
		{"gzip", "oci-archive:" + write("x.tar.gz", gz.Bytes()), []string{"gzip"}, ErrInvalidImage},
		{"truncated", "oci-archive:" + write("trunc.tar", goodBytes[:len(goodBytes)/2]), []string{"trunc.tar", "truncated"}, ErrInvalidImage},
		{"no index.json", "oci-archive:" + tarOf("noidx.tar", tarEntry{name: "manifest.json", body: []byte("[]")}), []string{"noidx.tar", "no index.json", "docker-archive"}, ErrInvalidImage},
		{"no manifest.json", "docker-archive:" + good, []string{"good.tar", "no manifest.json", "oci-archive"}, ErrInvalidImage},
		{"symlinked blob", "oci-archive:" + tarOf("link.tar",
			tarEntry{name: "index.json", body: idx},
			tarEntry{name: "blobs/sha256/" + mustDigest(t, img).Hex, typeflag: tar.TypeSymlink, linkname: "/etc/passwd"},
		), []string{"link.tar", mustDigest(t, img).Hex, "link"}, ErrInvalidImage},
		{"unsafe name", "oci-archive:" + tarOf("dotdot.tar", tarEntry{name: "../index.json", body: idx}), []string{"dotdot.tar", "../index.json", "unsafe"}, ErrInvalidImage},
		{"duplicate member", "oci-archive:" + tarOf("dup.tar", tarEntry{name: "index.json", body: idx}, tarEntry{name: "./index.json", body: idx}), []string{"dup.tar", "more than once"}, ErrInvalidImage},
		{"manifest.json missing layer", "docker-archive:" + tarOf("dmissing.tar",
			tarEntry{name: "manifest.json", body: []byte(`[{"Config":"c.json","Layers":["x/layer.tar"]}]`)},
			tarEntry{name: "c.json", body: []byte(`{"rootfs":{"type":"layers","diff_ids":["` + layerDigest.String() + `"]}}`)},
		), []string{"dmissing.tar", "x/layer.tar", "missing"}, ErrInvalidImage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Open(context.Background(), tc.ref)
			if err == nil {
				err = readAllLayers(got)
			}
			if err == nil {
				t.Fatalf("Open(%q) = nil error", tc.ref)
			}
			if !errors.Is(err, tc.sentinel) {
				t.Errorf("Open(%q) = %v, want %v", tc.ref, err, tc.sentinel)
			}
			for _, s := range tc.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Open(%q) = %v, want it to mention %q", tc.ref, err, s)
				}
			}
			t.Log(err)
		})
	}
}

// TestOCIArchiveStreams checks that layers of an oci-archive are read from
// the file as they are consumed, not buffered whole.
func TestOCIArchiveStreams(t *testing.T) {
	const size = 8 << 20
	img, err := random.Image(size, 1)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "big.tar")
	tarDir(t, dir, f, false)
	got, err := Open(context.Background(), "oci-archive:"+f)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := got.Layers()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32<<10)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rc, err := ls[0].Layer.Compressed()
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, struct{ io.Reader }{rc}, buf)
	rc.Close()
	runtime.ReadMemStats(&after)
	if err != nil || n != ls[0].Size || n < size {
		t.Fatalf("read %d bytes, %v; want %d", n, err, ls[0].Size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("reading a %d-byte layer allocated %d bytes; want it streamed", n, alloc)
	}
}
