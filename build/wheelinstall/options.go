package wheelinstall

import "path"

// DefaultPrefix is where the virtual environment lives in the image.
const DefaultPrefix = "/opt/venv"

// Limits bound what one wheel may cost.
type Limits struct {
	// MaxFiles is the number of zip entries.
	MaxFiles int
	// MaxBytes is the declared uncompressed size of all entries together,
	// and so of any one entry: the cap against zip bombs.
	MaxBytes int64
}

// Default limits: generous for real wheels (the largest on PyPI hold a few
// GiB) and bounded for hostile ones.
const (
	DefaultMaxFiles = 200_000
	DefaultMaxBytes = 8 << 30
)

// Option configures Install.
type Option func(*options)

type options struct {
	prefix        string
	pythonVersion string
	interp        string
	limits        Limits
	verifyOnRead  bool
}

func makeOptions(opts []Option) *options {
	o := &options{prefix: DefaultPrefix, limits: Limits{MaxFiles: DefaultMaxFiles, MaxBytes: DefaultMaxBytes}}
	for _, opt := range opts {
		opt(o)
	}
	return o
}

// WithPrefix sets the venv's absolute path (default /opt/venv).
func WithPrefix(p string) Option {
	return func(o *options) {
		if p != "" {
			o.prefix = path.Clean("/" + p)
		}
	}
}

// WithPythonVersion sets the interpreter's "X.Y" version, which names the
// site-packages directory. It is required.
func WithPythonVersion(v string) Option {
	return func(o *options) { o.pythonVersion = v }
}

// WithInterpreter sets the interpreter that scripts' shebangs name
// (default PREFIX/bin/python).
func WithInterpreter(p string) Option {
	return func(o *options) { o.interp = p }
}

// WithVerifyOnRead defers checking the content of files read from the
// wheel against RECORD to File.Open's reader, which fails at the end of a
// mismatching file: for callers that read every file once anyway (a layer
// writer that discards its output on error), it saves a second
// decompression. Names, types, sizes and RECORD's rows are still checked
// by Install.
func WithVerifyOnRead() Option {
	return func(o *options) { o.verifyOnRead = true }
}

// WithLimits sets the limits; zero fields keep the defaults.
func WithLimits(l Limits) Option {
	return func(o *options) {
		if l.MaxFiles > 0 {
			o.limits.MaxFiles = l.MaxFiles
		}
		if l.MaxBytes > 0 {
			o.limits.MaxBytes = l.MaxBytes
		}
	}
}

func (o *options) sitePackages() string {
	return SitePackages(o.prefix, o.pythonVersion)
}

func (o *options) interpreter() string {
	if o.interp != "" {
		return o.interp
	}
	return path.Join(o.prefix, "bin", "python")
}

// SitePackages returns the site-packages directory of a venv at prefix for
// Python "X.Y".
func SitePackages(prefix, pythonVersion string) string {
	return path.Join(prefix, "lib", "python"+pythonVersion, "site-packages")
}
