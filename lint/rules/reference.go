package rules

import (
	"fmt"
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// referenceRules is PY109: a FROM reference outside the image reference
// grammar.
func referenceRules() []lint.Rule {
	return []lint.Rule{
		rule{meta: report.Rule{
			ID: "PY109", Name: "invalid-image-reference", Severity: report.SeverityError,
			Summary: "A FROM reference is not a valid image reference.",
			Why: "The build fails on it, or worse, a tool that does not check sends it somewhere unexpected: " +
				"`../../etc/passwd` is not a repository, `http://host/x` has a scheme no registry speaks, and a digest " +
				"that is not 64 hex digits cannot pin anything.",
			Fix:  "Write REGISTRY/REPOSITORY[:TAG][@sha256:<64 hex digits>], lowercase, without a scheme.",
			Bad:  "FROM python:3.12-slim@sha256:zzzz\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			for _, s := range c.Stages() {
				if !s.IsImage() || strings.TrimSpace(s.ResolvedBase) == "" {
					continue
				}
				if err := dockerfile.CheckImageReference(s.ResolvedBase); err != nil {
					out = append(out, lint.Finding(m, s.From,
						fmt.Sprintf("%s: FROM %v", stageName(s), err),
						"Write REGISTRY/REPOSITORY[:TAG][@sha256:<64 hex digits>], lowercase, without a scheme."))
				}
			}
			return out
		}},
	}
}
