package cli

import (
	"sync"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/pyimg/pyimg/layers"
)

// progress draws one bar of compressed bytes read over all layers, on
// stderr, only when stderr is a terminal.
type progress struct {
	mu   sync.Mutex
	p    *mpb.Progress
	bar  *mpb.Bar
	last int64
}

func (a *app) newProgress(label string) *progress {
	if !a.env.IsTerminal(a.rawStderr) || a.env.Getenv("CI") != "" {
		return nil
	}
	p := mpb.New(mpb.WithOutput(a.rawStderr), mpb.WithWidth(40))
	bar := p.AddBar(0,
		mpb.PrependDecorators(decor.Name(label+" ", decor.WCSyncSpaceR), decor.CountersKibiByte("% .1f / % .1f")),
		mpb.AppendDecorators(decor.Percentage(), decor.Name(" "), decor.AverageSpeed(decor.SizeB1024(0), "% .1f")),
	)
	return &progress{p: p, bar: bar}
}

func (pr *progress) update(u layers.Progress) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if u.TotalSize > 0 {
		pr.bar.SetTotal(u.TotalSize, false)
	}
	if d := u.TotalRead - pr.last; d > 0 {
		pr.bar.IncrInt64(d)
		pr.last = u.TotalRead
	}
}

func (pr *progress) finish(ok bool) {
	pr.mu.Lock()
	if ok {
		pr.bar.SetTotal(-1, true)
	} else {
		pr.bar.Abort(true)
	}
	pr.mu.Unlock()
	pr.p.Wait()
}
