// Package cli is pyimg's command tree. NewRoot builds it from scratch each
// time (no package state), so tests run commands in-process with their own
// arguments, streams and clock.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/report"
)

// Env is what a command tree needs from the outside world. The zero value of
// every field has a sensible default filled by NewRoot.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Getenv reads environment variables (NO_COLOR, PYIMG_*). Defaults to os.Getenv.
	Getenv func(string) string
	// Now is the wall clock; --now overrides it per command.
	Now func() time.Time
	// IsTerminal reports whether w is an interactive terminal (for colour and
	// progress bars). Defaults to a check of *os.File descriptors.
	IsTerminal func(w io.Writer) bool
	// Version is the program version printed by `pyimg version`.
	Version string
}

func (e *Env) fill() {
	if e.Stdin == nil {
		e.Stdin = os.Stdin
	}
	if e.Stdout == nil {
		e.Stdout = os.Stdout
	}
	if e.Stderr == nil {
		e.Stderr = os.Stderr
	}
	if e.Getenv == nil {
		e.Getenv = os.Getenv
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if e.IsTerminal == nil {
		e.IsTerminal = isTerminal
	}
	if e.Version == "" {
		e.Version = buildVersion()
	}
}

type rootFlags struct {
	verbose bool
	noColor bool
}

// app carries the environment and global flags to every subcommand.
type app struct {
	env   Env
	flags rootFlags
	log   *slog.Logger
	// rawStderr is env.Stderr before escaping, for the progress bar.
	rawStderr io.Writer
}

// NewRoot returns the pyimg command tree.
func NewRoot(env Env) *cobra.Command {
	env.fill()
	a := &app{env: env, log: slog.New(slog.DiscardHandler), rawStderr: env.Stderr}
	// Messages on stderr quote image contents, file names and registry
	// answers: show their control characters instead of sending them.
	a.env.Stderr = report.NewSafeWriter(env.Stderr, false)
	root := &cobra.Command{
		Use:   "pyimg",
		Short: "Secure, small, reproducible container images for Python",
		Long: `pyimg knows Python container images end to end:

  check      detect a Python project, lint its Dockerfiles, recommend a base, say what to do next
  generate   write a multi-stage Dockerfile and .dockerignore for a project (slim, alpine, distroless)
  lint       Python-aware Dockerfile rules (pip/uv/poetry, cache mounts, stages, EOL)
  tags, recommend, pin
             choose the python base image, pin it to an exact tag and digest, keep it current
  build      a reproducible image from the locked wheels, installed in Go onto a pinned base (no Docker)
  analyze    layers, wasted bytes (as dive counts them), per-package sizes, secrets, root
  libs       shared libraries of native extensions: missing sonames, glibc/musl, apt/COPY fixes
  sbom, scan every OS and Python package with purls; offline OSV vulnerability matching
  compare    images side by side: sizes, packages, CVEs, shells, compilers, deltas; HTML report
  key, sign, attest, verify
             cosign-compatible signatures, SBOM/scan/provenance attestations, verify before deploy
  db         the local OSV database scan uses
  data       refresh the Python, Debian and Alpine lifecycle data (offline by default)

Exit codes: 0 ok; 1 findings at or above --fail-on (or a failed gate/check); 2 usage or input error;
3 runtime failure (network, registry, I/O).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if a.flags.verbose {
				a.log = slog.New(slog.NewTextHandler(a.env.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
			}
			return nil
		},
	}
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(a.env.Stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.PersistentFlags().BoolVarP(&a.flags.verbose, "verbose", "v", false, "log progress and decisions to stderr")
	root.PersistentFlags().BoolVar(&a.flags.noColor, "no-color", false, "disable colour (also: NO_COLOR=1)")
	root.AddCommand(
		newVersionCmd(a),
		newLintCmd(a),
		newAnalyzeCmd(a),
		newSbomCmd(a),
		newRulesCmd(a),
		newPinCmd(a),
		newTagsCmd(a),
		newRecommendCmd(a),
		newScanCmd(a),
		newDBCmd(a),
		newDataCmd(a),
		newCompareCmd(a),
		newLibsCmd(a),
		newCheckCmd(a),
		newKeyCmd(a), newSignCmd(a), newAttestCmd(a), newVerifyCmd(a),
		newBuildCmd(a),
		newGenerateCmd(a),
	)
	return root
}

// Execute runs the command tree with args and returns the process exit code.
// Errors are printed to env.Stderr as "pyimg: <error>".
func Execute(ctx context.Context, env Env, args []string) int {
	root := NewRoot(env)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	code := ExitCode(err)
	if code != ExitFindings {
		stderr := env.Stderr
		if stderr == nil {
			stderr = os.Stderr
		}
		stderr = report.NewSafeWriter(stderr, false)
		fmt.Fprintf(stderr, "pyimg: %v\n", err)
		defer report.Flush(stderr)
		if errors.As(err, new(*exitError)) && code == ExitUsage && isCobraUsage(err) {
			fmt.Fprintf(stderr, "Run 'pyimg --help' for usage.\n")
		}
	}
	return code
}
