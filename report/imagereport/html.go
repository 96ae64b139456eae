package imagereport

import (
	_ "embed"
	"html/template"
	"io"
	"strings"

	"github.com/pyimg/pyimg/analyze"
	"github.com/pyimg/pyimg/report"
	"github.com/pyimg/pyimg/report/htmlchart"
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

type pageData struct {
	Meta     Meta
	Res      *analyze.Result
	Style    template.CSS
	Layers   template.HTML
	Packages template.HTML
	Treemap  template.HTML
	Findings []report.Finding
	RulesURL string
}

// WriteHTML writes a self-contained HTML page (no external assets or
// scripts): summary cards, a bar chart of layer sizes, a treemap of the
// final filesystem by directory with wasted bytes marked, the biggest
// Python packages, leftovers and findings linked to their rule's docs.
func WriteHTML(w io.Writer, res *analyze.Result, m Meta) error {
	d := pageData{Meta: m, Res: res, Findings: res.Findings, Style: htmlchart.Style, RulesURL: m.RulesURL}
	var bars []htmlchart.Bar
	for _, l := range res.Layers {
		bars = append(bars, htmlchart.Bar{
			Label: shorten(l.CreatedBy, 60), Title: l.CreatedBy + "\n" + l.Digest,
			Value: l.SizeBytes, Text: HumanBytes(l.SizeBytes),
		})
	}
	d.Layers = htmlchart.Bars(bars)
	pkgs := append([]analyze.PythonPackage(nil), res.PythonPackages...)
	sortPackages(pkgs)
	if len(pkgs) > 30 {
		pkgs = pkgs[:30]
	}
	bars = nil
	for _, p := range pkgs {
		bars = append(bars, htmlchart.Bar{Label: p.Name + " " + p.Version, Title: p.Location, Value: p.SizeBytes, Text: HumanBytes(p.SizeBytes), Class: "pkg"})
	}
	if len(bars) > 0 {
		d.Packages = htmlchart.Bars(bars)
	}
	if res.Tree != nil {
		d.Treemap = htmlchart.Treemap(treeNode(res.Tree), 1100, 460)
	}
	return page.Execute(w, d)
}

// treeNode converts analyze's directory tree to the chart's model.
func treeNode(t *analyze.TreeNode) htmlchart.Node {
	title := t.Path + "  " + HumanBytes(t.SizeBytes)
	if t.Name == "(other)" {
		title = t.Path + " (smaller entries)  " + HumanBytes(t.SizeBytes)
	}
	if t.WastedBytes > 0 {
		title += ", " + HumanBytes(t.WastedBytes) + " wasted"
	}
	label := t.Path
	if t.Name == "(other)" {
		label = strings.TrimSuffix(t.Path, "/") + "/…"
	}
	n := htmlchart.Node{Label: label, Title: title, Size: t.SizeBytes, Wasted: t.WastedBytes}
	if len(t.Children) > 0 {
		// What a directory holds directly (files beside its subdirectories,
		// bytes deleted from it) is its own cell.
		var kids int64
		var kidsWaste int64
		for i := range t.Children {
			n.Children = append(n.Children, treeNode(&t.Children[i]))
			kids += t.Children[i].SizeBytes
			kidsWaste += t.Children[i].WastedBytes
		}
		if own, ownWaste := t.SizeBytes-kids, t.WastedBytes-kidsWaste; own > 0 || ownWaste > 0 {
			n.Children = append(n.Children, htmlchart.Node{Label: t.Path + " (files)", Title: t.Path + " (its own files)", Size: max(own, 0), Wasted: max(ownWaste, 0)})
		}
	}
	return n
}

func trimFloat(f float64) string {
	s := strings.TrimRight(strings.TrimRight(strconvFormat(f), "0"), ".")
	if s == "" {
		return "0"
	}
	return s
}
