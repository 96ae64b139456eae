package rules

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// Size rules (PY301–PY312) that are about bytes in the image look only at
// the stages whose layers end up in the target image: the target and the
// stages it is built FROM. A builder stage that is only copied from may
// keep caches and compilers; what matters is what it hands over.

const pyFrom = "FROM python:3.12.12-slim-bookworm@sha256:" + exampleDigest + "\n"

// sizeRules are PY301–PY312.
func sizeRules() []lint.Rule {
	return []lint.Rule{
		rule{meta: report.Rule{
			ID: "PY301", Name: "apt-install-recommends", Severity: report.SeverityWarning,
			Summary: "apt-get install without --no-install-recommends.",
			Why: "Debian installs Recommends by default: `apt-get install -y libpq-dev` also pulls in krb5, ldap and " +
				"gcc-adjacent packages, often 50–200 MB the app never uses, and more CVEs to triage.",
			Fix:  "Add `--no-install-recommends` and list the packages you actually need.",
			Bad:  pyFrom + "RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n",
			Good: pyFrom + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n",
		}, check: checkAptRecommends},
		rule{meta: report.Rule{
			ID: "PY302", Name: "apt-lists-not-removed", Severity: report.SeverityWarning,
			Summary: "apt-get update without removing /var/lib/apt/lists in the same RUN.",
			Why: "The package lists `apt-get update` downloads add ~20–40 MB to the layer; removing them in a later RUN " +
				"does not shrink the image because the earlier layer keeps them.",
			Fix: "End the same RUN with `&& rm -rf /var/lib/apt/lists/*`, or use cache mounts: " +
				"`RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked`.",
			Bad:  pyFrom + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5\n",
			Good: pyFrom + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n",
		}, check: checkAptLists},
		rule{meta: report.Rule{
			ID: "PY303", Name: "apt-update-alone", Severity: report.SeverityWarning,
			Summary: "apt-get update in a RUN that installs nothing.",
			Why: "The layer with the package lists is cached: when a later `RUN apt-get install` changes, it reuses " +
				"week-old lists and fails with `404 Not Found` once the mirror drops those package versions, or installs stale ones.",
			Fix:  "Run `apt-get update && apt-get install -y --no-install-recommends … && rm -rf /var/lib/apt/lists/*` in one RUN.",
			Bad:  pyFrom + "RUN apt-get update\nRUN apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n",
			Good: pyFrom + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n",
		}, check: checkAptUpdateAlone},
		rule{meta: report.Rule{
			ID: "PY304", Name: "pip-cache-in-layer", Severity: report.SeverityWarning,
			Summary: "pip, uv or poetry install keeps its download cache in the image.",
			Why: "pip stores every downloaded wheel under /root/.cache/pip (uv and poetry under /root/.cache/uv and /root/.cache/pypoetry): for a typical " +
				"Django or data-science app that is 50–500 MB of dead weight in the layer, pulled by every deploy.",
			Fix: "Use `pip install --no-cache-dir` (uv: `--no-cache` or `UV_NO_CACHE=1`; poetry: `--no-cache`), set `ENV PIP_NO_CACHE_DIR=1`, " +
				"or keep the cache out of the layer with `RUN --mount=type=cache,target=/root/.cache/pip`.",
			Bad:  pyFrom + "RUN pip install flask==3.0.3\n",
			Good: pyFrom + "RUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0.3\n",
		}, check: checkPipCache},
		rule{meta: report.Rule{
			ID: "PY305", Name: "source-before-dependencies", Severity: report.SeverityWarning,
			Summary: "Application source is copied before the dependency install step.",
			Why: "Every source edit changes the `COPY . .` layer and invalidates the cache of everything after it, so " +
				"`pip install -r requirements.txt` (or `poetry install`, `uv sync`) re-downloads and rebuilds all dependencies on each build: minutes instead of seconds.",
			Fix: "Copy only the dependency files first (`COPY requirements.txt .` or `COPY pyproject.toml poetry.lock ./`), " +
				"install, then `COPY . .`.",
			Bad: pyFrom + "WORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n",
			Good: pyFrom + "WORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n" +
				"COPY . .\n",
		}, check: checkSourceBeforeDeps},
		rule{meta: report.Rule{
			ID: "PY306", Name: "cleanup-in-later-layer", Severity: report.SeverityWarning,
			Summary: "Files are removed in a later RUN than the one (or the COPY) that created them.",
			Why: "Each instruction is a layer and layers only add: `RUN rm -rf /tmp/build` after the RUN that filled it " +
				"hides the files but every byte is still pulled and stored (dive reports them as wasted space).",
			Fix: "Create and remove temporary files in the same RUN, use `RUN --mount=type=cache` or `--mount=type=bind` " +
				"for build inputs, exclude files with .dockerignore, or build in a separate stage and copy only the result.",
			Bad:  pyFrom + "COPY wheels/ /tmp/wheels/\nRUN pip install --no-cache-dir /tmp/wheels/*.whl\nRUN rm -rf /tmp/wheels\n",
			Good: pyFrom + "RUN --mount=type=bind,source=wheels,target=/tmp/wheels pip install --no-cache-dir /tmp/wheels/*.whl\n",
		}, check: checkLateCleanup},
		rule{meta: report.Rule{
			ID: "PY307", Name: "compilers-in-final-stage", Severity: report.SeverityWarning,
			Summary: "Compilers or development headers are in the final image (installed, or from the full python base).",
			Why: "build-essential alone is ~250 MB; gcc, *-dev headers and python3-dev are only needed to build wheels, " +
				"yet they ship to production, slow every pull and let an attacker compile exploits in the container.",
			Fix: "Build wheels or the venv in a builder stage and `COPY --from=builder` only the result; install runtime " +
				"libraries (libpq5, not libpq-dev) in the final stage. Or remove them in the same RUN (`apk del .build-deps`).",
			Bad: pyFrom + "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\\n" +
				" && rm -rf /var/lib/apt/lists/*\n",
			Good: "FROM python:3.12.12-slim-bookworm@sha256:" + exampleDigest + " AS builder\n" +
				"RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && rm -rf /var/lib/apt/lists/*\n" +
				"RUN pip wheel --no-cache-dir --wheel-dir /wheels psycopg2==2.9.10\n" +
				pyFrom + "COPY --from=builder /wheels /wheels\n",
		}, check: checkCompilers},
		rule{meta: report.Rule{
			ID: "PY308", Name: "packaging-tool-in-final-stage", Severity: report.SeverityWarning,
			Summary: "poetry, pipenv, pdm, uv or pip-tools is installed in the final image.",
			Why: "Packaging tools are needed to resolve and install, not to run: poetry brings ~30 dependencies " +
				"(~70 MB) and uv a 35 MB binary into production, with their own CVEs, and can shadow the app's pinned packages.",
			Fix: "Install dependencies in a builder stage and copy the venv, export to requirements " +
				"(`poetry export`, `uv export`) and use pip, or mount uv only for the install: " +
				"`RUN --mount=from=ghcr.io/astral-sh/uv:0.9.5,source=/uv,target=/bin/uv uv pip install --system -r requirements.txt`.",
			Bad: pyFrom + "WORKDIR /app\nCOPY pyproject.toml poetry.lock ./\n" +
				"RUN pip install --no-cache-dir poetry==1.8.3 && poetry install --no-root --only main\n",
			Good: "FROM python:3.12.12-slim-bookworm@sha256:" + exampleDigest + " AS builder\n" +
				"WORKDIR /app\nCOPY pyproject.toml poetry.lock ./\n" +
				"RUN pip install --no-cache-dir poetry==1.8.3 && poetry export -o requirements.txt\n" +
				pyFrom + "WORKDIR /app\nCOPY --from=builder /app/requirements.txt .\n" +
				"RUN pip install --no-cache-dir -r requirements.txt\n",
		}, check: checkPackagingTools},
		rule{meta: report.Rule{
			ID: "PY309", Name: "apk-cache", Severity: report.SeverityWarning,
			Summary: "apk add without --no-cache, or apk update, leaves the package index in the layer.",
			Why: "Without --no-cache apk keeps the APKINDEX files (a few MB per repository) in /var/cache/apk, and " +
				"with `apk update` or `-U` they land in the layer and go stale.",
			Fix:  "Use `apk add --no-cache …`, or `RUN --mount=type=cache,target=/var/cache/apk`.",
			Bad:  "FROM python:3.12.12-alpine3.20@sha256:" + exampleDigest + "\nRUN apk update && apk add libpq\n",
			Good: "FROM python:3.12.12-alpine3.20@sha256:" + exampleDigest + "\nRUN apk add --no-cache libpq\n",
		}, check: checkApkCache},
		rule{meta: report.Rule{
			ID: "PY310", Name: "pip-unpinned", Severity: report.SeverityWarning,
			Summary: "pip install of named packages without any version specifier.",
			Why: "`pip install flask` installs whatever is newest on the day of the build: a rebuild months later silently " +
				"picks up a new major version (Flask 2→3, NumPy 1→2, pydantic 1→2) and breaks at run time.",
			Fix: "Pin the version (`flask==3.0.3`), install from a lock or requirements file (`-r requirements.txt`), " +
				"or give a constraints file (`-c constraints.txt`).",
			Bad:  pyFrom + "RUN pip install --no-cache-dir flask gunicorn\n",
			Good: pyFrom + "RUN pip install --no-cache-dir flask==3.0.3 gunicorn==23.0.0\n",
		}, check: checkPipUnpinned},
		rule{meta: report.Rule{
			ID: "PY311", Name: "recursive-chown-after-copy", Severity: report.SeverityWarning,
			Summary: "chown/chmod -R on files copied by an earlier instruction.",
			Why: "Changing ownership or mode rewrites every file into a new layer: `COPY . /app` then " +
				"`RUN chown -R app /app` stores the app twice (a 300 MB app becomes 600 MB).",
			Fix:  "Set ownership while copying: `COPY --chown=10001:10001 . /app` (and `--chmod=` for modes).",
			Bad:  pyFrom + "RUN useradd --uid 10001 app\nCOPY src/ /app/\nRUN chown -R app:app /app\nUSER 10001\n",
			Good: pyFrom + "RUN useradd --uid 10001 app\nCOPY --chown=10001:10001 src/ /app/\nUSER 10001\n",
		}, check: checkChownAfterCopy},
		rule{meta: report.Rule{
			ID: "PY312", Name: "mergeable-runs", Severity: report.SeverityInfo,
			Summary: "Consecutive RUN instructions that could be one.",
			Why: "Each RUN is a layer with its own metadata and, for files later changed or deleted, duplicated bytes; " +
				"long chains of small RUNs (`RUN mkdir`, `RUN useradd`, `RUN chmod`) also slow builds and pushes.",
			Fix: "Join them with `&&` (or a heredoc: `RUN <<EOF … EOF`). Keep separate RUNs when you want separate " +
				"cache layers, e.g. system packages before Python dependencies.",
			Bad:  pyFrom + "RUN useradd --uid 10001 app\nRUN mkdir -p /app/data\nRUN chown 10001 /app/data\n",
			Good: pyFrom + "RUN useradd --uid 10001 app && mkdir -p /app/data && chown 10001 /app/data\n",
		}, check: checkMergeableRuns},
	}
}

