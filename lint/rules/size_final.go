package rules

import (
	"fmt"
	"strings"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// Checks of build tools left in the final image (PY307, PY308).

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

// packagingToolPath names the packaging tool a copied path holds, "" if
// none: /opt/poetry, /root/.local/bin/poetry, /usr/local/bin/uv.
func packagingToolPath(p string) string {
	lp := strings.ToLower(strings.TrimSuffix(p, "/"))
	base := lp[strings.LastIndex(lp, "/")+1:]
	switch base {
	case "poetry", "pypoetry", "uv", "uvx", "pdm", "pipenv", "pip-sync", "pip-compile", "hatch":
		return strings.TrimPrefix(base, "py")
	}
	for _, tool := range []string{"poetry", "pipx"} {
		if strings.Contains(lp, "/"+tool+"/") || strings.HasSuffix(lp, "/"+tool) {
			return tool
		}
	}
	return ""
}

func checkPackagingTools(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, in := range finalInstructions(c) {
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
				continue
			}
			// A tool installed in a builder and copied over counts as
			// installing it: COPY --from=builder $POETRY_HOME $POETRY_HOME.
			if in.CopyFrom == "" {
				continue
			}
			for _, src := range in.Sources {
				if tool := packagingToolPath(src); tool != "" {
					out = append(out, lint.Finding(m, in,
						fmt.Sprintf("final image copies %s (%s) from %s", tool, src, in.CopyFrom),
						"Copy only the installed environment (the venv or site-packages), not the tool that built it."))
					break
				}
			}
		}
	}
	return out
}
