// Package target reads what a base image offers Python wheels: its
// interpreter (path, version, ABI), its C library (glibc or musl, and
// version) and its architecture. The facts are read in one pass over the
// base's layers and are a pure function of the base's digest, so they are
// cached by it.
package target

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/layers"
)

// Sentinel errors, checked with errors.Is.
var (
	// ErrNoPython means the base image has no Python interpreter where pyimg
	// looks (/usr/local/bin/pythonX.Y, /usr/bin/pythonX.Y).
	ErrNoPython = errors.New("no Python interpreter in the base image")
	// ErrIncomplete means the base image lacks a fact wheels depend on: its
	// architecture, a C library or the library's version.
	ErrIncomplete = errors.New("base image does not say what wheels need")
)

// Target describes the Python runtime of a base image.
type Target struct {
	// Interpreter is the absolute path of the interpreter binary
	// ("/usr/local/bin/python3.12", "/usr/bin/python3.11").
	Interpreter string `json:"interpreter"`
	// PythonVersion is "X.Y".
	PythonVersion string `json:"python_version"`
	// PythonFullVersion is "X.Y.Z" when the image says (PYTHON_VERSION,
	// dpkg or apk), else "".
	PythonFullVersion string `json:"python_full_version,omitempty"`
	// Implementation is the interpreter tag prefix, "cp" for CPython.
	Implementation string `json:"implementation"`
	// ABI is the CPython ABI tag ("cp311", "cp313t" for free-threaded).
	ABI string `json:"abi"`
	// Libc is "glibc" or "musl".
	Libc string `json:"libc"`
	// LibcVersion is "X.Y" ("2.36", "1.2").
	LibcVersion string `json:"libc_version"`
	// Arch is the machine name wheels use ("x86_64", "aarch64").
	Arch string `json:"arch"`
	// OS is the platform's OS ("linux").
	OS string `json:"os"`
}

// PythonTag returns the interpreter tag ("cp311").
func (t *Target) PythonTag() string {
	return t.Implementation + strings.ReplaceAll(t.PythonVersion, ".", "")
}

// String summarises the target ("cpython 3.11 (/usr/bin/python3.11), glibc 2.36, x86_64").
func (t *Target) String() string {
	return fmt.Sprintf("cpython %s (%s), %s %s, %s", t.PythonVersion, t.Interpreter, t.Libc, t.LibcVersion, t.Arch)
}

// Arch maps an OCI platform architecture and variant to the machine name
// that wheel platform tags use.
func Arch(arch, variant string) string {
	switch arch {
	case "amd64":
		return "x86_64"
	case "arm64":
		return "aarch64"
	case "386":
		return "i686"
	case "arm":
		if variant == "v6" {
			return "armv6l"
		}
		return "armv7l"
	}
	return arch // ppc64le, s390x, riscv64
}

// cacheFormat versions the cached files: bump it when Target changes.
const cacheFormat = "v1"

// Option configures Read.
type Option func(*options)

type options struct {
	cacheDir string
	walk     []layers.Option
}

// WithCacheDir sets the directory of cached targets ("" disables caching).
// The default is $XDG_CACHE_HOME/pyimg/build/targets.
func WithCacheDir(dir string) Option {
	return func(o *options) { o.cacheDir = dir }
}

// WithWalkOptions passes options to the layer walk (progress, limits).
func WithWalkOptions(opts ...layers.Option) Option {
	return func(o *options) { o.walk = append(o.walk, opts...) }
}

// DefaultCacheDir returns $XDG_CACHE_HOME/pyimg/build/targets (or the
// platform's user cache directory).
func DefaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "pyimg", "build", "targets")
}

// Read returns the target of img, whose manifest digest is digest: from the
// cache when it has been read before, else by walking its layers once.
func Read(ctx context.Context, img v1.Image, digest v1.Hash, opts ...Option) (*Target, error) {
	o := options{cacheDir: DefaultCacheDir()}
	for _, opt := range opts {
		opt(&o)
	}
	var cacheFile string
	if o.cacheDir != "" {
		cacheFile = filepath.Join(o.cacheDir, cacheFormat+"-"+digest.Algorithm+"-"+digest.Hex+".json")
		if b, err := os.ReadFile(cacheFile); err == nil {
			var t Target
			if json.Unmarshal(b, &t) == nil && t.Interpreter != "" && t.PythonVersion != "" && t.Arch != "" {
				return &t, nil
			}
		}
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading base config: %w", err)
	}
	v := newVisitor()
	if err := layers.Walk(ctx, img, []layers.Visitor{v}, o.walk...); err != nil {
		return nil, fmt.Errorf("reading base layers: %w", err)
	}
	t, err := v.target(cfg)
	if err != nil {
		return nil, err
	}
	if cacheFile != "" {
		// The cache is an optimisation: failing to write it is not an error.
		_ = writeAtomic(cacheFile, t)
	}
	return t, nil
}

func writeAtomic(file string, t *Target) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".target-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

var (
	interpRE   = regexp.MustCompile(`^/usr(?:/local)?/bin/python(3)\.(\d+)(t?)$`)
	glibcRE    = regexp.MustCompile(`GNU C Library [^\n]*?version (\d+\.\d+)`)
	libcFileRE = regexp.MustCompile(`^libc-(\d+\.\d+)\.so$`)
	muslRE     = regexp.MustCompile(`^/lib/ld-musl-[^/]+\.so\.1$`)
	xyRE       = regexp.MustCompile(`^(\d+\.\d+)`)
	xyzRE      = regexp.MustCompile(`^(\d+\.\d+\.\d+)`)
)