// ---- shared helpers for the PY3xx–PY5xx rules ----

// target returns the stage being built.
func target(c *lint.Context) *dockerfile.Stage {
	if c.Target != nil {
		return c.Target
	}
	return c.File.Stages[len(c.File.Stages)-1]
}

// finalChain returns the stages whose layers end up in the target image:
// the stages it is built FROM, root first, then the target.
func finalChain(c *lint.Context) []*dockerfile.Stage {
	if len(c.File.Stages) == 0 {
		return nil
	}
	var out []*dockerfile.Stage
	for s := target(c); ; s = c.File.Stages[s.Parent] {
		out = append([]*dockerfile.Stage{s}, out...)
		if s.Parent < 0 || s.Parent >= len(c.File.Stages) || len(out) > len(c.File.Stages) {
			break
		}
	}
	return out
}

// chainInstructions returns the instructions of stages in order.
func chainInstructions(stages []*dockerfile.Stage) []*dockerfile.Instruction {
	var out []*dockerfile.Instruction
	for _, s := range stages {
		out = append(out, s.Instructions...)
	}
	return out
}

// runKey caches the commands of one RUN for a lint run.
type runKey struct{ in *dockerfile.Instruction }

// runCommands returns every command a RUN executes, in order, parsed once
// per lint run.
func runCommands(c *lint.Context, in *dockerfile.Instruction) []shell.Command {
	return c.Memo(runKey{in}, func() any {
		var out []shell.Command
		for _, s := range runScripts(in) {
			out = append(out, s.Commands...)
		}
		return out
	}).([]shell.Command)
}

