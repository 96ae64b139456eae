package layers

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	kgzip "github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// streamLayer is an uncompressed layer produced on the fly by write, for
// streams too large to hold. Its digests are made up: tests using it expect
// the walk to fail before verification.
func streamLayer(write func(w io.Writer) error) *rawLayer {
	fake := sha([]byte("stream"))
	return &rawLayer{
		open: func() (io.ReadCloser, error) {
			pr, pw := io.Pipe()
			go func() { pw.CloseWithError(write(pw)) }()
			return pr, nil
		},
		digest: fake,
		size:   1 << 40,
		diffID: fake,
		mt:     types.OCIUncompressedLayer,
	}
}

// manyEntries writes n empty files, or forever when n < 0.
func manyEntries(n int) func(w io.Writer) error {
	return func(w io.Writer) error {
		tw := tar.NewWriter(w)
		for i := 0; n < 0 || i < n; i++ {
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: fmt.Sprintf("f%d", i), Mode: 0o644}); err != nil {
				return err
			}
		}
		return tw.Close()
	}
}

func TestHostileNames(t *testing.T) {
	// Not parallel: it changes the working directory to prove that nothing
	// is written relative to it either.
	root := t.TempDir()
	cwd := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(cwd, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(cwd)
	marker := fmt.Sprintf("pyimg-escape-%d", time.Now().UnixNano())

	tests := []struct {
		name  string
		f     file
		path  string
		flags Flags
	}{
		{"dotdot", reg("../../"+marker, "x"), "/" + marker, FlagEscape},
		{"etc passwd", reg("../../etc/passwd", "root::0:0"), "/etc/passwd", FlagEscape},
		{"absolute", reg("/tmp/"+marker, "x"), "/tmp/" + marker, FlagAbsolute},
		{"absolute dotdot", reg("/../"+marker, "x"), "/" + marker, FlagAbsolute | FlagEscape},
		{"inner dotdot escape", reg("a/../../b", "x"), "/b", FlagEscape},
		{"inner dotdot", reg("a/../b", "x"), "/b", 0},
		{"dot slash", dir("./usr/bin/"), "/usr/bin", 0},
		{"double slash", reg("usr//lib/./x", ""), "/usr/lib/x", 0},
		{"root", dir("./"), "/", 0},
		{"invalid utf8", reg("bad\xffname", ""), "/bad\xffname", FlagInvalidUTF8},
		{"symlink escape", symlink("usr/bin/evil", "../../../etc/shadow"), "/usr/bin/evil", FlagLinkEscape},
		{"symlink to host", symlink("usr/x", "../../../../../../"+marker), "/usr/x", FlagLinkEscape},
		{"absolute symlink", symlink("usr/bin/py", "/usr/bin/python3"), "/usr/bin/py", 0},
		{"relative symlink", symlink("usr/lib/x", "../share/y"), "/usr/lib/x", 0},
		{"hardlink escape", hardlink("x", "../../etc/passwd"), "/x", FlagLinkEscape},
		{"hardlink", hardlink("y", "./usr/bin/python3"), "/y", 0},
		{"whiteout escape", reg("../.wh.etc", ""), "/etc", FlagEscape},
	}
	var files []file
	for _, tt := range tests {
		files = append(files, tt.f)
	}
	rec := newRecorder()
	rec.want = func(*Entry) int64 { return 1 << 10 }
	for _, c := range codecs {
		if err := Walk(context.Background(), imageOf(t, layerOf(t, c, buildTar(t, files...))), []Visitor{rec}); err != nil {
			t.Fatalf("Walk(%s) = %v", c, err)
		}
		lr := rec.layer(t, 0)
		if len(lr.entries) != len(tests) {
			t.Fatalf("%s: got %d entries, want %d", c, len(lr.entries), len(tests))
		}
		for i, tt := range tests {
			e := lr.entries[i]
			if e.Path != tt.path || e.Flags != tt.flags || e.Name != tt.f.hdr.Name {
				t.Errorf("%s: %s: entry %q = Path %q Flags %06b, want Path %q Flags %06b", c, tt.name, e.Name, e.Path, e.Flags, tt.path, tt.flags)
			}
			if e.Linkname != tt.f.hdr.Linkname {
				t.Errorf("%s: %s: Linkname = %q, want %q as written", c, tt.name, e.Linkname, tt.f.hdr.Linkname)
			}
		}
	}

	for _, p := range []string{
		filepath.Join(cwd, "..", "..", marker),
		filepath.Join(os.TempDir(), marker),
		"/" + marker,
		"/tmp/" + marker,
	} {
		if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Lstat(%q) = %v, want not exist: the walk wrote outside its sandbox", p, err)
		}
	}
	var created []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if p != root && p != filepath.Join(root, "a") && p != cwd {
			created = append(created, p)
		}
		return err
	})
	if len(created) > 0 {
		t.Errorf("Walk created %q", created)
	}
}

func TestNameFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Flags
	}{
		{"usr/bin", 0},
		{"a\x00b", FlagNUL},
		{"\xff\x00", FlagNUL | FlagInvalidUTF8},
		{"naïve", 0},
	}
	for _, tt := range tests {
		if got := nameFlags(tt.in); got != tt.want {
			t.Errorf("nameFlags(%q) = %b, want %b", tt.in, got, tt.want)
		}
	}
}

// bomb returns a blob of a few tens of KB that expands to a tar holding one
// file of n zero bytes.
func bomb(t testing.TB, c codec, n int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	var zw io.WriteCloser
	switch c {
	case codecGzip:
		zw = kgzip.NewWriter(&buf)
	case codecZstd:
		zw, _ = zstd.NewWriter(&buf, zstd.WithEncoderLevel(zstd.SpeedBestCompression))
	}
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "zeros", Size: n, Mode: 0o644}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(tw, zeroReader{}, n); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestDecompressionBomb(t *testing.T) {
	// Not parallel: it measures allocations.
	for _, c := range []codec{codecGzip, codecZstd} {
		blob := bomb(t, c, 64<<20)
		if len(blob) > 128<<10 {
			t.Fatalf("%s bomb is %d bytes", c, len(blob))
		}
		img := imageOf(t, newRawLayer(blob, sha([]byte("unknown"))))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		start := time.Now()
		err := Walk(context.Background(), img, []Visitor{newRecorder()}, WithLimits(Limits{MaxTarBytes: 4 << 20}))
		elapsed := time.Since(start)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrLimit) {
			t.Fatalf("%s: Walk() = %v, want ErrLimit", c, err)
		}
		if want := "layer 0 (" + sha(blob).String() + "): decompressed size exceeds limit 4 MiB"; err.Error() != want {
			t.Errorf("%s: error = %q, want %q", c, err, want)
		}
		if elapsed > 2*time.Second {
			t.Errorf("%s: bomb took %v to detect", c, elapsed)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
			t.Errorf("%s: walk allocated %d MiB on a 4 MiB limit", c, alloc>>20)
		}
		t.Logf("%s: %d-byte bomb stopped after %v, %d KiB allocated", c, len(blob), elapsed, (after.TotalAlloc-before.TotalAlloc)>>10)
	}
}

func TestBombAfterEndOfArchive(t *testing.T) {
	t.Parallel()
	// A valid tar followed by 8 MiB of zeros: the digest covers them, so
	// they are read, and counted.
	data := append(buildTar(t, reg("a", "a")), make([]byte, 8<<20)...)
	img := imageOf(t, layerOf(t, codecGzip, data))
	rec := newRecorder()
	err := Walk(context.Background(), img, []Visitor{rec}, WithLimits(Limits{MaxTarBytes: 1 << 20}))
	if !errors.Is(err, ErrLimit) {
		t.Fatalf("Walk() = %v, want ErrLimit", err)
	}
	if rec.layer(t, 0).stats != nil {
		t.Error("Done called on a failed layer")
	}
}

func TestMaxEntries(t *testing.T) {
	t.Parallel()
	img := imageOf(t, streamLayer(manyEntries(5_000_000)))
	start := time.Now()
	err := Walk(context.Background(), img, []Visitor{newRecorder()}, WithLimits(Limits{MaxEntries: 10_000}))
	if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "entry count exceeds limit 10000") {
		t.Fatalf("Walk() = %v, want entry count limit", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestMaxPathLen(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a/", 3000) + "x"
	for _, f := range []file{reg(long, ""), symlink("l", long)} {
		img := imageOf(t, layerOf(t, codecGzip, buildTar(t, f)))
		err := Walk(context.Background(), img, nil)
		if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), "length") {
			t.Errorf("Walk(%d-byte name) = %v, want length limit", len(long), err)
		}
		if err := Walk(context.Background(), img, nil, WithLimits(Limits{MaxPathLen: -1})); err != nil {
			t.Errorf("Walk(unlimited) = %v", err)
		}
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	t.Run("during walk", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		img := imageOf(t, streamLayer(manyEntries(-1)), streamLayer(manyEntries(-1)))
		rec := newRecorder()
		n := 0
		rec.onEntry = func(*Entry) error {
			// Layers run in parallel: count under the recorder's lock.
			rec.mu.Lock()
			defer rec.mu.Unlock()
			if n++; n == 1000 {
				cancel()
			}
			return nil
		}
		done := make(chan error, 1)
		go func() { done <- Walk(ctx, img, []Visitor{rec}) }()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Walk() = %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Walk did not stop after cancel")
		}
	})
	t.Run("blocked read", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		stalled := &rawLayer{
			open: func() (io.ReadCloser, error) {
				pr, pw := io.Pipe()
				go pw.Write([]byte("some bytes, then nothing")) // never closed
				return pr, nil
			},
			digest: sha(nil), diffID: sha(nil), mt: types.OCIUncompressedLayer,
		}
		done := make(chan error, 1)
		go func() { done <- Walk(ctx, imageOf(t, stalled), nil) }()
		select {
		case err := <-done:
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Walk() = %v, want context.DeadlineExceeded", err)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Walk stayed blocked in Read after the deadline")
		}
	})
	t.Run("before walk", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		img := imageOf(t, layerOf(t, codecGzip, buildTar(t, reg("a", ""))))
		rec := newRecorder()
		if err := Walk(ctx, img, []Visitor{rec}); !errors.Is(err, context.Canceled) {
			t.Errorf("Walk() = %v, want context.Canceled", err)
		}
		if len(rec.layers) != 0 {
			t.Errorf("visited %d layers after cancel", len(rec.layers))
		}
	})
}

