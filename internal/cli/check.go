package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/check"
	"github.com/pyimg/pyimg/project"
	"github.com/pyimg/pyimg/pypi"
	"github.com/pyimg/pyimg/report"
)

type checkFlags struct {
	format   string
	now      string
	indexURL string
	arch     string
}

func newCheckCmd(a *app) *cobra.Command {
	var fl checkFlags
	cmd := &cobra.Command{
		Use:   "check [DIR]",
		Short: "Look at a Python project and say what its image needs, then what to do next",
		Long: `Check is the first command to run on a Python project. It detects the project
(pyproject.toml for PEP 621, Poetry, PDM, Hatch, uv and Flit; uv.lock,
poetry.lock, pdm.lock, pylock.toml, Pipfile.lock; requirements*.txt with their
includes and hashes; .python-version; the framework, entry point and port),
lints its Dockerfiles, recommends the base images with reasons, judges whether
the dependencies install on musl (Alpine), lists the system packages they need,
and ends with a numbered list of commands to run next.

It works offline from pyimg's embedded data and caches; no file is executed.
The musl verdict ranks each locked file against the compatible wheel tags of
the recommended Python on Alpine (Python version, ABI, musl version and
architecture); for packages whose lock lists no files it reads the package
index cache, and asks the index itself only with --index-url.
Exit codes: 0 ok; 1 a Dockerfile has lint findings at or above the project's
fail-on threshold; 2 unparsable or contradictory project files (with file:line).`,
		Example: `  pyimg check
  pyimg check examples/fastapi-uv
  pyimg check --format json . | jq .project.app`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return a.runCheck(cmd, fl, dir)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text or json")
	f.StringVar(&fl.now, "now", "", "date for support windows, YYYY-MM-DD or RFC 3339 (default: now)")
	f.StringVar(&fl.indexURL, "index-url", "", "ask this PEP 691/503 index for the files of locked packages the lock lists none for (default: offline, the index cache only)")
	f.StringVar(&fl.arch, "arch", "x86_64", "machine the musl verdict is for: x86_64, aarch64, ...")
	return cmd
}

func (a *app) runCheck(cmd *cobra.Command, fl checkFlags, dir string) error {
	if err := checkFormat(fl.format, "text", "json"); err != nil {
		return err
	}
	now, err := a.parseNow(fl.now)
	if err != nil {
		return err
	}
	copts := []check.Option{check.WithNow(now), check.WithKnowledge(a.knowledge()), check.WithGetenv(a.env.Getenv), check.WithArch(fl.arch)}
	popts := []pypi.ClientOption{pypi.WithOffline(fl.indexURL == ""), pypi.WithUserAgent("pyimg/" + a.env.Version)}
	if fl.indexURL != "" {
		popts = append(popts, pypi.WithIndexURL(fl.indexURL))
	}
	if index, err := pypi.NewClient(popts...); err == nil {
		copts = append(copts, check.WithIndex(index))
	} else {
		a.log.Debug("no package index cache", "err", err)
	}
	r, err := check.Run(cmd.Context(), dir, copts...)
	if err != nil {
		var ie *project.InputError
		if errors.As(err, &ie) {
			return inputError(err)
		}
		return runtimeError(err)
	}
	out := cmd.OutOrStdout()
	if fl.format == "json" {
		if err := report.EncodeJSON(out, r); err != nil {
			return runtimeError(fmt.Errorf("writing report: %w", err))
		}
	} else {
		writeCheck(out, r, a.color(out))
	}
	if r.Failed {
		return errFindings
	}
	return nil
}

// painter colours text when enabled.
type painter bool

func (p painter) paint(code, s string) string {
	if !p {
		return s
	}
	return code + s + "\x1b[0m"
}

func (p painter) head(s string) string { return p.paint("\x1b[1m", s) }

func writeCheck(w io.Writer, r *check.Report, color bool) {
	c := painter(color)
	p := r.Project
	name := p.Name
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(w, "%s %s\n", c.head("project:"), name+versionSuffix(p.Version)+" in "+r.Dir)
	field := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-17s %s\n", k+":", v)
		}
	}
	if p.Manager == "" {
		fmt.Fprintln(w, "  no pyproject.toml, setup.py, setup.cfg, requirements or lock file found")
	}
	field("manager", p.Manager)
	field("build backend", p.BuildBackend)
	if p.RequiresPython != "" {
		field("requires-python", fmt.Sprintf("%s (%s)", p.RequiresPython, p.RequiresPythonFrom))
	}
	field(".python-version", p.PythonVersion)
	var deps []string
	for _, d := range p.Dependencies {
		deps = append(deps, d.String())
	}
	field("dependencies", fmt.Sprintf("%d declared%s", len(deps), listSuffix(deps, 6)))
	for _, l := range p.Locks {
		field("lock", fmt.Sprintf("%s: %d packages", l.File, len(l.Packages)))
	}
	for _, rq := range p.Requirements {
		hashes := "no hashes"
		if rq.HashesComplete() {
			hashes = "every requirement hashed"
		}
		field("requirements", fmt.Sprintf("%s: %d requirements (%s), %s", rq.File, len(rq.Requirements), strings.Join(rq.Files, ", "), hashes))
	}
	app := p.App
	if app.Framework != "" {
		desc := app.Framework
		if app.Server != "" {
			desc += " on " + app.Server
		}
		field("app", fmt.Sprintf("%s, %s", desc, app.Target))
		field("command", strings.Join(app.Command, " "))
		if app.Port > 0 {
			field("port", fmt.Sprintf("%d (%s)", app.Port, app.PortFrom))
		}
		field("settings", app.DjangoSettings)
	} else {
		field("app", "no entry point found")
	}

	fmt.Fprintf(w, "\n%s\n", c.head("dockerfiles:"))
	if len(r.Lint) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, l := range r.Lint {
		counts := map[report.Severity]int{}
		for _, f := range l.Findings {
			counts[f.Severity]++
		}
		fmt.Fprintf(w, "  %s: %d errors, %d warnings, %d info\n", l.File, counts[report.SeverityError], counts[report.SeverityWarning], counts[report.SeverityInfo])
		for _, f := range l.Findings {
			if f.Severity < report.SeverityWarning {
				continue
			}
			sev := c.paint("\x1b[33m", f.Severity.String())
			if f.Severity >= report.SeverityError {
				sev = c.paint("\x1b[31;1m", f.Severity.String())
			}
			fmt.Fprintf(w, "    %s %s %s %s\n", f.Location(), sev, f.Rule, f.Message)
		}
	}

	fmt.Fprintf(w, "\n%s\n", c.head("base image:"))
	if r.Base.Error != "" {
		fmt.Fprintf(w, "  none: %s\n", r.Base.Error)
	} else {
		fmt.Fprintf(w, "  build:   %s\n  runtime: %s\n  python %s on %s, %s (offline: digests not resolved)\n", r.Base.Build, r.Base.Runtime, r.Base.Python, r.Base.OS, r.Base.Libc)
		for _, reason := range r.Base.Reasons[:min(3, len(r.Base.Reasons))] {
			fmt.Fprintf(w, "  - %s\n", reason)
		}
	}
	for _, s := range r.Data.Stale {
		fmt.Fprintf(w, "  %s %s\n", c.paint("\x1b[33m", "note:"), s)
	}

	fmt.Fprintf(w, "\n%s %s (%s)\n", c.head("musl (alpine):"), r.Musl.Verdict, r.Musl.Source)
	for _, m := range r.Musl.Packages {
		if m.Status == check.StatusSource || m.Status == check.StatusImpossible || m.Status == check.StatusUnknown {
			ev := ""
			if len(m.Evidence) > 0 {
				ev = ": " + strings.Join(m.Evidence[:min(2, len(m.Evidence))], ", ")
			}
			fmt.Fprintf(w, "  %s %s: %s%s\n", m.Name, m.Version, m.Status, ev)
		}
	}

	fmt.Fprintf(w, "\n%s\n", c.head("native needs:"))
	if len(r.Native) == 0 {
		fmt.Fprintln(w, "  none known")
	}
	for _, n := range r.Native {
		fmt.Fprintf(w, "  %s: build %s; runtime %s (%s)\n", n.Package, orNone(n.BuildPackages), orNone(n.RuntimePackages), n.Reason)
	}

	fmt.Fprintf(w, "\n%s\n", c.head("next:"))
	for i, s := range r.Next {
		fmt.Fprintf(w, "  %d. %s\n     %s\n", i+1, c.paint("\x1b[1m", s.Command), s.Why)
	}
}

func versionSuffix(v string) string {
	if v == "" {
		return ""
	}
	return " " + v
}

func listSuffix(items []string, n int) string {
	if len(items) == 0 {
		return ""
	}
	if len(items) > n {
		return fmt.Sprintf(": %s, … (+%d)", strings.Join(items[:n], ", "), len(items)-n)
	}
	return ": " + strings.Join(items, ", ")
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " ")
}
