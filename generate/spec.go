// Package generate writes the Dockerfile and .dockerignore a Python project
// should be built with: multi-stage, a virtualenv at one fixed path copied
// as is into the runtime stage, a numeric non-root user, dependencies
// installed from the lock before the code is copied, BuildKit cache mounts,
// substitutable base images (ARG BUILD_IMAGE / RUNTIME_IMAGE) and index
// URLs (ARG PIP_INDEX_URL, UV_DEFAULT_INDEX, ...), credentials through a
// secret mount, and a HEALTHCHECK that needs no curl.
//
// A Spec says what to build; Render turns it into file contents; FromProject
// derives a Spec from a detected project; Run does all of it for a directory
// and Write puts the files in place atomically.
//
//	spec, notes, err := generate.FromProject(proj, cfg, generate.VariantSlim)
//	files, err := generate.Render(spec)
package generate

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Variant is the kind of image generated.
type Variant string

// Variants.
const (
	// VariantSlim builds and runs on the official python slim image.
	VariantSlim Variant = "slim"
	// VariantSlimTools runs on slim with the build packages, curl and
	// procps kept in the runtime stage, for teams that debug in containers.
	VariantSlimTools Variant = "slim-tools"
	// VariantAlpine builds and runs on the official python alpine image
	// (musl); only for projects whose dependencies all have musllinux
	// wheels.
	VariantAlpine Variant = "alpine"
	// VariantDistroless builds on Debian with its python3 and runs on
	// gcr.io/distroless/python3: no shell, no package manager.
	VariantDistroless Variant = "distroless"
)

// Variants lists every variant, the default first.
var Variants = []Variant{VariantSlim, VariantSlimTools, VariantAlpine, VariantDistroless}

// ParseVariant returns the variant named s.
func ParseVariant(s string) (Variant, error) {
	v := Variant(s)
	if !slices.Contains(Variants, v) {
		return "", fmt.Errorf("unknown variant %q (want slim, slim-tools, alpine or distroless)", s)
	}
	return v, nil
}

// Alpine reports whether v runs on musl (apk instead of apt).
func (v Variant) Alpine() bool { return v == VariantAlpine }

// Install is how the dependencies get into the virtualenv.
type Install string

// Install modes.
const (
	// InstallNone: no dependencies; the virtualenv holds the interpreter only.
	InstallNone Install = "none"
	// InstallUV: uv sync --frozen --no-dev from uv.lock.
	InstallUV Install = "uv"
	// InstallPoetry: poetry export of poetry.lock, installed by pip with
	// --require-hashes.
	InstallPoetry Install = "poetry"
	// InstallRequirements: pip install -r of a requirements file, with
	// --require-hashes when every line carries a hash.
	InstallRequirements Install = "requirements"
	// InstallPyproject: pip install of the project itself, which resolves
	// its dependencies at build time (no lock).
	InstallPyproject Install = "pyproject"
)

// Spec is everything the generated files depend on.
type Spec struct {
	// Name is the project name, used in comments ("" allowed).
	Name string
	// Variant is the kind of image.
	Variant Variant
	// Python is the Python series the image runs ("3.13").
	Python string
	// BuildImage and RuntimeImage are the default base images (the ARG
	// defaults), with a digest when Pinned.
	BuildImage, RuntimeImage string
	// UVImage is the image uv is copied from (InstallUV only).
	UVImage string
	// Pinned reports whether every image reference carries a digest; when
	// false the file says how to pin it and tells pyimg lint so.
	Pinned bool

	// Install is the install mode.
	Install Install
	// Requirements is the requirements file (InstallRequirements).
	Requirements string
	// RequireHashes adds --require-hashes (InstallRequirements).
	RequireHashes bool
	// InstallProject installs the project itself into the virtualenv
	// (non-editable) after its dependencies; the runtime stage then gets
	// the virtualenv only. Otherwise the source is copied to WorkDir.
	InstallProject bool

	// Command is the exec-form command the container runs.
	Command []string
	// Env are extra environment variables of the runtime stage
	// (DJANGO_SETTINGS_MODULE=...), "NAME=value", sorted.
	Env []string
	// Port is the port the app listens on (0: none known, then no EXPOSE
	// and no HEALTHCHECK).
	Port int
	// HealthPath is the HTTP path the HEALTHCHECK requests ("/" if empty).
	HealthPath string

	// BuildPackages are the system packages the builder installs (apt or
	// apk names, per the variant).
	BuildPackages []string
	// RuntimePackages are the system packages (or, for distroless, the
	// packages whose shared libraries are copied) the runtime needs.
	RuntimePackages []string
	// UID is the numeric user (and group) the container runs as.
	UID int
}

