package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// PY107 beyond venvs and site-packages: directories filled by
// `pip install --target/--prefix/--root` in one stage and copied into
// another, and pip run with one interpreter while the image runs another.

// copiesPipTarget reports whether a COPY --from copies a directory the
// source stage (or its FROM chain) filled with pip --target, --prefix or
// --root.
func copiesPipTarget(c *lint.Context, in *dockerfile.Instruction) bool {
	from, ok := c.File.CopySource(in)
	if !ok {
		return false
	}
	dirs := pipTargets(c, from)
	for _, src := range in.Sources {
		p := cleanAbs(src)
		for _, d := range dirs {
			if overlaps(p, d) && p != "/" {
				return true
			}
		}
	}
	return false
}

type pipTargetsKey struct{ s *dockerfile.Stage }

// pipTargets returns the directories pip installs into with --target,
// --prefix or --root in s and the stages it is built FROM.
func pipTargets(c *lint.Context, s *dockerfile.Stage) []string {
	return c.Memo(pipTargetsKey{s}, func() any {
		var out []string
		if p := s.Parent; p >= 0 && p < s.Index {
			out = append(out, pipTargets(c, c.File.Stages[p])...)
		}
		eachRun(c, []*dockerfile.Stage{s}, func(in *dockerfile.Instruction, cmds []shell.Command) {
			for _, cmd := range cmds {
				p, ok := shell.AsPip(cmd)
				if !ok || p.Sub != "install" {
					continue
				}
				for _, d := range []string{p.Target, p.Prefix, p.Root} {
					if r := resolvePath(in.State.Workdir, in.Expand(d)); r != "" && r != "/" {
						out = append(out, r)
					}
				}
			}
		})
		return out
	}).([]string)
}

var reVersionedPython = regexp.MustCompile(`^python(3\.[0-9]+)$`)

// interpreterMismatch reports pip run with one versioned interpreter
// (`python3.8 -m pip install`) in the target's stages while the image runs
// another Python series.
func interpreterMismatch(k *baseimage.Knowledge, m report.Rule, c *lint.Context) []report.Finding {
	runtime, where := runtimeSeries(k, c)
	if runtime == "" {
		return nil
	}
	var out []report.Finding
	eachRun(c, finalChain(c), func(in *dockerfile.Instruction, cmds []shell.Command) {
		for _, cmd := range cmds {
			p, ok := shell.AsPip(cmd)
			if !ok || p.Sub != "install" {
				continue
			}
			launcher := strings.Fields(p.Launcher)[0]
			mm := reVersionedPython.FindStringSubmatch(launcher)
			if mm == nil || mm[1] == runtime {
				continue
			}
			out = append(out, lint.Finding(m, in,
				fmt.Sprintf("%s installs packages for Python %s, but the image runs Python %s (%s); they are not importable there",
					p.Launcher, mm[1], runtime, where),
				fmt.Sprintf("Install with the interpreter the image runs (`python%s -m pip install …`), or run the app with %s.", runtime, launcher)))
			return
		}
	})
	return out
}

// runtimeSeries returns the Python series the target image runs: the
// versioned interpreter its ENTRYPOINT or CMD names, else, when they run
// python or python3, the base image's series.
func runtimeSeries(k *baseimage.Knowledge, c *lint.Context) (series, where string) {
	generic := ""
	for _, kind := range []string{dockerfile.KindEntrypoint, dockerfile.KindCmd} {
		in := effective(c, kind)
		if in == nil {
			continue
		}
		words := in.Command
		if !in.JSON {
			words = strings.Fields(strings.Join(in.Command, " "))
		}
		for _, w := range words {
			name := w[strings.LastIndex(w, "/")+1:]
			if mm := reVersionedPython.FindStringSubmatch(name); mm != nil {
				return mm[1], kind + " runs " + name
			}
			if name == "python" || name == "python3" {
				generic = kind + " runs " + name
			}
		}
	}
	if generic == "" {
		return "", ""
	}
	if a, ok := abiOf(k, c, target(c)); ok && a.series != "" {
		return a.series, generic + " of " + a.image
	}
	return "", ""
}
