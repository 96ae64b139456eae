package image

import (
	"context"
	"errors"
	"fmt"
	"github.com/pyimg/pyimg/internal/httptimeout"
	"net/http"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// openRegistry pulls the manifest (and index) of a registry image. Blobs
// are fetched lazily by the returned image; ggcr's remote package verifies
// their digests as they are read.
func openRegistry(ctx context.Context, r Reference, o *options) (*Image, error) {
	var nopts []name.Option
	if o.insecure {
		nopts = append(nopts, name.Insecure)
	}
	ref, err := name.ParseReference(r.Name, nopts...)
	if err != nil {
		return nil, &ReferenceError{Ref: r.Name, Reason: err.Error()}
	}
	ropts := []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(o.keychain),
		remote.WithUserAgent(o.userAgent),
		remote.WithRetryBackoff(o.backoff),
		remote.WithRetryStatusCodes(o.retryCodes...),
	}
	base := o.transport
	if base == nil {
		base = remote.DefaultTransport
	}
	if _, ok := base.(*http.Transport); ok {
		// A custom RoundTripper (tests) keeps its own behaviour.
		base = httptimeout.New(base, o.timeout)
	}
	ropts = append(ropts, remote.WithTransport(base))

	desc, err := remote.Get(ref, ropts...)
	if err != nil {
		return nil, registryError(ref, err)
	}
	img := &Image{Name: ref.Name()}
	if !desc.MediaType.IsIndex() {
		if img.Image, err = desc.Image(); err != nil {
			return nil, registryError(ref, err)
		}
		return img, nil
	}

	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, registryError(ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, registryError(ref, err)
	}
	chosen, err := pickFromIndex(im, o.platform, desc.Digest.String(), func(d v1.Descriptor) (*v1.IndexManifest, error) {
		child, err := remote.Index(ref.Context().Digest(d.Digest.String()), ropts...)
		if err != nil {
			return nil, registryError(ref, err)
		}
		return child.IndexManifest()
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ref.Name(), err)
	}
	if img.Image, err = remote.Image(ref.Context().Digest(chosen.Digest.String()), ropts...); err != nil {
		return nil, registryError(ref, err)
	}
	indexDigest := desc.Digest
	img.IndexDigest = &indexDigest
	img.Platform = chosen.Platform
	return img, nil
}

// registryError adds context to a registry failure and marks "not found"
// answers with ErrNotFound. ggcr redacts URLs in its errors; no
// credentials are added here.
func registryError(ref name.Reference, err error) error {
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return fmt.Errorf("fetching %s: %w: %w", ref.Name(), ErrNotFound, err)
	}
	return fmt.Errorf("fetching %s: %w", ref.Name(), err)
}
