package sign

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/pyimg/pyimg/image"
)

// ErrRegistry marks a failure talking to the registry (network, auth,
// server error), as opposed to a bad reference or a failed check.
var ErrRegistry = errors.New("registry error")

// Option configures registry access and storage.
type Option func(*options)

type options struct {
	insecure    bool
	keychain    authn.Keychain
	transport   http.RoundTripper
	userAgent   string
	referrers   referrersMode
	annotations map[string]any
}

func makeOptions(opts []Option) *options {
	o := &options{keychain: authn.DefaultKeychain, userAgent: "pyimg"}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// WithInsecure allows plain HTTP to the registry (loopback registries are
// reached over HTTP even without it).
func WithInsecure(insecure bool) Option { return func(o *options) { o.insecure = insecure } }

// WithKeychain sets where registry credentials come from (default
// authn.DefaultKeychain: the docker config and its credential helpers).
func WithKeychain(k authn.Keychain) Option { return func(o *options) { o.keychain = k } }

// WithTransport sets the HTTP transport for registry access.
func WithTransport(t http.RoundTripper) Option { return func(o *options) { o.transport = t } }

// WithUserAgent sets the User-Agent sent to the registry.
func WithUserAgent(ua string) Option { return func(o *options) { o.userAgent = ua } }

// referrersMode says when OCI 1.1 referrers are written and read.
type referrersMode int

const (
	// referrersAuto uses referrers when the registry has the referrers API.
	referrersAuto referrersMode = iota
	referrersAlways
	referrersNever
)

// WithReferrers(true) always attaches signatures and attestations as OCI
// 1.1 referrers of the image too (through the referrers API, or the
// referrers tag schema where the registry lacks it) and makes verification
// read them; WithReferrers(false) never does. By default referrers are
// used when the registry has the referrers API. cosign's tag layout is
// always written and read.
func WithReferrers(on bool) Option {
	return func(o *options) {
		o.referrers = referrersNever
		if on {
			o.referrers = referrersAlways
		}
	}
}

// WithAnnotations adds optional claims to a signature's payload
// ("optional" in the simple-signing document), as cosign sign -a does.
func WithAnnotations(a map[string]any) Option { return func(o *options) { o.annotations = a } }

func (o *options) remote(ctx context.Context) []remote.Option {
	ro := []remote.Option{remote.WithContext(ctx), remote.WithUserAgent(o.userAgent)}
	if o.keychain != nil {
		ro = append(ro, remote.WithAuthFromKeychain(o.keychain))
	}
	if o.transport != nil {
		ro = append(ro, remote.WithTransport(o.transport))
	}
	return ro
}

// Target is an image resolved to the manifest digest its reference names.
type Target struct {
	// Ref is the reference as given.
	Ref string
	// Repo is the repository ("registry.example.com/app").
	Repo name.Repository
	// Digest is the digest of the manifest (or index) the reference names.
	Digest v1.Hash
	// Descriptor describes that manifest.
	Descriptor v1.Descriptor
}

// Resolve looks up the manifest digest a registry reference names
// ("registry/repo:tag", "registry/repo@sha256:…" or with skopeo's
// "docker://" prefix). Signing and verification apply to that digest.
func Resolve(ctx context.Context, ref string, opts ...Option) (*Target, error) {
	return resolve(ctx, ref, makeOptions(opts))
}

func resolve(ctx context.Context, ref string, o *options) (*Target, error) {
	r, err := parseRef(ref, o)
	if err != nil {
		return nil, err
	}
	desc, err := remote.Head(r, o.remote(ctx)...)
	if err != nil {
		// Some registries answer HEAD poorly; GET decides.
		d, gerr := remote.Get(r, o.remote(ctx)...)
		if gerr != nil {
			if isNotFound(gerr) {
				return nil, fmt.Errorf("resolving %s: %w: %w", r.Name(), image.ErrNotFound, gerr)
			}
			return nil, registryError("resolving "+r.Name(), gerr)
		}
		desc = &d.Descriptor
	}
	return &Target{Ref: ref, Repo: r.Context(), Digest: desc.Digest, Descriptor: *desc}, nil
}

func parseRef(ref string, o *options) (name.Reference, error) {
	pr, err := image.ParseReference(ref)
	if err != nil {
		return nil, err
	}
	if pr.Transport != image.TransportRegistry {
		return nil, &image.ReferenceError{Ref: ref, Reason: "signatures live in a registry: give a registry reference, not " + pr.Transport + ":"}
	}
	var nopts []name.Option
	if o.insecure {
		nopts = append(nopts, name.Insecure)
	}
	r, err := name.ParseReference(pr.Name, nopts...)
	if err != nil {
		return nil, &image.ReferenceError{Ref: ref, Reason: err.Error()}
	}
	return r, nil
}

// registryError wraps err with ErrRegistry and context.
func registryError(what string, err error) error {
	return fmt.Errorf("%s: %w: %w", what, ErrRegistry, err)
}

// isNotFound reports whether err is a registry "no such manifest" answer.
func isNotFound(err error) bool {
	var te *transport.Error
	if errors.As(err, &te) {
		if te.StatusCode == http.StatusNotFound {
			return true
		}
		for _, d := range te.Errors {
			if d.Code == transport.ManifestUnknownErrorCode || d.Code == transport.NameUnknownErrorCode {
				return true
			}
		}
	}
	return false
}

// tagFor returns cosign's tag for a digest: "sha256-<hex>.<suffix>".
func tagFor(repo name.Repository, d v1.Hash, suffix string) name.Tag {
	return repo.Tag(fmt.Sprintf("%s-%s.%s", d.Algorithm, d.Hex, suffix))
}

// SignatureTag is the tag cosign stores the signatures of digest under.
func SignatureTag(repo name.Repository, d v1.Hash) name.Tag { return tagFor(repo, d, "sig") }

// AttestationTag is the tag cosign stores the attestations of digest under.
func AttestationTag(repo name.Repository, d v1.Hash) name.Tag { return tagFor(repo, d, "att") }

// repoName is the repository as the payload's docker-reference names it.
func repoName(r name.Repository) string {
	return strings.TrimSuffix(r.Name(), "/")
}
