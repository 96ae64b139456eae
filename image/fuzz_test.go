package image

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

func FuzzParseReference(f *testing.F) {
	for _, s := range []string{"python:3.12", "docker://ghcr.io/a/b@" + testDigest, "oci:dir:ref", "oci-archive:f.tar", "docker-archive:f.tar:@0", "x:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseReference(s)
		if err == nil && r.Transport == "" {
			t.Errorf("ParseReference(%q) = %+v with no transport", s, r)
		}
	})
}

// FuzzOpenArchive opens arbitrary bytes as oci-archive and docker-archive
// and reads every layer: errors are fine, panics and hangs are not.
func FuzzOpenArchive(f *testing.F) {
	dir := f.TempDir()
	img := testImage(&testing.T{}, 1, DefaultPlatform)
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		f.Fatal(err)
	}
	seed := filepath.Join(f.TempDir(), "seed.tar")
	tarDir(&testing.T{}, dir, seed, false)
	b, err := os.ReadFile(seed)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(bytes.Repeat([]byte{0}, 1024))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "f.tar")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, tr := range []string{"oci-archive:", "docker-archive:"} {
			img, err := Open(context.Background(), tr+p)
			if err == nil {
				_ = readAllLayers(img)
			}
		}
	})
}
