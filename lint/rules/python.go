package rules

import (
	"bufio"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/pydist"
	"github.com/pyimg/pyimg/report"
)

// pythonRules are PY501–PY503 (PY505 is the parse-error rule in lint).
func pythonRules() []lint.Rule {
	return []lint.Rule{
		rule{meta: report.Rule{
			ID: "PY501", Name: "venv-moved", Severity: report.SeverityError,
			Summary: "A virtualenv is copied to a different path than the one it was created at.",
			Why: "A venv is not relocatable: its console scripts start with `#!/opt/venv/bin/python` and pyvenv.cfg " +
				"names the base interpreter, so after `COPY --from=builder /opt/venv /venv` running `gunicorn` fails " +
				"with `exec /venv/bin/gunicorn: no such file or directory`.",
			Fix: "Copy the venv to the same path it was created at (`COPY --from=builder /opt/venv /opt/venv`), or " +
				"create it at the final path in the builder.",
			Bad: "FROM python:3.12.12-slim-bookworm@sha256:" + exampleDigest + " AS builder\n" +
				"RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir flask==3.0.3\n" +
				pyFrom + "COPY --from=builder /opt/venv /venv\nENV PATH=/venv/bin:$PATH\n",
			Good: "FROM python:3.12.12-slim-bookworm@sha256:" + exampleDigest + " AS builder\n" +
				"RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir flask==3.0.3\n" +
				pyFrom + "COPY --from=builder /opt/venv /opt/venv\nENV PATH=/opt/venv/bin:$PATH\n",
		}, check: checkVenvMoved},
		rule{meta: report.Rule{
			ID: "PY502", Name: "pip-user-as-root", Severity: report.SeverityError,
			Summary: "pip install --user as root while the image runs as another user.",
			Why: "`--user` as root installs into /root/.local, which the app user can neither see (its site dir is " +
				"~/.local) nor read (/root is mode 700): the app dies with `ModuleNotFoundError` at start.",
			Fix: "Install without `--user` (into a venv or the system site-packages) before switching USER, or run " +
				"the `--user` install after `USER app` so it lands in that user's home.",
			Bad: pyFrom + "RUN pip install --no-cache-dir --user flask==3.0.3\n" +
				"RUN useradd --uid 10001 app\nUSER 10001\nCMD [\"python\", \"-m\", \"flask\", \"run\"]\n",
			Good: pyFrom + "RUN pip install --no-cache-dir flask==3.0.3\n" +
				"RUN useradd --uid 10001 app\nUSER 10001\nCMD [\"python\", \"-m\", \"flask\", \"run\"]\n",
		}, check: checkPipUserAsRoot},
		rule{meta: report.Rule{
			ID: "PY503", Name: "alpine-native-deps", Severity: report.SeverityWarning,
			Summary: "Alpine (musl) base with dependencies that need compiling.",
			Why: "Most binary wheels on PyPI are manylinux (glibc); on musl pip falls back to source builds, so the " +
				"image needs gcc and headers, builds take minutes to an hour, and packages such as torch, tensorflow or " +
				"jaxlib have no musllinux wheels at all and fail with `No matching distribution found`.",
			Fix:  "Use a glibc base such as `python:3.12-slim-bookworm`; keep Alpine only for pure-Python apps.",
			Bad:  "FROM python:3.12.12-alpine3.20@sha256:" + exampleDigest + "\nRUN apk add --no-cache gcc musl-dev && pip install --no-cache-dir torch==2.5.1\n",
			Good: pyFrom + "RUN pip install --no-cache-dir torch==2.5.1\n",
		}, check: checkAlpineNative},
	}
}

// venvAt is a virtualenv a RUN created.
type venvAt struct {
	path     string
	in       *dockerfile.Instruction
	tool     string
	relocate bool
}

// venvsOf returns the virtualenvs created in stage s and the stages it is
// built FROM.
// It is computed once per stage and lint run, from the parent's result.
func venvsOf(c *lint.Context, s *dockerfile.Stage) []venvAt {
	return c.Memo(venvsKey{s}, func() any {
		var out []venvAt
		if p := s.Parent; p >= 0 && p < s.Index {
			out = slices.Clip(venvsOf(c, c.File.Stages[p]))
		}
		return stageVenvs(c, s, out)
	}).([]venvAt)
}

type venvsKey struct{ s *dockerfile.Stage }

