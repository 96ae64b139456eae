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

// habitRules are checks of build-script habits seen in real Dockerfiles:
// PY407 (heredoc without set -e), PY408 (RUN export), PY209 (unpinned VCS
// sources), PY210 (downloaded executables without a checksum) and PY504
// (pipenv --system without --deploy).
func habitRules() []lint.Rule {
	return []lint.Rule{
		rule{meta: report.Rule{
			ID: "PY407", Name: "heredoc-without-errexit", Severity: report.SeverityWarning,
			Summary: "A heredoc RUN script runs several commands without `set -e`.",
			Why: "A heredoc is run as a script: unlike `cmd1 && cmd2`, a failing step is ignored and the build goes on, " +
				"so only the last command decides whether the RUN fails and a broken `pip install` or `curl` leaves a half-built image.",
			Fix:  "Start the script with `set -eux` (or `set -e`), or run it with `RUN bash -e <<EOF`.",
			Bad:  pyFrom + "RUN <<EOF\napt-get update\napt-get install -y --no-install-recommends libpq5\nrm -rf /var/lib/apt/lists/*\nEOF\n",
			Good: pyFrom + "RUN <<EOF\nset -eux\napt-get update\napt-get install -y --no-install-recommends libpq5\nrm -rf /var/lib/apt/lists/*\nEOF\n",
		}, check: checkHeredocErrexit},
		rule{meta: report.Rule{
			ID: "PY408", Name: "export-in-run", Severity: report.SeverityWarning,
			Summary: "A RUN exports a variable as its last effect; it is lost when the RUN ends.",
			Why: "Each RUN is a new shell: `RUN export PATH=/opt/venv/bin:$PATH` sets nothing for later instructions " +
				"or for the container, so later steps silently use the system interpreter.",
			Fix:  "Use `ENV NAME=value` for values later instructions or the container need.",
			Bad:  pyFrom + "RUN export PATH=/opt/venv/bin:$PATH\n",
			Good: pyFrom + "ENV PATH=/opt/venv/bin:$PATH\n",
		}, check: checkExportInRun},
		rule{meta: report.Rule{
			ID: "PY209", Name: "unpinned-vcs-source", Severity: report.SeverityWarning,
			Summary: "pip installs from a Git URL without a commit or tag, or `git clone` builds a branch head.",
			Why: "A branch moves: the same Dockerfile builds different code on each run, a force-push or a compromised " +
				"repository goes straight into the image, and the build cannot be reproduced or audited.",
			Fix: "Pin a commit or tag: `pip install git+https://github.com/org/pkg@v1.2.3` (better a full commit hash), " +
				"or `git clone --branch v1.2.3 --depth 1` / `git checkout <commit>` after cloning.",
			Bad:  pyFrom + "RUN pip install --no-cache-dir git+https://github.com/example/pkg.git\n",
			Good: pyFrom + "RUN pip install --no-cache-dir git+https://github.com/example/pkg.git@3f2c1a9d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39\n",
		}, check: checkVCSSources},
		rule{meta: report.Rule{
			ID: "PY210", Name: "download-without-checksum", Severity: report.SeverityWarning,
			Summary: "A binary downloaded with curl or wget is made executable without a checksum check.",
			Why: "Whatever the server returns is run in the image: a compromised release page, a moved tag or a " +
				"man-in-the-middle on a mirror changes the binary and nothing in the build notices.",
			Fix:  "Verify the download before use: `echo \"<sha256>  /usr/local/bin/tool\" | sha256sum -c -`, or use `ADD --checksum=sha256:<hash> URL DEST`.",
			Bad:  pyFrom + "RUN curl -fsSLo /usr/local/bin/tini https://example.com/tini && chmod +x /usr/local/bin/tini\n",
			Good: pyFrom + "RUN curl -fsSLo /usr/local/bin/tini https://example.com/tini \\\n && echo \"93dcc18adc78c65a028a84799ecf8ad40c936fdfc5f2a57b1acda5a8117fa82c  /usr/local/bin/tini\" | sha256sum -c - \\\n && chmod +x /usr/local/bin/tini\n",
		}, check: checkDownloadChecksum},
		rule{meta: report.Rule{
			ID: "PY504", Name: "pipenv-system-without-deploy", Severity: report.SeverityWarning,
			Summary: "`pipenv install --system` without `--deploy`.",
			Why: "Without --deploy pipenv re-resolves silently when Pipfile.lock is out of date with Pipfile, so the image " +
				"gets versions nobody locked or reviewed instead of failing the build.",
			Fix:  "Use `pipenv install --system --deploy` (or `pipenv sync --system`, which installs exactly the lock).",
			Bad:  pyFrom + "COPY Pipfile Pipfile.lock ./\nRUN pip install --no-cache-dir pipenv==2024.4.0 && pipenv install --system\n",
			Good: pyFrom + "COPY Pipfile Pipfile.lock ./\nRUN pip install --no-cache-dir pipenv==2024.4.0 && pipenv install --system --deploy\n",
		}, check: checkPipenvDeploy},
	}
}

