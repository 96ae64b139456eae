package sign

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// maxLayers bounds the signature or attestation layers read from one
// manifest, and maxBlob the size of each.
const (
	maxLayers = 1000
	maxBlob   = 16 << 20
)

// emptyConfig is the empty config of an OCI 1.1 artifact manifest, and
// emptyMediaType its media type.
var emptyConfig = []byte("{}")

const emptyMediaType types.MediaType = "application/vnd.oci.empty.v1+json"

// entry is one signature or attestation layer: its blob and annotations.
type entry struct {
	mediaType   types.MediaType
	payload     []byte
	annotations map[string]string
	// source says where the entry was read, for messages.
	source string
}

// appendToTag adds a layer to the cosign manifest at tag (creating it),
// unless an identical layer with identical annotations is already there,
// and returns the manifest digest written.
func appendToTag(ctx context.Context, tag name.Tag, e entry, o *options) (v1.Hash, error) {
	ro := o.remote(ctx)
	base, err := remote.Image(tag, ro...)
	switch {
	case err == nil:
		if _, merr := base.Manifest(); merr != nil {
			return v1.Hash{}, fmt.Errorf("reading %s: %w", tag, merr)
		}
	case isNotFound(err):
		base = mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	default:
		return v1.Hash{}, registryError("reading "+tag.String(), err)
	}
	layer := static.NewLayer(e.payload, e.mediaType)
	ld, err := layer.Digest()
	if err != nil {
		return v1.Hash{}, fmt.Errorf("hashing layer: %w", err)
	}
	m, err := base.Manifest()
	if err != nil {
		return v1.Hash{}, registryError("reading "+tag.String(), err)
	}
	if len(m.Layers) >= maxLayers {
		return v1.Hash{}, fmt.Errorf("%s already holds %d layers, the most pyimg writes to", tag, len(m.Layers))
	}
	for _, l := range m.Layers {
		if l.Digest == ld && maps.Equal(l.Annotations, e.annotations) {
			return base.Digest()
		}
	}
	img, err := mutate.Append(base, mutate.Addendum{Layer: layer, Annotations: e.annotations})
	if err != nil {
		return v1.Hash{}, fmt.Errorf("adding layer to %s: %w", tag, err)
	}
	if err := remote.Write(tag, img, ro...); err != nil {
		return v1.Hash{}, registryError("writing "+tag.String(), err)
	}
	return img.Digest()
}

// attachReferrer writes an OCI 1.1 artifact manifest whose subject is the
// target and whose one layer is e. Registries without the referrers API
// get the referrers tag schema ("sha256-<hex>" index), which
// go-containerregistry maintains.
func attachReferrer(ctx context.Context, t *Target, artifactType string, e entry, o *options) (v1.Hash, error) {
	ro := o.remote(ctx)
	layer := static.NewLayer(e.payload, e.mediaType)
	cfg := static.NewLayer(emptyConfig, emptyMediaType)
	for _, l := range []v1.Layer{layer, cfg} {
		if err := remote.WriteLayer(t.Repo, l, ro...); err != nil {
			return v1.Hash{}, registryError("uploading to "+t.Repo.String(), err)
		}
	}
	ld, _ := layer.Digest()
	cd, _ := cfg.Digest()
	subject := t.Descriptor
	subject.Annotations, subject.Platform, subject.URLs, subject.Data = nil, nil, nil, nil
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		ArtifactType:  artifactType,
		Config:        v1.Descriptor{MediaType: emptyMediaType, Digest: cd, Size: int64(len(emptyConfig)), Data: emptyConfig},
		Layers:        []v1.Descriptor{{MediaType: e.mediaType, Digest: ld, Size: int64(len(e.payload)), Annotations: e.annotations}},
		Subject:       &subject,
	}
	raw, err := json.Marshal(m)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("encoding referrer manifest: %w", err)
	}
	d, _, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return v1.Hash{}, err
	}
	if err := remote.Put(t.Repo.Digest(d.String()), rawManifest{raw: raw, mt: types.OCIManifestSchema1}, ro...); err != nil {
		return v1.Hash{}, registryError("attaching referrer to "+t.Repo.Digest(t.Digest.String()).String(), err)
	}
	return d, nil
}

