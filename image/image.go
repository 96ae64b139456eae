// Package image opens container images named by skopeo-style references:
// a registry ("REGISTRY/REPO:TAG[@DIGEST]" or "docker://…"), an OCI layout
// directory ("oci:DIR[:REF]"), a tar of one ("oci-archive:FILE[:REF]"), or a
// "docker save" tar ("docker-archive:FILE[:REF]"). Multi-platform indexes
// are resolved to one image for the requested platform.
//
// Layer blobs are never held in memory or extracted: archives are indexed
// once and blobs are served as sections of the file. Every blob read through
// an [Image] is checked against the digest and size its descriptor names;
// a mismatch surfaces as a [*BlobError] from Read.
package image

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Sentinel errors, checked with errors.Is.
var (
	// ErrReference means the reference string is malformed or names an
	// unsupported transport.
	ErrReference = errors.New("invalid image reference")
	// ErrNotFound means the reference is well-formed but names nothing: no
	// such tag, ref name, or platform.
	ErrNotFound = errors.New("image not found")
	// ErrInvalidImage means the image or archive is malformed: not a tar,
	// missing index or blobs, truncated, or a blob that does not match its
	// digest.
	ErrInvalidImage = errors.New("invalid image")
)

// Image is one opened image, resolved to a single platform.
type Image struct {
	// Ref is the reference as the caller wrote it.
	Ref string
	// Transport is one of the Transport* constants.
	Transport string
	// Name is the canonical form of what was opened: the full registry
	// reference ("index.docker.io/library/python:3.12"), or the path of the
	// layout or archive.
	Name string
	// Image gives access to the manifest, config and layers.
	Image v1.Image
	// Digest is the digest of the chosen image manifest. For docker-archive
	// it is the digest of a manifest synthesized from the archive.
	Digest v1.Hash
	// IndexDigest is the digest of the index the image was picked from, or
	// nil when the reference named an image directly.
	IndexDigest *v1.Hash
	// Platform is the platform of the chosen image: from the index entry
	// when it was picked from an index, otherwise from the config.
	Platform *v1.Platform
	// ConfigDigest is the digest of the config blob (Docker's image ID).
	ConfigDigest v1.Hash
	// Config is the parsed config file.
	Config *v1.ConfigFile
	// Manifest is the parsed image manifest.
	Manifest *v1.Manifest

	// blobAt opens stored layer blobs for random access; nil for registries.
	blobAt blobAtFunc
}

// Layer describes one layer of an image.
type Layer struct {
	// Index is the 0-based position in the manifest, base layer first.
	Index int
	// Digest is the digest of the blob as stored (compressed).
	Digest v1.Hash
	// DiffID is the digest of the uncompressed tar, from the config.
	DiffID v1.Hash
	// MediaType is the layer's media type from the manifest.
	MediaType types.MediaType
	// Size is the size of the stored (compressed) blob in bytes.
	Size int64
	// CreatedBy is the history "created_by" of the instruction that made
	// the layer, or "" when the config's history does not say.
	CreatedBy string
	// Layer reads the blob. Compressed streams the stored bytes and
	// verifies them.
	Layer v1.Layer
}

// Open opens the image named by ref. The context bounds opening and, for
// registry images, later blob reads through the returned image.
func Open(ctx context.Context, ref string, opts ...Option) (*Image, error) {
	o := makeOptions(opts)
	r, err := ParseReference(ref)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var img *Image
	switch r.Transport {
	case TransportRegistry:
		img, err = openRegistry(ctx, r, o)
	case TransportOCI:
		img, err = openLayout(ctx, dirStore(r.Path), r, o)
	case TransportOCIArchive:
		var st *tarStore
		st, err = indexTar(TransportOCIArchive, r.Path)
		if err == nil {
			img, err = openLayout(ctx, st, r, o)
		}
	case TransportDockerArchive:
		img, err = openDockerArchive(r, o)
	default:
		err = &ReferenceError{Ref: ref, Reason: "unsupported transport " + r.Transport}
	}
	if err != nil {
		return nil, err
	}
	img.Ref = ref
	img.Transport = r.Transport
	if err := img.fill(); err != nil {
		return nil, fmt.Errorf("opening %s: %w", ref, err)
	}
	return img, nil
}

// fill sets the parsed manifest and config from img.Image.
func (i *Image) fill() error {
	var err error
	if i.Manifest, err = i.Image.Manifest(); err != nil {
		if isDecodeError(err) {
			return fmt.Errorf("parsing manifest: %v: %w", err, ErrInvalidImage)
		}
		return fmt.Errorf("reading manifest: %w", err)
	}
	if i.Manifest == nil {
		return fmt.Errorf("manifest is empty: %w", ErrInvalidImage)
	}
	if i.Digest, err = i.Image.Digest(); err != nil {
		return fmt.Errorf("computing manifest digest: %w", err)
	}
	i.ConfigDigest = i.Manifest.Config.Digest
	if i.Config, err = i.Image.ConfigFile(); err != nil {
		if isDecodeError(err) {
			return fmt.Errorf("parsing config %s: %v: %w", i.ConfigDigest, err, ErrInvalidImage)
		}
		return fmt.Errorf("reading config %s: %w", i.ConfigDigest, err)
	}
	if i.Config == nil {
		return fmt.Errorf("config %s is empty: %w", i.ConfigDigest, ErrInvalidImage)
	}
	if err := checkStructure(i.Manifest, i.Config); err != nil {
		return err
	}
	if i.Platform == nil {
		p := i.Config.Platform()
		if p == nil {
			p = &v1.Platform{}
		}
		i.Platform = p
	}
	return nil
}

