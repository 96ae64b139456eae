package layers

import (
	"archive/tar"
	stdgzip "compress/gzip"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	kgzip "github.com/klauspost/compress/gzip"
	"golang.org/x/sync/errgroup"
)

// Benchmark image: 4 gzip layers, 20,000 files, about 200 MB of tar, written
// once per test binary run to a temp dir and read through openers, never
// held in memory.
const (
	benchLayers = 4
	benchFiles  = 20_000
	benchBytes  = 200 << 20
)

var bench struct {
	once     sync.Once
	dir      string
	paths    []string
	tarBytes int64
	gzBytes  int64
	err      error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if bench.dir != "" {
		os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

// benchImage returns the paths of the gzip layer files.
func benchImage(b *testing.B) []string {
	b.Helper()
	bench.once.Do(func() {
		bench.dir, bench.err = os.MkdirTemp("", "pyimg-layers-bench-")
		if bench.err != nil {
			return
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for i := range benchLayers {
			p := filepath.Join(bench.dir, fmt.Sprintf("layer%d.tar.gz", i))
			tarN, err := writeBenchLayer(p, i, rng)
			if err != nil {
				bench.err = err
				return
			}
			fi, err := os.Stat(p)
			if err != nil {
				bench.err = err
				return
			}
			bench.paths = append(bench.paths, p)
			bench.tarBytes += tarN
			bench.gzBytes += fi.Size()
		}
	})
	if bench.err != nil {
		b.Fatalf("generating benchmark image: %v", bench.err)
	}
	return bench.paths
}

// writeBenchLayer writes a layer of benchFiles/benchLayers files whose
// contents mimic an image: mostly source-like text, some incompressible
// binaries, some sparse-ish data files.
func writeBenchLayer(path string, layer int, rng *rand.Rand) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	zw, err := kgzip.NewWriterLevel(f, kgzip.DefaultCompression)
	if err != nil {
		return 0, err
	}
	cw := &countWriter{w: zw}
	tw := tar.NewWriter(cw)
	words := strings.Fields("def class import return self None True False for in if else elif while with as try except raise lambda yield from print len range dict list str int pass")
	perLayer := benchFiles / benchLayers
	avg := benchBytes / benchFiles
	body := make([]byte, 0, 4*avg)
	for i := range perLayer {
		size := rng.IntN(2 * avg)
		body = body[:0]
		switch i % 4 {
		case 0: // binary
			for len(body) < size {
				body = append(body, byte(rng.Uint32()))
			}
		case 1: // data with runs
			for len(body) < size {
				body = append(body, make([]byte, rng.IntN(64))...)
				body = append(body, byte(rng.Uint32()), byte(rng.Uint32()))
			}
		default: // source text
			for len(body) < size {
				body = append(body, words[rng.IntN(len(words))]...)
				body = append(body, " \n"[rng.IntN(2)])
			}
		}
		body = body[:size]
		name := fmt.Sprintf("usr/lib/python3/site-packages/pkg%d/mod%d/file%d.py", layer, i/100, i)
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(size)}); err != nil {
			return 0, err
		}
		if _, err := tw.Write(body); err != nil {
			return 0, err
		}
	}
	if err := tw.Close(); err != nil {
		return 0, err
	}
	if err := zw.Close(); err != nil {
		return 0, err
	}
	return cw.n, f.Close()
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func fileOpener(p string) tarball.Opener {
	return func() (io.ReadCloser, error) { return os.Open(p) }
}

func benchImg(b *testing.B) v1.Image {
	var ls []v1.Layer
	for _, p := range benchImage(b) {
		l, err := tarball.LayerFromOpener(fileOpener(p))
		if err != nil {
			b.Fatal(err)
		}
		ls = append(ls, l)
	}
	return imageOf(b, ls...)
}

// countingVisitor wants want bytes of every file and counts what it gets.
type countingVisitor struct {
	want int64
	mu   sync.Mutex
	seen int64
}

func (c *countingVisitor) VisitLayer(Layer) LayerVisitor { return &countingLayer{c: c} }

type countingLayer struct {
	c       *countingVisitor
	entries int64
}

func (l *countingLayer) Want(*Entry) int64 { return l.c.want }
func (l *countingLayer) Entry(_ *Entry, content []byte) error {
	l.entries++
	return nil
}
func (l *countingLayer) Done(Stats) error {
	l.c.mu.Lock()
	l.c.seen += l.entries
	l.c.mu.Unlock()
	return nil
}

// BenchmarkWalk measures the whole pass, digests included, in MB/s of
// uncompressed tar.
func BenchmarkWalk(b *testing.B) {
	img := benchImg(b)
	for _, bc := range []struct {
		name        string
		want        int64
		concurrency int
	}{
		{"nocontent", 0, 0},
		{"content4k", 4 << 10, 0},
		{"content4k/serial", 4 << 10, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(bench.tarBytes)
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				v := &countingVisitor{want: bc.want}
				if err := Walk(context.Background(), img, []Visitor{v}, WithConcurrency(bc.concurrency)); err != nil {
					b.Fatal(err)
				}
				if v.seen != benchFiles {
					b.Fatalf("saw %d entries, want %d", v.seen, benchFiles)
				}
			}
			cpu.report(b, bench.tarBytes)
		})
	}
}

// BenchmarkGunzipFloor decompresses the same layers and discards the output,
// with no tar parsing and no digests: the floor Walk is measured against.
// Sub-benchmarks compare the standard library's inflate with klauspost's,
// layer by layer and in parallel like Walk; "+sha256" adds the two digests
// Walk computes.
func BenchmarkGunzipFloor(b *testing.B) {
	paths := benchImage(b)
	decoders := map[string]func(io.Reader) (io.Reader, error){
		"stdlib":    func(r io.Reader) (io.Reader, error) { return stdgzip.NewReader(r) },
		"klauspost": func(r io.Reader) (io.Reader, error) { return kgzip.NewReader(r) },
	}
	for _, name := range []string{"stdlib", "klauspost"} {
		for _, mode := range []struct {
			name        string
			concurrency int
			hash        bool
		}{
			{"serial", 1, false},
			{"parallel", defaultOptions().concurrency, false},
			{"parallel+sha256", defaultOptions().concurrency, true},
		} {
			b.Run(name+"/"+mode.name, func(b *testing.B) {
				b.SetBytes(bench.tarBytes)
				cpu := startCPU()
				for b.Loop() {
					var g errgroup.Group
					g.SetLimit(mode.concurrency)
					for _, p := range paths {
						g.Go(func() error { return gunzipFile(p, decoders[name], mode.hash) })
					}
					if err := g.Wait(); err != nil {
						b.Fatal(err)
					}
				}
				cpu.report(b, bench.tarBytes)
			})
		}
	}
}

func gunzipFile(p string, newReader func(io.Reader) (io.Reader, error), hash bool) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	var src io.Reader = f
	dst := io.Discard
	if hash {
		src = io.TeeReader(f, sha256.New())
		dst = sha256.New()
	}
	zr, err := newReader(src)
	if err != nil {
		return err
	}
	_, err = io.Copy(dst, zr)
	return err
}
