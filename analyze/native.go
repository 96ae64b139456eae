package analyze

import (
	"fmt"
	"strings"

	"github.com/pyimg/pyimg/native"
	"github.com/pyimg/pyimg/report"
)

// NativeFindings turns a native-library report (run in the same layer pass
// as the Analyzer) into findings: PY701 for each missing shared library,
// PY702 when the closure needs newer glibc (or libstdc++) symbol versions
// than the image has, PY703 for each object linked against the other C
// library.
func NativeFindings(res *native.Result) []report.Finding {
	out := []report.Finding{}
	if res == nil {
		return out
	}
	for _, m := range res.Missing {
		who := strings.Join(m.Extensions, ", ")
		if len(m.Distributions) > 0 {
			who += " (" + strings.Join(m.Distributions, ", ") + ")"
		}
		msg := fmt.Sprintf("%s is needed by %s but the loader finds it nowhere in the image", m.Soname, who)
		var pkgs []string
		for _, p := range m.Providers {
			pkgs = append(pkgs, p.Package)
		}
		if len(pkgs) > 0 {
			msg += "; provided by " + strings.Join(pkgs, " or ")
		}
		path := ""
		if len(m.Extensions) > 0 {
			path = m.Extensions[0]
		}
		out = append(out, finding(RuleMissingLib, path, nil, msg))
	}
	if res.GlibcTooOld() {
		out = append(out, finding(RuleGlibcTooOld, res.GlibcRequiredBy, nil,
			fmt.Sprintf("%s requires GLIBC_%s but the image's glibc is %s", res.GlibcRequiredBy, res.GlibcRequired, res.GlibcAvailable)))
	}
	for _, g := range res.VersionGaps {
		if strings.HasPrefix(g.Version, "GLIBC_") && res.GlibcTooOld() {
			continue // reported once above
		}
		out = append(out, finding(RuleGlibcTooOld, g.Path, nil,
			fmt.Sprintf("%s needs symbol version %s, which %s does not define", g.Path, g.Version, g.Library)))
	}
	for _, m := range res.Mismatches {
		msg := m.Path + ": " + m.Reason
		if m.Distribution != "" {
			msg += " (" + m.Distribution + ")"
		}
		out = append(out, finding(RuleLibcMismatch, m.Path, nil, msg))
	}
	return out
}