type rawManifest struct {
	raw []byte
	mt  types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.raw, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }

// readTag returns the layers of the cosign manifest at tag, nil when the
// tag does not exist.
func readTag(ctx context.Context, tag name.Tag, o *options) ([]entry, error) {
	img, err := remote.Image(tag, o.remote(ctx)...)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, registryError("reading "+tag.String(), err)
	}
	return readEntries(img, tag.String())
}

// readReferrers returns the layers of the target's referrers, by the
// manifest's artifactType (SignatureArtifactType, AttestationArtifactType,
// BundleArtifactType; others are skipped). Registries without the
// referrers API are read through the referrers tag schema.
func readReferrers(ctx context.Context, t *Target, o *options) (map[string][]entry, error) {
	idx, err := remote.Referrers(t.Repo.Digest(t.Digest.String()), o.remote(ctx)...)
	if err != nil {
		if isNotFound(err) {
			return nil, nil
		}
		return nil, registryError("listing referrers of "+t.Digest.String(), err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, registryError("listing referrers of "+t.Digest.String(), err)
	}
	wanted := map[string]bool{SignatureArtifactType: true, AttestationArtifactType: true, BundleArtifactType: true}
	out := map[string][]entry{}
	for i, d := range im.Manifests {
		if i >= maxLayers {
			break
		}
		// Registries disagree on the artifactType they list (the
		// manifest's or its config's media type): the manifest decides.
		if !wanted[d.ArtifactType] && d.ArtifactType != string(emptyMediaType) {
			continue
		}
		ref := t.Repo.Digest(d.Digest.String())
		img, err := remote.Image(ref, o.remote(ctx)...)
		if err != nil {
			return nil, registryError("reading referrer "+ref.String(), err)
		}
		m, err := img.Manifest()
		if err != nil || !wanted[m.ArtifactType] {
			continue
		}
		es, err := readEntries(img, "referrer "+ref.String())
		if err != nil {
			return nil, err
		}
		out[m.ArtifactType] = append(out[m.ArtifactType], es...)
	}
	return out, nil
}

// useReferrers decides whether to write and read referrers of t: always,
// never, or (by default) when the registry answers the referrers API.
func useReferrers(ctx context.Context, t *Target, o *options) bool {
	switch o.referrers {
	case referrersAlways:
		return true
	case referrersNever:
		return false
	}
	_, err := remote.Referrers(t.Repo.Digest(t.Digest.String()), append(o.remote(ctx), remote.WithReferrersTagFallback(false))...)
	return err == nil
}

// readEntries reads every layer blob of img with its annotations.
func readEntries(img v1.Image, source string) ([]entry, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, registryError("reading "+source, err)
	}
	if len(m.Layers) > maxLayers {
		return nil, fmt.Errorf("%s has %d layers, more than the %d read", source, len(m.Layers), maxLayers)
	}
	var out []entry
	for _, l := range m.Layers {
		if l.Size > maxBlob {
			return nil, fmt.Errorf("%s: layer %s is %d bytes, more than the %d read", source, l.Digest, l.Size, maxBlob)
		}
		layer, err := img.LayerByDigest(l.Digest)
		if err != nil {
			return nil, registryError("reading "+source, err)
		}
		rc, err := layer.Compressed()
		if err != nil {
			return nil, registryError(fmt.Sprintf("reading %s layer %s", source, l.Digest), err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxBlob+1))
		cerr := rc.Close()
		if err == nil {
			err = cerr
		}
		if err != nil {
			// ggcr checks the digest as the blob is read: a tampered
			// blob surfaces here.
			return nil, fmt.Errorf("reading %s layer %s: %w", source, l.Digest, err)
		}
		out = append(out, entry{mediaType: l.MediaType, payload: b, annotations: l.Annotations, source: source})
	}
	return out, nil
}
