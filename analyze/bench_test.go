package analyze

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/pyimg/pyimg/layers"
)

// benchImage writes a synthetic Python-shaped image of about size bytes in
// about files files as gzip layer files under dir and returns the paths.
// Later layers overwrite and delete some files so waste is non-zero.
func benchImage(b testing.TB, dir string, size int64, files, nlayers int) []string {
	b.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	blob := make([]byte, 1<<20)
	for i := range blob {
		blob[i] = byte(rng.IntN(64) + ' ')
	}
	perFile := size / int64(files)
	var paths []string
	n := 0
	for l := range nlayers {
		p := filepath.Join(dir, "layer"+strconv.Itoa(l)+".tar.gz")
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
		tw := tar.NewWriter(zw)
		write := func(name string, sz int64) {
			h := &tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: sz, ModTime: epoch}
			if err := tw.WriteHeader(h); err != nil {
				b.Fatal(err)
			}
			for left := sz; left > 0; {
				chunk := min(left, int64(len(blob)))
				off := rng.IntN(len(blob) - int(chunk) + 1)
				if _, err := tw.Write(blob[off : off+int(chunk)]); err != nil {
					b.Fatal(err)
				}
				left -= chunk
			}
		}
		count := files / nlayers
		site := "usr/local/lib/python3.12/site-packages"
		for i := range count {
			pkg := (n + i) / 100
			switch {
			case i%100 == 0:
				meta := fmt.Sprintf("%s/pkg%d-1.0.dist-info/", site, pkg)
				body := []byte(fmt.Sprintf("Name: pkg%d\nVersion: 1.0\n", pkg))
				if err := tw.WriteHeader(&tar.Header{Name: meta + "METADATA", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(body)), ModTime: epoch}); err != nil {
					b.Fatal(err)
				}
				if _, err := tw.Write(body); err != nil {
					b.Fatal(err)
				}
				var rec []byte
				for j := range 100 {
					rec = fmt.Appendf(rec, "pkg%d/sub%d/mod%d.py,sha256=x,%d\n", pkg, j%7, j, perFile)
				}
				if err := tw.WriteHeader(&tar.Header{Name: meta + "RECORD", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(rec)), ModTime: epoch}); err != nil {
					b.Fatal(err)
				}
				if _, err := tw.Write(rec); err != nil {
					b.Fatal(err)
				}
			case i%500 == 1:
				write(fmt.Sprintf("%s/pkg%d/_native.so", site, pkg), perFile*40)
			default:
				write(fmt.Sprintf("%s/pkg%d/sub%d/mod%d.py", site, pkg, i%7, i%100), perFile/2+int64(rng.IntN(int(perFile)+1)))
			}
		}
		if l > 0 {
			// overwrite some of the previous layer and delete a package.
			for i := range count / 20 {
				pkg := (n - count + i*20) / 100
				write(fmt.Sprintf("%s/pkg%d/sub%d/mod%d.py", site, pkg, (i*20)%7, (i*20)%100), perFile)
			}
			pkg := (n - count) / 100
			if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("%s/.wh.pkg%d", site, pkg), Typeflag: tar.TypeReg, ModTime: epoch}); err != nil {
				b.Fatal(err)
			}
		}
		n += count
		if err := tw.Close(); err != nil {
			b.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			b.Fatal(err)
		}
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func openBenchImage(b testing.TB, paths []string) v1.Image {
	b.Helper()
	var ls []v1.Layer
	for _, p := range paths {
		l, err := tarball.LayerFromFile(p)
		if err != nil {
			b.Fatal(err)
		}
		ls = append(ls, l)
	}
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		b.Fatal(err)
	}
	return img
}

// BenchmarkAnalyze analyzes a ~128 MiB, ~20k-file image read from gzip
// layer files (PYIMG_BENCH_MB and PYIMG_BENCH_FILES change the shape). It
// reports the tar throughput and the live heap once the walk is done
// (what the analyzer keeps of every layer, plus the image and the test).
func BenchmarkAnalyze(b *testing.B) {
	mb, files := 128, 20000
	if v, err := strconv.Atoi(os.Getenv("PYIMG_BENCH_MB")); err == nil && v > 0 {
		mb = v
	}
	if v, err := strconv.Atoi(os.Getenv("PYIMG_BENCH_FILES")); err == nil && v > 0 {
		files = v
	}
	paths := benchImage(b, b.TempDir(), int64(mb)<<20, files, 6)
	// Opening computes the layer digests once; the loop measures the walk
	// and the analysis.
	img := openBenchImage(b, paths)
	if _, err := img.Manifest(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var res *Result
	var held uint64
	for b.Loop() {
		a := New(nil)
		if err := layers.Walk(b.Context(), img, []layers.Visitor{a}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		held = heapAlloc()
		b.StartTimer()
		var err error
		if res, err = a.Result(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.SetBytes(res.TarBytes)
	b.ReportMetric(float64(held)/(1<<20), "heap-after-walk-MiB")
	b.ReportMetric(float64(res.Files), "files")
	b.ReportMetric(float64(res.WastedBytes)/(1<<20), "wasted-MiB")
}

// heapAlloc returns the live heap after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
