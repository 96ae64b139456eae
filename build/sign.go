package build

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/sbom"
	"github.com/pyimg/pyimg/sign"
	"github.com/pyimg/pyimg/sign/predicate"
)

// AttestKinds are the attestation kinds a build can attach (see
// WithSigning): the build's own SLSA provenance, the image's SBOM and its
// vulnerability scan.
var AttestKinds = []string{predicate.KindProvenance, predicate.KindCycloneDX, predicate.KindSPDX, predicate.KindScan}

// ScanFunc returns the scan predicate (cosign's vuln predicate) of the
// built image's packages.
type ScanFunc func(ctx context.Context, inv *inventory.Inventory) (json.RawMessage, error)

// Signing says how a build signs and attests the image it pushed.
type Signing struct {
	// Key is the private key (ECDSA P-256).
	Key *ecdsa.PrivateKey
	// Sign signs the pushed manifest digest, as `pyimg sign` does.
	Sign bool
	// Attest lists the attestations to attach, each one of AttestKinds.
	Attest []string
	// Scan computes the scan attestation; the scan kind needs it.
	Scan ScanFunc
	// Options are further options of the sign package (user agent,
	// referrers, credentials). The build's insecure flag and transport are
	// passed on already.
	Options []sign.Option
}

// WithSigning signs and attests the pushed image once everything else
// succeeded. It needs WithPush: signatures are stored in the registry.
func WithSigning(s Signing) Option { return func(o *options) { o.signing = &s } }

// Attestation is one attestation a build attached.
type Attestation struct {
	// Type is the kind asked for ("provenance", "cyclonedx", "spdx").
	Type string `json:"type"`
	// PredicateType is the in-toto predicate type URI.
	PredicateType string `json:"predicate_type"`
}

// SignError means the image was pushed but signing or attesting it
// failed; Reference names the pushed image by digest.
type SignError struct {
	Reference string
	Err       error
}

// Error says the image was pushed but not signed, and why.
func (e *SignError) Error() string {
	return fmt.Sprintf("image pushed as %s but not signed: %v", e.Reference, e.Err)
}

// Unwrap returns the underlying problem.
func (e *SignError) Unwrap() error { return e.Err }

// ParseAttestKinds splits a comma-separated list of attestation kinds
// and checks each is one a build attaches.
func ParseAttestKinds(s string) ([]string, error) {
	var kinds []string
	seen := map[string]bool{}
	for _, k := range strings.Split(s, ",") {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		ok := false
		for _, known := range AttestKinds {
			ok = ok || k == known
		}
		if !ok {
			return nil, fmt.Errorf("unknown attestation type %q: want %s", k, strings.Join(AttestKinds, ", "))
		}
		if !seen[k] {
			seen[k] = true
			kinds = append(kinds, k)
		}
	}
	if len(kinds) == 0 {
		return nil, fmt.Errorf("no attestation type in %q: want %s", s, strings.Join(AttestKinds, ", "))
	}
	return kinds, nil
}

// checkSigning rejects a signing request that cannot succeed, before
// anything is built.
func (o *options) checkSigning() error {
	s := o.signing
	if s == nil {
		return nil
	}
	if o.dryRun {
		return nil
	}
	if s.Key == nil {
		return &InputError{File: "--key", Err: errors.New("signing needs a private key")}
	}
	if o.push == "" {
		return &InputError{File: "--push", Err: errors.New("signatures and attestations are stored in a registry: give --push REF")}
	}
	if !s.Sign && len(s.Attest) == 0 {
		return &InputError{File: "--sign", Err: errors.New("nothing to sign: ask for a signature or an attestation")}
	}
	for _, k := range s.Attest {
		if _, err := ParseAttestKinds(k); err != nil {
			return &InputError{File: "--attest", Err: err}
		}
		if k == predicate.KindScan && s.Scan == nil {
			return &InputError{File: "--attest", Err: errors.New("a scan attestation needs a vulnerability database")}
		}
	}
	return nil
}