// reErrexit matches set -e in any of its spellings.
var reErrexit = regexp.MustCompile(`(?m)^\s*set\s+(-[a-zA-Z]*e[a-zA-Z]*|-o\s+errexit)\b|^#!\S*(sh|bash)\s+-[a-zA-Z]*e`)

func checkHeredocErrexit(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range c.Stages() {
		for _, in := range s.Instructions {
			if in.Kind != dockerfile.KindRun || len(in.Heredocs) == 0 {
				continue
			}
			line := strings.TrimSpace(strings.Join(in.Command, " "))
			if !strings.HasPrefix(line, "<<") && !isShellHeredocRun(line) {
				continue // python3 <<EOF, cat <<EOF > file: not a shell script
			}
			if shell.ShellPipefail(in.State.Shell) && shellHasErrexit(in.State.Shell) || shellFlagE(line) {
				continue
			}
			for _, h := range in.Heredocs {
				sc, err := shell.ParseHeredoc(h.Content)
				if err != nil || sc.Interpreter != "" || reErrexit.MatchString(h.Content) {
					continue
				}
				if topLevelCommands(sc) < 2 {
					continue
				}
				out = append(out, lint.Finding(m, in,
					fmt.Sprintf("RUN <<%s runs %d commands without `set -e`; a failing step before the last one does not fail the build", h.Name, topLevelCommands(sc)),
					"Add `set -eux` as the first line of the heredoc."))
				break
			}
		}
	}
	return out
}

// isShellHeredocRun reports "bash <<EOF" or "sh -x <<EOF".
func isShellHeredocRun(line string) bool {
	f := strings.Fields(line)
	if len(f) == 0 || !isShellName(f[0]) {
		return false
	}
	for _, w := range f[1:] {
		if strings.HasPrefix(w, "<<") {
			return true
		}
		if !strings.HasPrefix(w, "-") {
			return false
		}
	}
	return false
}

// shellFlagE reports "bash -e <<EOF", "sh -eux <<EOF".
func shellFlagE(line string) bool {
	f := strings.Fields(line)
	if len(f) == 0 || !isShellName(f[0]) {
		return false
	}
	for _, w := range f[1:] {
		if strings.HasPrefix(w, "-") && !strings.HasPrefix(w, "--") && strings.ContainsRune(w, 'e') {
			return true
		}
	}
	return false
}

// shellHasErrexit reports a SHELL with -e (["/bin/bash", "-eo", "pipefail", "-c"]).
func shellHasErrexit(sh []string) bool {
	for _, a := range sh[min(1, len(sh)):] {
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.ContainsRune(a, 'e') {
			return true
		}
	}
	return false
}

// topLevelCommands counts the statements of a script that run one after
// the other (separated by newlines or ;), an && or || chain counting once.
func topLevelCommands(s *shell.Script) int {
	n := 0
	for _, c := range s.Commands {
		if c.Nesting == shell.NestNone && (c.Op == shell.OpNone || c.Op == shell.OpSeq) {
			n++
		}
	}
	return n
}

func checkExportInRun(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range c.Stages() {
		for _, in := range s.Instructions {
			if in.Kind != dockerfile.KindRun {
				continue
			}
			// An export is lost when nothing after it in the RUN uses it:
			// only exports and assignments follow.
			cmds := runCommands(c, in)
			var exported []string
			lost := true
			for _, cmd := range cmds {
				if cmd.Nesting != shell.NestNone {
					continue
				}
				if cmd.Name == "export" {
					for _, a := range cmd.Args {
						if k, _, ok := strings.Cut(a, "="); ok {
							exported = append(exported, k)
						}
					}
					continue
				}
				if len(exported) > 0 && cmd.Name != "" {
					lost = false
				}
			}
			if len(exported) == 0 || !lost {
				continue
			}
			out = append(out, lint.Finding(m, in,
				fmt.Sprintf("RUN exports %s and ends; the variable is gone for later instructions and the container", strings.Join(exported, ", ")),
				fmt.Sprintf("Use `ENV %s=…` instead.", exported[0])))
		}
	}
	return out
}

// reCommitish matches a 7–40 digit hex commit or a version-like tag.
var reCommitish = regexp.MustCompile(`^([0-9a-f]{7,40}|v?[0-9]+(\.[0-9]+)*([._-]?[A-Za-z0-9]+)*)$`)

// vcsRef returns the @ref of a pip VCS URL ("git+https://host/r.git@v1#egg=x"),
// "" when there is none.
func vcsRef(u string) string {
	u, _, _ = strings.Cut(u, "#")
	rest := u
	if i := strings.Index(u, "://"); i >= 0 {
		rest = u[i+3:]
	}
	// user@host is not a ref: look after the first slash.
	if i := strings.Index(rest, "/"); i >= 0 {
		rest = rest[i+1:]
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		return rest[i+1:]
	}
	return ""
}

