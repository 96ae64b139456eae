package rules

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// runtimeRules are PY401–PY406.
func runtimeRules() []lint.Rule {
	return []lint.Rule{
		rule{meta: report.Rule{
			ID: "PY401", Name: "shell-form-cmd", Severity: report.SeverityWarning,
			Summary: "CMD or ENTRYPOINT in shell form.",
			Why: "Shell form runs `/bin/sh -c \"…\"`: sh is PID 1 and does not forward SIGTERM, so `docker stop` and " +
				"Kubernetes wait the full grace period (10–30 s) and SIGKILL the app: no graceful shutdown, dropped requests, lost Celery tasks.",
			Fix:  "Use exec form: `CMD [\"gunicorn\", \"app:app\"]`, or prefix the shell form with `exec`.",
			Bad:  pyFrom + "CMD gunicorn --bind 0.0.0.0:8000 app:app\n",
			Good: pyFrom + "CMD [\"gunicorn\", \"--bind\", \"0.0.0.0:8000\", \"app:app\"]\n",
		}, check: checkShellFormCmd},
		rule{meta: report.Rule{
			ID: "PY402", Name: "python-unbuffered", Severity: report.SeverityInfo,
			Summary: "The final stage does not set PYTHONUNBUFFERED.",
			Why: "When stdout is not a TTY Python block-buffers it: log lines appear late in `docker logs`, and the " +
				"last lines before a crash or OOM kill are lost.",
			Fix:  "Add `ENV PYTHONUNBUFFERED=1` to the final stage (or run `python -u`).",
			Bad:  pyFrom + "CMD [\"python\", \"-m\", \"app\"]\n",
			Good: pyFrom + "ENV PYTHONUNBUFFERED=1\nCMD [\"python\", \"-m\", \"app\"]\n",
		}, check: checkUnbuffered},
		rule{meta: report.Rule{
			ID: "PY403", Name: "pipe-without-pipefail", Severity: report.SeverityWarning,
			Summary: "RUN pipes commands without pipefail.",
			Why: "/bin/sh reports only the last command's status: in `curl -fsSL $URL | tar xz` a 404 or a cut " +
				"connection is ignored and the build succeeds with a missing or truncated file.",
			Fix: "Set `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before the RUN. Starting the RUN with " +
				"`set -o pipefail &&` works on Alpine (busybox ash), but on Debian-based images /bin/sh is dash, which (in bookworm at least) rejects the option and fails the build.",
			Bad: pyFrom + "RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /opt\n",
			Good: pyFrom + "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n" +
				"RUN curl -fsSL https://example.com/tool.tar.gz | tar -xz -C /opt\n",
		}, check: checkPipefail},
		rule{meta: report.Rule{
			ID: "PY404", Name: "expose-without-healthcheck", Severity: report.SeverityInfo,
			Summary: "A service is exposed but the image has no HEALTHCHECK.",
			Why: "Without a health check Docker and Compose report a hung or deadlocked server (exhausted worker pool, " +
				"stuck event loop) as running and keep sending it traffic.",
			Fix: "Add a HEALTHCHECK that hits the app, e.g. `HEALTHCHECK CMD [\"python\", \"-c\", " +
				"\"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]`, or `HEALTHCHECK NONE` when the orchestrator probes instead.",
			Bad: pyFrom + "EXPOSE 8000\nCMD [\"gunicorn\", \"app:app\"]\n",
			Good: pyFrom + "EXPOSE 8000\nHEALTHCHECK CMD [\"python\", \"-c\", \"import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')\"]\n" +
				"CMD [\"gunicorn\", \"app:app\"]\n",
		}, check: checkHealthcheck},
		rule{meta: report.Rule{
			ID: "PY405", Name: "cd-in-run", Severity: report.SeverityInfo,
			Summary: "A RUN ends with cd: the directory change is lost.",
			Why: "A cd lasts only for its RUN: `RUN cd /app` followed by `RUN pip install -e .` installs from the previous " +
				"working directory, not /app. (`RUN cd /src && make` is fine: the change is used within the RUN.)",
			Fix:  "Use `WORKDIR /app` for the instructions that follow.",
			Bad:  pyFrom + "COPY . /app\nRUN cd /app\nRUN pip install --no-cache-dir .\n",
			Good: pyFrom + "WORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n",
		}, check: checkCd},
		rule{meta: report.Rule{
			ID: "PY406", Name: "relative-workdir", Severity: report.SeverityWarning,
			Summary: "WORKDIR with a relative path.",
			Why: "A relative WORKDIR is joined to the previous one, which may come from the base image: " +
				"`WORKDIR app` is /app on python:3.12 but /home/nonroot/app on another base, so COPY and CMD paths silently move.",
			Fix:  "Use an absolute path: `WORKDIR /app`.",
			Bad:  pyFrom + "WORKDIR app\n",
			Good: pyFrom + "WORKDIR /app\n",
		}, check: checkRelativeWorkdir},
	}
}

