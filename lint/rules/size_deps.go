package rules

import (
	"fmt"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// PY305: application source copied before the dependency install.

func checkSourceBeforeDeps(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range c.Stages() {
		if depsInstalled(c, s) {
			continue
		}
		var src *dockerfile.Instruction
		var what string
	scan:
		for _, in := range s.Instructions {
			if in.Kind == dockerfile.KindCopy && in.CopyFrom != "" && src == nil && copiesPythonEnv(in) {
				break // an environment installed elsewhere comes first
			}
			if w, ok := copiesAppSource(in, c.Build); ok && src == nil {
				src, what = in, w
				continue
			}
			if in.Kind != dockerfile.KindRun {
				continue
			}
			for _, cmd := range runCommands(c, in) {
				step, ok := shell.DependencyInstall(cmd)
				if !ok || projectOnly(cmd) {
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

// depsInstalled reports whether s's FROM chain already installed the
// dependencies before s (a RUN with a dependency install), or s copies an
// installed environment from another stage before index upto: a later
// `uv sync` or `poetry install` then only adds the project.
func depsInstalled(c *lint.Context, s *dockerfile.Stage) bool {
	p := s.Parent
	return p >= 0 && p < s.Index && stageInstallsDeps(c, c.File.Stages[p])
}

type depsKey struct{ s *dockerfile.Stage }

// stageInstallsDeps reports whether s or a stage it is built FROM runs a
// dependency install, computed once per stage and lint run.
func stageInstallsDeps(c *lint.Context, s *dockerfile.Stage) bool {
	return c.Memo(depsKey{s}, func() any {
		for _, in := range s.Instructions {
			if in.Kind == dockerfile.KindRun && installsDeps(c, in) {
				return true
			}
		}
		return depsInstalled(c, s)
	}).(bool)
}

// installsDeps reports whether a RUN installs the dependencies (not only
// the project: `poetry install --only-root`, `pip install --no-deps`).
func installsDeps(c *lint.Context, in *dockerfile.Instruction) bool {
	for _, cmd := range runCommands(c, in) {
		if _, ok := shell.DependencyInstall(cmd); ok && !projectOnly(cmd) {
			return true
		}
	}
	return false
}

func projectOnly(cmd shell.Command) bool {
	for _, a := range cmd.Args {
		if a == "--only-root" || a == "--no-deps" {
			return true
		}
	}
	return false
}