// signPushed signs and attests the pushed image res.Reference names (by
// digest). A failure is a *SignError.
func (o *options) signPushed(ctx context.Context, img v1.Image, res *Result) error {
	s := o.signing
	opts := []sign.Option{sign.WithInsecure(o.insecure)}
	if o.transport != nil {
		opts = append(opts, sign.WithTransport(o.transport))
	}
	opts = append(opts, s.Options...)
	fail := func(err error) error { return &SignError{Reference: res.Reference, Err: err} }
	if s.Sign {
		o.emit("sign", "signing %s", res.Reference)
		if _, err := sign.SignImage(ctx, res.Reference, s.Key, opts...); err != nil {
			return fail(err)
		}
		signed := true
		res.Signed = &signed
	}
	res.Attestations = []Attestation{}
	for _, kind := range s.Attest {
		ptype, err := predicate.TypeOf(kind)
		if err != nil {
			return fail(err)
		}
		pred, err := o.predicate(ctx, img, res, ptype)
		if err != nil {
			return fail(fmt.Errorf("%s attestation: %w", kind, err))
		}
		o.emit("sign", "attesting %s for %s", kind, res.Reference)
		if _, err := sign.Attest(ctx, res.Reference, s.Key, ptype, pred, opts...); err != nil {
			return fail(err)
		}
		res.Attestations = append(res.Attestations, Attestation{Type: kind, PredicateType: ptype})
	}
	if len(s.Attest) == 0 {
		res.Attestations = nil
	}
	return nil
}

// predicate computes the predicate of type ptype for the built image.
func (o *options) predicate(ctx context.Context, img v1.Image, res *Result, ptype string) (json.RawMessage, error) {
	if ptype == predicate.TypeSLSAProvenance1 {
		return predicate.NewProvenance(o.provenanceInput(res.Provenance))
	}
	inv, platform, err := o.inventoryOf(ctx, img, res)
	if err != nil {
		return nil, err
	}
	if ptype == predicate.TypeVuln {
		return o.signing.Scan(ctx, inv)
	}
	src := sbom.Source{Name: res.Reference, Digest: res.Digest, Platform: platform}
	return predicate.SBOM(ptype, inv, src, sbom.WithCreated(o.mtime()), sbom.WithToolVersion(o.toolVersion))
}

// provenanceInput describes the build's inputs for SLSA provenance: the
// base by digest, the lock and every wheel by sha256.
func (o *options) provenanceInput(p Provenance) predicate.ProvenanceInput {
	in := predicate.ProvenanceInput{
		BaseImage: p.BaseName, BaseDigest: p.BaseDigest,
		ToolVersion: o.toolVersion,
		Parameters:  map[string]any{},
	}
	if p.LockFile != "" {
		in.LockFile, in.LockSHA256 = filepath.Base(p.LockFile), p.LockSHA256
	}
	for _, w := range p.Wheels {
		in.Wheels = append(in.Wheels, predicate.Wheel{Name: w.File, URI: w.URL, SHA256: w.SHA256})
	}
	if p.ProjectWheel != nil {
		in.Wheels = append(in.Wheels, predicate.Wheel{Name: p.ProjectWheel.File, SHA256: p.ProjectWheel.SHA256})
		in.Parameters["projectWheel"] = p.ProjectWheel.File
	}
	if p.Target != nil {
		in.Parameters["target"] = p.Target.String()
	}
	if p.SourceDateEpoch >= 0 {
		in.Parameters["sourceDateEpoch"] = p.SourceDateEpoch
	}
	if p.Source != "" {
		in.Parameters["source"] = p.Source
	}
	if p.Revision != "" {
		in.Parameters["revision"] = p.Revision
	}
	return in
}

// inventoryOf lists the packages of the built image in one layer pass,
// once per build (the SBOM file and SBOM attestations share it).
func (o *options) inventoryOf(ctx context.Context, img v1.Image, res *Result) (*inventory.Inventory, string, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, "", fmt.Errorf("reading the built image's config: %w", err)
	}
	platform := cfg.OS + "/" + cfg.Architecture
	if cfg.Variant != "" {
		platform += "/" + cfg.Variant
	}
	if res.inventory != nil {
		return res.inventory, platform, nil
	}
	inv, err := inventory.Image(ctx, img, inventory.WithFiles(false))
	if err != nil {
		return nil, "", fmt.Errorf("listing the built image's packages for the SBOM: %w", err)
	}
	res.inventory = inv
	return inv, platform, nil
}
