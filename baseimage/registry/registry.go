// Package registry reads python image repositories through the OCI
// distribution API: tag lists (following Link pagination), digests of tags
// (index and per-platform), and image configs (created time,
// PYTHON_VERSION), with an on-disk cache. Pin turns a tag into an exact tag
// and digest, or the newest eligible patch.
package registry

import (
	"context"
	"errors"
	"fmt"
	"github.com/pyimg/pyimg/internal/httptimeout"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// ErrRegistry marks failures talking to a registry: unreachable, an HTTP
// error, or content that does not match its digest. Check with errors.Is.
var ErrRegistry = errors.New("registry error")

// Error reports a failed registry operation. It matches ErrRegistry.
type Error struct {
	Op  string // what was being done, e.g. "listing tags of docker.io/library/python"
	Err error
}

func (e *Error) Error() string        { return e.Op + ": " + e.Err.Error() }
func (e *Error) Unwrap() error        { return e.Err }
func (e *Error) Is(target error) bool { return target == ErrRegistry }

// Client reads tags, digests and image configs of repositories, with an
// optional on-disk cache. Build one with New; it is safe for concurrent use.
type Client struct {
	o options
}

type options struct {
	insecure  bool
	keychain  authn.Keychain
	transport http.RoundTripper
	userAgent string
	mirror    string
	cache     *Cache
	platform  v1.Platform
	backoff   *remote.Backoff
	timeout   time.Duration
}

// Option configures New.
type Option func(*options)

// WithTimeout bounds each phase of every registry request (connecting,
// waiting for response headers, waiting for the next bytes of a body);
// default httptimeout.Default. A phase that takes longer fails with an
// error matching httptimeout.ErrTimeout and ErrRegistry, naming the host.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// WithInsecure allows plain HTTP to registries.
func WithInsecure(insecure bool) Option {
	return func(o *options) { o.insecure = insecure }
}

// WithKeychain sets where credentials come from (default
// authn.DefaultKeychain, the docker config); nil means anonymous.
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) {
		if k == nil {
			k = authn.NewMultiKeychain()
		}
		o.keychain = k
	}
}

// WithTransport sets the HTTP transport (default
// remote.DefaultTransport).
func WithTransport(t http.RoundTripper) Option {
	return func(o *options) { o.transport = t }
}

// WithUserAgent sets the User-Agent sent to registries.
func WithUserAgent(ua string) Option {
	return func(o *options) { o.userAgent = ua }
}

// WithMirror sends requests for Docker Hub repositories to a mirror host
// ("mirror.example.com" or "127.0.0.1:5000"), as Docker's registry-mirrors
// does. References reported to the caller keep naming Docker Hub.
func WithMirror(host string) Option {
	return func(o *options) {
		o.mirror = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(host, "https://"), "http://"), "/")
	}
}

// WithCache caches tag lists, tag digests and image facts in c.
func WithCache(c *Cache) Option {
	return func(o *options) { o.cache = c }
}

// WithConfigPlatform sets the platform whose image config Info reads from a
// multi-platform index (default linux/amd64).
func WithConfigPlatform(p v1.Platform) Option {
	return func(o *options) { o.platform = p }
}

// WithRetry sets how requests failing with a timeout or a 408, 429
// or 5xx status are retried (default: go-containerregistry's, 3 attempts
// over about 4 seconds). Steps is the number of attempts.
func WithRetry(b remote.Backoff) Option {
	return func(o *options) { o.backoff = &b }
}

// New returns a registry client.
func New(opts ...Option) *Client {
	o := options{keychain: authn.DefaultKeychain, platform: v1.Platform{OS: "linux", Architecture: "amd64"}}
	for _, opt := range opts {
		opt(&o)
	}
	return &Client{o: o}
}

// Resolved is what a tag points to.
type Resolved struct {
	// Repo is the repository as the caller named it, normalised
	// ("index.docker.io/library/python").
	Repo string `json:"repo"`
	// Tag is the tag resolved.
	Tag string `json:"tag"`
	// Digest is the digest of the manifest the tag points to: the index
	// digest for multi-platform images.
	Digest string `json:"digest"`
	// MediaType is the manifest's media type.
	MediaType string `json:"media_type"`
	// Platforms maps "os/arch[/variant]" to the platform image's digest for
	// an index; empty for a single image.
	Platforms map[string]string `json:"platforms,omitempty"`
}

// PlatformDigest returns the digest of platform's image ("linux/arm64"); for a
// single-platform manifest it returns Digest.
func (r Resolved) PlatformDigest(platform string) (string, bool) {
	if len(r.Platforms) == 0 {
		return r.Digest, true
	}
	d, ok := r.Platforms[platform]
	return d, ok
}

// Info is what an image's config says.
type Info struct {
	// Digest is the manifest digest Info was read for.
	Digest string `json:"digest"`
	// Created is the config's created time (zero if absent).
	Created time.Time `json:"created"`
	// PythonVersion is the PYTHON_VERSION environment variable ("" if unset).
	PythonVersion string `json:"python_version,omitempty"`
	// OSVersion is the config's os.version ("" if unset).
	OSVersion string `json:"os_version,omitempty"`
}

func (r *Client) options(ctx context.Context) []remote.Option {
	opts := []remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(r.o.keychain)}
	base := r.o.transport
	if base == nil {
		base = remote.DefaultTransport
	}
	if _, ok := base.(*http.Transport); ok {
		base = httptimeout.New(base, r.o.timeout)
	}
	opts = append(opts, remote.WithTransport(base))
	if r.o.backoff != nil {
		opts = append(opts, remote.WithRetryBackoff(*r.o.backoff))
	}
	if r.o.userAgent != "" {
		opts = append(opts, remote.WithUserAgent(r.o.userAgent))
	}
	return opts
}

