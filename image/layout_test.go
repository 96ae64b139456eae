package image

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
)

// testLayout writes an OCI layout holding a single image named "app:v1",
// a multi-platform index named "multi", and an unnamed image. It returns
// the directory and the three entries' digests.
func testLayout(t *testing.T) (dir string, single, multi v1.Hash, multiIdx v1.ImageIndex) {
	t.Helper()
	dir = t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	img := testImage(t, 2, DefaultPlatform)
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{refNameAnnotation: "app:v1"})); err != nil {
		t.Fatal(err)
	}
	multiIdx = testIndex(t, v1.Platform{OS: "linux", Architecture: "amd64"}, v1.Platform{OS: "linux", Architecture: "arm64"})
	if err := p.AppendIndex(multiIdx, layout.WithAnnotations(map[string]string{refNameAnnotation: "multi"})); err != nil {
		t.Fatal(err)
	}
	return dir, mustDigest(t, img), mustDigest(t, multiIdx), multiIdx
}

func TestOpenLayout(t *testing.T) {
	t.Parallel()
	dir, single, multi, multiIdx := testLayout(t)
	archive := filepath.Join(t.TempDir(), "img.tar")
	tarDir(t, dir, archive, false)
	paxArchive := filepath.Join(t.TempDir(), "pax.tar")
	tarDir(t, dir, paxArchive, true)
	im, err := multiIdx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}

	for _, tr := range []struct{ prefix, path string }{{"oci:", dir}, {"oci-archive:", archive}, {"oci-archive:", paxArchive}} {
		for _, tc := range []struct {
			ref      string
			platform string
			want     v1.Hash
			index    *v1.Hash
		}{
			{ref: ":app:v1", want: single},
			{ref: ":multi", want: im.Manifests[0].Digest, index: &multi},
			{ref: ":multi", platform: "linux/arm64", want: im.Manifests[1].Digest, index: &multi},
		} {
			ref := tr.prefix + tr.path + tc.ref
			t.Run(tr.prefix+filepath.Base(tr.path)+tc.ref+" "+tc.platform, func(t *testing.T) {
				t.Parallel()
				var opts []Option
				if tc.platform != "" {
					p, _ := ParsePlatform(tc.platform)
					opts = append(opts, WithPlatform(p))
				}
				got, err := Open(context.Background(), ref, opts...)
				if err != nil {
					t.Fatalf("Open(%q) = %v", ref, err)
				}
				if got.Digest != tc.want {
					t.Errorf("Open(%q).Digest = %s, want %s", ref, got.Digest, tc.want)
				}
				if (got.IndexDigest == nil) != (tc.index == nil) || (tc.index != nil && *got.IndexDigest != *tc.index) {
					t.Errorf("Open(%q).IndexDigest = %v, want %v", ref, got.IndexDigest, tc.index)
				}
				ls, err := got.Layers()
				if err != nil {
					t.Fatal(err)
				}
				if len(ls) != 2 || ls[1].CreatedBy != "RUN step 1" || ls[0].Size <= 0 {
					t.Errorf("Layers() = %+v", ls)
				}
				if err := readAllLayers(got); err != nil {
					t.Errorf("reading layers of %q: %v", ref, err)
				}
			})
		}

		t.Run(tr.prefix+filepath.Base(tr.path)+" ambiguous", func(t *testing.T) {
			t.Parallel()
			_, err := Open(context.Background(), tr.prefix+tr.path)
			if !errors.Is(err, ErrReference) {
				t.Fatalf("Open without REF = %v, want ErrReference", err)
			}
			for _, s := range []string{"app:v1", "multi", single.String()} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not list %s", err, s)
				}
			}
		})
		t.Run(tr.prefix+filepath.Base(tr.path)+" unknown ref", func(t *testing.T) {
			t.Parallel()
			_, err := Open(context.Background(), tr.prefix+tr.path+":nope")
			if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "app:v1") {
				t.Fatalf("Open(:nope) = %v, want ErrNotFound listing app:v1", err)
			}
		})
		t.Run(tr.prefix+filepath.Base(tr.path)+" no platform", func(t *testing.T) {
			t.Parallel()
			_, err := Open(context.Background(), tr.prefix+tr.path+":multi", WithPlatform(v1.Platform{OS: "windows", Architecture: "amd64"}))
			var pe *PlatformError
			if !errors.As(err, &pe) || len(pe.Available) != 2 {
				t.Fatalf("Open(windows) = %v, want PlatformError with 2 platforms", err)
			}
		})
	}
}

