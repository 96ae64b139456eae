package compare

import (
	_ "embed"
	"html/template"
	"io"
	"strings"

	"github.com/pyimg/pyimg/report/htmlchart"
)

//go:embed page.html.tmpl
var pageTemplate string

var page = template.Must(template.New("compare").Funcs(template.FuncMap{"clean": Sanitize}).Parse(pageTemplate))

// HTMLMeta identifies the run on the page.
type HTMLMeta struct {
	// Version is pyimg's version.
	Version string
}

type htmlCell struct {
	Text  string
	Delta string
	Diff  bool
}

type htmlRow struct {
	Reference string
	Baseline  bool
	Cells     []htmlCell
}

type htmlPage struct {
	Meta     HTMLMeta
	Style    template.CSS
	Headers  []string
	Rows     []htmlRow
	Sizes    template.HTML
	Packages template.HTML
	Waste    template.HTML
	CVEs     template.HTML
	Database bool
	Diffs    []PackageDiff
}

// WriteHTML writes the comparison as a self-contained page (no script,
// font or network): one row per image with differing facts highlighted and
// deltas against the baseline, bar charts of sizes, package counts and
// wasted bytes, stacked CVE severity bars, and the package diffs.
func WriteHTML(w io.Writer, r *Result, m HTMLMeta) error {
	p := htmlPage{Meta: m, Style: htmlchart.Style, Database: r.Database, Diffs: r.PackageDiffs}
	for _, f := range facts {
		p.Headers = append(p.Headers, labels[f.name])
	}
	var sizes, pkgs, waste []htmlchart.Bar
	var stacks []htmlchart.Stack
	for i := range r.Images {
		img := &r.Images[i]
		row := htmlRow{Reference: Sanitize(img.Reference), Baseline: i == r.Baseline && len(r.Images) > 1}
		for _, f := range facts {
			text := Sanitize(cell(r, i, f.name))
			c := htmlCell{Text: text, Diff: r.differs(f.name)}
			// Show the delta on its own line.
			if img.Delta != nil {
				if base := Sanitize(cellNoDelta(r, i, f.name)); base != text && strings.HasPrefix(text, base) {
					c.Text, c.Delta = base, text[len(base):]
				}
			}
			row.Cells = append(row.Cells, c)
		}
		p.Rows = append(p.Rows, row)
		ref := shortRef(Sanitize(img.Reference))
		sizes = append(sizes,
			htmlchart.Bar{Label: ref, Title: ref + " uncompressed", Value: img.SizeBytes, Text: fmtBytes(img.SizeBytes)},
			htmlchart.Bar{Label: "compressed", Title: ref + " compressed", Value: img.CompressedBytes, Text: fmtBytes(img.CompressedBytes), Class: "compressed"})
		pkgs = append(pkgs,
			htmlchart.Bar{Label: ref, Title: ref + " OS packages", Value: int64(img.OSPackages), Text: fmtInt(int64(img.OSPackages)) + " OS"},
			htmlchart.Bar{Label: "Python", Title: ref + " Python packages", Value: int64(img.PythonPackages), Text: fmtInt(int64(img.PythonPackages)) + " Python", Class: "pkg"})
		waste = append(waste, htmlchart.Bar{Label: ref, Value: img.WastedBytes, Text: fmtBytes(img.WastedBytes), Class: "waste"})
		if img.CVEs != nil {
			c := img.CVEs
			stacks = append(stacks, htmlchart.Stack{Label: ref, Segments: []htmlchart.Segment{
				{Value: c.Critical, Class: "sev-critical", Title: fmtInt(int64(c.Critical)) + " critical"},
				{Value: c.High, Class: "sev-high", Title: fmtInt(int64(c.High)) + " high"},
				{Value: c.Medium, Class: "sev-medium", Title: fmtInt(int64(c.Medium)) + " medium"},
				{Value: c.Low, Class: "sev-low", Title: fmtInt(int64(c.Low)) + " low"},
				{Value: c.Unknown, Class: "sev-unknown", Title: fmtInt(int64(c.Unknown)) + " unknown severity"},
			}})
		}
	}
	p.Sizes, p.Packages, p.Waste = htmlchart.Bars(sizes), htmlchart.Bars(pkgs), htmlchart.Bars(waste)
	if r.Database {
		p.CVEs = htmlchart.Stacked(stacks)
	}
	return page.Execute(w, p)
}

// cellNoDelta is a cell's value without its delta.
func cellNoDelta(r *Result, i int, fact string) string {
	img := r.Images[i]
	img.Delta = nil
	rr := *r
	rr.Images = []Image{img}
	return cell(&rr, 0, fact)
}

// shortRef shortens a reference for a chart label: the transport and all
// but the last two path elements go ("wasted/image.oci.tar",
// "library/python:3.12-slim").
func shortRef(ref string) string {
	for _, t := range []string{"docker://", "oci-archive:", "docker-archive:", "oci:"} {
		ref = strings.TrimPrefix(ref, t)
	}
	parts := strings.Split(ref, "/")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, "/")
}
