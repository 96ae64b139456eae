package rules

import (
	"fmt"
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// condaRule is PY313: conda, mamba and micromamba keep every downloaded
// package tarball and its extracted copy in pkgs/ unless cleaned.
func condaRule() lint.Rule {
	return rule{meta: report.Rule{
		ID: "PY313", Name: "conda-cache-in-layer", Severity: report.SeverityWarning,
		Summary: "conda, mamba or micromamba installs packages without `clean` in the same RUN.",
		Why: "conda keeps the downloaded tarballs and extracted packages in pkgs/ (/opt/conda/pkgs, $MAMBA_ROOT_PREFIX/pkgs): " +
			"for a scientific stack that is often 1–3 GB in the layer, doubling the image.",
		Fix: "End the same RUN with `conda clean -afy` (`mamba clean -afy`, `micromamba clean --all --yes`), or keep the cache out of " +
			"the layer with `RUN --mount=type=cache,target=/opt/conda/pkgs`.",
		Bad:  "FROM continuumio/miniconda3:24.9.2-0@sha256:" + exampleDigest + "\nRUN conda install -y numpy=2.1.3\n",
		Good: "FROM continuumio/miniconda3:24.9.2-0@sha256:" + exampleDigest + "\nRUN conda install -y numpy=2.1.3 && conda clean -afy\n",
	}, check: checkCondaCache}
}

var condaTools = map[string]bool{"conda": true, "mamba": true, "micromamba": true}

func checkCondaCache(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	eachRun(c, finalChain(c), func(in *dockerfile.Instruction, cmds []shell.Command) {
		install, cleaned := "", false
		for _, cmd := range cmds {
			if !condaTools[cmd.Name] || len(cmd.Args) == 0 {
				continue
			}
			sub := cmd.Args[0]
			if sub == "env" && len(cmd.Args) > 1 {
				sub = "env " + cmd.Args[1]
			}
			switch sub {
			case "install", "create", "update", "env create", "env update":
				if install == "" {
					install = cmd.Name + " " + sub
				}
			case "clean":
				cleaned = true
			}
		}
		if install == "" || cleaned || condaCacheMounted(in) {
			return
		}
		out = append(out, lint.Finding(m, in,
			fmt.Sprintf("RUN %s keeps the package cache (pkgs/) in the layer", install),
			fmt.Sprintf("End the RUN with `%s clean -afy` (micromamba: `micromamba clean --all --yes`), or mount a cache on the pkgs directory.", strings.Fields(install)[0])))
	})
	return out
}

// condaCacheMounted reports a cache or tmpfs mount on a conda package
// directory.
func condaCacheMounted(in *dockerfile.Instruction) bool {
	for _, mt := range in.Mounts {
		if mt.Type != "cache" && mt.Type != "tmpfs" {
			continue
		}
		t := strings.ToLower(mt.Target)
		if strings.Contains(t, "conda") || strings.Contains(t, "mamba") || strings.HasSuffix(strings.TrimSuffix(t, "/"), "/pkgs") {
			return true
		}
	}
	return false
}