// eachRun calls fn for every RUN of stages with its commands.
func eachRun(c *lint.Context, stages []*dockerfile.Stage, fn func(in *dockerfile.Instruction, cmds []shell.Command)) {
	for _, in := range chainInstructions(stages) {
		if in.Kind == dockerfile.KindRun {
			fn(in, runCommands(c, in))
		}
	}
}

// resolvePath makes p absolute against workdir; "" if p has expansions.
func resolvePath(workdir, p string) string {
	if p == "" || strings.ContainsAny(p, "$`") {
		return ""
	}
	if !path.IsAbs(p) {
		if workdir == "" {
			workdir = "/"
		}
		p = path.Join(workdir, p)
	}
	return path.Clean(p)
}

// stripGlob turns "/var/lib/apt/lists/*" into "/var/lib/apt/lists".
func stripGlob(p string) string {
	for strings.HasSuffix(p, "/*") || strings.HasSuffix(p, "/") && len(p) > 1 {
		p = strings.TrimSuffix(strings.TrimSuffix(p, "*"), "/")
	}
	return p
}

// within reports whether p is dir or inside it (both clean and absolute).
func within(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// mountCovers reports whether a cache or tmpfs mount of in covers p, so
// nothing written under p stays in the layer.
func mountCovers(in *dockerfile.Instruction, p string) bool {
	for _, m := range in.Mounts {
		if m.Type != "cache" && m.Type != "tmpfs" {
			continue
		}
		if t := resolvePath(in.State.Workdir, m.Target); t != "" && within(p, t) {
			return true
		}
	}
	return false
}

// envSet reports whether variable name is set (non-empty) for cmds[i]:
// by ENV or ARG, as a prefix, or by an earlier export in the same RUN.
func envSet(in *dockerfile.Instruction, cmds []shell.Command, i int, name string) (string, bool) {
	for _, e := range cmds[i].Env {
		if e.Name == name {
			return e.Value, e.Value != ""
		}
	}
	for j := i - 1; j >= 0; j-- {
		if cmds[j].Name != "export" {
			continue
		}
		for _, a := range cmds[j].Args {
			if v, ok := strings.CutPrefix(a, name+"="); ok {
				return v, v != ""
			}
		}
	}
	v, ok := in.State.Lookup(name)
	return v, ok && v != ""
}

// ---- PY301–PY312 ----

func checkAptRecommends(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	eachRun(c, finalChain(c), func(in *dockerfile.Instruction, cmds []shell.Command) {
		for _, cmd := range cmds {
			if a, ok := shell.AsApt(cmd); ok && a.Sub == "install" && !a.NoInstallRecommends && len(a.Packages) > 0 {
				out = append(out, lint.Finding(m, in,
					fmt.Sprintf("%s install of %s without --no-install-recommends", a.Tool, strings.Join(a.Packages, " ")),
					"Add `--no-install-recommends` to the install command."))
				return
			}
		}
	})
	return out
}

const aptLists = "/var/lib/apt/lists"

func isAptUpdate(cmd shell.Command) bool {
	a, ok := shell.AsApt(cmd)
	return ok && a.Sub == "update"
}

// removes reports whether cmd is an rm covering p (resolved with workdir).
func removes(cmd shell.Command, workdir, p string) bool {
	r, ok := shell.AsRm(cmd)
	if !ok {
		return false
	}
	for _, q := range r.Paths {
		if q = resolvePath(workdir, stripGlob(q)); q != "" && within(p, q) {
			return true
		}
	}
	return false
}

func checkAptLists(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	eachRun(c, finalChain(c), func(in *dockerfile.Instruction, cmds []shell.Command) {
		updated, cleaned := false, false
		for _, cmd := range cmds {
			updated = updated || isAptUpdate(cmd)
			cleaned = cleaned || removes(cmd, in.State.Workdir, aptLists)
		}
		if updated && !cleaned && !mountCovers(in, aptLists) {
			out = append(out, lint.Finding(m, in,
				"RUN runs apt-get update but does not remove /var/lib/apt/lists; the lists stay in this layer",
				"Append `&& rm -rf /var/lib/apt/lists/*` to this RUN, or mount a cache at /var/lib/apt."))
		}
	})
	return out
}

func checkAptUpdateAlone(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	eachRun(c, c.Stages(), func(in *dockerfile.Instruction, cmds []shell.Command) {
		updated, installs := false, false
		for _, cmd := range cmds {
			if a, ok := shell.AsApt(cmd); ok {
				switch a.Sub {
				case "update":
					updated = true
				case "install", "upgrade", "dist-upgrade", "full-upgrade", "build-dep", "source", "reinstall":
					installs = true
				}
			}
		}
		if updated && !installs {
			out = append(out, lint.Finding(m, in,
				"apt-get update runs in a RUN of its own; later installs reuse the cached, ageing package lists",
				"Merge it with the install: `RUN apt-get update && apt-get install -y --no-install-recommends … && rm -rf /var/lib/apt/lists/*`."))
		}
	})
	return out
}

// cacheTool describes where an installer keeps its download cache.
type cacheTool struct {
	name     string // for messages: "pip install", "uv sync", ...
	noCache  string // environment variable that disables the cache ("" if none)
	cacheDir string // environment variable that moves it
	sub      string // directory under ~/.cache (and $XDG_CACHE_HOME)
	mount    string // suggested cache mount target
	flag     string // suggested option
}

var (
	pipCache    = cacheTool{noCache: "PIP_NO_CACHE_DIR", cacheDir: "PIP_CACHE_DIR", sub: "pip", mount: "/root/.cache/pip", flag: "--no-cache-dir"}
	uvCache     = cacheTool{noCache: "UV_NO_CACHE", cacheDir: "UV_CACHE_DIR", sub: "uv", mount: "/root/.cache/uv", flag: "--no-cache"}
	poetryCache = cacheTool{cacheDir: "POETRY_CACHE_DIR", sub: "pypoetry", mount: "/root/.cache/pypoetry", flag: "--no-cache"}
)

// installCache returns the cache behaviour of an install command at
// cmds[i]: the tool, whether the command disables the cache and an
// explicit --cache-dir.
func installCache(cmd shell.Command) (t cacheTool, off bool, dir string, ok bool) {
	if p, isPip := shell.AsPip(cmd); isPip && p.Sub == "install" {
		t = pipCache
		if p.Launcher == "uv pip" {
			t = uvCache
		}
		t.name = p.Launcher + " install"
		return t, p.NoCacheDir, p.CacheDir, true
	}
	iv, isTool := shell.AsProjectTool(cmd)
	if !isTool {
		return cacheTool{}, false, "", false
	}
	switch iv.Tool + " " + iv.Sub {
	case "uv sync":
		t = uvCache
		off = iv.Flag("--no-cache", "-n")
		dir, _ = iv.Value("--cache-dir")
	case "poetry install", "poetry sync":
		t = poetryCache
		off = iv.Flag("--no-cache")
	default:
		return cacheTool{}, false, "", false
	}
	t.name = iv.Tool + " " + iv.Sub
	return t, off, dir, true
}

// cacheDirs returns the directories t caches in for cmds[i].
func cacheDirs(in *dockerfile.Instruction, cmds []shell.Command, i int, t cacheTool) []string {
	var dirs []string
	if v, ok := envSet(in, cmds, i, t.cacheDir); ok {
		dirs = append(dirs, resolvePath(in.State.Workdir, v))
	}
	if v, ok := envSet(in, cmds, i, "XDG_CACHE_HOME"); ok {
		dirs = append(dirs, resolvePath(in.State.Workdir, path.Join(v, t.sub)))
	}
	if u := in.State.User; u == "" || isRootUser(u) {
		dirs = append(dirs, "/root/.cache/"+t.sub)
	} // another user's home is unknown: any */.cache mount is accepted
	return dirs
}

// cacheKept reports whether the install at cmds[i] leaves its download
// cache in the layer: the cache is on, and no cache or tmpfs mount covers
// it, and it is not removed later in the same RUN.
func cacheKept(in *dockerfile.Instruction, cmds []shell.Command, i int, t cacheTool, off bool, cacheDir string) bool {
	if off {
		return false
	}
	if t.noCache != "" {
		if _, ok := envSet(in, cmds, i, t.noCache); ok {
			return false
		}
	}
	dirs := cacheDirs(in, cmds, i, t)
	if cacheDir != "" {
		dirs = []string{resolvePath(in.State.Workdir, cacheDir)}
	}
	for _, mt := range in.Mounts {
		if (mt.Type == "cache" || mt.Type == "tmpfs") && len(dirs) == 0 && (strings.HasSuffix(mt.Target, "/.cache") || strings.Contains(mt.Target, "/.cache/")) {
			return false
		}
	}
	for _, d := range dirs {
		if d != "" && mountCovers(in, d) {
			return false
		}
	}
	for _, cmd := range cmds[i+1:] {
		if p, ok := shell.AsPip(cmd); ok && p.Sub == "cache" && t.sub == "pip" {
			return false // pip cache purge
		}
		if iv, ok := shell.AsProjectTool(cmd); ok && (iv.Sub == "cache clean" || iv.Sub == "cache prune" || iv.Sub == "cache clear") && iv.Tool != "pip" {
			return false // uv cache clean, poetry cache clear
		}
		for _, d := range dirs {
			if d != "" && removes(cmd, in.State.Workdir, d) {
				return false
			}
		}
	}
	return true
}

func checkPipCache(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	eachRun(c, finalChain(c), func(in *dockerfile.Instruction, cmds []shell.Command) {
		for i, cmd := range cmds {
			t, off, dir, ok := installCache(cmd)
			if !ok || !cacheKept(in, cmds, i, t, off, dir) {
				continue
			}
			out = append(out, lint.Finding(m, in, t.name+" keeps its download cache in the image layer",
				fmt.Sprintf("Add `%s`, or `RUN --mount=type=cache,target=%s`.", t.flag, t.mount)))
			return
		}
	})
	return out
}

// isDependencySource reports whether a COPY source is a dependency
// declaration rather than application code.
func isDependencySource(src string) bool {
	b := path.Base(strings.TrimSuffix(src, "/"))
	if dockerfile.IsDependencyFile(b) {
		return true
	}
	for _, pre := range []string{"requirements", "constraints"} {
		if strings.HasPrefix(b, pre) {
			return true
		}
	}
	switch b {
	case "README.md", "README.rst", "README", "LICENSE", "MANIFEST.in", "setup.cfg", ".python-version":
		return true
	}
	return false
}

// notSource are extensionless files that are not application code.
var notSource = map[string]bool{"Makefile": true, "Dockerfile": true, "Procfile": true,
	"LICENSE": true, "README": true, "NOTICE": true, "VERSION": true, "Pipfile": true}

// copiesAppSource reports whether a COPY/ADD from the context brings in
// application code: the whole context, a directory or Python files. With a
// known build context, a source without an extension counts when it is a
// directory there; without one, when it is not a well-known file name.
func copiesAppSource(in *dockerfile.Instruction, bc *dockerfile.Context) (string, bool) {
	if (in.Kind != dockerfile.KindCopy && in.Kind != dockerfile.KindAdd) || in.CopyFrom != "" {
		return "", false
	}
	for _, s := range in.Sources {
		if strings.HasPrefix(s, "<<") || strings.Contains(s, "://") || isDependencySource(s) {
			continue
		}
		clean := strings.TrimSuffix(s, "/")
		base := path.Base(clean)
		switch {
		case clean == "." || clean == "" || clean == "*" || clean == "./*":
			return s, true
		case strings.HasSuffix(s, "/"), strings.HasSuffix(s, ".py"):
			return s, true
		case path.Ext(clean) == "" && !strings.HasPrefix(base, ".") && !notSource[base] &&
			!strings.Contains(strings.ToLower(base), "entrypoint"):
			if bc != nil && bc.Dir != "" && !strings.ContainsAny(clean, "*?[$") {
				if st, err := os.Stat(filepath.Join(bc.Dir, filepath.FromSlash(clean))); err == nil && !st.IsDir() {
					continue
				}
			}
			return s, true
		}
	}
	return "", false
}

func checkSourceBeforeDeps(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range c.Stages() {
		var src *dockerfile.Instruction
		var what string
	scan:
		for _, in := range s.Instructions {
			if w, ok := copiesAppSource(in, c.Build); ok && src == nil {
				src, what = in, w
				continue
			}
			if in.Kind != dockerfile.KindRun {
				continue
			}
			for _, cmd := range runCommands(c, in) {
				step, ok := shell.DependencyInstall(cmd)
				if !ok {
					continue
				}
				if src != nil {
					out = append(out, lint.Finding(m, src,
						fmt.Sprintf("%s %s copies application source before `%s` (line %d); every code change reinstalls all dependencies",
							src.Kind, what, step, in.StartLine),
						"Copy only the dependency files first, run the install, then copy the source."))
				}
				break scan
			}
		}
	}
	return out
}

// created is a path an instruction put in a layer.
type created struct {
	path string
	in   *dockerfile.Instruction
	// tree is set for COPY/ADD destinations: removing a part of it also
	// leaves the bytes behind.
	tree bool
	what string
}

// writes returns the paths a RUN leaves in its layer, as far as the command
// model can tell.
func writes(in *dockerfile.Instruction, cmds []shell.Command) []created {
	var out []created
	add := func(p, what string) {
		if p != "" && p != "/" && !mountCovers(in, p) {
			out = append(out, created{path: p, in: in, what: what})
		}
	}
	for i, cmd := range cmds {
		if isAptUpdate(cmd) {
			add(aptLists, "apt package lists")
		}
		if t, off, dir, ok := installCache(cmd); ok && cacheKept(in, cmds, i, t, off, dir) {
			dirs := cacheDirs(in, cmds, i, t)
			if dir != "" {
				dirs = []string{resolvePath(in.State.Workdir, dir)}
			}
			for _, d := range dirs {
				add(d, "the "+t.sub+" cache")
			}
		}
		if a, ok := shell.AsApk(cmd); ok && a.Sub == "add" && !a.NoCache || ok && a.Sub == "update" {
			add("/var/cache/apk", "the apk cache")
		}
		for _, r := range cmd.Redirects {
			if strings.HasPrefix(r.Op, ">") || strings.HasPrefix(r.Op, "&>") {
				add(resolvePath(in.State.Workdir, r.Target), "")
			}
		}
		for _, p := range madeBy(cmd) {
			add(resolvePath(in.State.Workdir, p), "")
		}
	}
	return out
}

// madeBy returns the paths a command creates, for the commands whose
// operands say so: mkdir, touch, cp/mv/ln/install (the last operand),
// git clone, curl -o / wget -O, unzip -d, venv creation and pip --target
// or --prefix.
func madeBy(cmd shell.Command) []string {
	var ops []string
	for _, a := range cmd.Args {
		if !strings.HasPrefix(a, "-") {
			ops = append(ops, a)
		}
	}
	switch cmd.Name {
	case "mkdir", "touch":
		return ops
	case "cp", "mv", "ln", "install":
		if len(ops) > 1 {
			return ops[len(ops)-1:]
		}
	case "git":
		if len(ops) > 2 && ops[0] == "clone" {
			return ops[len(ops)-1:]
		}
	case "curl", "wget":
		d := shell.Downloads(&shell.Script{Commands: []shell.Command{cmd}})
		if len(d) == 1 && d[0].Output != "" && d[0].Output != "-" {
			return []string{d[0].Output}
		}
	case "unzip":
		for i, a := range cmd.Args {
			if a == "-d" && i+1 < len(cmd.Args) {
				return []string{cmd.Args[i+1]}
			}
		}
	}
	if v, ok := shell.AsVenv(cmd); ok {
		return []string{v.Path}
	}
	if p, ok := shell.AsPip(cmd); ok && p.Sub == "install" {
		for _, d := range []string{p.Target, p.Prefix} {
			if d != "" {
				return []string{d}
			}
		}
	}
	return nil
}

// copyDests returns what a COPY/ADD puts in the layer: a tree for
// directory sources (".", "src/", names without an extension), a file for
// the others.
func copyDests(in *dockerfile.Instruction) []created {
	if in.Kind != dockerfile.KindCopy && in.Kind != dockerfile.KindAdd {
		return nil
	}
	d := resolvePath(in.State.Workdir, in.Dest)
	if d == "" {
		return nil
	}
	intoDir := strings.HasSuffix(in.Dest, "/") || in.Dest == "." || len(in.Sources) > 1
	var out []created
	for _, s := range in.Sources {
		if strings.HasPrefix(s, "<<") {
			continue
		}
		clean := strings.TrimSuffix(s, "/")
		b := path.Base(clean)
		dirLike := clean == "." || clean == "" || strings.HasSuffix(s, "/") || path.Ext(b) == "" || strings.ContainsAny(b, "*?")
		switch {
		case dirLike && d != "/":
			out = append(out, created{path: d, in: in, tree: true})
		case !dirLike && intoDir:
			out = append(out, created{path: path.Join(d, b), in: in, tree: true})
		case !dirLike && d != "/":
			out = append(out, created{path: d, in: in, tree: true})
		}
	}
	return out
}

// installedPackages returns the apt/apk packages and apk virtual names
// installed by cmds.
func installedPackages(cmds []shell.Command) map[string]bool {
	set := map[string]bool{}
	for _, cmd := range cmds {
		if a, ok := shell.AsApt(cmd); ok && a.Sub == "install" {
			for _, p := range a.Packages {
				set[shell.PackageName(p)] = true
			}
		}
		if a, ok := shell.AsApk(cmd); ok && a.Sub == "add" {
			for _, p := range a.Packages {
				set[shell.PackageName(p)] = true
			}
			if a.Virtual != "" {
				set[a.Virtual] = true
			}
		}
	}
	return set
}

// removedPackages returns the packages cmds uninstall.
func removedPackages(cmds []shell.Command) []string {
	var out []string
	for _, cmd := range cmds {
		if a, ok := shell.AsApt(cmd); ok && (a.Sub == "remove" || a.Sub == "purge") {
			for _, p := range a.Packages {
				out = append(out, shell.PackageName(p))
			}
		}
		if a, ok := shell.AsApk(cmd); ok && a.Sub == "del" {
			for _, p := range a.Packages {
				out = append(out, shell.PackageName(p))
			}
		}
	}
	return out
}

func checkLateCleanup(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	var earlier []created
	pkgs := map[string]*dockerfile.Instruction{}
	for _, in := range chainInstructions(finalChain(c)) {
		if in.Kind != dockerfile.KindRun {
			earlier = append(earlier, copyDests(in)...)
			continue
		}
		cmds := runCommands(c, in)
		own := writes(in, cmds)
		ownPkgs := installedPackages(cmds)
		var msgs []string
		for i, cmd := range cmds {
			var paths []string
			if r, ok := shell.AsRm(cmd); ok {
				paths = r.Paths
			} else if p, ok := shell.AsPip(cmd); ok && p.Sub == "cache" && p.Launcher != "uv pip" {
				paths = cacheDirs(in, cmds, i, pipCache) // pip cache purge
			} else if iv, ok := shell.AsProjectTool(cmd); ok && iv.Tool == "uv" && (iv.Sub == "cache clean" || iv.Sub == "cache prune") {
				paths = cacheDirs(in, cmds, i, uvCache)
			}
			for _, raw := range paths {
				p := resolvePath(in.State.Workdir, stripGlob(raw))
				if p == "" || p == "/" || createdIn(own, p) != nil {
					continue
				}
				if cr := createdIn(earlier, p); cr != nil {
					what := raw
					if cr.what != "" {
						what = raw + " (" + cr.what + ")"
					}
					msgs = append(msgs, fmt.Sprintf("%s, written by %s at line %d", what, cr.in.Kind, cr.in.StartLine))
				}
			}
		}
		for _, p := range removedPackages(cmds) {
			if src, ok := pkgs[p]; ok && !ownPkgs[p] {
				msgs = append(msgs, fmt.Sprintf("package %s, installed by RUN at line %d", p, src.StartLine))
			}
		}
		if len(msgs) > 0 {
			out = append(out, lint.Finding(m, in,
				"RUN removes "+strings.Join(msgs, "; ")+"; the bytes stay in the earlier layer",
				"Remove the files in the RUN that creates them (or use a cache/bind mount, .dockerignore or a builder stage), then drop this cleanup."))
		}
		earlier = append(earlier, own...)
		for p := range ownPkgs {
			if _, ok := pkgs[p]; !ok {
				pkgs[p] = in
			}
		}
	}
	return out
}

// createdIn returns the entry of list that removing p throws away.
func createdIn(list []created, p string) *created {
	for i := len(list) - 1; i >= 0; i-- {
		cr := &list[i]
		if within(cr.path, p) || cr.tree && within(p, cr.path) {
			return cr
		}
	}
	return nil
}

// buildPackagesLeft returns the build packages cmds install and do not
// remove again.
func buildPackagesLeft(cmds []shell.Command) []string {
	removed := map[string]bool{}
	for _, p := range removedPackages(cmds) {
		removed[p] = true
	}
	var out []string
	seen := map[string]bool{}
	for _, cmd := range cmds {
		virtual := ""
		if a, ok := shell.AsApk(cmd); ok {
			virtual = a.Virtual
		}
		if removed[virtual] && virtual != "" {
			continue
		}
		for _, pi := range shell.SystemInstalls(&shell.Script{Commands: []shell.Command{cmd}}) {
			if shell.IsBuildPackage(pi.Package) && !removed[pi.Package] && !seen[pi.Package] {
				seen[pi.Package] = true
				out = append(out, pi.Package)
			}
		}
	}
	return out
}

func checkCompilers(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	// The full official python image is built on buildpack-deps: gcc,
	// make and hundreds of -dev packages come with it.
	if root := c.File.Root(target(c)); root.IsImage() {
		r := root.Ref()
		if !r.Unresolved && r.Tag != "" && baseimage.IsOfficialPython(r.Name()) {
			if t, err := baseimage.ParseTag(r.Tag); err == nil && t.Variant == baseimage.VariantDefault && !t.Windows() {
				out = append(out, lint.Finding(m, root.From,
					fmt.Sprintf("final image is based on %s, the full variant, which ships gcc, make and development headers", root.ResolvedBase),
					"Use the -slim variant for the final stage and build wheels in a builder stage."))
			}
		}
	}
	eachRun(c, finalChain(c), func(in *dockerfile.Instruction, cmds []shell.Command) {
		if left := buildPackagesLeft(cmds); len(left) > 0 {
			out = append(out, lint.Finding(m, in,
				fmt.Sprintf("final image keeps build packages: %s", strings.Join(left, ", ")),
				"Install them in a builder stage and copy the built wheels or venv, or remove them in this same RUN."))
		}
	})
	return out
}

func checkPackagingTools(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, in := range chainInstructions(finalChain(c)) {
		switch in.Kind {
		case dockerfile.KindRun:
			seen := map[string]bool{}
			var tools []string
			for _, s := range runScripts(in) {
				for _, ti := range shell.PackagingToolInstalls(s) {
					if !seen[ti.Tool] {
						seen[ti.Tool] = true
						tools = append(tools, ti.Tool)
					}
				}
			}
			if len(tools) > 0 {
				out = append(out, lint.Finding(m, in,
					fmt.Sprintf("final image installs %s", strings.Join(tools, ", ")),
					"Install dependencies in a builder stage and copy the venv, or mount the tool for the install only (`RUN --mount=from=…`)."))
			}
		case dockerfile.KindCopy:
			if from := strings.ToLower(in.CopyFrom); strings.Contains(from, "astral-sh/uv") {
				out = append(out, lint.Finding(m, in,
					"final image copies the uv binary from "+in.CopyFrom,
					"Mount it for the install instead: `RUN --mount=from="+in.CopyFrom+",source=/uv,target=/bin/uv uv …`."))
			}
		}
	}
	return out
}

func checkApkCache(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	eachRun(c, finalChain(c), func(in *dockerfile.Instruction, cmds []shell.Command) {
		if mountCovers(in, "/var/cache/apk") || mountCovers(in, "/etc/apk/cache") {
			return
		}
		for i, cmd := range cmds {
			a, ok := shell.AsApk(cmd)
			if !ok || !(a.Sub == "add" && !a.NoCache || a.Sub == "update") {
				continue
			}
			cleaned := false
			for _, later := range cmds[i+1:] {
				cleaned = cleaned || removes(later, in.State.Workdir, "/var/cache/apk")
			}
			if cleaned {
				continue
			}
			msg := "apk add without --no-cache leaves the package index in the layer"
			if a.Sub == "update" {
				msg = "apk update writes the package index to /var/cache/apk in this layer"
			}
			out = append(out, lint.Finding(m, in, msg, "Use `apk add --no-cache …` and drop `apk update`."))
			return
		}
	})
	return out
}

// bootstrapTools are exempt from PY310 when upgraded: `pip install -U pip
// setuptools wheel` asks for the newest on purpose and does not shape the
// app's dependency tree.
var bootstrapTools = map[string]bool{"pip": true, "setuptools": true, "wheel": true}

// checkPipUnpinned reports PY310. Decisions:
//   - Only named requirements with no specifier at all are reported. A range
//     (flask>=3,<4, requests~=2.32) is a deliberate choice and is left alone;
//     == and === pin exactly.
//   - -r/--requirement files, -c/--constraint files (or PIP_CONSTRAINT),
//     local paths, wheels, archives, URLs, VCS links and "name @ url" are not
//     reported: the version is decided elsewhere.
//   - Operands with shell expansions ($PKG, "flask==$V") are not reported.
//   - pip, setuptools and wheel are exempt when upgraded (-U/--upgrade):
//     "pip install -U pip" asks for the newest installer on purpose.
//   - pipx install and uv tool install are not checked: they install
//     applications into their own environments, not the app's dependencies.
//   - Every stage the target needs counts: an unpinned build dependency in a
//     builder stage makes the copied result unreproducible too.
func checkPipUnpinned(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	eachRun(c, c.Stages(), func(in *dockerfile.Instruction, cmds []shell.Command) {
		var loose []string
		for i, cmd := range cmds {
			p, ok := shell.AsPip(cmd)
			if !ok || p.Sub != "install" || len(p.Constraints) > 0 {
				continue
			}
			if _, ok := envSet(in, cmds, i, "PIP_CONSTRAINT"); ok {
				continue
			}
			for _, r := range p.Packages {
				if r.Kind != shell.ReqName || r.Constrained() {
					continue
				}
				if p.Upgrade && bootstrapTools[shell.NormalizeName(r.Name)] {
					continue
				}
				loose = append(loose, r.Raw)
			}
		}
		if len(loose) > 0 {
			out = append(out, lint.Finding(m, in,
				fmt.Sprintf("pip installs %s without a version", strings.Join(loose, ", ")),
				fmt.Sprintf("Pin them (`%s==<version>`) or install from a requirements/lock file.", loose[0])))
		}
	})
	return out
}

func checkChownAfterCopy(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	var copies []created
	for _, in := range chainInstructions(finalChain(c)) {
		if in.Kind != dockerfile.KindRun {
			copies = append(copies, copyDests(in)...)
			continue
		}
		for _, cmd := range runCommands(c, in) {
			o, ok := shell.AsOwnership(cmd)
			if !ok || !o.Recursive {
				continue
			}
			hit := ""
			for _, raw := range o.Paths {
				p := resolvePath(in.State.Workdir, stripGlob(raw))
				if p == "" || p == "/" {
					continue
				}
				for _, cp := range copies {
					if within(cp.path, p) || within(p, cp.path) {
						hit = fmt.Sprintf("%s -R %s rewrites %s, copied by %s at line %d", o.Tool, o.Spec, raw, cp.in.Kind, cp.in.StartLine)
						break
					}
				}
				if hit != "" {
					break
				}
			}
			if hit != "" {
				flag := "--chown=" + o.Spec
				if o.Tool == "chmod" {
					flag = "--chmod=" + o.Spec
				}
				out = append(out, lint.Finding(m, in, hit+"; the files are stored twice",
					fmt.Sprintf("Use `COPY %s …` and drop the %s.", flag, o.Tool)))
				break
			}
		}
	}
	return out
}

// installsPackages reports whether a RUN installs system or Python
// packages: such RUNs are often kept apart on purpose for caching.
func installsPackages(cmds []shell.Command) bool {
	for _, cmd := range cmds {
		if a, ok := shell.AsApt(cmd); ok && a.Sub == "install" {
			return true
		}
		if a, ok := shell.AsApk(cmd); ok && a.Sub == "add" {
			return true
		}
		if p, ok := shell.AsPip(cmd); ok && p.Sub == "install" {
			return true
		}
		if _, ok := shell.DependencyInstall(cmd); ok {
			return true
		}
	}
	return false
}

func checkMergeableRuns(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range finalChain(c) {
		var prev *dockerfile.Instruction
		prevInstalls := false
		reported := false
		for _, in := range s.Instructions {
			if in.Kind != dockerfile.KindRun {
				prev, reported = nil, false
				continue
			}
			inst := installsPackages(runCommands(c, in))
			if prev != nil && !reported && !(inst && prevInstalls) && strings.Join(prev.Flags, " ") == strings.Join(in.Flags, " ") {
				out = append(out, lint.Finding(m, in,
					fmt.Sprintf("RUN follows the RUN at line %d directly; they could be one layer", prev.StartLine),
					"Join the commands with `&&` in one RUN."))
				reported = true
			}
			prev, prevInstalls = in, inst
		}
	}
	return out
}
