// Package analyze explains the bytes of a container image: per-layer sizes,
// wasted bytes and efficiency with the same definitions as dive, the biggest
// files and directories, the Python interpreters and distributions installed
// and the bytes each one owns, build leftovers, and security facts (user,
// shells, setuid files, secrets). An Analyzer is a layers.Visitor, so it is
// fed by the same single pass over the layers as the other analyses.
package analyze

import (
	"context"
	"fmt"
	"io/fs"
	"sort"
	"sync"
	"sync/atomic"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/layers"
)

// Option configures an Analyzer.
type Option func(*options)

type options struct {
	top            int
	wasteThreshold int64
	maxSecretBytes int64
	walk           []layers.Option
}

// WithWalkOptions passes options (concurrency, progress, limits) to the
// layers.Walk that Image runs.
func WithWalkOptions(opts ...layers.Option) Option {
	return func(o *options) { o.walk = append(o.walk, opts...) }
}

// WithTop sets how many entries the biggest_files, biggest_dirs and
// wasted_files lists keep (default 20).
func WithTop(n int) Option { return func(o *options) { o.top = n } }

// WithWasteThreshold sets the wasted bytes above which PY607 is reported
// (default 10 MiB). A negative value disables PY607.
func WithWasteThreshold(n int64) Option { return func(o *options) { o.wasteThreshold = n } }

// WithMaxSecretBytes sets how many leading bytes of a candidate secret file
// are searched (default 64 KiB).
func WithMaxSecretBytes(n int64) Option { return func(o *options) { o.maxSecretBytes = n } }

// Analyzer collects what it needs from every layer during a layers.Walk and
// computes the Result afterwards. It is a layers.Visitor; use it once.
type Analyzer struct {
	cfg   *v1.ConfigFile
	opts  options
	paths *pathTable
	// recordText is the bytes of RECORD path lists kept so far.
	recordText atomic.Int64

	// changes makes each layer's layers.Changes and stacks them.
	changes *layers.ChangeSet

	mu     sync.Mutex
	layers map[int]*layerData
}

var _ layers.Visitor = (*Analyzer)(nil)

// New returns an Analyzer for an image with the given config (which may be
// nil when unknown).
func New(cfg *v1.ConfigFile, opts ...Option) *Analyzer {
	o := options{top: 20, wasteThreshold: 10 << 20, maxSecretBytes: 64 << 10}
	for _, opt := range opts {
		opt(&o)
	}
	return &Analyzer{cfg: cfg, opts: o, paths: newPathTable(), layers: make(map[int]*layerData), changes: layers.NewChangeSet()}
}

// Image reads every layer of img once and returns its analysis.
func Image(ctx context.Context, img v1.Image, opts ...Option) (*Result, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading image config: %w", err)
	}
	a := New(cfg, opts...)
	if err := layers.Walk(ctx, img, []layers.Visitor{a}, a.opts.walk...); err != nil {
		return nil, err
	}
	return a.Result()
}

// VisitLayer implements layers.Visitor.
func (a *Analyzer) VisitLayer(l layers.Layer) layers.LayerVisitor {
	d := &layerData{info: l, changes: a.changes.NewChanges()}
	a.mu.Lock()
	a.layers[l.Index] = d
	a.mu.Unlock()
	return &layerVisitor{a: a, d: d}
}

// rec is the compact record of one tar entry.
type rec struct {
	size  int64
	node  nodeID
	mode  fs.FileMode
	kind  layers.EntryType
	flags uint8
}

const (
	flagWhiteout uint8 = 1 << iota
	flagOpaque
)

func (r *rec) whiteout() bool { return r.flags&flagWhiteout != 0 }
func (r *rec) opaque() bool   { return r.flags&flagOpaque != 0 }

// layerData is what the analyzer keeps of one layer.
type layerData struct {
	info layers.Layer
	// changes feeds the final-filesystem rules (layers.FinalFS).
	changes *layers.Changes
	// hostile holds the first entries layers flagged as hostile;
	// hostileMore counts the others.
	hostile     []hostileEntry
	hostileMore int
	stats       layers.Stats
	done        bool
	recs        []rec
	// links holds symlink and hardlink targets by rec index.
	links map[int32]string
	// parsed holds what was read from the content of wanted files, by rec
	// index.
	parsed map[int32]*parsedFile
	// secrets found in this layer's files.
	secrets []secretHit
	// sizeBytes is the sum of entry sizes, as dive counts a layer.
	sizeBytes int64
}

type layerVisitor struct {
	a *Analyzer
	d *layerData
}

func (v *layerVisitor) Want(e *layers.Entry) int64 {
	if e.Type != layers.TypeFile || e.Whiteout || e.Opaque {
		return 0
	}
	return v.a.want(e)
}

func (v *layerVisitor) Entry(e *layers.Entry, content []byte) error {
	d := v.d
	r := rec{size: e.Size, mode: e.Mode, kind: e.Type}
	if e.Whiteout {
		r.flags |= flagWhiteout
	}
	if e.Opaque {
		r.flags |= flagOpaque
	}
	d.changes.Add(e)
	v.a.hostile(d, e)
	if e.Path == "/" || e.Path == "" {
		// dive skips the root entry ("./"); it has no node of its own.
		return nil
	}
	d.sizeBytes += e.Size
	r.node = v.a.paths.intern(e.Path)
	idx := int32(len(d.recs))
	d.recs = append(d.recs, r)
	if (e.Type == layers.TypeSymlink || e.Type == layers.TypeHardlink) && !e.Whiteout && !e.Opaque {
		if d.links == nil {
			d.links = make(map[int32]string)
		}
		d.links[idx] = e.Linkname
	}
	if content != nil {
		v.a.parse(d, idx, e, content)
	}
	return nil
}

func (v *layerVisitor) Done(stats layers.Stats) error {
	v.d.stats = stats
	v.d.done = true
	return nil
}

// orderedLayers returns the layers seen, by index, and checks none is
// missing.
func (a *Analyzer) orderedLayers() ([]*layerData, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ls := make([]*layerData, 0, len(a.layers))
	for _, d := range a.layers {
		ls = append(ls, d)
	}
	sort.Slice(ls, func(i, j int) bool { return ls[i].info.Index < ls[j].info.Index })
	for i, d := range ls {
		if d.info.Index != i {
			return nil, fmt.Errorf("analyzing layers: layer %d was not visited", i)
		}
		if !d.done {
			return nil, fmt.Errorf("analyzing layers: layer %d was not read to the end", i)
		}
	}
	return ls, nil
}
