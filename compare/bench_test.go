package compare

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/pyimg/pyimg/analyze"
)

// benchLayer is a gzip layer of n files of about size bytes each under
// dir, compressible about 3:1 like real images.
func benchLayer(b *testing.B, dir string, n, size int, seed uint64) v1.Layer {
	b.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	var raw bytes.Buffer
	tw := tar.NewWriter(&raw)
	words := []string{"import ", "def ", "return ", "self", "numpy", " = ", "\n", "class ", "(", ")"}
	for i := range n {
		var body bytes.Buffer
		for body.Len() < size {
			if rng.IntN(3) == 0 {
				body.WriteByte(byte(rng.IntN(256)))
			} else {
				body.WriteString(words[rng.IntN(len(words))])
			}
		}
		name := fmt.Sprintf("%s/pkg%d/mod%d.py", dir, i%50, i)
		if i%40 == 0 {
			name = fmt.Sprintf("%s/site-packages/p%d-1.0.dist-info/METADATA", dir, i)
			body.Reset()
			fmt.Fprintf(&body, "Metadata-Version: 2.1\nName: p%d\nVersion: 1.0\n", i)
		}
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(body.Len())})
		tw.Write(body.Bytes())
	}
	tw.Close()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw.Bytes())
	zw.Close()
	blob := gz.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(blob)), nil })
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// benchImages are three images on one shared base layer, as slim, tools
// and distroless variants of one app would be built.
func benchImages(b *testing.B) []Input {
	base := benchLayer(b, "usr/lib", 3000, 8000, 1)
	var ins []Input
	for i := range 3 {
		app := benchLayer(b, fmt.Sprintf("opt/venv%d/lib/python3.12", i), 1000+500*i, 6000, uint64(10+i))
		img, err := mutate.AppendLayers(empty.Image, base, app)
		if err != nil {
			b.Fatal(err)
		}
		ins = append(ins, Input{Reference: fmt.Sprintf("img%d", i), Image: img})
	}
	return ins
}

// BenchmarkCompare3 measures pyimg compare of three images against the sum
// of pyimg analyze on each: compare also lists packages, but reads the
// shared base layer once. The ratio is reported as compare/analyze-sum.
func BenchmarkCompare3(b *testing.B) {
	ins := benchImages(b)
	ctx := context.Background()
	b.Run("analyze-each", func(b *testing.B) {
		for b.Loop() {
			for _, in := range ins {
				if _, err := analyze.Image(ctx, in.Image); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("compare", func(b *testing.B) {
		for b.Loop() {
			if _, err := Run(ctx, ins); err != nil {
				b.Fatal(err)
			}
		}
	})
}