// repository parses repo for access, applying the mirror.
func (r *Client) repository(repo string) (name.Repository, error) {
	var nopts []name.Option
	if r.o.insecure {
		nopts = append(nopts, name.Insecure)
	}
	rp, err := name.NewRepository(repo, nopts...)
	if err != nil {
		return rp, fmt.Errorf("parsing repository %q: %w", repo, err)
	}
	if r.o.mirror != "" && rp.RegistryStr() == name.DefaultRegistry {
		return name.NewRepository(r.o.mirror+"/"+rp.RepositoryStr(), nopts...)
	}
	return rp, nil
}

// Tags lists every tag of repo, following the registry's pagination.
func (r *Client) Tags(ctx context.Context, repo string) ([]string, error) {
	rp, err := r.repository(repo)
	if err != nil {
		return nil, err
	}
	key := "tags\x00" + rp.Name()
	var tags []string
	if r.o.cache.get(key, true, &tags) {
		return tags, nil
	}
	tags, err = remote.List(rp, r.options(ctx)...)
	if err != nil {
		return nil, &Error{Op: "listing tags of " + rp.Name(), Err: err}
	}
	r.o.cache.put(key, tags)
	return tags, nil
}

// Head returns the digest tag points to in repo as the registry reports it,
// without fetching the manifest (Docker Hub does not count HEAD requests
// against pull limits). Resolve verifies; Head only compares.
func (r *Client) Head(ctx context.Context, repo, tag string) (string, error) {
	rp, err := r.repository(repo)
	if err != nil {
		return "", err
	}
	ref := rp.Tag(tag)
	key := "resolve\x00" + ref.Name()
	var res Resolved
	if r.o.cache.get(key, true, &res) {
		return res.Digest, nil
	}
	head, err := remote.Head(ref, r.options(ctx)...)
	if err != nil {
		return "", &Error{Op: "resolving " + ref.Name(), Err: err}
	}
	return head.Digest.String(), nil
}

// Resolve returns the digest tag points to in repo. The manifest is
// fetched and hashed; when the registry's Docker-Content-Digest disagrees
// with the bytes it served, that is an error.
func (r *Client) Resolve(ctx context.Context, repo, tag string) (Resolved, error) {
	rp, err := r.repository(repo)
	if err != nil {
		return Resolved{}, err
	}
	ref := rp.Tag(tag)
	key := "resolve\x00" + ref.Name()
	var res Resolved
	if r.o.cache.get(key, true, &res) {
		return res, nil
	}
	op := "resolving " + ref.Name()
	opts := r.options(ctx)
	head, err := remote.Head(ref, opts...)
	if err != nil {
		return Resolved{}, &Error{Op: op, Err: err}
	}
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return Resolved{}, &Error{Op: op, Err: err}
	}
	if head.Digest != desc.Digest {
		return Resolved{}, &Error{Op: op, Err: fmt.Errorf("registry reports digest %s but the manifest it served hashes to %s", head.Digest, desc.Digest)}
	}
	res = Resolved{Repo: rp.Name(), Tag: tag, Digest: desc.Digest.String(), MediaType: string(desc.MediaType)}
	if desc.MediaType.IsIndex() {
		idx, err := v1.ParseIndexManifest(strings.NewReader(string(desc.Manifest)))
		if err != nil {
			return Resolved{}, &Error{Op: op, Err: fmt.Errorf("parsing index: %w", err)}
		}
		res.Platforms = map[string]string{}
		for _, m := range idx.Manifests {
			if m.Platform == nil || m.Platform.OS == "unknown" {
				continue // attestations
			}
			res.Platforms[m.Platform.String()] = m.Digest.String()
		}
	}
	r.o.cache.put(key, res)
	return res, nil
}

// Info reads the config of the image digest names in repo; for an index, of
// its image for the configured platform. Configs are immutable, so the
// cache keeps them without expiry.
func (r *Client) Info(ctx context.Context, repo, digest string) (Info, error) {
	rp, err := r.repository(repo)
	if err != nil {
		return Info{}, err
	}
	ref := rp.Digest(digest)
	key := "info\x00" + r.o.platform.String() + "\x00" + ref.Name()
	var info Info
	if r.o.cache.get(key, false, &info) {
		return info, nil
	}
	op := "reading the config of " + ref.Name()
	desc, err := remote.Get(ref, r.options(ctx)...)
	if err != nil {
		return Info{}, &Error{Op: op, Err: err}
	}
	var img v1.Image
	if desc.MediaType.IsIndex() {
		idx, err := desc.ImageIndex()
		if err != nil {
			return Info{}, &Error{Op: op, Err: err}
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return Info{}, &Error{Op: op, Err: err}
		}
		var found *v1.Descriptor
		for i, m := range im.Manifests {
			if m.Platform != nil && m.Platform.Satisfies(r.o.platform) {
				found = &im.Manifests[i]
				break
			}
		}
		if found == nil {
			return Info{}, &Error{Op: op, Err: fmt.Errorf("no image for %s in the index", r.o.platform)}
		}
		if img, err = idx.Image(found.Digest); err != nil {
			return Info{}, &Error{Op: op, Err: err}
		}
	} else if img, err = desc.Image(); err != nil {
		return Info{}, &Error{Op: op, Err: err}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return Info{}, &Error{Op: op, Err: err}
	}
	info = Info{Digest: digest, Created: cfg.Created.Time.UTC(), OSVersion: cfg.OSVersion}
	for _, e := range cfg.Config.Env {
		if v, ok := strings.CutPrefix(e, "PYTHON_VERSION="); ok {
			info.PythonVersion = v
		}
	}
	r.o.cache.put(key, info)
	return info, nil
}
