package layers

import (
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrLimit: a layer exceeded one of the Limits.
	ErrLimit = errors.New("limit exceeded")
	// ErrDigestMismatch: a layer's bytes do not match its digest, size or
	// DiffID.
	ErrDigestMismatch = errors.New("digest mismatch")
	// ErrCorrupt: a layer is not a readable tar stream (truncated or corrupt
	// compression, bad tar header, unsupported compression).
	ErrCorrupt = errors.New("corrupt layer")
)

// LayerError is the error of one layer: which layer failed and why.
type LayerError struct {
	Index  int
	Digest v1.Hash
	Err    error
}

func (e *LayerError) Error() string {
	return fmt.Sprintf("layer %d (%s): %v", e.Index, e.Digest, e.Err)
}

func (e *LayerError) Unwrap() error { return e.Err }

// LimitError says which limit a layer exceeded. It matches ErrLimit.
type LimitError struct {
	// What is exceeded, as a phrase: "decompressed size", "entry count".
	What  string
	Limit int64
	// Bytes tells whether Limit is a byte size, for formatting.
	Bytes bool
	// Entry is the tar name of the offending entry, if any.
	Entry string
}

func (e *LimitError) Error() string {
	lim := fmt.Sprint(e.Limit)
	if e.Bytes {
		lim = formatBytes(e.Limit)
	}
	if e.Entry != "" {
		return fmt.Sprintf("%s of entry %q exceeds limit %s", e.What, truncate(e.Entry, 128), lim)
	}
	return fmt.Sprintf("%s exceeds limit %s", e.What, lim)
}

// Is makes a LimitError match ErrLimit.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// corrupt wraps err as ErrCorrupt with context.
func corrupt(context string, err error) error {
	return fmt.Errorf("%s: %w: %w", context, ErrCorrupt, err)
}

// formatBytes renders n in binary units, exactly when it is a round number:
// 64 GiB, 1.5 MiB, 1000 B.
func formatBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if i == 0 {
		return fmt.Sprintf("%d B", n)
	}
	return fmt.Sprintf("%.4g %s", f, units[i])
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
