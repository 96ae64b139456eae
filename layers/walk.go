package layers

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"
)

// Walk reads every layer of img once and hands each tar entry to visitors.
// Layers are read in parallel (see WithConcurrency); within a layer, each
// LayerVisitor sees the entries in tar order and is never called
// concurrently. Each layer's blob is checked against its digest and size and,
// when the config lists it, its uncompressed stream against the DiffID.
//
// The first error stops the walk and is returned as a *LayerError naming the
// layer; it matches ErrLimit, ErrDigestMismatch or ErrCorrupt for hostile or
// broken layers, and the visitor's error when a visitor failed. Cancelling
// ctx stops the walk at the next read or entry, and closes the blobs being
// read so that a read blocked on a stalled source returns.
func Walk(ctx context.Context, img v1.Image, visitors []Visitor, opts ...Option) error {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	o.limits = o.limits.resolve()
	b := &budget{lim: o.image.resolve()}

	ls, err := img.Layers()
	if err != nil {
		return fmt.Errorf("listing layers: %w", err)
	}
	infos, diffIDs, err := describe(img, ls)
	if err != nil {
		return err
	}

	prog := newProgress(o.progress, infos)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.concurrency)
	started := 0
	for i, l := range ls {
		if gctx.Err() != nil {
			break
		}
		started++
		g.Go(func() error {
			w := layerWalk{
				info:      infos[i],
				diffID:    diffIDs[i],
				opts:      &o,
				progress:  prog,
				progIndex: i,
				budget:    b,
			}
			if err := w.run(gctx, l, layerVisitors(visitors, infos[i])); err != nil {
				return &LayerError{Index: i, Digest: infos[i].Digest, Err: err}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if started < len(ls) {
		return ctx.Err() // cancelled before every layer had started
	}
	return nil
}

// describe collects what the manifest and config say about each layer,
// without reading any blob.
func describe(img v1.Image, ls []v1.Layer) ([]Layer, []v1.Hash, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, nil, fmt.Errorf("reading manifest: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, nil, fmt.Errorf("reading config: %w", err)
	}
	createdBy := make([]string, 0, len(ls))
	for _, h := range cf.History {
		if !h.EmptyLayer {
			createdBy = append(createdBy, h.CreatedBy)
		}
	}

	infos := make([]Layer, len(ls))
	diffIDs := make([]v1.Hash, len(ls))
	for i, l := range ls {
		info := Layer{Index: i}
		if len(m.Layers) == len(ls) {
			d := m.Layers[i]
			info.Digest, info.CompressedSize, info.MediaType = d.Digest, d.Size, string(d.MediaType)
		} else {
			if info.Digest, err = l.Digest(); err != nil {
				return nil, nil, fmt.Errorf("reading digest of layer %d: %w", i, err)
			}
			if info.CompressedSize, err = l.Size(); err != nil {
				return nil, nil, fmt.Errorf("reading size of layer %d: %w", i, err)
			}
			mt, err := l.MediaType()
			if err != nil {
				return nil, nil, fmt.Errorf("reading media type of layer %d: %w", i, err)
			}
			info.MediaType = string(mt)
		}
		if i < len(cf.RootFS.DiffIDs) {
			info.DiffID = cf.RootFS.DiffIDs[i]
			diffIDs[i] = info.DiffID
		}
		if i < len(createdBy) {
			info.CreatedBy = createdBy[i]
		}
		infos[i] = info
	}
	return infos, diffIDs, nil
}

// layerWalk is the state of one layer's pass.
type layerWalk struct {
	info     Layer
	diffID   v1.Hash
	opts     *options
	progress *progress
	// progIndex is the layer's index in the progress reports.
	progIndex int
	budget    *budget
	buf       []byte
	wants     []int64
}

// layerVisitors asks each visitor for its LayerVisitor of layer l.
func layerVisitors(visitors []Visitor, l Layer) []LayerVisitor {
	var lvs []LayerVisitor
	for _, v := range visitors {
		if lv := v.VisitLayer(l); lv != nil {
			lvs = append(lvs, lv)
		}
	}
	return lvs
}

func (w *layerWalk) run(ctx context.Context, l v1.Layer, lvs []LayerVisitor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w.wants = make([]int64, len(lvs))

	var rc io.ReadCloser
	if w.opts.blobAt != nil {
		var handled bool
		var err error
		if rc, handled, err = w.openAt(ctx, lvs); handled {
			return err
		}
	}
	if rc == nil {
		var err error
		if rc, err = l.Compressed(); err != nil {
			return fmt.Errorf("opening blob: %w", err)
		}
	}
	// Closing the blob on cancellation unblocks a Read stuck on a slow
	// source; the Close in defer is then a no-op.
	var closeOnce sync.Once
	closeBlob := func() { closeOnce.Do(func() { rc.Close() }) }
	defer closeBlob()
	defer context.AfterFunc(ctx, closeBlob)()

	bh, err := newHash(w.info.Digest.Algorithm)
	if err != nil {
		return err
	}
	blob := &blobReader{ctx: ctx, r: rc, h: bh}
	if w.progress != nil {
		blob.report = func(n int64) { w.progress.update(w.progIndex, n, false) }
	}
	br := bufio.NewReaderSize(blob, 256<<10)
	dr, comp, closeDecoder, err := decompressor(br)
	if err != nil {
		return w.firstErr(ctx, nil, err)
	}
	defer closeDecoder()

	tr := &tarReader{r: dr, max: w.opts.limits.MaxTarBytes, comp: comp, budget: w.budget}
	checkDiffID := w.diffID != v1.Hash{}
	if checkDiffID && !(comp == compNone && w.diffID.Algorithm == w.info.Digest.Algorithm) {
		if tr.h, err = newHash(w.diffID.Algorithm); err != nil {
			return err
		}
	}

	stats, err := w.entries(ctx, tar.NewReader(tr), lvs)
	if err != nil {
		return w.firstErr(ctx, tr, err)
	}
	// Read what follows the end-of-archive marker: the digests cover it, and
	// reading to the end makes the decompressor check its own checksums.
	if _, err := io.Copy(io.Discard, tr); err != nil {
		return w.firstErr(ctx, tr, corrupt("reading past end of tar", err))
	}
	if _, err := io.Copy(io.Discard, br); err != nil {
		return w.firstErr(ctx, tr, fmt.Errorf("reading blob: %w", err))
	}
	stats.TarBytes = tr.n
	if err := verify(w.info, blob, tr, w.diffID); err != nil {
		return err
	}
	if checkDiffID && tr.h == nil && w.info.Digest != w.diffID {
		return fmt.Errorf("uncompressed layer's digest %s differs from config's diff_id %s: %w", w.info.Digest, w.diffID, ErrDigestMismatch)
	}
	for _, lv := range lvs {
		if err := lv.Done(stats); err != nil {
			return err
		}
	}
	if w.progress != nil {
		w.progress.update(w.progIndex, blob.n, true)
	}
	return nil
}

// firstErr picks the root cause among the errors a failed read can surface
// as: cancellation, the size limit and decompression errors come before the
// tar reader's view of them.
func (w *layerWalk) firstErr(ctx context.Context, tr *tarReader, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if tr != nil && tr.err != nil {
		return tr.err
	}
	return err
}

// entries reads the tar stream and feeds the visitors.
func (w *layerWalk) entries(ctx context.Context, tr *tar.Reader, lvs []LayerVisitor) (Stats, error) {
	var stats Stats
	lim := w.opts.limits
	for {
		hdr, err := tr.Next()
		if errors.Is(err, tar.ErrInsecurePath) && hdr != nil {
			err = nil // with GODEBUG=tarinsecurepath=0; cleaned below anyway
		}
		if err == io.EOF {
			return stats, nil
		}
		if err != nil {
			return stats, corrupt("reading tar", err)
		}
		if err := ctx.Err(); err != nil {
			return stats, err
		}
		stats.Entries++
		if stats.Entries > lim.MaxEntries {
			return stats, &LimitError{What: "entry count", Limit: lim.MaxEntries}
		}
		if err := w.budget.addEntry(); err != nil {
			return stats, err
		}
		if len(hdr.Name) > lim.MaxPathLen {
			return stats, &LimitError{What: "name length", Limit: int64(lim.MaxPathLen), Entry: hdr.Name}
		}
		if len(hdr.Linkname) > lim.MaxPathLen {
			return stats, &LimitError{What: "link target length", Limit: int64(lim.MaxPathLen), Entry: hdr.Name}
		}
		if hdr.Size > lim.MaxFileSize {
			return stats, &LimitError{What: "size", Limit: lim.MaxFileSize, Bytes: true, Entry: hdr.Name}
		}

		e, skip := entryFromHeader(w.info.Index, hdr)
		if skip {
			continue
		}
		if e.Type == TypeFile && !e.Whiteout && !e.Opaque {
			stats.FileBytes = addSat(stats.FileBytes, e.Size)
		}
		if err := w.visit(tr, &e, lvs); err != nil {
			return stats, err
		}
	}
}

// visit asks every visitor what it wants of e, reads that much content once
// and hands it out. The rest of the file is skipped by the next tr.Next,
// which discards only the bytes stored in the stream: the holes of a sparse
// file are never materialised.
func (w *layerWalk) visit(tr *tar.Reader, e *Entry, lvs []LayerVisitor) error {
	var most int64
	if e.Type == TypeFile && !e.Whiteout && !e.Opaque {
		for i, lv := range lvs {
			want := max(lv.Want(e), 0)
			w.wants[i] = want
			most = max(most, want)
		}
		most = min(most, w.opts.maxContent, e.Size)
	} else {
		clear(w.wants)
	}

	var content []byte
	if most > 0 {
		if int64(cap(w.buf)) < most {
			w.buf = make([]byte, most)
		}
		n, err := io.ReadFull(tr, w.buf[:most])
		if err != nil {
			return corrupt(fmt.Sprintf("reading content of %q", e.Name), err)
		}
		content = w.buf[:n]
	}
	for i, lv := range lvs {
		var c []byte
		if w.wants[i] > 0 {
			c = content[:min(w.wants[i], int64(len(content)))]
			if c == nil {
				c = []byte{} // wanted, but the file is empty
			}
		}
		if err := lv.Entry(e, c); err != nil {
			return err
		}
	}
	return nil
}

func addSat(a, b int64) int64 {
	if s := a + b; s >= a {
		return s
	}
	return 1<<63 - 1
}

// progress serialises progress reports from the layer goroutines.
type progress struct {
	mu     sync.Mutex
	f      func(Progress)
	infos  []Layer
	read   []int64
	total  int64
	size   int64
	done   int
	layers int
}

func newProgress(f func(Progress), infos []Layer) *progress {
	if f == nil {
		return nil
	}
	p := &progress{f: f, infos: infos, read: make([]int64, len(infos)), layers: len(infos)}
	for _, l := range infos {
		p.size += l.CompressedSize
	}
	return p
}

func (p *progress) update(layer int, n int64, done bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.total += n - p.read[layer]
	p.read[layer] = n
	if done {
		p.done++
	}
	info := p.infos[layer]
	p.f(Progress{
		Layer:      layer,
		Digest:     info.Digest,
		Read:       n,
		Size:       info.CompressedSize,
		Done:       done,
		TotalRead:  p.total,
		TotalSize:  p.size,
		LayersDone: p.done,
		Layers:     p.layers,
	})
}
