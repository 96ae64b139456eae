// Package lint checks parsed Dockerfiles against a set of rules. A Linter is
// built from an explicit rule list (see package lint/rules), applies
// suppression comments and configuration, and returns findings sorted by
// file, line and rule.
//
//	l := lint.New(rules.All(nil), lint.WithToday(now))
//	findings, err := l.LintFile(ctx, "Dockerfile")
//
// A Dockerfile that does not parse yields both a PY505 finding (so JSON and
// SARIF output show it with its line) and the *dockerfile.ParseError, which
// callers map to a usage error. Suppression comments directly above an
// instruction ("# pyimg: ignore=PY301,PY302") silence rules for that
// instruction; "# pyimg: global ignore=PY104" anywhere silences them for
// the file. Configuration comes from .pyimg.toml ([lint]) or pyproject.toml
// ([tool.pyimg.lint]) in the build context, or from WithConfig.
package lint

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/report"
)

// Rule is one check. Meta describes it; Check returns its findings for one
// Dockerfile. Check may leave Name, Severity and File of its findings empty:
// the Linter fills them from Meta, the configuration and the file.
type Rule interface {
	Meta() report.Rule
	Check(c *Context) []report.Finding
}

// Context is what a rule sees: the parsed file, its build context and the
// lint settings. Rules must not modify it.
type Context struct {
	// File is the parsed Dockerfile.
	File *dockerfile.File
	// Build is the build context; nil when unknown (e.g. stdin).
	Build *dockerfile.Context
	// Target is the stage being built: the --target stage or the last one.
	Target *dockerfile.Stage
	// Today is the date lifecycle rules compare against.
	Today time.Time
	// Config is the lint configuration in effect.
	Config Config

	memo map[any]any
}

// Memo returns the value cached under key for this lint run, computing it
// with compute on first use, so rules can share derived data (parsed base
// images, say) without recomputing it. Keys should be unexported types of
// the caller's package, as with context.Context values.
func (c *Context) Memo(key any, compute func() any) any {
	if v, ok := c.memo[key]; ok {
		return v
	}
	v := compute()
	if c.memo == nil {
		c.memo = map[any]any{}
	}
	c.memo[key] = v
	return v
}

// Finding returns a finding of rule m at instruction in, with message and fix.
func Finding(m report.Rule, in *dockerfile.Instruction, msg, fix string) report.Finding {
	f := report.Finding{Rule: m.ID, Name: m.Name, Severity: m.Severity, Message: msg, Fix: fix}
	if in != nil {
		f.Line, f.EndLine = in.StartLine, in.EndLine
	}
	return f
}

// Stages returns the stages the target build needs (the target, its FROM
// chain and the stages it copies from), in file order.
// The result is computed once per lint run and shared: callers must not
// modify it.
func (c *Context) Stages() []*dockerfile.Stage {
	if c.Target == nil {
		return c.File.Stages
	}
	return c.Memo(stagesKey{}, func() any {
		var out []*dockerfile.Stage
		for _, i := range c.File.Deps(c.Target) {
			out = append(out, c.File.Stages[i])
		}
		return out
	}).([]*dockerfile.Stage)
}

type stagesKey struct{}

// IsTarget reports whether s is the stage being built.
func (c *Context) IsTarget(s *dockerfile.Stage) bool {
	return c.Target != nil && s.Index == c.Target.Index
}

// Option configures a Linter.
type Option func(*options)

type options struct {
	today    time.Time
	config   *Config
	target   string
	buildDir string
}

// WithToday sets the date lifecycle rules compare against (default: the
// time New was called).
func WithToday(t time.Time) Option { return func(o *options) { o.today = t } }

// WithConfig sets the configuration instead of loading it from the build
// context directory.
func WithConfig(c Config) Option { return func(o *options) { o.config = &c } }

// WithTarget selects the stage being built, like docker build --target.
func WithTarget(stage string) Option { return func(o *options) { o.target = stage } }

// WithContextDir sets the build context directory LintFile reads
// .dockerignore and configuration from (default: the Dockerfile's
// directory).
func WithContextDir(dir string) Option { return func(o *options) { o.buildDir = dir } }

// Linter runs a fixed set of rules. It is safe for concurrent use.
type Linter struct {
	rules []Rule
	metas map[string]report.Rule
	opts  options
}

// New returns a Linter running rules.
func New(rules []Rule, opts ...Option) *Linter {
	l := &Linter{rules: rules, metas: map[string]report.Rule{}}
	for _, o := range opts {
		o(&l.opts)
	}
	if l.opts.today.IsZero() {
		l.opts.today = time.Now().UTC()
	}
	pe := ParseErrorRule()
	l.metas[pe.ID] = pe
	for _, r := range rules {
		m := r.Meta()
		l.metas[m.ID] = m
	}
	return l
}