func TestBrokenBlobs(t *testing.T) {
	t.Parallel()
	data := buildTar(t, reg("a", strings.Repeat("hello ", 10_000)), reg("b", "b"))
	truncated := func(c codec) v1.Layer {
		blob := compressBytes(t, c, data)
		l := newRawLayer(blob[:len(blob)/2], sha(data))
		l.digest, l.size = sha(blob), int64(len(blob))
		return l
	}
	lying := func(mod func(*rawLayer)) v1.Layer {
		l := newRawLayer(compressBytes(t, codecGzip, data), sha(data))
		mod(l)
		return l
	}
	good := layerOf(t, codecGzip, buildTar(t, reg("ok", "")))
	tests := []struct {
		name  string
		layer v1.Layer
		want  error
		msg   string
	}{
		{"truncated gzip", truncated(codecGzip), ErrCorrupt, "decompressing gzip"},
		{"truncated zstd", truncated(codecZstd), ErrCorrupt, "decompressing zstd"},
		{"truncated tar", truncated(codecNone), ErrCorrupt, "reading tar"},
		{"wrong digest", lying(func(l *rawLayer) { l.digest = sha([]byte("other")) }), ErrDigestMismatch, "blob digest is"},
		{"wrong size", lying(func(l *rawLayer) { l.size++ }), ErrDigestMismatch, "manifest says"},
		{"wrong diff_id", lying(func(l *rawLayer) { l.diffID = sha([]byte("other")) }), ErrDigestMismatch, "diff_id"},
		{"uncompressed wrong diff_id", newRawLayer(data, sha([]byte("other"))), ErrDigestMismatch, "diff_id"},
		{"xz", newRawLayer([]byte("\xfd7zXZ\x00\x00rest"), sha(nil)), ErrCorrupt, "unsupported compression xz"},
		{"garbage", newRawLayer(bytes.Repeat([]byte("garbage!"), 200), sha(nil)), ErrCorrupt, "reading tar"},
		{"gzip trailing garbage", newRawLayer(append(compressBytes(t, codecGzip, data), "junk"...), sha(data)), ErrCorrupt, "gzip"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			img := imageOf(t, good, tt.layer)
			rec := newRecorder()
			err := Walk(context.Background(), img, []Visitor{rec})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Walk() = %v, want %v", err, tt.want)
			}
			d, _ := tt.layer.Digest()
			prefix := "layer 1 (" + d.String() + "): "
			if !strings.HasPrefix(err.Error(), prefix) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Walk() = %q, want prefix %q and %q", err, prefix, tt.msg)
			}
			if lr := rec.layers[1]; lr != nil && lr.stats != nil {
				t.Error("Done called on a broken layer")
			}
		})
	}
}

func TestInsecurePathGODEBUG(t *testing.T) {
	// archive/tar reports ErrInsecurePath for "../x" when
	// GODEBUG=tarinsecurepath=0; the walker cleans names itself and must
	// keep going.
	t.Setenv("GODEBUG", "tarinsecurepath=0")
	rec := newRecorder()
	img := imageOf(t, layerOf(t, codecGzip, buildTar(t, reg("../x", ""), reg("/y", ""), reg("z", ""))))
	if err := Walk(context.Background(), img, []Visitor{rec}); err != nil {
		t.Fatalf("Walk() = %v", err)
	}
	if got := rec.layer(t, 0).paths(); !slices.Equal(got, []string{"/x", "/y", "/z"}) {
		t.Errorf("paths = %q", got)
	}
}
