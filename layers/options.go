package layers

import (
	"runtime"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Defaults for the options of Walk.
const (
	DefaultMaxContent  = 64 << 20 // 64 MiB handed to visitors per entry
	DefaultMaxEntries  = 4 << 20  // 4,194,304 entries per layer
	DefaultMaxPathLen  = 4096     // bytes, Linux PATH_MAX
	DefaultMaxTarBytes = 64 << 30 // 64 GiB uncompressed per layer
	DefaultMaxFileSize = 16 << 40 // 16 TiB header size of one entry
)

// Limits bound what one layer may cost. Exceeding any of them fails the walk
// with an error that matches ErrLimit. A zero field means the default; a
// negative field means no limit.
type Limits struct {
	// MaxEntries is the number of tar entries in one layer.
	MaxEntries int64
	// MaxPathLen is the length in bytes of an entry's name or link target.
	MaxPathLen int
	// MaxTarBytes is the uncompressed size of one layer: the cap against
	// decompression bombs.
	MaxTarBytes int64
	// MaxFileSize is the size an entry's header may declare. Sparse files
	// may declare far more than they store; the walker never materialises
	// their holes, so the default is generous.
	MaxFileSize int64
}

// Progress reports how far the walk has read. Read counts compressed bytes,
// as fetched from the registry or disk.
type Progress struct {
	Layer  int     // index of the layer this update is about
	Digest v1.Hash // its digest
	Read   int64   // compressed bytes of this layer read so far
	Size   int64   // compressed size of this layer
	Done   bool    // this layer is finished

	TotalRead  int64 // compressed bytes read over all layers
	TotalSize  int64 // compressed size of all layers
	LayersDone int   // layers finished
	Layers     int   // layers in the image
}

// Option configures Walk.
type Option func(*options)

type options struct {
	concurrency int
	maxContent  int64
	limits      Limits
	image       ImageLimits
	progress    func(Progress)
	blobAt      BlobAt
}

func defaultOptions() options {
	return options{
		concurrency: min(runtime.GOMAXPROCS(0), 4),
		maxContent:  DefaultMaxContent,
	}
}

// WithConcurrency sets how many layers are read at once. n < 1 means the
// default, min(GOMAXPROCS, 4).
func WithConcurrency(n int) Option {
	return func(o *options) {
		if n >= 1 {
			o.concurrency = n
		}
	}
}

// WithMaxContent caps the bytes of one entry's content handed to visitors,
// whatever they Want. n <= 0 means the default, 64 MiB. Memory use grows
// with it: each layer being read keeps a buffer of up to n bytes.
func WithMaxContent(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxContent = n
		}
	}
}

// WithLimits sets the limits of each layer; zero fields keep their defaults.
func WithLimits(l Limits) Option {
	return func(o *options) { o.limits = l }
}

// WithProgress calls f as layers are read: at most every 1 MiB per layer and
// once when each layer is done. Calls are serialised; f must be quick.
func WithProgress(f func(Progress)) Option {
	return func(o *options) { o.progress = f }
}

// resolve fills the defaults into l; unlimited fields become the maximum.
func (l Limits) resolve() Limits {
	pick64 := func(v, def int64) int64 {
		switch {
		case v == 0:
			return def
		case v < 0:
			return 1<<63 - 1
		}
		return v
	}
	r := Limits{
		MaxEntries:  pick64(l.MaxEntries, DefaultMaxEntries),
		MaxTarBytes: pick64(l.MaxTarBytes, DefaultMaxTarBytes),
		MaxFileSize: pick64(l.MaxFileSize, DefaultMaxFileSize),
		MaxPathLen:  l.MaxPathLen,
	}
	switch {
	case l.MaxPathLen == 0:
		r.MaxPathLen = DefaultMaxPathLen
	case l.MaxPathLen < 0:
		r.MaxPathLen = int(^uint(0) >> 1)
	}
	return r
}
