package image

import (
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// BlobError reports a blob whose bytes do not match its descriptor, or
// that cannot be found. It matches ErrInvalidImage.
type BlobError struct {
	// Source names the layout or archive ("oci-archive:img.tar").
	Source string
	// Digest is the digest the descriptor names.
	Digest v1.Hash
	// Reason says what is wrong.
	Reason string
}

func (e *BlobError) Error() string {
	return fmt.Sprintf("%s: blob %s: %s", e.Source, e.Digest, e.Reason)
}

// Is reports whether target is ErrInvalidImage.
func (e *BlobError) Is(target error) bool { return target == ErrInvalidImage }

// verifier passes through the bytes of a blob and fails the read that
// reaches the end (or passes the expected size) when size or digest do not
// match. A size below zero is not checked.
type verifier struct {
	rc     io.ReadCloser
	h      hash.Hash
	want   v1.Hash
	size   int64
	n      int64
	source string
	err    error
}

func verifyReader(rc io.ReadCloser, source string, want v1.Hash, size int64) (io.ReadCloser, error) {
	h, err := v1.Hasher(want.Algorithm)
	if err != nil {
		rc.Close()
		return nil, &BlobError{Source: source, Digest: want, Reason: err.Error()}
	}
	return &verifier{rc: rc, h: h, want: want, size: size, source: source}, nil
}

func (v *verifier) fail(format string, args ...any) error {
	v.err = &BlobError{Source: v.source, Digest: v.want, Reason: fmt.Sprintf(format, args...)}
	return v.err
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	n, err := v.rc.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.size >= 0 && v.n > v.size {
		return n, v.fail("size mismatch: more than the %d bytes the descriptor says", v.size)
	}
	switch err {
	case nil:
		return n, nil
	case io.EOF:
		if v.size >= 0 && v.n != v.size {
			return n, v.fail("size mismatch: got %d bytes, descriptor says %d", v.n, v.size)
		}
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want.Hex {
			return n, v.fail("digest mismatch: content hashes to %s:%s", v.want.Algorithm, got)
		}
		v.err = io.EOF
		return n, io.EOF
	default:
		v.err = fmt.Errorf("%s: reading blob %s: %w", v.source, v.want, err)
		return n, v.err
	}
}

func (v *verifier) Close() error { return v.rc.Close() }

// readSmall reads a small blob (manifest, index, config) whole from rc,
// which verifies it; limit caps what is read.
func readSmall(rc io.ReadCloser, source string, d v1.Hash, size, limit int64) ([]byte, error) {
	defer rc.Close()
	if size > limit {
		return nil, &BlobError{Source: source, Digest: d, Reason: fmt.Sprintf("%d bytes is more than the %d allowed for metadata", size, limit)}
	}
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &BlobError{Source: source, Digest: d, Reason: fmt.Sprintf("more than the %d bytes allowed for metadata", limit)}
	}
	return b, nil
}