// stageVenvs appends the environments s's own RUNs create to out.
func stageVenvs(c *lint.Context, s *dockerfile.Stage, out []venvAt) []venvAt {
	eachRun(c, []*dockerfile.Stage{s}, func(in *dockerfile.Instruction, cmds []shell.Command) {
		for i, cmd := range cmds {
			if v, ok := shell.AsVenv(cmd); ok {
				if p := resolvePath(in.State.Workdir, v.Path); p != "" {
					out = append(out, venvAt{path: p, in: in, tool: v.Tool, relocate: slices.Contains(cmd.Args, "--relocatable")})
				}
				continue
			}
			// uv sync creates the project environment: .venv in the
			// project directory, or UV_PROJECT_ENVIRONMENT.
			if iv, ok := shell.AsProjectTool(cmd); ok && iv.Tool == "uv" && iv.Sub == "sync" {
				p := ".venv"
				if v, ok := envSet(in, cmds, i, "UV_PROJECT_ENVIRONMENT"); ok {
					p = v
				}
				if dir, ok := iv.Value("--directory", "--project"); ok && !path.IsAbs(p) {
					p = path.Join(dir, p)
				}
				if r := resolvePath(in.State.Workdir, p); r != "" {
					out = append(out, venvAt{path: r, in: in, tool: "uv sync"})
				}
			}
		}
	})
	return out
}

func checkVenvMoved(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range c.Stages() {
		for _, in := range s.Instructions {
			if in.Kind != dockerfile.KindCopy || in.CopyFrom == "" {
				continue
			}
			src, ok := c.File.CopySource(in)
			if !ok {
				continue
			}
			venvs := venvsOf(c, src)
			dest := resolvePath(in.State.Workdir, in.Dest)
			if dest == "" || len(in.Sources) != 1 {
				continue
			}
			from := resolvePath("/", in.Sources[0])
			for _, v := range venvs {
				if from != v.path || v.relocate {
					continue
				}
				// COPY copies a directory's contents: the venv lands at dest
				// itself, whether or not dest ends in a slash.
				if dest != v.path {
					out = append(out, lint.Finding(m, in,
						fmt.Sprintf("COPY moves the venv created at %s (%s, line %d) to %s; its scripts and pyvenv.cfg still point at %s",
							v.path, v.tool, v.in.StartLine, dest, v.path),
						fmt.Sprintf("Copy it to the same path: `COPY --from=%s %s %s`.", in.CopyFrom, v.path, v.path)))
				}
				break
			}
		}
	}
	return out
}

// userBase returns where pip --user installs for a RUN: PYTHONUSERBASE,
// else ~/.local of a root user.
func userBase(in *dockerfile.Instruction, cmds []shell.Command, i int) string {
	if v, ok := envSet(in, cmds, i, "PYTHONUSERBASE"); ok {
		return v
	}
	return "/root/.local"
}

func checkPipUserAsRoot(m report.Rule, c *lint.Context) []report.Finding {
	if len(c.File.Stages) == 0 {
		return nil
	}
	final := target(c).Final.User
	if final == "" || isRootUser(final) || strings.Contains(final, "$") {
		return nil
	}
	var out []report.Finding
	for _, in := range finalInstructions(c) {
		switch in.Kind {
		case dockerfile.KindRun:
			if u := in.State.User; u != "" && !isRootUser(u) {
				continue
			}
			cmds := runCommands(c, in)
			for i, cmd := range cmds {
				p, ok := shell.AsPip(cmd)
				if !ok || p.Sub != "install" || !p.User || cmd.User != "" && !isRootUser(cmd.User) {
					continue
				}
				if base := userBase(in, cmds, i); base == "/root/.local" {
					out = append(out, lint.Finding(m, in,
						fmt.Sprintf("pip install --user runs as root and installs into /root/.local, but the image runs as %s", final),
						"Drop `--user` (install into a venv or site-packages), or run the install after `USER "+final+"`."))
					break
				}
			}
		case dockerfile.KindCopy, dockerfile.KindAdd:
			if d := resolvePath(in.State.Workdir, in.Dest); d != "" && within(d, "/root/.local") {
				out = append(out, lint.Finding(m, in,
					fmt.Sprintf("%s puts packages in %s, which user %s cannot read", in.Kind, d, final),
					"Copy them to a path the app user can read (a venv under /opt, or the user's own ~/.local with --chown)."))
			}
		}
	}
	return out
}

