package layers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Sparse entries are written by hand: archive/tar's Writer refuses to.

// oldGNUSparse writes an old-GNU sparse entry ('S') declaring size bytes
// of which only the last 512 are stored.
func oldGNUSparse(name string, size int64) []byte {
	var blk [512]byte
	copy(blk[0:], name)
	copy(blk[100:], "0000644\x00")
	copy(blk[108:], "0000000\x00")
	copy(blk[116:], "0000000\x00")
	putNumeric(blk[124:136], 512) // stored bytes
	copy(blk[136:], "00000000000\x00")
	blk[156] = 'S'
	copy(blk[257:], "ustar  \x00")
	putNumeric(blk[386:398], size-512) // sparse[0].offset
	putNumeric(blk[398:410], 512)      // sparse[0].length
	putNumeric(blk[483:495], size)     // realsize
	putChecksum(&blk)
	data := bytes.Repeat([]byte{'D'}, 512)
	return append(blk[:], data...)
}

// paxSparse writes a PAX 1.0 sparse entry declaring size bytes of which
// the last 512 are stored.
func paxSparse(name string, size int64) []byte {
	var recs []byte
	for _, kv := range [][2]string{
		{"GNU.sparse.major", "1"}, {"GNU.sparse.minor", "0"},
		{"GNU.sparse.name", name}, {"GNU.sparse.realsize", fmt.Sprint(size)},
	} {
		recs = append(recs, paxRecord(kv[0], kv[1])...)
	}
	out := ustarBlock("./PaxHeaders/x", 'x', int64(len(recs)))
	out = append(out, pad(recs)...)
	body := pad(fmt.Appendf(nil, "1\n%d\n512\n", size-512))
	body = append(body, bytes.Repeat([]byte{'D'}, 512)...)
	out = append(out, ustarBlock("./GNUSparseFile.0/"+name, '0', int64(len(body)))...)
	return append(out, body...)
}

func paxRecord(k, v string) string {
	n := len(k) + len(v) + 3
	for {
		s := fmt.Sprintf("%d %s=%s\n", n, k, v)
		if len(s) == n {
			return s
		}
		n = len(s)
	}
}

func ustarBlock(name string, typ byte, size int64) []byte {
	var blk [512]byte
	copy(blk[0:], name)
	copy(blk[100:], "0000644\x00")
	copy(blk[108:], "0000000\x00")
	copy(blk[116:], "0000000\x00")
	putNumeric(blk[124:136], size)
	copy(blk[136:], "00000000000\x00")
	blk[156] = typ
	copy(blk[257:], "ustar\x0000")
	putChecksum(&blk)
	return blk[:]
}

func pad[T ~string | ~[]byte](b T) []byte {
	out := []byte(b)
	if r := len(out) % 512; r != 0 {
		out = append(out, make([]byte, 512-r)...)
	}
	return out
}

// putNumeric writes x as octal, or base-256 when it does not fit.
func putNumeric(b []byte, x int64) {
	s := fmt.Sprintf("%0*o", len(b)-1, x)
	if len(s) < len(b) {
		copy(b, s+"\x00")
		return
	}
	clear(b)
	for i := len(b) - 1; i > 0; i-- {
		b[i] = byte(x)
		x >>= 8
	}
	b[0] = 0x80
}

func putChecksum(blk *[512]byte) {
	copy(blk[148:156], "        ")
	var sum int64
	for _, c := range blk {
		sum += int64(c)
	}
	copy(blk[148:156], fmt.Sprintf("%06o\x00 ", sum))
}

func TestHugeSparseFile(t *testing.T) {
	t.Parallel()
	const size = 1 << 40 // 1 TiB
	for name, entry := range map[string][]byte{
		"old GNU": oldGNUSparse("big", size),
		"PAX 1.0": paxSparse("big", size),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			data := append(entry, buildTar(t, reg("after", "x"))...)
			img := imageOf(t, layerOf(t, codecGzip, data))
			rec := newRecorder()
			rec.want = func(*Entry) int64 { return 1 << 62 }
			start := time.Now()
			if err := Walk(context.Background(), img, []Visitor{rec}, WithMaxContent(1<<20)); err != nil {
				t.Fatalf("Walk() = %v", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
			lr := rec.layer(t, 0)
			if got := lr.paths(); !slices.Equal(got, []string{"/big", "/after"}) {
				t.Fatalf("paths = %q", got)
			}
			if e := lr.entries[0]; e.Size != size || e.Type != TypeFile {
				t.Errorf("sparse entry Size %d Type %v, want %d file", e.Size, e.Type, int64(size))
			}
			if got := len(lr.contents[0]); got != 1<<20 {
				t.Errorf("content length = %d, want the 1 MiB cap", got)
			}
			if lr.stats.TarBytes > 64<<10 || lr.stats.FileBytes != size+1 {
				t.Errorf("Stats = %+v", *lr.stats)
			}

			err := Walk(context.Background(), img, nil, WithLimits(Limits{MaxFileSize: 1 << 30}))
			if !errors.Is(err, ErrLimit) || !strings.Contains(err.Error(), `size of entry "big" exceeds limit 1 GiB`) {
				t.Errorf("Walk(MaxFileSize 1 GiB) = %v, want size limit", err)
			}
		})
	}
}