// Rules returns the catalogue of rules the Linter knows, PY505 included,
// sorted by ID.
func (l *Linter) Rules() []report.Rule {
	out := make([]report.Rule, 0, len(l.metas))
	for _, m := range l.metas {
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b report.Rule) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// LintFile parses and lints the Dockerfile at path. The build context is
// the Dockerfile's directory unless WithContextDir says otherwise; the
// configuration is loaded from it unless WithConfig was given.
//
// A Dockerfile that does not parse yields a PY505 finding and the
// *dockerfile.ParseError; other errors (unreadable file, bad configuration)
// return no findings.
func (l *Linter) LintFile(ctx context.Context, path string) ([]report.Finding, error) {
	dir := l.opts.buildDir
	if dir == "" {
		dir = filepath.Dir(path)
	}
	cfg, err := l.config(dir)
	if err != nil {
		return nil, err
	}
	bc, err := dockerfile.LoadContext(dir, path)
	if err != nil {
		return nil, err
	}
	f, err := dockerfile.ParseFile(path)
	if err != nil {
		return l.parseFailed(err, cfg)
	}
	return l.lint(ctx, f, bc, cfg)
}

// LintBytes parses and lints src, named path in findings, with build
// context bc (nil if unknown). Configuration comes from WithConfig, else
// from bc's directory, else defaults.
func (l *Linter) LintBytes(ctx context.Context, path string, src []byte, bc *dockerfile.Context) ([]report.Finding, error) {
	cfg, err := l.configFor(bc)
	if err != nil {
		return nil, err
	}
	f, err := dockerfile.Parse(path, src)
	if err != nil {
		return l.parseFailed(err, cfg)
	}
	return l.lint(ctx, f, bc, cfg)
}

// Lint lints an already parsed file with build context bc (nil if unknown).
func (l *Linter) Lint(ctx context.Context, f *dockerfile.File, bc *dockerfile.Context) ([]report.Finding, error) {
	cfg, err := l.configFor(bc)
	if err != nil {
		return nil, err
	}
	return l.lint(ctx, f, bc, cfg)
}

func (l *Linter) configFor(bc *dockerfile.Context) (Config, error) {
	if l.opts.config == nil && bc != nil && bc.Dir != "" {
		return l.config(bc.Dir)
	}
	return l.config("")
}

func (l *Linter) config(dir string) (Config, error) {
	cfg := DefaultConfig()
	if l.opts.config != nil {
		cfg = *l.opts.config
	} else if dir != "" {
		c, err := LoadConfig(dir)
		if err != nil {
			return Config{}, err
		}
		cfg = c
	}
	if err := l.validate(cfg); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// validate checks that the configuration only names rules the Linter has.
func (l *Linter) validate(cfg Config) error {
	where := cfg.Path
	if where == "" {
		where = "lint configuration"
	}
	for _, id := range cfg.Ignore {
		if _, ok := l.metas[id]; !ok {
			return fmt.Errorf("%s: ignore: unknown rule %q", where, id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(cfg.Severity)) {
		if _, ok := l.metas[id]; !ok {
			return fmt.Errorf("%s: severity: unknown rule %q", where, id)
		}
	}
	return nil
}

func (l *Linter) parseFailed(err error, cfg Config) ([]report.Finding, error) {
	var pe *dockerfile.ParseError
	if !errors.As(err, &pe) {
		return nil, err
	}
	m := ParseErrorRule()
	f := report.Finding{
		Rule: m.ID, Name: m.Name, Severity: m.Severity,
		File: pe.File, Line: pe.Line, EndLine: pe.EndLine,
		Message: "Dockerfile does not parse: " + pe.Msg,
		Fix:     "Correct the instruction at this line; `docker build` rejects the file as well.",
	}
	fs := l.finish([]report.Finding{f}, nil, cfg)
	return fs, err
}

func (l *Linter) lint(ctx context.Context, f *dockerfile.File, bc *dockerfile.Context, cfg Config) ([]report.Finding, error) {
	target, err := f.Target(l.opts.target)
	if err != nil {
		return nil, err
	}
	c := &Context{File: f, Build: bc, Target: target, Today: l.opts.today, Config: cfg}
	var out []report.Finding
	for _, r := range l.rules {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m := r.Meta()
		if slices.Contains(cfg.Ignore, m.ID) {
			continue
		}
		for _, fd := range r.Check(c) {
			if fd.Rule == "" {
				fd.Rule = m.ID
			}
			out = append(out, fd)
		}
	}
	return l.finish(out, f, cfg), nil
}

// finish fills names, severities and file, drops suppressed findings and
// sorts.
func (l *Linter) finish(fs []report.Finding, f *dockerfile.File, cfg Config) []report.Finding {
	sup := newSuppressions(f)
	out := fs[:0]
	for _, fd := range fs {
		if slices.Contains(cfg.Ignore, fd.Rule) || sup.suppressed(fd.Rule, fd.Line) {
			continue
		}
		m := l.metas[fd.Rule]
		if fd.Name == "" {
			fd.Name = m.Name
		}
		if fd.Severity == report.SeverityUnknown {
			fd.Severity = m.Severity
		}
		if s, ok := cfg.Severity[fd.Rule]; ok {
			fd.Severity = s
		}
		if fd.File == "" && f != nil {
			fd.File = f.Path
		}
		out = append(out, fd)
	}
	Sort(out)
	return out
}

// Sort orders findings by file, line, rule and message.
func Sort(fs []report.Finding) {
	slices.SortStableFunc(fs, func(a, b report.Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Rule, b.Rule),
			strings.Compare(a.Message, b.Message),
		)
	})
}

// ParseErrorRule describes PY505, the finding for a Dockerfile that does
// not parse.
func ParseErrorRule() report.Rule {
	return report.Rule{
		ID:       "PY505",
		Name:     "dockerfile-parse-error",
		Severity: report.SeverityError,
		Summary:  "The Dockerfile does not parse.",
		Why: "BuildKit rejects the file before building anything (e.g. `unknown instruction: RUNN`), " +
			"so no other rule can check it and CI fails at build time instead of at review.",
		Fix:  "Correct the reported line; run `docker build --check .` to confirm BuildKit accepts it.",
		Bad:  "FROM python:3.12.7-slim-bookworm\nRUNN pip install flask\n",
		Good: "FROM python:3.12.7-slim-bookworm\nRUN pip install flask\n",
	}
}
