package sign

import (
	"context"
	"crypto/ecdsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pyimg/pyimg/sign/dsse"
)

// Verification errors, checked with errors.Is.
var (
	// ErrNoSignature means no signature over the image's digest verifies
	// with the key.
	ErrNoSignature = errors.New("no valid signature")
	// ErrNoAttestation means no attestation of a required predicate type
	// verifies with the key.
	ErrNoAttestation = errors.New("no valid attestation")
)

// Signature is a signature that verified.
type Signature struct {
	// Source is where it was read ("…:sha256-<hex>.sig" or a referrer).
	Source string
	// Payload is the verified simple-signing payload, or nil for a
	// signature in a Sigstore bundle, whose in-toto statement is Statement.
	Payload   *Payload
	Statement *Statement
}

// Attestation is an attestation that verified: its DSSE signature with the
// key and its subject against the image digest.
type Attestation struct {
	Source    string
	Statement *Statement
}

// Verification is what was found for one image: what verified and why the
// rest did not.
type Verification struct {
	Target       *Target
	Signatures   []Signature
	Attestations []Attestation
	// Rejected says, per signature or attestation that did not verify, why
	// ("….sig layer 2: signature is for sha256:…, not sha256:…").
	Rejected []string
	// SignedElsewhere lists other digests of the repository with a
	// signature that verifies with the key, found when none covers the
	// image: evidence that the name was moved to another image.
	SignedElsewhere []string
}

// Verify reads the signatures and attestations of the image ref names and
// checks them with pub. It fails only on registry or reference errors; what
// verified and what did not is in the result (see CheckSignature and
// AttestationsOf).
func Verify(ctx context.Context, ref string, pub *ecdsa.PublicKey, opts ...Option) (*Verification, error) {
	o := makeOptions(opts)
	t, err := resolve(ctx, ref, o)
	if err != nil {
		return nil, err
	}
	v := &Verification{Target: t}
	sigs, err := readTag(ctx, SignatureTag(t.Repo, t.Digest), o)
	if err != nil && errors.Is(err, ErrRegistry) {
		return nil, err
	} else if err != nil {
		v.Rejected = append(v.Rejected, err.Error())
	}
	atts, err := readTag(ctx, AttestationTag(t.Repo, t.Digest), o)
	if err != nil && errors.Is(err, ErrRegistry) {
		return nil, err
	} else if err != nil {
		v.Rejected = append(v.Rejected, err.Error())
	}
	var bundles []entry
	if o.referrers != referrersNever {
		// Read even where the registry lacks the referrers API: cosign's
		// bundles then live in the referrers tag schema.
		rs, err := readReferrers(ctx, t, o)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, rs[SignatureArtifactType]...)
		atts = append(atts, rs[AttestationArtifactType]...)
		bundles = rs[BundleArtifactType]
	}
	for i, e := range sigs {
		p, err := verifySignature(e, pub, t.Digest)
		if err != nil {
			v.Rejected = append(v.Rejected, fmt.Sprintf("signature %d in %s: %v", i+1, e.source, err))
			continue
		}
		v.Signatures = append(v.Signatures, Signature{Source: e.source, Payload: p})
	}
	for i, e := range atts {
		st, err := verifyAttestation(e, pub, t.Digest)
		if err != nil {
			v.Rejected = append(v.Rejected, fmt.Sprintf("attestation %d in %s: %v", i+1, e.source, err))
			continue
		}
		v.Attestations = append(v.Attestations, Attestation{Source: e.source, Statement: st})
	}
	for i, e := range bundles {
		st, err := verifyBundle(e, pub, t.Digest)
		if err != nil {
			v.Rejected = append(v.Rejected, fmt.Sprintf("signature %d (Sigstore bundle) in %s: %v", i+1, e.source, err))
			continue
		}
		if st.PredicateType == BundleSignPredicateType {
			v.Signatures = append(v.Signatures, Signature{Source: e.source, Statement: st})
		} else {
			v.Attestations = append(v.Attestations, Attestation{Source: e.source, Statement: st})
		}
	}
	if len(v.Signatures) == 0 {
		v.SignedElsewhere = signedElsewhere(ctx, t, pub, o)
	}
	return v, nil
}

// CheckSignature returns nil when at least one signature verified, else an
// ErrNoSignature error that names the digest and says why.
func (v *Verification) CheckSignature() error {
	if len(v.Signatures) > 0 {
		return nil
	}
	var why []string
	for _, r := range v.Rejected {
		if strings.HasPrefix(r, "signature") || strings.Contains(r, ".sig") {
			why = append(why, r)
		}
	}
	msg := fmt.Sprintf("%s: no signature over %s verifies with the key", v.Target.Ref, v.Target.Digest)
	if len(why) == 0 {
		msg = fmt.Sprintf("%s: no signatures for %s (nothing at %s)", v.Target.Ref, v.Target.Digest, SignatureTag(v.Target.Repo, v.Target.Digest).TagStr())
	} else {
		msg += ": " + strings.Join(why, "; ")
	}
	if len(v.SignedElsewhere) > 0 {
		msg += fmt.Sprintf("; digest mismatch: %s resolves to %s, which this key did not sign; in %s it signed %s (was the tag moved to another image?)",
			v.Target.Ref, v.Target.Digest, v.Target.Repo, strings.Join(v.SignedElsewhere, ", "))
	}
	return fmt.Errorf("%w: %s", ErrNoSignature, msg)
}

