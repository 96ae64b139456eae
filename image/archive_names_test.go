package image

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// go-containerregistry writes compressed layers as "HEX.tar.gz" where HEX is
// the blob digest. Open takes the digest from the name (no hashing pass), and
// reading still verifies it.
func TestDockerArchiveDigestFromName(t *testing.T) {
	t.Parallel()
	img := testImage(t, 2, DefaultPlatform)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.tar")
	tag, _ := name.NewTag("example.com/app:1")
	if err := tarball.WriteToFile(good, tag, img); err != nil {
		t.Fatal(err)
	}
	got, err := Open(context.Background(), "docker-archive:"+good)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Layers()
	ls, err := got.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range ls {
		if d := mustDigest(t, want[i]); l.Digest != d {
			t.Errorf("layer %d digest = %s, want %s", i, l.Digest, d)
		}
	}
	if err := readAllLayers(got); err != nil {
		t.Fatalf("reading an intact archive: %v", err)
	}

	// Flip a byte in the middle of the first layer member: Open still
	// trusts the name, reading the layer must fail and name the digest.
	bad := filepath.Join(dir, "bad.tar")
	copyTarCorrupting(t, good, bad, mustDigest(t, want[0]).Hex+".tar.gz")
	got, err = Open(context.Background(), "docker-archive:"+bad)
	if err != nil {
		t.Fatalf("Open(corrupted) = %v; the corruption should surface when the layer is read", err)
	}
	err = readAllLayers(got)
	if !errors.Is(err, ErrInvalidImage) || !strings.Contains(err.Error(), mustDigest(t, want[0]).Hex[:12]) {
		t.Errorf("reading a corrupted HEX.tar.gz layer = %v, want ErrInvalidImage naming its digest", err)
	}
}

func copyTarCorrupting(t *testing.T, src, dst, member string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	tr, tw := tar.NewReader(in), tar.NewWriter(out)
	found := false
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if h.Name == member {
			b[len(b)/2] ^= 0xff
			found = true
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	if !found {
		t.Fatalf("%s has no member %s", src, member)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}
