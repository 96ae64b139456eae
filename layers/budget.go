package layers

import "sync/atomic"

// Defaults of the whole-image budget.
const (
	// DefaultMaxImageBytes bounds the decompressed tar bytes of all layers
	// together: 32 GiB, above the largest real images (CUDA and ML bases
	// reach about 20 GiB) and far below what a stack of layers that each
	// stays under the per-layer cap can cost.
	DefaultMaxImageBytes = 32 << 30
	// DefaultMaxImageEntries bounds the tar entries of all layers together.
	DefaultMaxImageEntries = 8 << 20
)

// ImageLimits bound what all layers of one image cost together, where
// Limits bound each layer: 200 layers that each hold the same 2 GiB gzip
// bomb stay under any sane per-layer cap. Exceeding one fails the walk
// with a *LimitError (matching ErrLimit) for the layer that crossed it. A
// zero field means the default; a negative field means no limit.
type ImageLimits struct {
	// MaxBytes is the decompressed size of all layers together.
	MaxBytes int64
	// MaxEntries is the number of tar entries of all layers together.
	MaxEntries int64
}

// WithImageLimits sets the whole-image budget; zero fields keep their
// defaults.
func WithImageLimits(l ImageLimits) Option {
	return func(o *options) { o.image = l }
}

func (l ImageLimits) resolve() ImageLimits {
	pick := func(v, def int64) int64 {
		switch {
		case v == 0:
			return def
		case v < 0:
			return 1<<63 - 1
		}
		return v
	}
	return ImageLimits{MaxBytes: pick(l.MaxBytes, DefaultMaxImageBytes), MaxEntries: pick(l.MaxEntries, DefaultMaxImageEntries)}
}

// budget is the whole-image budget shared by the layers of one walk.
type budget struct {
	lim     ImageLimits
	bytes   atomic.Int64
	entries atomic.Int64
}

func (b *budget) addBytes(n int64) error {
	if b == nil {
		return nil
	}
	if b.bytes.Add(n) > b.lim.MaxBytes {
		return &LimitError{What: "decompressed size of the whole image (all layers)", Limit: b.lim.MaxBytes, Bytes: true}
	}
	return nil
}

func (b *budget) addEntry() error {
	if b == nil {
		return nil
	}
	if b.entries.Add(1) > b.lim.MaxEntries {
		return &LimitError{What: "entry count of the whole image (all layers)", Limit: b.lim.MaxEntries}
	}
	return nil
}
