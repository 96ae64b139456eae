// Package sign signs container images and attaches attestations the way
// cosign stores them, and verifies both with a public key.
//
// Keys are ECDSA P-256 in cosign's formats (the private key encrypted with
// scrypt and NaCl secretbox). A signature is a simple-signing payload naming
// the image's manifest digest, stored as a layer of the manifest tagged
// "sha256-<hex>.sig" in the image's repository with the base64 signature in
// the layer's "dev.cosignproject.cosign/signature" annotation. An
// attestation is an in-toto statement about the digest in a DSSE envelope,
// stored as a layer of "sha256-<hex>.att" with a "predicateType"
// annotation. Both can also be attached as OCI 1.1 referrers.
package sign

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/pyimg/pyimg/sign/dsse"
)

// Result says what was written.
type Result struct {
	// Target is the signed image.
	Target *Target
	// Tag is cosign's tag the signature or attestation was added to.
	Tag string
	// Manifest is the digest of the manifest written at Tag.
	Manifest v1.Hash
	// Referrer is the digest of the OCI 1.1 referrer written, if one was
	// (see WithReferrers).
	Referrer *v1.Hash
}

// SignImage signs the manifest digest ref names with key and stores the
// signature as cosign does, appending to signatures already there.
func SignImage(ctx context.Context, ref string, key *ecdsa.PrivateKey, opts ...Option) (*Result, error) {
	o := makeOptions(opts)
	t, err := resolve(ctx, ref, o)
	if err != nil {
		return nil, err
	}
	payload, err := NewPayload(repoName(t.Repo), t.Digest, o.annotations)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(payload)
	sig, err := ecdsa.SignASN1(rand.Reader, key, sum[:])
	if err != nil {
		return nil, fmt.Errorf("signing %s: %w", t.Digest, err)
	}
	e := entry{
		mediaType:   SimpleSigningMediaType,
		payload:     payload,
		annotations: map[string]string{SignatureAnnotation: base64.StdEncoding.EncodeToString(sig)},
	}
	return store(ctx, t, SignatureTag(t.Repo, t.Digest), SignatureArtifactType, e, o)
}

// Attest wraps predicate in an in-toto statement about the manifest digest
// ref names, signs it in a DSSE envelope with key and stores it as cosign
// attest does. predicateType is a URI such as PredicateCycloneDX.
func Attest(ctx context.Context, ref string, key *ecdsa.PrivateKey, predicateType string, predicate json.RawMessage, opts ...Option) (*Result, error) {
	o := makeOptions(opts)
	t, err := resolve(ctx, ref, o)
	if err != nil {
		return nil, err
	}
	st, err := NewStatement(repoName(t.Repo), t.Digest, predicateType, predicate)
	if err != nil {
		return nil, err
	}
	env, err := dsse.Sign(key, dsse.PayloadTypeInToto, st)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(env)
	if err != nil {
		return nil, fmt.Errorf("encoding DSSE envelope: %w", err)
	}
	e := entry{
		mediaType:   types.MediaType(dsse.MediaType),
		payload:     raw,
		annotations: map[string]string{SignatureAnnotation: "", PredicateTypeAnnotation: predicateType},
	}
	return store(ctx, t, AttestationTag(t.Repo, t.Digest), AttestationArtifactType, e, o)
}

func store(ctx context.Context, t *Target, tag name.Tag, artifactType string, e entry, o *options) (*Result, error) {
	d, err := appendToTag(ctx, tag, e, o)
	if err != nil {
		return nil, err
	}
	res := &Result{Target: t, Tag: tag.String(), Manifest: d}
	if useReferrers(ctx, t, o) {
		rd, err := attachReferrer(ctx, t, artifactType, e, o)
		if err != nil {
			return nil, err
		}
		res.Referrer = &rd
	}
	return res, nil
}
