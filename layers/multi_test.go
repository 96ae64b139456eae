package layers

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync/atomic"
	"testing"
)

// openCounter counts how often its blob is opened.
type openCounter struct {
	*rawLayer
	opens *atomic.Int32
}

func (l openCounter) Compressed() (io.ReadCloser, error) {
	l.opens.Add(1)
	return l.rawLayer.Compressed()
}

func openCounted(t *testing.T, tarData []byte, opens *atomic.Int32) openCounter {
	t.Helper()
	return openCounter{rawLayer: newRawLayer(compressBytes(t, codecGzip, tarData), sha(tarData)), opens: opens}
}

func TestWalkImagesReadsSharedLayersOnce(t *testing.T) {
	var baseOpens, aOpens, bOpens atomic.Int32
	base := openCounted(t, buildTar(t, dir("usr/"), reg("usr/base.txt", "base")), &baseOpens)
	base.mt = "application/vnd.oci.image.layer.v1.tar+gzip"
	top := openCounted(t, buildTar(t, reg("app/a.txt", "a")), &aOpens)
	top.mt = base.mt
	other := openCounted(t, buildTar(t, reg("app/b.txt", "bb"), reg("app/c.txt", "c")), &bOpens)
	other.mt = base.mt

	// Image 1 has the shared layer first, image 2 has it second: each
	// image's visitors must see it under their own index.
	img1 := imageOf(t, base, top)
	img2 := imageOf(t, other, base)
	r1, r2 := newRecorder(), newRecorder()
	r1.want = func(*Entry) int64 { return 100 }
	r2.want = r1.want
	err := WalkImages(context.Background(), []Target{{Image: img1, Visitors: []Visitor{r1}}, {Image: img2, Visitors: []Visitor{r2}}})
	if err != nil {
		t.Fatalf("WalkImages() = %v", err)
	}
	if got := baseOpens.Load(); got != 1 {
		t.Errorf("shared layer opened %d times, want 1", got)
	}
	if aOpens.Load() != 1 || bOpens.Load() != 1 {
		t.Errorf("unshared layers opened %d and %d times, want 1 each", aOpens.Load(), bOpens.Load())
	}
	if got, want := r1.layer(t, 0).paths(), []string{"/usr", "/usr/base.txt"}; !slices.Equal(got, want) {
		t.Errorf("image 1 layer 0 = %v, want %v", got, want)
	}
	if got, want := r2.layer(t, 1).paths(), []string{"/usr", "/usr/base.txt"}; !slices.Equal(got, want) {
		t.Errorf("image 2 layer 1 = %v, want %v", got, want)
	}
	if got, want := r2.layer(t, 0).paths(), []string{"/app/b.txt", "/app/c.txt"}; !slices.Equal(got, want) {
		t.Errorf("image 2 layer 0 = %v, want %v", got, want)
	}
	for _, e := range r2.layer(t, 1).entries {
		if e.Layer != 1 {
			t.Errorf("image 2 saw %s with Entry.Layer %d, want its own index 1", e.Path, e.Layer)
		}
	}
	for _, e := range r1.layer(t, 0).entries {
		if e.Layer != 0 {
			t.Errorf("image 1 saw %s with Entry.Layer %d, want 0", e.Path, e.Layer)
		}
	}
	if got := r2.layer(t, 1).info.CreatedBy; got != "RUN step 1" {
		t.Errorf("image 2 layer 1 CreatedBy = %q, want its own history entry", got)
	}
	lr := r2.layer(t, 1)
	if lr.stats == nil || lr.stats.Entries != 2 {
		t.Errorf("image 2 layer 1 Done stats = %+v, want 2 entries", lr.stats)
	}
	if string(r2.layer(t, 1).contents[1]) != "base" || string(r1.layer(t, 0).contents[1]) != "base" {
		t.Errorf("content of the shared file not handed to both images")
	}
}

func TestWalkImagesErrorNamesImage(t *testing.T) {
	good := layerOf(t, codecGzip, buildTar(t, reg("a", "a")))
	data := buildTar(t, reg("b", "b"))
	bad := newRawLayer(compressBytes(t, codecGzip, data), sha([]byte("not the tar")))
	bad.mt = "application/vnd.oci.image.layer.v1.tar+gzip"
	err := WalkImages(context.Background(), []Target{
		{Image: imageOf(t, good), Visitors: []Visitor{newRecorder()}},
		{Image: imageOf(t, good, bad), Visitors: []Visitor{newRecorder()}},
	})
	var ie *ImageError
	if !errors.As(err, &ie) || ie.Image != 1 {
		t.Fatalf("WalkImages() = %v, want an *ImageError for image 1", err)
	}
	var le *LayerError
	if !errors.As(err, &le) || le.Index != 1 || !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("WalkImages() = %v, want layer 1's digest mismatch", err)
	}
}