// AttestationsOf returns the verified attestations whose predicate type is
// one of types.
func (v *Verification) AttestationsOf(types ...string) []Attestation {
	var out []Attestation
	for _, a := range v.Attestations {
		for _, t := range types {
			if a.Statement.PredicateType == t {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// verifySignature checks one signature layer: its signature over the
// payload bytes with pub, then that the payload names digest.
func verifySignature(e entry, pub *ecdsa.PublicKey, digest v1.Hash) (*Payload, error) {
	if string(e.mediaType) != SimpleSigningMediaType {
		return nil, fmt.Errorf("media type %q, want %q", e.mediaType, SimpleSigningMediaType)
	}
	b64, ok := e.annotations[SignatureAnnotation]
	if !ok || b64 == "" {
		return nil, fmt.Errorf("no %s annotation", SignatureAnnotation)
	}
	sig, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("%s annotation is not base64", SignatureAnnotation)
	}
	sum := sha256.Sum256(e.payload)
	if !ecdsa.VerifyASN1(pub, sum[:], sig) {
		return nil, errors.New("signature does not verify with the key (another key, or the payload was tampered with)")
	}
	p, err := ParsePayload(e.payload)
	if err != nil {
		return nil, err
	}
	if p.Critical.Image.DockerManifestDigest != digest.String() {
		return nil, fmt.Errorf("digest mismatch: the signature is for %s, the image is %s", p.Critical.Image.DockerManifestDigest, digest)
	}
	return p, nil
}

// verifyAttestation checks one attestation layer: the DSSE envelope's
// signature with pub, the statement's shape and its subject.
func verifyAttestation(e entry, pub *ecdsa.PublicKey, digest v1.Hash) (*Statement, error) {
	env, err := dsse.Parse(e.payload)
	if err != nil {
		return nil, err
	}
	if err := env.Verify(pub); err != nil {
		return nil, fmt.Errorf("%w (another key, or the statement was tampered with)", err)
	}
	if env.PayloadType != dsse.PayloadTypeInToto {
		return nil, fmt.Errorf("payload type %q, want %q", env.PayloadType, dsse.PayloadTypeInToto)
	}
	st, err := ParseStatement(env.Payload)
	if err != nil {
		return nil, err
	}
	if want := e.annotations[PredicateTypeAnnotation]; want != "" && want != st.PredicateType {
		return nil, fmt.Errorf("layer annotation says predicate type %q, the signed statement %q", want, st.PredicateType)
	}
	if !st.HasSubject(digest) {
		return nil, fmt.Errorf("subject mismatch: the %s statement is about %s, the image is %s", st.PredicateType, strings.Join(st.SubjectDigests(), ", "), digest)
	}
	return st, nil
}

// verifyBundle checks a Sigstore bundle (v0.3, as cosign's new bundle
// format writes it with a key): its DSSE envelope's signature with pub and
// the statement's subject. Bundles holding a bare message signature, and
// their transparency-log material, are not used.
func verifyBundle(e entry, pub *ecdsa.PublicKey, digest v1.Hash) (*Statement, error) {
	var b struct {
		MediaType    string          `json:"mediaType"`
		DSSEEnvelope json.RawMessage `json:"dsseEnvelope"`
	}
	if err := json.Unmarshal(e.payload, &b); err != nil {
		return nil, fmt.Errorf("malformed Sigstore bundle: %v", err)
	}
	if !strings.HasPrefix(b.MediaType, "application/vnd.dev.sigstore.bundle") {
		return nil, fmt.Errorf("bundle media type %q is not a Sigstore bundle", b.MediaType)
	}
	if len(b.DSSEEnvelope) == 0 {
		return nil, errors.New("the Sigstore bundle holds no DSSE envelope (message signatures are not supported)")
	}
	return verifyAttestation(entry{payload: b.DSSEEnvelope}, pub, digest)
}

// maxElsewhere bounds the other signature tags examined.
const maxElsewhere = 20

// signedElsewhere lists digests of the repository (other than the
// target's) that have a signature verifying with pub. Errors only shorten
// the list: this is a hint for the message, not a check.
func signedElsewhere(ctx context.Context, t *Target, pub *ecdsa.PublicKey, o *options) []string {
	tags, err := remote.List(t.Repo, o.remote(ctx)...)
	if err != nil {
		return nil
	}
	var out []string
	n := 0
	for _, tag := range tags {
		hex, ok := strings.CutSuffix(tag, ".sig")
		if !ok || !strings.HasPrefix(hex, "sha256-") || tag == SignatureTag(t.Repo, t.Digest).TagStr() {
			continue
		}
		if n++; n > maxElsewhere {
			break
		}
		d, err := v1.NewHash("sha256:" + strings.TrimPrefix(hex, "sha256-"))
		if err != nil {
			continue
		}
		es, err := readTag(ctx, t.Repo.Tag(tag), o)
		if err != nil {
			continue
		}
		for _, e := range es {
			if _, err := verifySignature(e, pub, d); err == nil {
				out = append(out, d.String())
				break
			}
		}
	}
	sort.Strings(out)
	return out
}
