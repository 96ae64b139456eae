package rules

import (
	"path"
	"slices"
	"strings"

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
// It is computed once per lint run and shared: callers must not modify it.
func finalChain(c *lint.Context) []*dockerfile.Stage {
	return c.Memo(finalChainKey{}, func() any {
		if len(c.File.Stages) == 0 {
			return []*dockerfile.Stage(nil)
		}
		var out []*dockerfile.Stage
		for s := target(c); ; s = c.File.Stages[s.Parent] {
			out = append(out, s)
			if s.Parent < 0 || s.Parent >= len(c.File.Stages) || len(out) > len(c.File.Stages) {
				break
			}
		}
		slices.Reverse(out)
		return out
	}).([]*dockerfile.Stage)
}

type finalChainKey struct{}

type finalChainSetKey struct{}

// finalChainSet reports by stage index whether the stage is in finalChain.
func finalChainSet(c *lint.Context) map[int]bool {
	return c.Memo(finalChainSetKey{}, func() any {
		out := map[int]bool{}
		for _, s := range finalChain(c) {
			out[s.Index] = true
		}
		return out
	}).(map[int]bool)
}

type finalInstructionsKey struct{}

// finalInstructions returns the instructions of finalChain in order,
// computed once per lint run.
func finalInstructions(c *lint.Context) []*dockerfile.Instruction {
	return c.Memo(finalInstructionsKey{}, func() any { return chainInstructions(finalChain(c)) }).([]*dockerfile.Instruction)
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
	for _, s := range stages {
		for _, in := range s.Instructions {
			if in.Kind != dockerfile.KindRun {
				continue
			}
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
