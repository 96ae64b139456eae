package layers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestImageBudget(t *testing.T) {
	t.Parallel()
	// Ten layers of 1 MiB each: every one is far under the per-layer cap.
	var ls []v1.Layer
	for i := range 10 {
		ls = append(ls, layerOf(t, codecGzip, buildTar(t, reg(fmt.Sprintf("f%d", i), strings.Repeat("\x00", 1<<20)))))
	}
	img := imageOf(t, ls...)
	for _, tc := range []struct {
		name string
		lim  ImageLimits
		want string
	}{
		{"bytes", ImageLimits{MaxBytes: 4 << 20}, "decompressed size of the whole image (all layers) exceeds limit 4 MiB"},
		{"entries", ImageLimits{MaxEntries: 5}, "entry count of the whole image (all layers) exceeds limit 5"},
		{"within", ImageLimits{MaxBytes: 20 << 20, MaxEntries: 10}, ""},
		{"unlimited", ImageLimits{MaxBytes: -1, MaxEntries: -1}, ""},
	} {
		err := Walk(context.Background(), img, []Visitor{newRecorder()}, WithImageLimits(tc.lim), WithConcurrency(3))
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: Walk = %v", tc.name, err)
			}
			continue
		}
		var le *LayerError
		if !errors.Is(err, ErrLimit) || !errors.As(err, &le) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Walk = %v, want a layer's ErrLimit containing %q", tc.name, err, tc.want)
		}
	}
}
