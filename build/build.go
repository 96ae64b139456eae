// Package build builds a Python application image without a container
// runtime, ko-style: the locked wheels are installed in Go into a virtual
// environment on top of a pinned base image, in deterministic layers —
// 1) the dependencies, cached by (wheels, target) so that their digest does
// not change with the code, 2) the project, 3) extra files — with a
// non-root config, OCI labels and annotations. Same inputs, same digest.
//
// Run plans (lock → one wheel per requirement for the base's tags),
// installs, assembles and writes the image to OCI layouts, archives or a
// registry. Nothing is half-written on failure: outputs go through
// temporary files renamed into place, and the push comes last.
package build

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/pyimg/pyimg/build/layer"
	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/image"
)

// Defaults of the built image.
const (
	DefaultPrefix     = "/opt/venv"
	DefaultUser       = "65532"
	DefaultWorkingDir = "/app"
)

// Resolver finds the wheel a target installs for a locked requirement and
// makes it available as a local file. The wheel's hash is checked against
// the lock by Run, not by the resolver.
type Resolver interface {
	Resolve(ctx context.Context, req Requirement) (*Wheel, error)
}

// ResolverFactory makes the Resolver for a target, once the target is
// known.
type ResolverFactory func(ctx context.Context, t *target.Target) (Resolver, error)

// Event reports progress.
type Event struct {
	// Stage is "base", "resolve", "layer", "output" or "push".
	Stage string
	// Message says what happened ("fetched requests-2.32.3-py3-none-any.whl").
	Message string
}

// Option configures Run.
type Option func(*options)

type options struct {
	base          string
	projectWheel  string
	entrypoint    []string
	push          string
	insecure      bool
	outputs       []Output
	sbom          string
	dryRun        bool
	progress      func(Event)
	cacheDir      string
	epoch         *time.Time
	prefix        string
	user          string
	imageOpts     []image.Option
	resolvers     ResolverFactory
	lockReaders   []LockReader
	transport     http.RoundTripper
	toolVersion   string
	source        string
	revision      string
	allowLinuxTag bool
	defaultBase   func(dir string) (string, error)
}

// WithBase sets the base image reference (overrides [tool.pyimg.build] base).
func WithBase(ref string) Option { return func(o *options) { o.base = ref } }

// WithDefaultBase sets how the base is chosen when neither WithBase nor
// [tool.pyimg.build] base names one (pyimg's CLI recommends a runtime
// image for the project).
func WithDefaultBase(f func(dir string) (string, error)) Option {
	return func(o *options) { o.defaultBase = f }
}

// WithProjectWheel installs the project from this wheel instead of its
// sources.
func WithProjectWheel(file string) Option { return func(o *options) { o.projectWheel = file } }

// WithEntrypoint sets the image's entrypoint (default: the project's single
// console script).
func WithEntrypoint(argv []string) Option { return func(o *options) { o.entrypoint = argv } }

// WithPush pushes the image to ref once everything else has succeeded;
// insecure allows plain HTTP.
func WithPush(ref string, insecure bool) Option {
	return func(o *options) { o.push, o.insecure = ref, insecure }
}

// WithOutput adds a local output.
func WithOutput(out Output) Option { return func(o *options) { o.outputs = append(o.outputs, out) } }

// WithSBOM writes the CycloneDX SBOM of the result to file.
func WithSBOM(file string) Option { return func(o *options) { o.sbom = file } }

// WithDryRun plans without writing anything.
func WithDryRun(dry bool) Option { return func(o *options) { o.dryRun = dry } }

// WithProgress calls f as the build proceeds.
func WithProgress(f func(Event)) Option { return func(o *options) { o.progress = f } }

// WithCacheDir sets pyimg's build cache (default
// $XDG_CACHE_HOME/pyimg/build).
func WithCacheDir(dir string) Option { return func(o *options) { o.cacheDir = dir } }

// WithSourceDateEpoch sets the time recorded in layers and config (the
// SOURCE_DATE_EPOCH convention); without it layers use layer.EpochUnix and
// no creation label is set.
func WithSourceDateEpoch(t time.Time) Option { return func(o *options) { o.epoch = &t } }

// WithPrefix sets the venv's path (default /opt/venv).
func WithPrefix(p string) Option { return func(o *options) { o.prefix = p } }

// WithUser sets the image's user (default 65532).
func WithUser(u string) Option { return func(o *options) { o.user = u } }

// WithImageOptions passes options to opening the base image.
func WithImageOptions(opts ...image.Option) Option {
	return func(o *options) { o.imageOpts = append(o.imageOpts, opts...) }
}

// WithResolver sets how requirements become wheel files.
func WithResolver(f ResolverFactory) Option { return func(o *options) { o.resolvers = f } }

// WithLockReaders sets the lock readers tried in order (default: ReadLock).
func WithLockReaders(rs ...LockReader) Option { return func(o *options) { o.lockReaders = rs } }

// WithTransport sets the HTTP transport for pushing.
func WithTransport(t http.RoundTripper) Option { return func(o *options) { o.transport = t } }

// WithToolVersion records pyimg's version in the SBOM.
func WithToolVersion(v string) Option { return func(o *options) { o.toolVersion = v } }

// WithSource sets the org.opencontainers.image.source label (default: the
// project's git remote "origin", if any).
func WithSource(url string) Option { return func(o *options) { o.source = url } }

// WithRevision sets the org.opencontainers.image.revision label (default:
// the project's git HEAD commit, if any).
func WithRevision(rev string) Option { return func(o *options) { o.revision = rev } }

// WithAllowLinuxTag records that linux_<arch> wheels were allowed (for the
// plan); the resolver applies it.
func WithAllowLinuxTag(allow bool) Option { return func(o *options) { o.allowLinuxTag = allow } }

// DefaultCacheDir returns $XDG_CACHE_HOME/pyimg/build (or the platform's
// user cache directory).
func DefaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		d = os.TempDir()
	}
	return filepath.Join(d, "pyimg", "build")
}

func makeOptions(opts []Option) *options {
	o := &options{lockReaders: []LockReader{ReadLock}}
	for _, opt := range opts {
		opt(o)
	}
	if o.cacheDir == "" {
		o.cacheDir = DefaultCacheDir()
	}
	if o.prefix == "" {
		o.prefix = DefaultPrefix
	}
	return o
}

func (o *options) emit(stage, format string, args ...any) {
	if o.progress != nil {
		o.progress(Event{Stage: stage, Message: fmt.Sprintf(format, args...)})
	}
}

func (o *options) mtime() time.Time {
	if o.epoch != nil {
		return o.epoch.UTC().Truncate(time.Second)
	}
	return time.Unix(layer.EpochUnix, 0).UTC()
}
