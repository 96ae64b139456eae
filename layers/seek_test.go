package layers

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r io.ReaderAt
	n *atomic.Int64
}

func (c countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.n.Add(int64(n))
	return n, err
}

// blobsAt serves blobs by digest from memory, counting the bytes read.
func blobsAt(read *atomic.Int64, blobs ...[]byte) BlobAt {
	m := map[v1.Hash][]byte{}
	for _, b := range blobs {
		m[sha(b)] = b
	}
	return func(d v1.Hash) (io.ReaderAt, int64, io.Closer, bool, error) {
		b, ok := m[d]
		if !ok {
			return nil, 0, nil, false, nil
		}
		return countingReaderAt{bytes.NewReader(b), read}, int64(len(b)), io.NopCloser(nil), true, nil
	}
}

func TestSeekWalkSkipsBodiesAndAgreesWithStreaming(t *testing.T) {
	big := strings.Repeat("x", 3<<20)
	data := buildTar(t, dir("usr/"), reg("usr/a.bin", big), reg("usr/METADATA", "Name: a\n"), reg("usr/b.bin", big),
		symlink("usr/c", "a.bin"), reg("usr/d.bin", big))
	img := imageOf(t, layerOf(t, codecNone, data), layerOf(t, codecGzip, buildTar(t, reg("etc/x", "y"))))
	want := func(e *Entry) int64 {
		if strings.HasSuffix(e.Path, "METADATA") {
			return 100
		}
		return 0
	}
	streamed, seeked := newRecorder(), newRecorder()
	streamed.want, seeked.want = want, want
	if err := Walk(context.Background(), img, []Visitor{streamed}); err != nil {
		t.Fatalf("Walk() = %v", err)
	}
	var read atomic.Int64
	gz := compressBytes(t, codecGzip, buildTar(t, reg("etc/x", "y")))
	if err := Walk(context.Background(), img, []Visitor{seeked}, WithBlobAt(blobsAt(&read, data, gz))); err != nil {
		t.Fatalf("Walk(WithBlobAt) = %v", err)
	}
	for i := range 2 {
		s, k := streamed.layer(t, i), seeked.layer(t, i)
		if !slices.Equal(s.paths(), k.paths()) || *s.stats != *k.stats {
			t.Errorf("layer %d: seeking walk saw %v %+v, streaming %v %+v", i, k.paths(), *k.stats, s.paths(), *s.stats)
		}
		for j := range s.contents {
			if !bytes.Equal(s.contents[j], k.contents[j]) {
				t.Errorf("layer %d entry %d: content %q, streaming %q", i, j, k.contents[j], s.contents[j])
			}
		}
	}
	// The hash reads the blob once; the walk reads headers and METADATA
	// only. Reading the 9 MiB of bodies again would double it.
	if n := read.Load(); n > int64(len(data))+int64(len(gz))+64<<10 {
		t.Errorf("read %d bytes for a %d-byte uncompressed blob: file bodies were read, not skipped", n, len(data))
	}
}

func TestSeekWalkRejectsBadBlobs(t *testing.T) {
	data := buildTar(t, reg("a", "hello"), reg("b", strings.Repeat("z", 5000)))
	for name, tc := range map[string]struct {
		serve []byte // what the source holds under the manifest's digest
		want  error
	}{
		"tampered":  {append(append([]byte{}, data[:600]...), append([]byte{'Z'}, data[601:]...)...), ErrDigestMismatch},
		"truncated": {data[:1200], ErrDigestMismatch}, // size differs from the manifest's
	} {
		t.Run(name, func(t *testing.T) {
			l := newRawLayer(data, sha(data))
			img := imageOf(t, l)
			at := func(d v1.Hash) (io.ReaderAt, int64, io.Closer, bool, error) {
				return bytes.NewReader(tc.serve), int64(len(tc.serve)), io.NopCloser(nil), true, nil
			}
			err := Walk(context.Background(), img, []Visitor{newRecorder()}, WithBlobAt(at))
			if !errors.Is(err, tc.want) {
				t.Errorf("Walk() = %v, want %v", err, tc.want)
			}
		})
	}
	// A header that claims more than the blob holds is a corrupt tar even
	// when the digest is right.
	bad := append([]byte{}, data...)
	copy(bad[124:136], []byte("77777777777\x00")) // size field of the first header
	chk := bad[148:156]
	copy(chk, "        ")
	var sum int64
	for _, c := range bad[:512] {
		sum += int64(c)
	}
	copy(chk, []byte(strings.Repeat("0", 6-len(octal(sum)))+octal(sum)+"\x00 "))
	img := imageOf(t, newRawLayer(bad, sha(bad)))
	read := atomic.Int64{}
	err := Walk(context.Background(), img, []Visitor{newRecorder()}, WithBlobAt(blobsAt(&read, bad)))
	if !errors.Is(err, ErrCorrupt) {
		t.Errorf("Walk(header past the end) = %v, want ErrCorrupt", err)
	}
}

func octal(n int64) string {
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%8)}, b...)
		n /= 8
	}
	return string(b)
}
