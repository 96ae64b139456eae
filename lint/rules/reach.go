package rules

import (
	"path"
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
)

// Stage reachability: which files of which stage end up in the target
// image. The target and the stages it is built FROM reach it whole; a
// stage another reaching stage copies from (COPY --from) or mounts
// (RUN --mount=from=) reaches it only with the paths copied, when they
// land somewhere that reaches. A builder whose build output alone is
// copied does not hand over the context it was built from.

type reachKey struct{}

// reach maps a stage index to the absolute paths of its filesystem that
// reach the target ("/" for everything).
type reach map[int][]string

// reaching returns what of each stage reaches the target, computed once
// per lint run.
func reaching(c *lint.Context) reach {
	return c.Memo(reachKey{}, func() any { return computeReach(c) }).(reach)
}

func computeReach(c *lint.Context) reach {
	r := reach{}
	type item struct {
		stage int
		p     string
	}
	var work []item
	add := func(stage int, p string) {
		// A stage's files include those of the stages it is built FROM.
		for s := stage; s >= 0 && s < len(c.File.Stages); s = c.File.Stages[s].Parent {
			if r.covers(s, p) {
				return
			}
			r[s] = append(r[s], p)
			work = append(work, item{s, p})
			if c.File.Stages[s].Parent >= s {
				return
			}
		}
	}
	add(target(c).Index, "/")
	for len(work) > 0 {
		it := work[len(work)-1]
		work = work[:len(work)-1]
		st := c.File.Stages[it.stage]
		for _, in := range st.Instructions {
			switch {
			case in.Kind == dockerfile.KindCopy && in.CopyFrom != "":
				src, ok := c.File.CopySource(in)
				if !ok {
					continue
				}
				dest := resolvePath(in.State.Workdir, in.Dest)
				if dest != "" && !overlaps(dest, it.p) {
					continue
				}
				for _, s := range in.Sources {
					add(src.Index, cleanAbs(s))
				}
			case in.Kind == dockerfile.KindRun:
				// A mounted stage's files are visible to the RUN, which
				// may copy them anywhere.
				for _, m := range in.Mounts {
					if m.From == "" {
						continue
					}
					if src, ok := c.File.Stage(m.From); ok && src.Index < in.Stage {
						add(src.Index, cleanAbs(m.Source))
					}
				}
			}
		}
	}
	return r
}

// covers reports whether p of stage already reaches (it or a parent).
func (r reach) covers(stage int, p string) bool {
	for _, q := range r[stage] {
		if within(p, q) {
			return true
		}
	}
	return false
}

// Whole reports whether everything stage s put under p (absolute, clean)
// reaches the target: p or a parent of it is copied onward.
func (r reach) whole(s int, p string) bool { return r.covers(s, p) }

// any reports whether any file of stage s reaches the target.
func (r reach) any(s int) bool { return len(r[s]) > 0 }

// overlaps reports whether one of two clean absolute paths contains the
// other.
func overlaps(a, b string) bool { return within(a, b) || within(b, a) }

// cleanAbs makes a COPY --from source or mount source absolute in the
// source stage's root; globs keep their directory.
func cleanAbs(p string) string {
	if p == "" {
		return "/"
	}
	if i := strings.IndexAny(p, "*?["); i >= 0 {
		p = p[:i]
		if j := strings.LastIndex(p, "/"); j >= 0 {
			p = p[:j+1]
		} else {
			p = ""
		}
	}
	return path.Clean("/" + p)
}
