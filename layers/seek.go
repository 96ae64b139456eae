package layers

import (
	"archive/tar"
	"context"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// BlobAt opens the stored blob with the given digest for random access, as
// an archive member or a layout file can be. ok is false when the source
// cannot (a registry stream): Walk then streams the blob as usual. The
// returned bytes are unverified: Walk checks the digest itself.
type BlobAt func(digest v1.Hash) (r io.ReaderAt, size int64, closer io.Closer, ok bool, err error)

// WithBlobAt lets Walk read blobs at offsets. An uncompressed layer
// (docker save output, oci layouts of uncompressed layers) is then walked by
// reading the tar headers and seeking past the file bodies no visitor asked
// for, while a second reader computes the blob's digest alongside, on
// another core, rather than in series with the walk. Compressed blobs are
// streamed from it without any other check than Walk's own.
func WithBlobAt(f BlobAt) Option { return func(o *options) { o.blobAt = f } }

// hashChunk is how much the digest goroutine reads at a time.
const hashChunk = 1 << 20

// openAt opens the layer's blob through the BlobAt option. It returns
// handled=true with the layer's result when the layer was uncompressed and
// walked by seeking; otherwise rc is the stream to read (nil: use the
// layer's own Compressed).
func (w *layerWalk) openAt(ctx context.Context, lvs []LayerVisitor) (rc io.ReadCloser, handled bool, err error) {
	ra, size, closer, ok, err := w.opts.blobAt(w.info.Digest)
	if err != nil {
		return nil, true, fmt.Errorf("opening blob: %w", err)
	}
	if !ok {
		return nil, false, nil
	}
	var head [6]byte
	n, _ := ra.ReadAt(head[:], 0)
	if comp, err := sniff(head[:n]); err != nil || comp != compNone {
		return readCloser{io.NewSectionReader(ra, 0, size), closer}, false, nil
	}
	defer closer.Close()
	return nil, true, w.seekWalk(ctx, ra, size, lvs)
}

type readCloser struct {
	io.Reader
	io.Closer
}

// seekWalk walks an uncompressed tar blob of size bytes: one goroutine
// hashes the whole blob while this one reads the tar headers and the
// content visitors want, seeking over the rest.
func (w *layerWalk) seekWalk(ctx context.Context, ra io.ReaderAt, size int64, lvs []LayerVisitor) error {
	if size > w.opts.limits.MaxTarBytes {
		return &LimitError{What: "decompressed size", Limit: w.opts.limits.MaxTarBytes, Bytes: true}
	}
	if err := w.budget.addBytes(size); err != nil {
		return err
	}
	if w.info.CompressedSize > 0 && size != w.info.CompressedSize {
		return fmt.Errorf("blob has %d bytes, manifest says %d: %w", size, w.info.CompressedSize, ErrDigestMismatch)
	}
	h, err := newHash(w.info.Digest.Algorithm)
	if err != nil {
		return err
	}
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	hashed := make(chan error, 1)
	go func() {
		buf := make([]byte, hashChunk)
		var off int64
		for off < size {
			if err := hctx.Err(); err != nil {
				hashed <- err
				return
			}
			n, err := ra.ReadAt(buf[:min(int64(len(buf)), size-off)], off)
			h.Write(buf[:n])
			off += int64(n)
			if w.progress != nil {
				w.progress.update(w.progIndex, off, false)
			}
			if err != nil && !(err == io.EOF && off == size) {
				hashed <- fmt.Errorf("reading blob at offset %d: %w", off, err)
				return
			}
		}
		hashed <- nil
	}()

	sr := io.NewSectionReader(ra, 0, size)
	stats, werr := w.entries(ctx, tar.NewReader(sr), lvs)
	if werr != nil {
		cancel()
		<-hashed
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// A blob that is not what the manifest says is reported as such
		// rather than as the tar error it causes.
		return werr
	}
	if err := <-hashed; err != nil {
		return err
	}
	got := v1.Hash{Algorithm: w.info.Digest.Algorithm, Hex: fmt.Sprintf("%x", h.Sum(nil))}
	if got != w.info.Digest {
		return fmt.Errorf("blob digest is %s: %w", got, ErrDigestMismatch)
	}
	if w.diffID != (v1.Hash{}) && w.diffID != w.info.Digest {
		if w.diffID.Algorithm == w.info.Digest.Algorithm {
			return fmt.Errorf("uncompressed layer's digest %s differs from config's diff_id %s: %w", w.info.Digest, w.diffID, ErrDigestMismatch)
		}
		// A diff_id in another algorithm than the blob digest cannot be
		// checked from the blob's hash: that needs a second pass.
		return fmt.Errorf("diff_id %s uses another algorithm than blob digest %s: %w", w.diffID, w.info.Digest, ErrCorrupt)
	}
	stats.TarBytes = size
	for _, lv := range lvs {
		if err := lv.Done(stats); err != nil {
			return err
		}
	}
	if w.progress != nil {
		w.progress.update(w.progIndex, size, true)
	}
	return nil
}
