package rules

import (
	"fmt"
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// shellSecurityRules are the security rules that read RUN scripts:
// PY205 and PY206.
func shellSecurityRules() []lint.Rule {
	return []lint.Rule{
		rule{meta: report.Rule{
			ID: "PY205", Name: "pipe-to-shell", Severity: report.SeverityError,
			Summary: "A download is piped straight into a shell or interpreter (`curl … | sh`).",
			Why: "The script runs without any integrity check: a compromised or MITM'd server, a truncated download " +
				"(half a script executes) or a changed installer changes what is built, and nothing in the Dockerfile shows it.",
			Fix:  "Download to a file, verify its checksum (`echo \"<sha256>  install.sh\" | sha256sum -c`), then run it; or use `ADD --checksum`.",
			Bad:  "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nRUN curl -sSL https://install.python-poetry.org | python3 -\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nRUN pip install --no-cache-dir poetry==1.8.3\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			forEachCommand(c, func(in *dockerfile.Instruction, s *shell.Script, cmd shell.Command) {
				if cmd.Name != "curl" && cmd.Name != "wget" {
					return
				}
				for _, d := range s.PipedTo(cmd) {
					if isShellOrInterpreter(d.Name) {
						out = append(out, lint.Finding(m, in,
							fmt.Sprintf("RUN pipes %s output into %s; the downloaded script runs unverified", cmd.Name, d.Name),
							"Download to a file, check it with `sha256sum -c`, then run it (or install the tool with pip/uv at a pinned version)."))
						return
					}
				}
			})
			return out
		}},
		rule{meta: report.Rule{
			ID: "PY206", Name: "sudo", Severity: report.SeverityWarning,
			Summary: "RUN uses sudo, or the final image installs it.",
			Why: "Build steps already run as the current USER, so sudo only works if the image ships sudo and a sudoers " +
				"entry, which lets any process of the app user become root at run time.",
			Fix:  "Put the step before `USER app` (it runs as root there) or switch with `USER root` … `USER 10001`; remove sudo from the image.",
			Bad:  "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nUSER 10001\nRUN sudo apt-get update\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nRUN apt-get update\nUSER 10001\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			seen := map[*dockerfile.Instruction]bool{}
			forEachCommand(c, func(in *dockerfile.Instruction, _ *shell.Script, cmd shell.Command) {
				if seen[in] {
					return
				}
				for _, w := range cmd.Wrappers {
					if w == "sudo" || w == "doas" {
						seen[in] = true
						out = append(out, lint.Finding(m, in,
							fmt.Sprintf("RUN uses %s (%s)", w, cmd.String()),
							"Run the step as root before USER (or between `USER root` and `USER 10001`) and drop sudo."))
						return
					}
				}
				if cmd.Name == "sudo" || cmd.Name == "doas" {
					seen[in] = true
					out = append(out, lint.Finding(m, in, fmt.Sprintf("RUN uses %s", cmd.Name),
						"Run the step as root before USER and drop sudo."))
				}
			})
			// Installing sudo in the final image lets the app user become
			// root at run time, whether or not the build uses it.
			for _, in := range finalInstructions(c) {
				if in.Kind != dockerfile.KindRun || seen[in] {
					continue
				}
				for _, sc := range runScripts(in) {
					for _, pi := range shell.SystemInstalls(sc) {
						if pi.Package == "sudo" || pi.Package == "doas" {
							seen[in] = true
							out = append(out, lint.Finding(m, in, fmt.Sprintf("final image installs %s", pi.Package),
								"Do not install sudo in the image: run root steps before `USER 10001`."))
						}
					}
				}
			}
			return out
		}},
	}
}

// forEachCommand calls fn for every simple command of every RUN of the
// stages the target needs.
func forEachCommand(c *lint.Context, fn func(*dockerfile.Instruction, *shell.Script, shell.Command)) {
	for _, s := range c.Stages() {
		for _, in := range s.Instructions {
			if in.Kind != dockerfile.KindRun {
				continue
			}
			for _, sc := range runScripts(in) {
				for _, cmd := range sc.Commands {
					fn(in, sc, cmd)
				}
			}
		}
	}
}

// runScripts models what a RUN executes; see dockerfile.Instruction.Scripts.
func runScripts(in *dockerfile.Instruction) []*shell.Script { return in.Scripts() }

func isShellName(name string) bool {
	name = name[strings.LastIndex(name, "/")+1:]
	switch name {
	case "sh", "bash", "dash", "ash", "zsh", "ksh":
		return true
	}
	return false
}

func isShellOrInterpreter(name string) bool {
	if isShellName(name) {
		return true
	}
	return name == "python" || strings.HasPrefix(name, "python3") || name == "python2" ||
		name == "perl" || name == "ruby" || name == "node" || name == "php"
}
