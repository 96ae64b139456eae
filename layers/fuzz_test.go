package layers

import (
	"archive/tar"
	"context"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

// FuzzWalkTar feeds arbitrary bytes to Walk as a layer blob: whatever they
// are (tar, gzip, zstd or garbage), the walk must return without panicking,
// within the limits.
func FuzzWalkTar(f *testing.F) {
	plain := buildTar(f,
		dir("./usr/"), reg("./usr/x", "hello"), symlink("l", "../../etc"), hardlink("h", "usr/x"),
		reg("a/.wh.b", ""), reg("a/.wh..wh..opq", ""), reg("../escape", "e"),
		file{hdr: tar.Header{Typeflag: tar.TypeReg, Name: "pax-ü", Size: 1, PAXRecords: map[string]string{"user.k": "v"}, Format: tar.FormatPAX}, body: "p"},
	)
	for _, c := range codecs {
		f.Add(compressBytes(f, c, plain))
	}
	f.Add(append(oldGNUSparse("s", 1<<40), make([]byte, 1024)...))
	f.Add(append(paxSparse("s", 1<<40), make([]byte, 1024)...))
	f.Add(compressBytes(f, codecGzip, append(paxSparse("s", 1<<20), make([]byte, 1024)...)))
	f.Add([]byte{})
	f.Add([]byte{0x1f, 0x8b})
	f.Add([]byte{0x28, 0xb5, 0x2f, 0xfd})

	f.Fuzz(func(t *testing.T, blob []byte) {
		img := imageOf(t, newRawLayer(blob, sha(blob)))
		rec := newRecorder()
		rec.want = func(e *Entry) int64 { return e.Size % 8192 }
		start := time.Now()
		watchdog := time.AfterFunc(10*time.Second, func() {
			pprof.Lookup("goroutine").WriteTo(os.Stderr, 2)
			panic("walk hung")
		})
		defer watchdog.Stop()
		err := Walk(context.Background(), img, []Visitor{rec},
			WithMaxContent(4096),
			WithLimits(Limits{MaxEntries: 10_000, MaxTarBytes: 4 << 20, MaxPathLen: 1024}),
		)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("Walk took %v on a %d-byte blob (err %v)", d, len(blob), err)
		}
		if err != nil {
			return
		}
		for _, e := range rec.layer(t, 0).entries {
			if e.Path == "" || e.Path[0] != '/' {
				t.Errorf("entry %q has non-absolute Path %q", e.Name, e.Path)
			}
		}
	})
}
