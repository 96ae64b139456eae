package image

import (
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// blobAtFunc opens a stored layer blob for random access.
type blobAtFunc func(d v1.Hash) (io.ReaderAt, int64, io.Closer, bool, error)

// BlobAt opens the stored blob of one of the image's layers for random
// access: a member of an archive or a file of a layout directory. ok is
// false for images read from a registry. The bytes are NOT verified: the
// caller checks the digest (layers.Walk does, alongside its walk, with
// layers.WithBlobAt(img.BlobAt)). Only digests the manifest lists as layers
// are served.
func (i *Image) BlobAt(d v1.Hash) (r io.ReaderAt, size int64, closer io.Closer, ok bool, err error) {
	if i.blobAt == nil || i.Manifest == nil {
		return nil, 0, nil, false, nil
	}
	for _, l := range i.Manifest.Layers {
		if l.Digest == d {
			return i.blobAt(d)
		}
	}
	return nil, 0, nil, false, fmt.Errorf("%s: manifest has no layer %s: %w", i.Ref, d, ErrNotFound)
}

// storeBlobAt serves blobs of st by the member name name(d) returns.
func storeBlobAt(st store, name func(v1.Hash) (string, bool)) blobAtFunc {
	return func(d v1.Hash) (io.ReaderAt, int64, io.Closer, bool, error) {
		p, ok := name(d)
		if !ok {
			return nil, 0, nil, false, nil
		}
		rc, size, err := st.open(p)
		if err != nil {
			return nil, 0, nil, false, err
		}
		ra, ok := rc.(io.ReaderAt)
		if !ok {
			rc.Close()
			return nil, 0, nil, false, nil
		}
		return ra, size, rc, true, nil
	}
}
