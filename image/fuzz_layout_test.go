package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// FuzzOpenLayout writes fuzzed index.json, manifest and config documents
// into an OCI layout (fixing up the digests that link them when they parse
// as JSON objects, so the fuzzer reaches every reader) and opens it. Bad
// input must come out as an input error (ErrInvalidImage, ErrNotFound,
// ErrReference, a missing file), never a panic or another kind of error.
func FuzzOpenLayout(f *testing.F) {
	dir := f.TempDir()
	img := testImage(&testing.T{}, 1, DefaultPlatform)
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		f.Fatal(err)
	}
	idx, _ := os.ReadFile(filepath.Join(dir, "index.json"))
	man, _ := img.RawManifest()
	cfg, _ := img.RawConfigFile()
	f.Add(idx, man, cfg)
	f.Add([]byte(`{"manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json"}]}`), []byte(`{"layers": [{"size": -1}]}`), []byte(`{"rootfs": {"diff_ids": ["x"]}}`))
	f.Add([]byte(`{}`), []byte(`[]`), []byte(`null`))
	layerBlobs := filepath.Join(dir, "blobs")
	f.Fuzz(func(t *testing.T, index, manifest, config []byte) {
		d := t.TempDir()
		if err := os.CopyFS(d, os.DirFS(filepath.Dir(layerBlobs))); err != nil {
			t.Fatal(err)
		}
		put := func(b []byte) (string, int) {
			sum := sha256.Sum256(b)
			h := hex.EncodeToString(sum[:])
			if err := os.WriteFile(filepath.Join(d, "blobs", "sha256", h), b, 0o644); err != nil {
				t.Fatal(err)
			}
			return "sha256:" + h, len(b)
		}
		cd, cn := put(config)
		var m map[string]any
		if json.Unmarshal(manifest, &m) == nil && m != nil {
			if c, ok := m["config"].(map[string]any); ok {
				c["digest"], c["size"] = cd, cn
			}
			manifest, _ = json.Marshal(m)
		}
		md, mn := put(manifest)
		var ix map[string]any
		if json.Unmarshal(index, &ix) == nil && ix != nil {
			if ms, ok := ix["manifests"].([]any); ok && len(ms) > 0 {
				if e, ok := ms[0].(map[string]any); ok {
					e["digest"], e["size"] = md, mn
				}
			}
			index, _ = json.Marshal(ix)
		}
		if err := os.WriteFile(filepath.Join(d, "index.json"), index, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := Open(context.Background(), "oci:"+d)
		if err == nil {
			_, err = got.Layers()
			if err == nil {
				err = readAllLayers(got)
			}
		}
		if err != nil && !errors.Is(err, ErrInvalidImage) && !errors.Is(err, ErrNotFound) &&
			!errors.Is(err, ErrReference) && !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open = %v: not classified as bad input", err)
		}
	})
}
