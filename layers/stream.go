package layers

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Zstd decoder bounds. A window of 128 MiB covers every level of the zstd
// CLI including --ultra -22 and --long=27; larger windows are refused rather
// than allocated.
const (
	zstdMaxWindow = 128 << 20
	zstdMaxMemory = 256 << 20
)

// compression is what the first bytes of a blob say it is.
type compression int

const (
	compNone compression = iota
	compGzip
	compZstd
)

func (c compression) String() string {
	switch c {
	case compGzip:
		return "gzip"
	case compZstd:
		return "zstd"
	}
	return "tar"
}

var (
	magicGzip  = []byte{0x1f, 0x8b}
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicXz    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	magicBzip2 = []byte{'B', 'Z', 'h'}
)

// sniff detects the compression from the magic bytes; media types are not
// trusted. Unknown bytes are taken for an uncompressed tar, which the tar
// reader then accepts or rejects.
func sniff(b []byte) (compression, error) {
	switch {
	case bytes.HasPrefix(b, magicGzip):
		return compGzip, nil
	case bytes.HasPrefix(b, magicZstd),
		// zstd skippable frame: 0x184D2A5? little-endian.
		len(b) >= 4 && b[0]&0xf0 == 0x50 && b[1] == 0x2a && b[2] == 0x4d && b[3] == 0x18:
		return compZstd, nil
	case bytes.HasPrefix(b, magicXz):
		return compNone, fmt.Errorf("unsupported compression xz: %w", ErrCorrupt)
	case bytes.HasPrefix(b, magicBzip2):
		return compNone, fmt.Errorf("unsupported compression bzip2: %w", ErrCorrupt)
	}
	return compNone, nil
}

func newHash(algorithm string) (hash.Hash, error) {
	switch algorithm {
	case "sha256":
		return sha256.New(), nil
	case "sha512":
		return sha512.New(), nil
	}
	return nil, fmt.Errorf("unsupported digest algorithm %q", algorithm)
}

// blobReader reads the compressed blob: it hashes and counts every byte,
// reports progress, and fails once ctx is done.
type blobReader struct {
	ctx      context.Context
	r        io.Reader
	h        hash.Hash
	n        int64
	reported int64
	report   func(n int64) // nil without progress
}

const progressStep = 1 << 20

func (b *blobReader) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := b.r.Read(p)
	if n > 0 {
		b.h.Write(p[:n])
		b.n += int64(n)
		if b.report != nil && b.n-b.reported >= progressStep {
			b.reported = b.n
			b.report(b.n)
		}
	}
	return n, err
}

// tarReader reads the decompressed stream: it hashes (when a DiffID is known)
// and counts every byte, enforces the size limit, and remembers the first
// error of the decompressor so that it can be reported as such rather than as
// a tar error.
type tarReader struct {
	r     io.Reader
	h     hash.Hash // nil: no DiffID to check
	n     int64
	max   int64
	comp  compression
	err   error // sticky: limit or decompression failure
	limit bool  // err is the size limit
	// budget is the whole image's, shared with the other layers.
	budget *budget
}

func (t *tarReader) Read(p []byte) (int, error) {
	if t.err != nil {
		return 0, t.err
	}
	if rem := t.max - t.n + 1; int64(len(p)) > rem {
		p = p[:rem] // read one byte past the limit to detect it
	}
	n, err := t.r.Read(p)
	if n > 0 {
		if t.h != nil {
			t.h.Write(p[:n])
		}
		t.n += int64(n)
		if t.n > t.max {
			t.err = &LimitError{What: "decompressed size", Limit: t.max, Bytes: true}
			t.limit = true
			return 0, t.err
		}
		if err := t.budget.addBytes(int64(n)); err != nil {
			t.err, t.limit = err, true
			return 0, t.err
		}
	}
	if err != nil && err != io.EOF {
		if t.comp != compNone {
			err = corrupt("decompressing "+t.comp.String(), err)
		}
		t.err = err
	}
	return n, err
}

// decompressor opens the decompressed stream of br according to its magic
// bytes. close releases the decoder; it does not close br's source.
func decompressor(br *bufio.Reader) (r io.Reader, comp compression, close func(), err error) {
	magic, _ := br.Peek(6) // a short blob is judged on what there is
	comp, err = sniff(magic)
	if err != nil {
		return nil, comp, nil, err
	}
	switch comp {
	case compGzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, comp, nil, corrupt("reading gzip header", err)
		}
		return zr, comp, func() { zr.Close() }, nil
	case compZstd:
		zr, err := zstd.NewReader(br,
			zstd.WithDecoderConcurrency(1),
			zstd.WithDecoderLowmem(true),
			zstd.WithDecoderMaxWindow(zstdMaxWindow),
			zstd.WithDecoderMaxMemory(zstdMaxMemory),
		)
		if err != nil {
			return nil, comp, nil, corrupt("reading zstd header", err)
		}
		return zr, comp, zr.Close, nil
	}
	return br, comp, func() {}, nil
}

// verify compares what was read with what the manifest and config promised.
func verify(info Layer, blob *blobReader, tr *tarReader, diffID v1.Hash) error {
	if info.CompressedSize > 0 && blob.n != info.CompressedSize {
		return fmt.Errorf("read %d bytes, manifest says %d: %w", blob.n, info.CompressedSize, ErrDigestMismatch)
	}
	got := v1.Hash{Algorithm: info.Digest.Algorithm, Hex: fmt.Sprintf("%x", blob.h.Sum(nil))}
	if got != info.Digest {
		return fmt.Errorf("blob digest is %s: %w", got, ErrDigestMismatch)
	}
	if tr.h != nil {
		got := v1.Hash{Algorithm: diffID.Algorithm, Hex: fmt.Sprintf("%x", tr.h.Sum(nil))}
		if got != diffID {
			return fmt.Errorf("uncompressed digest is %s, config's diff_id is %s: %w", got, diffID, ErrDigestMismatch)
		}
	}
	return nil
}