func checkVCSSources(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	eachRun(c, c.Stages(), func(in *dockerfile.Instruction, cmds []shell.Command) {
		var what []string
		for i, cmd := range cmds {
			if p, ok := shell.AsPip(cmd); ok && p.Sub == "install" {
				for _, r := range p.Packages {
					u := r.URL
					if u == "" {
						u = r.Raw
					}
					if !strings.HasPrefix(u, "git+") {
						continue
					}
					if ref := vcsRef(u); ref == "" || !reCommitish.MatchString(ref) || isBranchName(ref) {
						what = append(what, "pip installs "+r.Raw)
					}
				}
			}
			if cmd.Name == "git" && len(cmd.Args) > 0 && cmd.Args[0] == "clone" && !pinnedClone(cmd, cmds[i+1:]) {
				what = append(what, "git clone "+cloneURL(cmd)+" builds a branch head")
			}
		}
		if len(what) > 0 {
			out = append(out, lint.Finding(m, in,
				strings.Join(what, "; ")+"; the code changes between builds",
				"Pin a tag or commit (`…@v1.2.3`, `git clone --branch v1.2.3 --depth 1`, or `git checkout <commit>`)."))
		}
	})
	return out
}

func isBranchName(ref string) bool {
	switch ref {
	case "main", "master", "develop", "dev", "trunk", "HEAD", "stable", "latest", "next":
		return true
	}
	return false
}

func cloneURL(cmd shell.Command) string {
	for _, a := range cmd.Args[1:] {
		if strings.Contains(a, "://") || strings.HasPrefix(a, "git@") {
			return a
		}
	}
	return ""
}

// pinnedClone reports a clone of a tag (--branch v1.2) or one followed by
// a checkout or reset in the same RUN.
func pinnedClone(cmd shell.Command, after []shell.Command) bool {
	for i, a := range cmd.Args {
		v := ""
		switch {
		case (a == "--branch" || a == "-b") && i+1 < len(cmd.Args):
			v = cmd.Args[i+1]
		case strings.HasPrefix(a, "--branch="):
			v = strings.TrimPrefix(a, "--branch=")
		case a == "--revision" || strings.HasPrefix(a, "--revision="):
			return true
		}
		if v != "" {
			return !isBranchName(v) && reCommitish.MatchString(v) && strings.ContainsAny(v, "0123456789")
		}
	}
	for _, c := range after {
		if c.Name == "git" && len(c.Args) > 0 && (c.Args[0] == "checkout" || c.Args[0] == "reset" || c.Args[0] == "switch") ||
			c.Name == "git" && len(c.Args) > 2 && c.Args[0] == "-C" && (c.Args[2] == "checkout" || c.Args[2] == "reset") {
			return true
		}
	}
	return false
}

// reChecksum matches a checksum verification in a script.
var reChecksum = regexp.MustCompile(`\b(sha(1|224|256|384|512)sum|md5sum|b2sum|shasum|gpg|cosign|minisign|openssl\s+dgst)\b`)

func checkDownloadChecksum(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	eachRun(c, c.Stages(), func(in *dockerfile.Instruction, cmds []shell.Command) {
		script := in.Script()
		if reChecksum.MatchString(script) {
			return
		}
		var files []string
		for _, sc := range runScripts(in) {
			for _, d := range shell.Downloads(sc) {
				if d.Output != "" && d.Output != "-" && d.PipedTo == "" {
					files = append(files, d.Output)
				}
			}
		}
		if len(files) == 0 {
			return
		}
		for _, cmd := range cmds {
			o, ok := shell.AsOwnership(cmd)
			if !ok || o.Tool != "chmod" || !strings.Contains(o.Spec, "x") && !strings.ContainsAny(o.Spec, "157") {
				continue
			}
			for _, p := range o.Paths {
				for _, f := range files {
					if p == f || path.Base(p) == path.Base(f) || strings.HasSuffix(f, "/") && strings.HasPrefix(p, f) {
						out = append(out, lint.Finding(m, in,
							fmt.Sprintf("RUN downloads %s and makes it executable without checking a checksum", p),
							fmt.Sprintf("Compare it with a published hash first: `echo \"<sha256>  %s\" | sha256sum -c -`.", p)))
						return
					}
				}
			}
		}
	})
	return out
}

func checkPipenvDeploy(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	eachRun(c, c.Stages(), func(in *dockerfile.Instruction, cmds []shell.Command) {
		for _, cmd := range cmds {
			iv, ok := shell.AsProjectTool(cmd)
			if !ok || iv.Tool != "pipenv" || iv.Sub != "install" || !iv.Flag("--system") || iv.Flag("--deploy") {
				continue
			}
			if len(iv.Operands()) > 0 {
				continue // pipenv install --system NAME adds a package
			}
			out = append(out, lint.Finding(m, in,
				"pipenv install --system without --deploy re-resolves silently when Pipfile.lock is out of date",
				"Add `--deploy`, or use `pipenv sync --system`."))
			return
		}
	})
	return out
}