// noMusllinuxWheels are projects that, as far as we know in 2025, publish
// only manylinux (glibc) wheels on PyPI and cannot reasonably be built from
// source on Alpine (a CUDA, Bazel or multi-hour CMake build). Keep the list
// short and check the project's PyPI file listing before adding to it.
// numpy, pandas, scipy, grpcio, cryptography and psycopg2-binary ship
// musllinux wheels; pyarrow and opencv-python started building them in 2025
// (apache/arrow's musllinux wheel CI, opencv/opencv-python#1133), so they are
// left out even though older releases lack them.
var noMusllinuxWheels = map[string]bool{
	"torch": true, "torchvision": true, "torchaudio": true,
	"tensorflow": true, "tensorflow-cpu": true, "jaxlib": true,
	"onnxruntime": true, "ray": true,
}

// isAlpine reports whether the stage's FROM chain starts from Alpine.
func isAlpine(c *lint.Context, s *dockerfile.Stage) (string, bool) {
	root := c.File.Root(s)
	if !root.IsImage() {
		return "", false
	}
	r := root.Ref()
	if r.Unresolved {
		return "", false
	}
	if baseimage.IsOfficialPython(r.Name()) {
		if t, err := baseimage.ParseTag(r.Tag); err == nil {
			return root.ResolvedBase, t.Variant == baseimage.VariantAlpine
		}
	}
	repo := strings.ToLower(r.Repository)
	return root.ResolvedBase, repo == "alpine" || strings.HasSuffix(repo, "/alpine") || strings.Contains(strings.ToLower(r.Tag), "alpine")
}

// reqLine matches the project name at the start of a requirements line.
var reqLine = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)`)

// contextNative returns the problem projects the build context's
// requirements*.txt and pyproject.toml name, with the file.
func contextNative(bc *dockerfile.Context) (string, string) {
	if bc == nil || bc.Dir == "" {
		return "", ""
	}
	for _, name := range bc.DependencyFiles {
		if !strings.HasPrefix(name, "requirements") && name != "pyproject.toml" {
			continue
		}
		f, err := os.Open(filepath.Join(bc.Dir, name))
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if name == "pyproject.toml" {
				// A dependency array entry: "torch>=2.3", or a Poetry
				// table key: torch = "^2.3".
				line = strings.TrimLeft(line, `"'`)
			}
			if strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
				continue
			}
			if m := reqLine.FindStringSubmatch(line); m != nil && noMusllinuxWheels[pydist.NormalizeName(m[1])] {
				f.Close()
				return pydist.NormalizeName(m[1]), name
			}
		}
		f.Close()
	}
	return "", ""
}

func checkAlpineNative(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	ctxPkg, ctxFile := contextNative(c.Build)
	for _, s := range c.Stages() {
		base, ok := isAlpine(c, s)
		if !ok {
			continue
		}
		var evidence []string
		var at *dockerfile.Instruction
		eachRun(c, []*dockerfile.Stage{s}, func(in *dockerfile.Instruction, cmds []shell.Command) {
			var ev []string
			for _, pi := range shell.SystemInstalls(&shell.Script{Commands: cmds}) {
				if shell.IsBuildPackage(pi.Package) {
					ev = append(ev, "installs "+pi.Package)
					break
				}
			}
			for _, cmd := range cmds {
				if p, ok := shell.AsPip(cmd); ok && p.Sub == "install" {
					for _, r := range p.Packages {
						if r.Kind == shell.ReqName && noMusllinuxWheels[pydist.NormalizeName(r.Name)] {
							ev = append(ev, "pip installs "+r.Name+" (no musllinux wheels)")
						}
					}
				}
			}
			if len(ev) > 0 && at == nil {
				at = in
			}
			evidence = append(evidence, ev...)
		})
		if ctxPkg != "" && s.Index == target(c).Index {
			evidence = append(evidence, fmt.Sprintf("%s requires %s (no musllinux wheels)", ctxFile, ctxPkg))
			if at == nil {
				at = s.From
			}
		}
		if len(evidence) == 0 {
			continue
		}
		out = append(out, lint.Finding(m, at,
			fmt.Sprintf("%s builds on Alpine (%s) but %s", stageName(s), base, strings.Join(evidence, ", ")),
			"Use a glibc base such as python:3.12-slim-bookworm so pip can install manylinux wheels."))
	}
	return out
}