// TestOpenLayoutSingle opens a layout with exactly one image and no ref
// name, and one written by layout.Write of an index, whose index.json is
// itself the multi-platform index.
func TestOpenLayoutSingle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	img := testImage(t, 1, DefaultPlatform)
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	got, err := Open(context.Background(), "oci:"+dir)
	if err != nil {
		t.Fatalf("Open(single) = %v", err)
	}
	if got.Digest != mustDigest(t, img) {
		t.Errorf("Digest = %s, want %s", got.Digest, mustDigest(t, img))
	}

	dir = t.TempDir()
	idx := testIndex(t, v1.Platform{OS: "linux", Architecture: "arm64"}, v1.Platform{OS: "linux", Architecture: "amd64"})
	if _, err := layout.Write(dir, idx); err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	got, err = Open(context.Background(), "oci:"+dir)
	if err != nil {
		t.Fatalf("Open(index layout) = %v", err)
	}
	if got.Digest != im.Manifests[1].Digest || got.IndexDigest == nil || platformString(got.Platform) != "linux/amd64" {
		t.Errorf("Open(index layout) = %s (%s) from %v, want %s", got.Digest, platformString(got.Platform), got.IndexDigest, im.Manifests[1].Digest)
	}
}

// corruptBlob flips the last byte of the blob h in a layout directory.
func corruptBlob(t *testing.T, dir string, h v1.Hash) {
	t.Helper()
	p := filepath.Join(dir, "blobs", h.Algorithm, h.Hex)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 0xff
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestOpenLayoutCorrupt(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// damage changes the layout; it returns the digest the error must name.
		damage  func(t *testing.T, dir string, img v1.Image) string
		atOpen  bool // the error comes from Open, not from reading layers
		wantErr error
	}{
		{"layer flipped", func(t *testing.T, dir string, img v1.Image) string {
			ls, _ := img.Layers()
			d := mustDigest(t, ls[1])
			corruptBlob(t, dir, d)
			return d.String()
		}, false, ErrInvalidImage},
		{"layer missing", func(t *testing.T, dir string, img v1.Image) string {
			ls, _ := img.Layers()
			d := mustDigest(t, ls[0])
			os.Remove(filepath.Join(dir, "blobs", d.Algorithm, d.Hex))
			return d.String()
		}, false, ErrInvalidImage},
		{"layer truncated", func(t *testing.T, dir string, img v1.Image) string {
			ls, _ := img.Layers()
			d := mustDigest(t, ls[0])
			os.Truncate(filepath.Join(dir, "blobs", d.Algorithm, d.Hex), 10)
			return d.String()
		}, false, ErrInvalidImage},
		{"config flipped", func(t *testing.T, dir string, img v1.Image) string {
			d, _ := img.ConfigName()
			corruptBlob(t, dir, d)
			return d.String()
		}, true, ErrInvalidImage},
		{"manifest missing", func(t *testing.T, dir string, img v1.Image) string {
			d := mustDigest(t, img)
			os.Remove(filepath.Join(dir, "blobs", d.Algorithm, d.Hex))
			return d.String()
		}, true, ErrInvalidImage},
		{"no index.json", func(t *testing.T, dir string, img v1.Image) string {
			os.Remove(filepath.Join(dir, "index.json"))
			return "index.json"
		}, true, ErrInvalidImage},
		{"bad index.json", func(t *testing.T, dir string, img v1.Image) string {
			os.WriteFile(filepath.Join(dir, "index.json"), []byte("{"), 0o644)
			return "index.json"
		}, true, ErrInvalidImage},
	} {
		for _, archive := range []bool{false, true} {
			name := tc.name
			if archive {
				name += " (archive)"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				img := testImage(t, 2, DefaultPlatform)
				if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
					t.Fatal(err)
				}
				want := tc.damage(t, dir, img)
				ref := "oci:" + dir
				if archive {
					f := filepath.Join(t.TempDir(), "img.tar")
					tarDir(t, dir, f, false)
					ref = "oci-archive:" + f
				}
				got, err := Open(context.Background(), ref)
				if err == nil {
					if tc.atOpen {
						t.Fatalf("Open(%s) = nil error, want one naming %s", tc.name, want)
					}
					err = readAllLayers(got)
				}
				if err == nil || !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), want) {
					t.Fatalf("%s: error = %v, want %v naming %s", tc.name, err, tc.wantErr, want)
				}
				t.Log(err)
			})
		}
	}
}

