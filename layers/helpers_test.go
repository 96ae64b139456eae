package layers

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"
)

// file is one tar entry to build: a header and its body.
type file struct {
	hdr  tar.Header
	body string
}

func reg(name, body string) file {
	return file{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(body))}, body: body}
}

func dir(name string) file {
	return file{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name, Mode: 0o755}}
}

func symlink(name, target string) file {
	return file{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777}}
}

func hardlink(name, target string) file {
	return file{hdr: tar.Header{Typeflag: tar.TypeLink, Name: name, Linkname: target, Mode: 0o644}}
}

// buildTar writes files as a tar stream.
func buildTar(t testing.TB, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := f.hdr
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatalf("WriteHeader(%q) = %v", h.Name, err)
		}
		if _, err := io.WriteString(tw, f.body); err != nil {
			t.Fatalf("writing %q: %v", h.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatalf("closing tar: %v", err)
	}
	return buf.Bytes()
}

type codec string

const (
	codecNone codec = "none"
	codecGzip codec = "gzip"
	codecZstd codec = "zstd"
)

var codecs = []codec{codecNone, codecGzip, codecZstd}

func compressBytes(t testing.TB, c codec, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	switch c {
	case codecNone:
		return data
	case codecGzip:
		zw := gzip.NewWriter(&buf)
		zw.Write(data)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	case codecZstd:
		zw, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		zw.Write(data)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

// layerOf builds a layer from a tar stream compressed with c. Compressed
// layers go through tarball.LayerFromOpener; uncompressed ones through
// rawLayer, because tarball would gzip them on the fly.
func layerOf(t testing.TB, c codec, tarData []byte) v1.Layer {
	t.Helper()
	blob := compressBytes(t, c, tarData)
	if c == codecNone {
		return newRawLayer(blob, sha(tarData))
	}
	mt := types.DockerLayer
	if c == codecZstd {
		mt = types.OCILayerZStd
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(blob)), nil
	}, tarball.WithMediaType(mt))
	if err != nil {
		t.Fatalf("LayerFromOpener: %v", err)
	}
	return l
}

// imageOf stacks layers onto an empty image, one history entry per layer.
func imageOf(t testing.TB, ls ...v1.Layer) v1.Image {
	t.Helper()
	adds := make([]mutate.Addendum, len(ls))
	for i, l := range ls {
		adds[i] = mutate.Addendum{Layer: l, History: v1.History{CreatedBy: fmt.Sprintf("RUN step %d", i)}}
	}
	img, err := mutate.Append(empty.Image, adds...)
	if err != nil {
		t.Fatalf("mutate.Append: %v", err)
	}
	return img
}

func sha(b []byte) v1.Hash {
	return v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", sha256.Sum256(b))}
}

// rawLayer is a v1.Layer whose Compressed stream is exactly open(), with a
// digest, size and DiffID that tests may set to lies.
type rawLayer struct {
	open   func() (io.ReadCloser, error)
	digest v1.Hash
	size   int64
	diffID v1.Hash
	mt     types.MediaType
}

func newRawLayer(blob []byte, diffID v1.Hash) *rawLayer {
	return &rawLayer{
		open:   func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(blob)), nil },
		digest: sha(blob),
		size:   int64(len(blob)),
		diffID: diffID,
		mt:     types.OCIUncompressedLayer,
	}
}

func (l *rawLayer) Digest() (v1.Hash, error)             { return l.digest, nil }
func (l *rawLayer) DiffID() (v1.Hash, error)             { return l.diffID, nil }
func (l *rawLayer) Compressed() (io.ReadCloser, error)   { return l.open() }
func (l *rawLayer) Uncompressed() (io.ReadCloser, error) { return l.open() }
func (l *rawLayer) Size() (int64, error)                 { return l.size, nil }
func (l *rawLayer) MediaType() (types.MediaType, error)  { return l.mt, nil }

// recorder is a Visitor that records everything it sees.
type recorder struct {
	want  func(*Entry) int64 // nil: wants nothing
	delay time.Duration      // per entry, to make layers overlap

	mu      sync.Mutex
	layers  map[int]*layerRec
	active  atomic.Int32
	peak    atomic.Int32
	onEntry func(*Entry) error
}

type layerRec struct {
	r        *recorder
	info     Layer
	entries  []Entry
	contents [][]byte // per entry; nil when none was handed over
	stats    *Stats
}

func newRecorder() *recorder { return &recorder{layers: map[int]*layerRec{}} }

func (r *recorder) VisitLayer(l Layer) LayerVisitor {
	lr := &layerRec{r: r, info: l}
	r.mu.Lock()
	r.layers[l.Index] = lr
	r.mu.Unlock()
	n := r.active.Add(1)
	for {
		p := r.peak.Load()
		if n <= p || r.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return lr
}

func (lr *layerRec) Want(e *Entry) int64 {
	if lr.r.want == nil {
		return 0
	}
	return lr.r.want(e)
}

func (lr *layerRec) Entry(e *Entry, content []byte) error {
	if lr.r.delay > 0 {
		time.Sleep(lr.r.delay)
	}
	lr.entries = append(lr.entries, *e)
	if content != nil {
		content = bytes.Clone(content)
		if content == nil {
			content = []byte{}
		}
	}
	lr.contents = append(lr.contents, content)
	if lr.r.onEntry != nil {
		return lr.r.onEntry(e)
	}
	return nil
}

func (lr *layerRec) Done(s Stats) error {
	lr.stats = &s
	lr.r.active.Add(-1)
	return nil
}

func (r *recorder) layer(t testing.TB, i int) *layerRec {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	lr := r.layers[i]
	if lr == nil {
		t.Fatalf("layer %d was not visited", i)
	}
	return lr
}

func (lr *layerRec) paths() []string {
	var ps []string
	for _, e := range lr.entries {
		ps = append(ps, e.Path)
	}
	return ps
}
