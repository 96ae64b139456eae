package sign

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Media types and annotations of cosign's storage format.
const (
	// SimpleSigningMediaType is the media type of a signature layer.
	SimpleSigningMediaType = "application/vnd.dev.cosign.simplesigning.v1+json"
	// SignatureAnnotation holds the base64 signature of a layer (empty on
	// attestation layers, whose signatures live in the DSSE envelope).
	SignatureAnnotation = "dev.cosignproject.cosign/signature"
	// PredicateTypeAnnotation names an attestation layer's predicate type.
	PredicateTypeAnnotation = "predicateType"
	// SimpleSigningType is the "critical.type" of a cosign signature.
	SimpleSigningType = "cosign container image signature"
	// SignatureArtifactType is the artifactType of a signature attached as
	// an OCI 1.1 referrer.
	SignatureArtifactType = "application/vnd.dev.cosign.artifact.sig.v1+json"
	// AttestationArtifactType is the artifactType of an attestation
	// attached as an OCI 1.1 referrer.
	AttestationArtifactType = "application/vnd.dev.cosign.artifact.att.v1+json"
	// BundleArtifactType is the artifactType (and layer media type) of a
	// Sigstore bundle, which cosign's new bundle format (the default of
	// cosign 3) attaches as a referrer for signatures and attestations.
	BundleArtifactType = "application/vnd.dev.sigstore.bundle.v0.3+json"
	// BundleSignPredicateType is the predicate type of the in-toto
	// statement a Sigstore-bundle signature signs.
	BundleSignPredicateType = "https://sigstore.dev/cosign/sign/v1"
)

// MaxPayloadSize bounds the simple-signing payloads ParsePayload accepts.
const MaxPayloadSize = 1 << 20

// ErrPayload means a signature payload is not a cosign simple-signing
// document.
var ErrPayload = errors.New("malformed simple-signing payload")

// Payload is a cosign simple-signing payload: the claim that the manifest
// with DockerManifestDigest is the image DockerReference names.
type Payload struct {
	Critical Critical       `json:"critical"`
	Optional map[string]any `json:"optional"`
}

// Critical is the part of a payload a verifier must check.
type Critical struct {
	Identity Identity `json:"identity"`
	Image    ImageRef `json:"image"`
	Type     string   `json:"type"`
}

// Identity is the claimed name of the image.
type Identity struct {
	DockerReference string `json:"docker-reference"`
}

// ImageRef names the signed manifest.
type ImageRef struct {
	DockerManifestDigest string `json:"docker-manifest-digest"`
}

// NewPayload returns the payload cosign writes for the manifest digest of
// an image in repository repo ("registry.example.com/app"), with optional
// annotations.
func NewPayload(repo string, digest v1.Hash, annotations map[string]any) ([]byte, error) {
	p := Payload{
		Critical: Critical{
			Identity: Identity{DockerReference: repo},
			Image:    ImageRef{DockerManifestDigest: digest.String()},
			Type:     SimpleSigningType,
		},
		Optional: annotations,
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding signature payload: %w", err)
	}
	return b, nil
}

// ParsePayload decodes a simple-signing payload and checks its shape: the
// type is cosign's and the digest is a well-formed sha256 digest.
func ParsePayload(data []byte) (*Payload, error) {
	if len(data) > MaxPayloadSize {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d allowed", ErrPayload, len(data), MaxPayloadSize)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var p Payload
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPayload, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON document", ErrPayload)
	}
	if p.Critical.Type != SimpleSigningType {
		return nil, fmt.Errorf("%w: type %q, want %q", ErrPayload, p.Critical.Type, SimpleSigningType)
	}
	d := p.Critical.Image.DockerManifestDigest
	if _, err := v1.NewHash(d); err != nil || !strings.HasPrefix(d, "sha256:") {
		return nil, fmt.Errorf("%w: docker-manifest-digest %q is not a sha256 digest", ErrPayload, d)
	}
	return &p, nil
}
