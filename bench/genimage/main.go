// Command genimage writes a deterministic synthetic image archive for
// benchmarks: N gzip layers holding about SIZE bytes in FILES files, shaped
// like a Python image (site-packages trees with dist-info, shared objects,
// text and binary blobs, some files overwritten or deleted in later layers so
// that wasted bytes are non-zero).
//
//	go run ./bench/genimage -o /tmp/big.tar -size 1GiB -files 50000 -layers 8
package main

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func main() {
	out := flag.String("o", "", "output docker-archive path")
	size := flag.String("size", "1GiB", "total uncompressed file bytes (suffix KiB, MiB, GiB)")
	files := flag.Int("files", 50000, "number of files")
	nlayers := flag.Int("layers", 8, "number of layers")
	dir := flag.String("tmp", os.TempDir(), "directory for the intermediate layer tars")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "genimage: -o is required")
		os.Exit(2)
	}
	total, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genimage:", err)
		os.Exit(2)
	}
	if err := run(*out, *dir, total, *files, *nlayers); err != nil {
		fmt.Fprintln(os.Stderr, "genimage:", err)
		os.Exit(1)
	}
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suf, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if v, ok := strings.CutSuffix(s, suf); ok {
			s, mult = v, m
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("bad -size %q", s)
	}
	return n * mult, nil
}

func run(out, dir string, total int64, files, nlayers int) error {
	rng := rand.New(rand.NewPCG(1, 2))
	perLayer := files / nlayers
	avg := total / int64(files)
	img := v1.Image(empty.Image)
	var layerFiles []string
	for l := 0; l < nlayers; l++ {
		f, err := os.CreateTemp(dir, "genimage-layer-*.tar")
		if err != nil {
			return err
		}
		layerFiles = append(layerFiles, f.Name())
		tw := tar.NewWriter(f)
		pkg := ""
		for i := 0; i < perLayer; i++ {
			if i%200 == 0 {
				pkg = fmt.Sprintf("pkg%d_%d", l, i/200)
				if err := writeDistInfo(tw, pkg); err != nil {
					return err
				}
			}
			// Sizes: mostly small, a few large, averaging avg.
			sz := int64(rng.ExpFloat64() * float64(avg))
			if sz > 64<<20 {
				sz = 64 << 20
			}
			p := fmt.Sprintf("usr/local/lib/python3.12/site-packages/%s/mod%d.py", pkg, i)
			binary := i%3 == 0
			if binary {
				p = fmt.Sprintf("usr/local/lib/python3.12/site-packages/%s/_native%d.so", pkg, i)
			}
			// Later layers overwrite some files of layer 0 (wasted bytes).
			if l > 0 && i%50 == 0 {
				p = fmt.Sprintf("usr/local/lib/python3.12/site-packages/pkg0_0/mod%d.py", (i/50)%200)
			}
			if err := writeFile(tw, p, sz, rng, binary); err != nil {
				return err
			}
		}
		if err := tw.Close(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		name := f.Name()
		layer, err := tarball.LayerFromFile(name, tarball.WithCompressedCaching)
		if err != nil {
			return err
		}
		img, err = mutate.Append(img, mutate.Addendum{Layer: layer, History: v1.History{CreatedBy: fmt.Sprintf("RUN genimage layer %d", l), Created: v1.Time{Time: time.Unix(0, 0)}}})
		if err != nil {
			return err
		}
	}
	defer func() {
		for _, f := range layerFiles {
			os.Remove(f)
		}
	}()
	tag, err := name.NewTag("pyimg.bench/big:latest")
	if err != nil {
		return err
	}
	return tarball.WriteToFile(out, tag, img)
}

func writeDistInfo(tw *tar.Writer, pkg string) error {
	base := "usr/local/lib/python3.12/site-packages/" + pkg + "-1.0.dist-info/"
	meta := fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: 1.0\n", pkg)
	record := fmt.Sprintf("%s/__init__.py,,0\n%sMETADATA,,\n", pkg, base)
	for _, f := range []struct{ p, c string }{{base + "METADATA", meta}, {base + "RECORD", record}} {
		if err := tw.WriteHeader(&tar.Header{Name: f.p, Mode: 0o644, Size: int64(len(f.c)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := io.WriteString(tw, f.c); err != nil {
			return err
		}
	}
	return nil
}

var text = bytes.Repeat([]byte("def f(x):\n    return x * 2  # synthetic python source\n"), 1024)

// noise is incompressible: slices at random offsets defeat deflate's 32 KiB
// window, as machine code and compressed data in real images do.
var noise = func() []byte {
	r := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 8<<20)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}()

// writeFile writes sz bytes: binaries are incompressible (like real .so
// files), sources are text (compress well). Overall the image compresses
// about 3:1, like a typical Python image.
func writeFile(tw *tar.Writer, p string, sz int64, rng *rand.Rand, binary bool) error {
	if err := tw.WriteHeader(&tar.Header{Name: p, Mode: 0o644, Size: sz, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	for left := sz; left > 0; {
		n := min(left, 32<<10)
		var chunk []byte
		if binary {
			off := rng.IntN(len(noise) - int(n))
			chunk = noise[off : off+int(n)]
		} else {
			chunk = text[:n]
		}
		if _, err := tw.Write(chunk); err != nil {
			return err
		}
		left -= n
	}
	return nil
}
