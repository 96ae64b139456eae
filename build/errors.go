package build

import (
	"errors"
	"fmt"
	"strings"

	"github.com/pyimg/pyimg/build/layer"
	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/build/wheelinstall"
	"github.com/pyimg/pyimg/project"
)

// InputError is a problem with the project's files: pyproject.toml, the
// lock, the project layout. It names the file and, when known, the line.
type InputError struct {
	File string
	Line int
	Err  error
}

// Error renders "file:line: problem".
func (e *InputError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the underlying problem.
func (e *InputError) Unwrap() error { return e.Err }

// NoWheelError means a locked requirement has no wheel the target can
// install.
type NoWheelError struct {
	Name, Version string
	// Tags are the target's most preferred compatible tags.
	Tags []string
	// Seen are the files considered and why each was refused.
	Seen []string
}

// Error names the requirement, the target's best tags, what was seen and
// the way out.
func (e *NoWheelError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "no wheel of %s==%s installs on the target (tags %s …)", e.Name, e.Version, strings.Join(e.Tags, ", "))
	for _, s := range e.Seen {
		b.WriteString("\n  " + s)
	}
	b.WriteString("\n  way out: build the wheel into the --wheelhouse directory (pip wheel), or use `pyimg generate` for a Dockerfile with a builder stage")
	return b.String()
}

// HashError means a wheel does not match the hashes its lock gives.
type HashError struct {
	File, Lock string
	Got        string
	Want       []string
}

// Error names the wheel, its hash and the lock entry.
func (e *HashError) Error() string {
	return fmt.Sprintf("wheel %s has sha256:%s, which %s does not list (it lists %s)", e.File, e.Got, e.Lock, strings.Join(e.Want, ", "))
}

// ErrUnsupportedLock means the project has no lock build can install from.
var ErrUnsupportedLock = errors.New("unsupported or missing lock")

// IsInputError reports whether err is the user's to fix (exit 2): a bad
// project, lock, wheel or base image, as opposed to a failing network,
// registry or disk.
func IsInputError(err error) bool {
	var ie *InputError
	var nw *NoWheelError
	var he *HashError
	var we *wheelinstall.Error
	var ne *NativeError
	var pe *project.InputError
	return errors.As(err, &pe) || errors.As(err, &ie) || errors.As(err, &nw) || errors.As(err, &he) || errors.As(err, &we) || errors.As(err, &ne) ||
		errors.Is(err, layer.ErrEntry) || errors.Is(err, target.ErrNoPython) || errors.Is(err, target.ErrIncomplete) || errors.Is(err, ErrUnsupportedLock)
}