// effective returns the last instruction of kind in the target's FROM chain.
func effective(c *lint.Context, kind string) *dockerfile.Instruction {
	var last *dockerfile.Instruction
	for _, in := range finalInstructions(c) {
		if in.Kind == kind {
			last = in
		}
	}
	return last
}

func checkShellFormCmd(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	ep := effective(c, dockerfile.KindEntrypoint)
	cmd := effective(c, dockerfile.KindCmd)
	check := func(in *dockerfile.Instruction) {
		if in == nil || in.JSON {
			return
		}
		line := strings.TrimSpace(strings.Join(in.Command, " "))
		if line == "" || strings.HasPrefix(line, "exec ") {
			return
		}
		fix := fmt.Sprintf("Start it with `exec` (`%s exec %s`) so the program replaces the shell, or use a JSON-form entrypoint script.", in.Kind, line)
		if ef, ok := execForm(line); ok {
			fix = fmt.Sprintf("Write it in exec form: `%s %s`.", in.Kind, ef)
		}
		out = append(out, lint.Finding(m, in,
			fmt.Sprintf("%s in shell form runs under /bin/sh -c; %q will not receive SIGTERM", in.Kind, firstWord(line)), fix))
	}
	check(ep)
	// A shell-form ENTRYPOINT ignores CMD; otherwise CMD matters.
	if ep == nil || ep.JSON {
		check(cmd)
	}
	return out
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

// execForm renders a command line as a JSON array when that means the same
// thing: one simple command without variables, globs or redirections.
func execForm(line string) (string, bool) {
	s, err := shell.Parse(line)
	if err != nil || len(s.Commands) != 1 {
		return "", false
	}
	c := s.Commands[0]
	if len(c.Env) > 0 || len(c.Redirects) > 0 || len(c.Wrappers) > 0 || c.Background {
		return "", false
	}
	var q []string
	for _, a := range c.Argv() {
		if strings.ContainsAny(a, "$`*?~") {
			return "", false
		}
		q = append(q, fmt.Sprintf("%q", a))
	}
	return "[" + strings.Join(q, ", ") + "]", true
}

// rePythonApp matches commands that run Python.
var rePythonApp = regexp.MustCompile(`(?i)\b(python[0-9.]*|gunicorn|uvicorn|hypercorn|daphne|celery|flask|django-admin|manage\.py|waitress-serve|granian|streamlit|fastapi|\.py)\b`)

// runsPython reports whether the target image looks like a Python app: its
// base is a python image or its CMD/ENTRYPOINT runs Python.
func runsPython(c *lint.Context) bool {
	chain := finalChain(c)
	root := chain[0]
	if root.IsImage() && strings.Contains(strings.ToLower(root.Ref().Repository), "python") {
		return true
	}
	for _, k := range []string{dockerfile.KindCmd, dockerfile.KindEntrypoint} {
		if in := effective(c, k); in != nil && rePythonApp.MatchString(strings.Join(in.Command, " ")) {
			return true
		}
	}
	return false
}

func checkUnbuffered(m report.Rule, c *lint.Context) []report.Finding {
	if len(c.File.Stages) == 0 || !runsPython(c) {
		return nil
	}
	t := target(c)
	if v := t.Final.Env.Get("PYTHONUNBUFFERED"); v != "" {
		return nil
	}
	for _, k := range []string{dockerfile.KindCmd, dockerfile.KindEntrypoint} {
		if in := effective(c, k); in != nil {
			for _, a := range in.Command {
				for _, f := range strings.Fields(a) {
					if f == "-u" {
						return nil
					}
				}
			}
		}
	}
	return []report.Finding{lint.Finding(m, t.From,
		fmt.Sprintf("final %s does not set PYTHONUNBUFFERED; logs are block-buffered and lost on a crash", stageName(t)),
		"Add `ENV PYTHONUNBUFFERED=1`.")}
}

// noPipefailNeeded are commands whose failure a pipe can't hide in a way
// that matters: they only print a literal.
var noPipefailNeeded = map[string]bool{"echo": true, "printf": true, "yes": true, "true": true}

func checkPipefail(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range c.Stages() {
		for _, in := range s.Instructions {
			if in.Kind != dockerfile.KindRun {
				continue
			}
			sh := in.State.Shell
			if !in.JSON && len(sh) > 0 && !isShellName(sh[0]) {
				continue // e.g. SHELL ["pwsh", "-Command"]
			}
			if msg := unsafePipe(runScripts(in)); msg != "" {
				out = append(out, lint.Finding(m, in,
					fmt.Sprintf("RUN pipes `%s` without pipefail; a failure of %s is ignored", msg, firstWord(msg)),
					"Add `SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]` before this RUN (on Debian /bin/sh is dash, which may reject `set -o pipefail`)."))
			}
		}
	}
	return out
}

// unsafePipe returns the first pipeline (rendered) whose failures are
// masked because pipefail is off.
func unsafePipe(scripts []*shell.Script) string {
	for _, s := range scripts {
		for _, cmd := range s.Commands {
			if cmd.PipeIndex != 0 || !cmd.Piped() || cmd.Pipefail || cmd.Nesting == shell.NestCmdSubst {
				continue
			}
			var parts []string
			masked := false
			for _, d := range append([]shell.Command{cmd}, s.PipedTo(cmd)...) {
				parts = append(parts, d.String())
				if d.PipeIndex < d.PipeLen-1 && !noPipefailNeeded[d.Name] {
					masked = true
				}
			}
			if masked {
				return strings.Join(parts, " | ")
			}
		}
	}
	return ""
}

func checkHealthcheck(m report.Rule, c *lint.Context) []report.Finding {
	var expose *dockerfile.Instruction
	for _, in := range finalInstructions(c) {
		switch in.Kind {
		case dockerfile.KindHealthcheck:
			return nil
		case dockerfile.KindExpose:
			if expose == nil {
				expose = in
			}
		}
	}
	if expose == nil {
		return nil
	}
	return []report.Finding{lint.Finding(m, expose,
		fmt.Sprintf("EXPOSE %s without a HEALTHCHECK; a hung server still counts as healthy", strings.Join(expose.Args, " ")),
		"Add a HEALTHCHECK that requests the app's health endpoint (or `HEALTHCHECK NONE` if the orchestrator probes it).")}
}

// isTempDir reports cd targets that are scratch space: /tmp, /var/tmp or a
// mktemp result.
func isTempDir(p string) bool {
	return p == "/tmp" || strings.HasPrefix(p, "/tmp/") || p == "/var/tmp" || strings.HasPrefix(p, "/var/tmp/") ||
		strings.Contains(p, "mktemp") || p == "-" || p == ".." || p == "/"
}

// checkCd reports a cd whose directory change is lost: the last command
// of a RUN (`RUN cd /app`, `RUN make && cd /srv`). `cd x && cmd` within one
// RUN is idiomatic and works.
func checkCd(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range c.Stages() {
		for _, in := range s.Instructions {
			if in.Kind != dockerfile.KindRun {
				continue
			}
			var last *shell.Command
			cmds := runCommands(c, in)
			for i := range cmds {
				if cmds[i].Nesting == shell.NestNone {
					last = &cmds[i]
				}
			}
			if last == nil || last.Name != "cd" {
				continue
			}
			dir := ""
			if len(last.Args) > 0 {
				dir = last.Args[len(last.Args)-1]
			}
			if isTempDir(dir) {
				continue
			}
			fix := "Use `WORKDIR " + dir + "` before the instructions that need it."
			if !path.IsAbs(dir) {
				fix = "Use WORKDIR with an absolute path before the instructions that need it."
			}
			out = append(out, lint.Finding(m, in,
				fmt.Sprintf("RUN ends with `cd %s`; the directory change is lost when the RUN ends and later instructions still run in %s", dir, workdirOr(in.State.Workdir)), fix))
		}
	}
	return out
}

func workdirOr(w string) string {
	if w == "" {
		return "the base image's working directory"
	}
	return w
}

func checkRelativeWorkdir(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range c.Stages() {
		for _, in := range s.Instructions {
			if in.Kind != dockerfile.KindWorkdir {
				continue
			}
			// Judge the value BuildKit uses: WORKDIR "$CODE_DIR" with
			// ENV CODE_DIR=/code is absolute. An unknown variable
			// (WORKDIR $HOME from the base image) cannot be judged.
			p := in.ExpandedPath
			if p == "" {
				p = in.Path
			}
			if p == "" || path.IsAbs(p) || strings.Contains(p, "$") {
				continue
			}
			out = append(out, lint.Finding(m, in,
				fmt.Sprintf("WORKDIR %s is relative; it resolves against the previous WORKDIR, possibly the base image's", in.Path),
				fmt.Sprintf("Use an absolute path, e.g. `WORKDIR /%s`.", strings.TrimPrefix(p, "./"))))
		}
	}
	return out
}
