package image

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const (
	// refNameAnnotation names an image in an OCI layout's index.json.
	refNameAnnotation = "org.opencontainers.image.ref.name"
	// maxManifest caps index.json, indexes and manifests.
	maxManifest = 8 << 20
	// maxConfig caps config blobs.
	maxConfig = 64 << 20
)

// ociLayout reads an OCI image layout from a store and verifies every blob
// it serves against the descriptor that names it.
type ociLayout struct{ st store }

// blob opens the blob d names, verifying size and digest as it is read.
func (l ociLayout) blob(d v1.Descriptor) (io.ReadCloser, error) {
	if d.Digest.Algorithm == "" || d.Digest.Hex == "" {
		return nil, &BlobError{Source: l.st.String(), Digest: d.Digest, Reason: "descriptor has no digest"}
	}
	rc, size, err := l.st.open("blobs/" + d.Digest.Algorithm + "/" + d.Digest.Hex)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &BlobError{Source: l.st.String(), Digest: d.Digest, Reason: "missing: no blobs/" + d.Digest.Algorithm + "/" + d.Digest.Hex}
	}
	if err != nil {
		return nil, err
	}
	if d.Size >= 0 && size != d.Size {
		rc.Close()
		return nil, &BlobError{Source: l.st.String(), Digest: d.Digest,
			Reason: fmt.Sprintf("size mismatch: file has %d bytes, descriptor says %d", size, d.Size)}
	}
	return verifyReader(rc, l.st.String(), d.Digest, d.Size)
}

// readBlob reads a small blob whole, verified.
func (l ociLayout) readBlob(d v1.Descriptor, limit int64) ([]byte, error) {
	rc, err := l.blob(d)
	if err != nil {
		return nil, err
	}
	return readSmall(rc, l.st.String(), d.Digest, d.Size, limit)
}

// readIndexJSON reads and parses the layout's index.json.
func (l ociLayout) readIndexJSON() (*v1.IndexManifest, []byte, error) {
	rc, _, err := l.st.open("index.json")
	if errors.Is(err, fs.ErrNotExist) {
		hint := ""
		if rc, _, err := l.st.open("manifest.json"); err == nil {
			rc.Close()
			hint = "; it has a manifest.json, so it may be a docker-archive"
		}
		return nil, nil, fmt.Errorf("%s: no index.json, so not an OCI layout%s: %w", l.st, hint, ErrInvalidImage)
	}
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	raw, err := io.ReadAll(io.LimitReader(rc, maxManifest+1))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: reading index.json: %w", l.st, err)
	}
	if len(raw) > maxManifest {
		return nil, nil, fmt.Errorf("%s: index.json is larger than %d bytes: %w", l.st, maxManifest, ErrInvalidImage)
	}
	var im v1.IndexManifest
	if err := json.Unmarshal(raw, &im); err != nil {
		return nil, nil, fmt.Errorf("%s: parsing index.json: %v: %w", l.st, err, ErrInvalidImage)
	}
	return &im, raw, nil
}

// readIndex reads the index blob d names.
func (l ociLayout) readIndex(d v1.Descriptor) (*v1.IndexManifest, error) {
	raw, err := l.readBlob(d, maxManifest)
	if err != nil {
		return nil, err
	}
	var im v1.IndexManifest
	if err := json.Unmarshal(raw, &im); err != nil {
		return nil, fmt.Errorf("%s: parsing index %s: %v: %w", l.st, d.Digest, err, ErrInvalidImage)
	}
	return &im, nil
}

