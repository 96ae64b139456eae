package cli

import (
	"errors"
	"fmt"
	"github.com/pyimg/pyimg/internal/safefile"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/lint/rules"
	"github.com/pyimg/pyimg/report"
)

type lintFlags struct {
	format  string
	failOn  string
	context string
	target  string
	ignore  []string
	now     string
}

func newLintCmd(a *app) *cobra.Command {
	var fl lintFlags
	cmd := &cobra.Command{
		Use:   "lint [PATH...]",
		Short: "Lint Dockerfiles with Python-aware rules",
		Long: `Lint Dockerfiles with Python-aware rules: base-image pinning and end of life,
root final stages, secrets, pip/apt/apk caches, multi-stage venv copies, musl
wheels and more. PATH is a Dockerfile or a directory holding one (default:
./Dockerfile); "-" reads standard input.

The build context defaults to the Dockerfile's directory: its .dockerignore,
dependency files and configuration ([tool.pyimg.lint] in pyproject.toml or
[lint] in .pyimg.toml) are read there. Run 'pyimg rules' for the rule list.`,
		Example: `  pyimg lint
  pyimg lint services/api/Dockerfile --context services/api
  pyimg lint --format sarif Dockerfile > pyimg.sarif
  pyimg lint --fail-on warning --ignore PY104,PY402 Dockerfile
  cat Dockerfile | pyimg lint --format json -`,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runLint(cmd, fl, args) },
	}
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text, json or sarif")
	f.StringVar(&fl.failOn, "fail-on", "", "exit 1 when a finding is at or above this severity: error, warning, info or none (default from config, else error)")
	f.StringVar(&fl.context, "context", "", "build context directory (default: the Dockerfile's directory)")
	f.StringVar(&fl.target, "target", "", "lint as if building this stage (like docker build --target)")
	f.StringSliceVar(&fl.ignore, "ignore", nil, "rule IDs to skip, e.g. PY104,PY402")
	f.StringVar(&fl.now, "now", "", "date for end-of-life checks, YYYY-MM-DD (default: today)")
	return cmd
}

func (a *app) runLint(cmd *cobra.Command, fl lintFlags, args []string) error {
	if err := checkFormat(fl.format, "text", "json", "sarif"); err != nil {
		return err
	}
	now, err := a.parseNow(fl.now)
	if err != nil {
		return err
	}
	var failOn report.Severity
	if fl.failOn != "" {
		if failOn, err = parseFailOn(fl.failOn); err != nil {
			return err
		}
	}
	for i, id := range fl.ignore {
		fl.ignore[i] = strings.ToUpper(strings.TrimSpace(id))
	}
	if len(args) == 0 {
		args = []string{"Dockerfile"}
	}
	k := a.knowledge()
	a.warnStaleData(k, now)
	ruleSet := rules.All(k)
	known := lint.New(ruleSet).Rules()
	for _, id := range fl.ignore {
		if !slices.ContainsFunc(known, func(r report.Rule) bool { return r.ID == id }) {
			return usageError(fmt.Errorf("--ignore: unknown rule %q (see 'pyimg rules')", id))
		}
	}

	var (
		all      []report.Finding
		inputErr error
		thresh   = report.SeverityError
	)
	for _, arg := range args {
		path, src, err := readDockerfileArg(arg, a.env.Stdin)
		if err != nil {
			return inputError(err)
		}
		dir := fl.context
		if dir == "" && path != "-" {
			dir = filepath.Dir(path)
		}
		cfg := lint.DefaultConfig()
		if dir != "" {
			if cfg, err = lint.LoadConfig(dir); err != nil {
				return inputError(err)
			}
		}
		thresh = cfg.FailOn
		cfg.Ignore = append(cfg.Ignore, fl.ignore...)
		var bc *dockerfile.Context
		if dir != "" {
			df := path
			if df == "-" {
				df = ""
			}
			if bc, err = dockerfile.LoadContext(dir, df); err != nil {
				return inputError(fmt.Errorf("reading build context %s: %w", dir, err))
			}
		}
		l := lint.New(ruleSet, lint.WithToday(now), lint.WithConfig(cfg), lint.WithTarget(fl.target))
		a.log.Debug("linting", "file", path, "context", dir, "config", cfg.Path)
		fs, err := l.LintBytes(cmd.Context(), displayPath(path), src, bc)
		all = append(all, fs...)
		if err != nil {
			var pe *dockerfile.ParseError
			if !errors.As(err, &pe) {
				return inputError(fmt.Errorf("%s: %w", displayPath(path), err))
			}
			if inputErr == nil {
				inputErr = err
			}
		}
	}
	if fl.failOn != "" {
		thresh = failOn
	}
	out := cmd.OutOrStdout()
	if err := a.writeFindings(out, fl.format, known, all, thresh); err != nil && inputErr == nil {
		return err
	}
	return inputError(inputErr)
}

// readDockerfileArg resolves a lint argument: "-" (stdin), a directory
// (its Dockerfile, else Containerfile) or a file.
func readDockerfileArg(arg string, stdin io.Reader) (string, []byte, error) {
	if arg == "-" {
		b, err := io.ReadAll(io.LimitReader(stdin, 16<<20))
		return "-", b, err
	}
	path := arg
	if st, err := os.Stat(arg); err == nil && st.IsDir() {
		path = filepath.Join(arg, "Dockerfile")
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if _, err := os.Stat(filepath.Join(arg, "Containerfile")); err == nil {
				path = filepath.Join(arg, "Containerfile")
			}
		}
	}
	b, err := safefile.Read(path, maxUserFile)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", nil, fmt.Errorf("%s: no such Dockerfile", path)
		}
		return "", nil, err
	}
	if err := dockerfile.CheckLineLengths(path, b); err != nil {
		return "", nil, err
	}
	return path, b, nil
}

func displayPath(p string) string {
	if p == "-" {
		return "<stdin>"
	}
	return filepath.ToSlash(filepath.Clean(p))
}
