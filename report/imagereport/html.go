package imagereport

import (
	_ "embed"
	"html/template"
	"io"
	"strings"

	"github.com/pyimg/pyimg/analyze"
	"github.com/pyimg/pyimg/report"
)

//go:embed page.html.tmpl
var pageTemplate string

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"bytes":   HumanBytes,
	"short":   shorten,
	"digest":  shortDigest,
	"pct":     func(f float64) string { return trimFloat(100 * f) },
	"lower":   strings.ToLower,
	"sevname": func(s report.Severity) string { return s.String() },
}).Parse(pageTemplate))

type bar struct {
	Label, Title string
	Bytes        int64
	Width        float64 // percent of the widest bar
}

type pageData struct {
	Meta     Meta
	Res      *analyze.Result
	Layers   []bar
	Packages []bar
	Findings []report.Finding
}

// WriteHTML writes a self-contained HTML page (no external assets or
// scripts): totals, a bar chart of layer sizes, the biggest Python
// packages, leftovers and findings.
func WriteHTML(w io.Writer, res *analyze.Result, m Meta) error {
	d := pageData{Meta: m, Res: res, Findings: res.Findings}
	var maxL int64
	for _, l := range res.Layers {
		maxL = max(maxL, l.SizeBytes)
	}
	for _, l := range res.Layers {
		d.Layers = append(d.Layers, bar{Label: shorten(l.CreatedBy, 90), Title: l.Digest, Bytes: l.SizeBytes, Width: ratio(l.SizeBytes, maxL)})
	}
	pkgs := append([]analyze.PythonPackage(nil), res.PythonPackages...)
	sortPackages(pkgs)
	if len(pkgs) > 30 {
		pkgs = pkgs[:30]
	}
	var maxP int64
	for _, p := range pkgs {
		maxP = max(maxP, p.SizeBytes)
	}
	for _, p := range pkgs {
		d.Packages = append(d.Packages, bar{Label: p.Name + " " + p.Version, Title: p.Location, Bytes: p.SizeBytes, Width: ratio(p.SizeBytes, maxP)})
	}
	return page.Execute(w, d)
}

func ratio(n, of int64) float64 {
	if of <= 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

func trimFloat(f float64) string {
	s := strings.TrimRight(strings.TrimRight(strconvFormat(f), "0"), ".")
	if s == "" {
		return "0"
	}
	return s
}
