package rules

import (
	"fmt"
	"path"
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/pydist"
	"github.com/pyimg/pyimg/report"
)

// Checks of pip, uv and poetry installs (PY304, PY310).

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
				if p.Upgrade && bootstrapTools[pydist.NormalizeName(r.Name)] {
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
