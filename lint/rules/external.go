package rules

import (
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
)

// externalRef is an image named by COPY --from or RUN --mount=from= rather
// than by FROM: the build pulls it like a base image.
type externalRef struct {
	in  *dockerfile.Instruction
	ref dockerfile.ImageRef
	via string // "COPY --from" or "RUN --mount=from"
}

type externalKey struct{}

// externalRefs returns the images the target's stages copy or mount from,
// computed once per lint run.
func externalRefs(c *lint.Context) []externalRef {
	return c.Memo(externalKey{}, func() any {
		var out []externalRef
		add := func(in *dockerfile.Instruction, name, via string) {
			if name == "" || strings.Contains(name, "$") {
				return
			}
			if s, ok := c.File.Stage(name); ok && s.Index < in.Stage {
				return
			}
			if isNumeric(name) || strings.EqualFold(name, "scratch") {
				return
			}
			r := dockerfile.ParseImageRef(name)
			if r.Invalid || r.Repository == "" {
				return
			}
			out = append(out, externalRef{in: in, ref: r, via: via})
		}
		for _, s := range c.Stages() {
			for _, in := range s.Instructions {
				if in.Kind == dockerfile.KindCopy {
					add(in, in.CopyFrom, "COPY --from")
				}
				for _, m := range in.Mounts {
					add(in, m.From, "RUN --mount=from")
				}
			}
		}
		return out
	}).([]externalRef)
}
