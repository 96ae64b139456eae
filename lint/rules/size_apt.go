package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// Checks of apt-get and apk installs (PY301–PY303, PY309).

// reNoRecommendsConf matches apt configuration that turns Recommends off,
// as written to /etc/apt/apt.conf.d by `echo 'APT::Install-Recommends "0";'`.
var reNoRecommendsConf = regexp.MustCompile(`(?i)APT::Install-Recommends\s*(=\s*|\s+)\\?["']?\s*(0|false|no|off)\b`)

// configuresNoRecommends reports whether in writes apt configuration that
// turns Recommends off for later installs.
func configuresNoRecommends(in *dockerfile.Instruction) bool {
	switch in.Kind {
	case dockerfile.KindRun:
		s := in.Script()
		return strings.Contains(s, "apt.conf") && reNoRecommendsConf.MatchString(s)
	case dockerfile.KindCopy:
		if !strings.Contains(in.Dest, "/etc/apt/apt.conf") {
			return false
		}
		for _, h := range in.Heredocs {
			if reNoRecommendsConf.MatchString(h.Content) {
				return true
			}
		}
	}
	return false
}

func checkAptRecommends(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	configured := false
	eachRun(c, finalChain(c), func(in *dockerfile.Instruction, cmds []shell.Command) {
		if configured {
			return
		}
		for _, cmd := range cmds {
			if a, ok := shell.AsApt(cmd); ok && a.Sub == "install" && !a.NoInstallRecommends && len(a.Packages) > 0 {
				out = append(out, lint.Finding(m, in,
					fmt.Sprintf("%s install of %s without --no-install-recommends", a.Tool, strings.Join(a.Packages, " ")),
					"Add `--no-install-recommends` to the install command."))
				break
			}
		}
		configured = configuresNoRecommends(in)
	})
	// A COPY of the configuration counts as well.
	if !configured {
		for _, in := range finalInstructions(c) {
			if in.Kind == dockerfile.KindCopy && configuresNoRecommends(in) {
				return dropAfter(out, in.StartLine)
			}
		}
	}
	return out
}

// dropAfter removes the findings after line.
func dropAfter(fs []report.Finding, line int) []report.Finding {
	out := fs[:0]
	for _, f := range fs {
		if f.Line < line {
			out = append(out, f)
		}
	}
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