// openLayout resolves r.Tag (or the only entry) in the layout's index.json,
// walks any index for the platform, and opens the image manifest.
func openLayout(ctx context.Context, st store, r Reference, o *options) (*Image, error) {
	l := ociLayout{st}
	top, raw, err := l.readIndexJSON()
	if err != nil {
		return nil, err
	}
	img := &Image{Name: r.Path}
	if r.Tag != "" {
		img.Name += ":" + r.Tag
	}
	var desc v1.Descriptor
	switch {
	case r.Tag != "":
		var found []v1.Descriptor
		for _, d := range top.Manifests {
			if d.Annotations[refNameAnnotation] == r.Tag {
				found = append(found, d)
			}
		}
		switch len(found) {
		case 0:
			return nil, fmt.Errorf("%s: no image named %q (%s): %w", st, r.Tag, describeEntries(top), ErrNotFound)
		case 1:
			desc = found[0]
		default:
			// Several entries with one name: the platform decides.
			desc, err = pickFromIndex(&v1.IndexManifest{Manifests: found}, o.platform, st.String()+" index.json", l.readIndex)
			if err != nil {
				return nil, err
			}
		}
	case len(top.Manifests) == 1:
		desc = top.Manifests[0]
	case len(top.Manifests) == 0:
		return nil, fmt.Errorf("%s: index.json lists no images: %w", st, ErrNotFound)
	case isPlatformList(top):
		// index.json is itself a multi-platform index (as written by
		// ggcr's layout.Write of an index).
		h, _, _ := v1.SHA256(bytes.NewReader(raw))
		img.IndexDigest = &h
		desc, err = pickFromIndex(top, o.platform, st.String()+" index.json", l.readIndex)
		if err != nil {
			return nil, err
		}
		img.Platform = desc.Platform
	default:
		return nil, &ReferenceError{Ref: r.Transport + ":" + r.Path,
			Reason: fmt.Sprintf("%s holds %d images; pick one with %s:%s:REF (%s)",
				r.Path, len(top.Manifests), r.Transport, r.Path, describeEntries(top))}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	if desc.MediaType.IsIndex() {
		im, err := l.readIndex(desc)
		if err != nil {
			return nil, err
		}
		chosen, err := pickFromIndex(im, o.platform, desc.Digest.String(), l.readIndex)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", st, err)
		}
		h := desc.Digest
		img.IndexDigest = &h
		img.Platform = chosen.Platform
		desc = chosen
	} else if img.Platform == nil {
		img.Platform = desc.Platform
	}
	if !desc.MediaType.IsImage() {
		return nil, fmt.Errorf("%s: entry %s has media type %q, not an image manifest: %w", st, desc.Digest, desc.MediaType, ErrInvalidImage)
	}
	li, err := newLayoutImage(l, desc)
	if err != nil {
		return nil, err
	}
	if img.Image, err = partial.CompressedToImage(li); err != nil {
		return nil, err
	}
	img.blobAt = storeBlobAt(st, func(d v1.Hash) (string, bool) {
		if d.Algorithm == "" || d.Hex == "" {
			return "", false
		}
		return "blobs/" + d.Algorithm + "/" + d.Hex, true
	})
	return img, nil
}

// isPlatformList reports whether every entry of index.json is an unnamed
// manifest with a platform: a multi-platform index, not a set of images.
func isPlatformList(im *v1.IndexManifest) bool {
	for _, d := range im.Manifests {
		if d.Platform == nil || d.Annotations[refNameAnnotation] != "" {
			return false
		}
	}
	return true
}

// describeEntries lists index.json's entries for error messages.
func describeEntries(im *v1.IndexManifest) string {
	var names []string
	for _, d := range im.Manifests {
		s := d.Annotations[refNameAnnotation]
		if s == "" {
			s = "(unnamed)"
		}
		s += " " + d.Digest.String()
		if d.Platform != nil {
			s += " " + platformString(d.Platform)
		}
		names = append(names, s)
	}
	if len(names) == 0 {
		return "it lists none"
	}
	return "available: " + strings.Join(names, ", ")
}

// newLayoutImage reads and verifies the manifest and config desc names.
func newLayoutImage(l ociLayout, desc v1.Descriptor) (*blobImage, error) {
	raw, err := l.readBlob(desc, maxManifest)
	if err != nil {
		return nil, err
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: parsing manifest %s: %v: %w", l.st, desc.Digest, err, ErrInvalidImage)
	}
	cfg, err := l.readBlob(m.Config, maxConfig)
	if err != nil {
		return nil, fmt.Errorf("reading config of manifest %s: %w", desc.Digest, err)
	}
	return &blobImage{source: l.st.String(), mediaType: desc.MediaType, raw: raw, manifest: m, rawConfig: cfg, open: l.blob}, nil
}

// blobImage is a partial.CompressedImageCore from an already verified
// manifest and config, with layers served by open.
type blobImage struct {
	source    string
	mediaType types.MediaType
	raw       []byte
	manifest  *v1.Manifest
	rawConfig []byte
	// open returns the verified content of a blob the manifest names.
	open func(v1.Descriptor) (io.ReadCloser, error)
}

func (i *blobImage) RawManifest() ([]byte, error)   { return i.raw, nil }
func (i *blobImage) RawConfigFile() ([]byte, error) { return i.rawConfig, nil }

func (i *blobImage) MediaType() (types.MediaType, error) {
	if i.manifest.MediaType != "" {
		return i.manifest.MediaType, nil
	}
	return i.mediaType, nil
}

func (i *blobImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	if h == i.manifest.Config.Digest {
		return &blobLayer{desc: i.manifest.Config, open: i.open}, nil
	}
	for _, d := range i.manifest.Layers {
		if d.Digest == h {
			return &blobLayer{desc: d, open: i.open}, nil
		}
	}
	return nil, fmt.Errorf("%s: manifest has no layer %s: %w", i.source, h, ErrNotFound)
}

// blobLayer is a partial.CompressedLayer whose Compressed streams the
// verified blob.
type blobLayer struct {
	desc v1.Descriptor
	open func(v1.Descriptor) (io.ReadCloser, error)
}

func (l *blobLayer) Digest() (v1.Hash, error)            { return l.desc.Digest, nil }
func (l *blobLayer) Size() (int64, error)                { return l.desc.Size, nil }
func (l *blobLayer) MediaType() (types.MediaType, error) { return l.desc.MediaType, nil }
func (l *blobLayer) Descriptor() (*v1.Descriptor, error) { d := l.desc; return &d, nil }
func (l *blobLayer) Compressed() (io.ReadCloser, error)  { return l.open(l.desc) }