func TestOpenLayoutSymlinkEscape(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	img := testImage(t, 1, DefaultPlatform)
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	ls, _ := img.Layers()
	d := mustDigest(t, ls[0])
	blob := filepath.Join(dir, "blobs", d.Algorithm, d.Hex)
	outside := filepath.Join(t.TempDir(), "outside")
	os.Rename(blob, outside)
	if err := os.Symlink(outside, blob); err != nil {
		t.Fatal(err)
	}
	got, err := Open(context.Background(), "oci:"+dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := readAllLayers(got); err == nil || !strings.Contains(err.Error(), d.Hex) || !errors.Is(err, ErrInvalidImage) {
		t.Errorf("reading a blob symlinked out of the layout = %v, want an ErrInvalidImage naming it", err)
	}
}

func TestOpenInconsistentImages(t *testing.T) {
	t.Parallel()
	base := testImage(t, 2, DefaultPlatform)
	cfg, err := base.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	extra := cfg.DeepCopy()
	extra.RootFS.DiffIDs = append(extra.RootFS.DiffIDs, extra.RootFS.DiffIDs[0])
	moreDiffIDs, err := mutate.ConfigFile(base, extra)
	if err != nil {
		t.Fatal(err)
	}
	negative := &rawManifestImage{Image: base, edit: func(m *v1.Manifest) { m.Layers[1].Size = -5 }}
	badConfig := &rawConfigImage{Image: base, raw: []byte(`{"rootfs": {"diff_ids": 7}}`)}
	for _, tc := range []struct {
		name string
		img  v1.Image
		want string
	}{
		{"more diff_ids than layers", moreDiffIDs, "config lists 3 diff_ids for the manifest's 2 layers"},
		{"negative layer size", negative, "negative size (-5)"},
		{"config of the wrong types", badConfig, "parsing config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: tc.img})); err != nil {
				t.Fatal(err)
			}
			_, err := Open(context.Background(), "oci:"+dir)
			if err == nil || !errors.Is(err, ErrInvalidImage) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open = %v, want an ErrInvalidImage containing %q", err, tc.want)
			}
		})
	}
}

func TestOpenLayoutOnAFile(t *testing.T) {
	t.Parallel()
	f := filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(f, []byte("not a dir"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), "oci:"+f)
	if err == nil || !errors.Is(err, ErrInvalidImage) || !strings.Contains(err.Error(), "oci-archive:"+f) {
		t.Errorf("Open(oci:FILE) = %v, want an ErrInvalidImage suggesting oci-archive:", err)
	}
}

// rawManifestImage edits the manifest of an image.
type rawManifestImage struct {
	v1.Image
	edit func(*v1.Manifest)
}

func (i *rawManifestImage) Manifest() (*v1.Manifest, error) {
	m, err := i.Image.Manifest()
	if err != nil {
		return nil, err
	}
	m = m.DeepCopy()
	i.edit(m)
	return m, nil
}

func (i *rawManifestImage) RawManifest() ([]byte, error) {
	m, err := i.Manifest()
	if err != nil {
		return nil, err
	}
	return json.Marshal(m)
}

func (i *rawManifestImage) Digest() (v1.Hash, error) { return partial.Digest(i) }

// rawConfigImage replaces the config blob of an image.
type rawConfigImage struct {
	v1.Image
	raw []byte
}

func (i *rawConfigImage) RawConfigFile() ([]byte, error) { return i.raw, nil }
func (i *rawConfigImage) ConfigName() (v1.Hash, error) {
	h, _, err := v1.SHA256(bytes.NewReader(i.raw))
	return h, err
}
func (i *rawConfigImage) ConfigFile() (*v1.ConfigFile, error) { return partial.ConfigFile(i) }
func (i *rawConfigImage) Manifest() (*v1.Manifest, error) {
	m, err := i.Image.Manifest()
	if err != nil {
		return nil, err
	}
	m = m.DeepCopy()
	h, _ := i.ConfigName()
	m.Config.Digest, m.Config.Size = h, int64(len(i.raw))
	return m, nil
}
func (i *rawConfigImage) RawManifest() ([]byte, error) {
	m, err := i.Manifest()
	if err != nil {
		return nil, err
	}
	return json.Marshal(m)
}
func (i *rawConfigImage) Digest() (v1.Hash, error) { return partial.Digest(i) }

func (i *rawManifestImage) Size() (int64, error) { return partial.Size(i) }
func (i *rawConfigImage) Size() (int64, error)   { return partial.Size(i) }