// Directories the generated files use.
const (
	VenvDir = "/opt/venv" // the virtualenv, identical in both stages
	WorkDir = "/app"      // the runtime working directory
	srcDir  = "/src"      // the builder's working directory
)

// Default users.
const (
	DefaultUID    = 10001 // created in slim and alpine runtimes
	DistrolessUID = 65532 // distroless's nonroot user
)

// ErrInvalidSpec is wrapped by Validate's errors.
var ErrInvalidSpec = errors.New("invalid generate spec")

var (
	rePackage = regexp.MustCompile(`^[a-z0-9][a-z0-9+.\-:=~_]*$`)
	reSeries  = regexp.MustCompile(`^3\.[0-9]+$`)
	reEnv     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=`)
	reFile    = regexp.MustCompile(`^[A-Za-z0-9_.][A-Za-z0-9_./\-]*$`)
)

// Validate reports the first thing wrong with s: values that would not
// make a working Dockerfile or could inject instructions.
func (s *Spec) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrInvalidSpec, fmt.Sprintf(format, a...))
	}
	if !slices.Contains(Variants, s.Variant) {
		return bad("unknown variant %q", s.Variant)
	}
	if !reSeries.MatchString(s.Python) {
		return bad("python series %q: want 3.N", s.Python)
	}
	for _, im := range []string{s.BuildImage, s.RuntimeImage} {
		if im == "" || strings.ContainsAny(im, " \t\n\"'$\\") {
			return bad("base image %q", im)
		}
	}
	switch s.Install {
	case InstallNone, InstallPyproject:
	case InstallUV:
		if s.UVImage == "" || strings.ContainsAny(s.UVImage, " \t\n\"'$\\") {
			return bad("uv image %q", s.UVImage)
		}
	case InstallPoetry:
	case InstallRequirements:
		if !reFile.MatchString(s.Requirements) || strings.Contains(s.Requirements, "..") {
			return bad("requirements file %q", s.Requirements)
		}
	default:
		return bad("unknown install mode %q", s.Install)
	}
	if len(s.Command) == 0 {
		return bad("no command: set [tool.pyimg.generate] command or an entry point")
	}
	for _, a := range s.Command {
		if !printable(a) {
			return bad("command argument %q: want printable UTF-8 on one line", a)
		}
	}
	for _, e := range s.Env {
		if !reEnv.MatchString(e) || !printable(e) || strings.ContainsAny(e, "\"\\$ ") {
			return bad("environment variable %q: want NAME=value without quotes, spaces or $", e)
		}
	}
	if s.Port < 0 || s.Port > 65535 {
		return bad("port %d", s.Port)
	}
	if s.HealthPath != "" && (!strings.HasPrefix(s.HealthPath, "/") || !printable(s.HealthPath) || strings.ContainsAny(s.HealthPath, "'\"\\ \n")) {
		return bad("health path %q: want an absolute URL path without quotes or spaces", s.HealthPath)
	}
	for _, p := range slices.Concat(s.BuildPackages, s.RuntimePackages) {
		if !rePackage.MatchString(p) {
			return bad("system package name %q", p)
		}
	}
	if s.UID <= 0 || s.UID > 1<<31-1 {
		return bad("uid %d: want a non-root numeric user", s.UID)
	}
	return nil
}

// printable reports whether s is valid UTF-8 without control characters.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	return !strings.ContainsFunc(s, unicode.IsControl)
}
