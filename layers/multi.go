package layers

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"
)

// Target is one image of a multi-image walk and the visitors that observe it.
type Target struct {
	Image    v1.Image
	Visitors []Visitor
}

// ImageError is the error of a multi-image walk: the first image (by index
// in the targets) whose layer failed, and the layer's error.
type ImageError struct {
	Image int
	Err   error
}

func (e *ImageError) Error() string { return fmt.Sprintf("image %d: %v", e.Image, e.Err) }

// Unwrap returns the layer's error (a *LayerError).
func (e *ImageError) Unwrap() error { return e.Err }

// WalkImages reads the layers of several images in one pass. A layer that
// several images share (the same blob digest and diff_id) is read, inflated
// and verified once, and each entry is handed to the visitors of every image
// that has it; each image's visitors see the layer with its own Index and
// CreatedBy, and entries with Entry.Layer set to that index. Otherwise it
// behaves as Walk for each target: visitors of one layer are never called
// concurrently, every layer's digests are verified, the first error stops
// the walk (an *ImageError wrapping the *LayerError). The whole-image budget
// (WithImageLimits) is granted once per target.
//
// Progress reports count unique layers: Progress.Layer indexes the layers
// in first-seen order over the targets.
func WalkImages(ctx context.Context, targets []Target, opts ...Option) error {
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	o.limits = o.limits.resolve()

	type occurrence struct {
		target int
		info   Layer
	}
	type unique struct {
		layer  v1.Layer
		info   Layer // as the first image that has it sees it
		diffID v1.Hash
		occ    []occurrence
	}
	var uniq []*unique
	byKey := map[string]*unique{}
	for t, tg := range targets {
		ls, err := tg.Image.Layers()
		if err != nil {
			return &ImageError{Image: t, Err: fmt.Errorf("listing layers: %w", err)}
		}
		infos, diffIDs, err := describe(tg.Image, ls)
		if err != nil {
			return &ImageError{Image: t, Err: err}
		}
		for i, l := range ls {
			key := infos[i].Digest.String() + " " + diffIDs[i].String()
			u := byKey[key]
			if u == nil {
				u = &unique{layer: l, info: infos[i], diffID: diffIDs[i]}
				byKey[key] = u
				uniq = append(uniq, u)
			}
			u.occ = append(u.occ, occurrence{target: t, info: infos[i]})
		}
	}

	progInfos := make([]Layer, len(uniq))
	for i, u := range uniq {
		progInfos[i] = u.info
		progInfos[i].Index = i
	}
	// The whole-image budget holds for each image: the walk may spend it
	// once per image, whether or not the images share layers.
	lim := o.image.resolve()
	n := int64(len(targets))
	b := &budget{lim: ImageLimits{MaxBytes: mulSat(lim.MaxBytes, n), MaxEntries: mulSat(lim.MaxEntries, n)}}
	prog := newProgress(o.progress, progInfos)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.concurrency)
	started := 0
	for i, u := range uniq {
		if gctx.Err() != nil {
			break
		}
		started++
		g.Go(func() error {
			var lvs []LayerVisitor
			for _, oc := range u.occ {
				for _, lv := range layerVisitors(targets[oc.target].Visitors, oc.info) {
					if oc.info.Index != u.info.Index {
						lv = reindexed{lv: lv, index: oc.info.Index}
					}
					lvs = append(lvs, lv)
				}
			}
			info := u.info
			w := layerWalk{info: info, diffID: u.diffID, opts: &o, progress: prog, progIndex: i, budget: b}
			if err := w.run(gctx, u.layer, lvs); err != nil {
				first := u.occ[0]
				return &ImageError{Image: first.target, Err: &LayerError{Index: first.info.Index, Digest: info.Digest, Err: err}}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if started < len(uniq) {
		return ctx.Err()
	}
	return nil
}

// reindexed hands a LayerVisitor the entries of a shared layer with
// Entry.Layer set to the layer's index in the visitor's own image. The entry
// is copied only for it: the walker's *Entry is shared by all visitors.
type reindexed struct {
	lv    LayerVisitor
	index int
}

func (r reindexed) Want(e *Entry) int64 { return r.lv.Want(r.entry(e)) }

func (r reindexed) Entry(e *Entry, content []byte) error {
	return r.lv.Entry(r.entry(e), content)
}

func (r reindexed) Done(s Stats) error { return r.lv.Done(s) }

func (r reindexed) entry(e *Entry) *Entry {
	c := *e
	c.Layer = r.index
	return &c
}

// mulSat multiplies a by n, saturating at the largest int64.
func mulSat(a, n int64) int64 {
	if n > 0 && a > (1<<63-1)/n {
		return 1<<63 - 1
	}
	return a * n
}