// Layers returns the image's layers in order, base first, with the history
// entry that created each. A config whose history does not match the
// layers is not an error; CreatedBy is left empty where it cannot be
// attributed. Diff IDs that disagree in number with the manifest's layers
// are an error.
func (i *Image) Layers() ([]Layer, error) {
	ls, err := i.Image.Layers()
	if err != nil {
		return nil, fmt.Errorf("listing layers of %s: %w", i.Ref, err)
	}
	if len(ls) != len(i.Manifest.Layers) {
		return nil, fmt.Errorf("%s: manifest lists %d layers, image has %d: %w",
			i.Ref, len(i.Manifest.Layers), len(ls), ErrInvalidImage)
	}
	if n := len(i.Config.RootFS.DiffIDs); n != len(ls) {
		return nil, fmt.Errorf("%s: config lists %d diff_ids for %d layers: %w",
			i.Ref, n, len(ls), ErrInvalidImage)
	}
	hist := HistoryByLayer(i.Config, len(ls))
	out := make([]Layer, len(ls))
	for n, l := range ls {
		d := i.Manifest.Layers[n]
		out[n] = Layer{
			Index:     n,
			Digest:    d.Digest,
			DiffID:    i.Config.RootFS.DiffIDs[n],
			MediaType: d.MediaType,
			Size:      d.Size,
			CreatedBy: hist[n],
			Layer:     l,
		}
	}
	return out, nil
}

// HistoryByLayer returns, for each of n layers, the "created_by" of the
// history entry that produced it. History entries marked empty_layer are
// skipped; the remaining entries are matched to layers in order. Missing
// entries leave "" and surplus entries are ignored, as dive does.
func HistoryByLayer(cfg *v1.ConfigFile, n int) []string {
	out := make([]string, n)
	if cfg == nil {
		return out
	}
	i := 0
	for _, h := range cfg.History {
		if h.EmptyLayer {
			continue
		}
		if i >= n {
			break
		}
		out[i] = h.CreatedBy
		i++
	}
	return out
}

// Option configures Open.
type Option func(*options)

type options struct {
	platform   v1.Platform
	insecure   bool
	keychain   authn.Keychain
	transport  http.RoundTripper
	userAgent  string
	backoff    remote.Backoff
	retryCodes []int
	timeout    time.Duration
}

// DefaultPlatform is the platform picked from multi-platform indexes unless
// WithPlatform says otherwise.
var DefaultPlatform = v1.Platform{OS: "linux", Architecture: "amd64"}

func makeOptions(opts []Option) *options {
	o := &options{
		platform:  DefaultPlatform,
		keychain:  authn.DefaultKeychain,
		userAgent: defaultUserAgent(),
		backoff: remote.Backoff{
			Duration: 500 * time.Millisecond,
			Factor:   3,
			Jitter:   0.1,
			Steps:    4,
		},
		retryCodes: []int{
			http.StatusRequestTimeout,
			http.StatusTooManyRequests,
			http.StatusInternalServerError,
			http.StatusBadGateway,
			http.StatusServiceUnavailable,
			http.StatusGatewayTimeout,
		},
	}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

func defaultUserAgent() string {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = strings.TrimPrefix(bi.Main.Version, "v")
	}
	return "pyimg/" + v
}

// WithPlatform selects the platform picked from multi-platform indexes
// (default linux/amd64). See ParsePlatform.
func WithPlatform(p v1.Platform) Option {
	return func(o *options) { o.platform = p }
}

// WithInsecure allows plain HTTP to the registry. Registries on loopback
// addresses, "localhost" and private (RFC 1918) networks are reached over
// HTTP even without it.
func WithInsecure(insecure bool) Option {
	return func(o *options) { o.insecure = insecure }
}

// WithKeychain sets where registry credentials come from (default
// authn.DefaultKeychain: the docker config and its credential helpers).
// A nil keychain means anonymous access.
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) {
		if k == nil {
			k = anonymous{}
		}
		o.keychain = k
	}
}

// anonymous is a keychain without credentials.
type anonymous struct{}

func (anonymous) Resolve(authn.Resource) (authn.Authenticator, error) { return authn.Anonymous, nil }

// WithTransport sets the HTTP transport for registry access. Retries and
// the user agent are layered on top of it.
func WithTransport(t http.RoundTripper) Option {
	return func(o *options) { o.transport = t }
}

// WithUserAgent sets the User-Agent sent to registries (default
// "pyimg/<module version>").
func WithUserAgent(ua string) Option {
	return func(o *options) { o.userAgent = ua }
}

// WithRetryBackoff sets how registry requests that fail with a timeout,
// a reset connection or a 408, 429 or 5xx status are retried. Steps is the
// number of attempts.
func WithRetryBackoff(b remote.Backoff) Option {
	return func(o *options) { o.backoff = b }
}

// WithTimeout bounds each phase of every registry request (connecting,
// waiting for response headers, waiting for the next bytes of a body);
// default httptimeout.Default. A phase that takes longer fails with an
// error matching httptimeout.ErrTimeout that names the host.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}
