package cli

import (
	"context"
	"errors"
	"strings"
)

// Exit codes, documented in the README.
const (
	ExitOK       = 0 // no findings at or above --fail-on
	ExitFindings = 1 // findings at or above --fail-on
	ExitUsage    = 2 // bad flags, arguments or input files (unparsable Dockerfile, missing image archive)
	ExitRuntime  = 3 // runtime failure: network, registry, I/O
)

// errFindings is returned by a command whose findings trip --fail-on.
var errFindings = errors.New("findings at or above the --fail-on threshold")

type exitError struct {
	code  int
	err   error
	cobra bool
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks err as a usage or input error (exit 2).
func usageError(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: ExitUsage, err: err, cobra: true}
}

// inputError marks err as bad input (exit 2) without the usage hint.
func inputError(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: ExitUsage, err: err}
}

// runtimeError marks err as a runtime failure (exit 3).
func runtimeError(err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: ExitRuntime, err: err}
}

func isCobraUsage(err error) bool {
	var e *exitError
	return errors.As(err, &e) && e.cobra
}

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errFindings) {
		return ExitFindings
	}
	var e *exitError
	if errors.As(err, &e) {
		return e.code
	}
	if errors.Is(err, context.Canceled) {
		return ExitRuntime
	}
	// Cobra reports unknown commands and argument-count problems as plain
	// errors; they are usage errors.
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires at most", "invalid argument"} {
		if strings.Contains(msg, p) {
			return ExitUsage
		}
	}
	return ExitRuntime
}

// maxUserFile bounds the files a user names on the command line
// (Dockerfiles, ignore files), as the Dockerfile parser does.
const maxUserFile = 10 << 20
