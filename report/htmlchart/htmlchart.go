// Package htmlchart draws the charts of pyimg's HTML reports as inline SVG:
// horizontal bars, stacked severity bars and a squarified treemap. The
// output needs no script, font or network, prints as it shows, and every
// drawn element carries a class and a <title> so that tests and people can
// find and read it.
package htmlchart

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
)

// Bar is one bar of a bar chart.
type Bar struct {
	Label string // drawn left of the bar
	Value int64
	Text  string // drawn right of the bar (the formatted value)
	Title string // tooltip
	// Class is added to the bar's class ("bar CLASS"), for colour.
	Class string
}

// Bars draws a horizontal bar chart, one row per bar, scaled to the
// largest value. The SVG has class "chart bars" and data-count = len(bars).
func Bars(bars []Bar) template.HTML {
	const row, labelW, barW, textW = 22, 330, 420, 110
	var maxV int64
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	w := labelW + barW + textW
	h := row*len(bars) + 4
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart bars" data-count="%d" role="img" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet">`, len(bars), w, h)
	for i, b := range bars {
		y := i*row + 2
		bw := 0.0
		if maxV > 0 {
			bw = float64(barW-4) * float64(b.Value) / float64(maxV)
		}
		if b.Value > 0 {
			bw = math.Max(bw, 1)
		}
		fmt.Fprintf(&s, `<g><title>%s</title><text x="%d" y="%d" class="label" text-anchor="end">%s</text>`,
			esc(firstNonEmpty(b.Title, b.Label)), labelW-8, y+15, esc(clip(b.Label, 48)))
		class := "bar"
		if b.Class != "" {
			class += " " + b.Class
		}
		fmt.Fprintf(&s, `<rect class="%s" x="%d" y="%d" width="%.1f" height="%d" rx="3"></rect>`, esc(class), labelW, y+3, bw, row-8)
		fmt.Fprintf(&s, `<text x="%.1f" y="%d" class="value">%s</text></g>`, float64(labelW)+bw+6, y+15, esc(b.Text))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// Segment is one part of a stacked bar.
type Segment struct {
	Value int
	Class string // "sev-critical", …
	Title string
}

// Stack is one stacked bar: a label and its segments.
type Stack struct {
	Label    string
	Segments []Segment
}

// Stacked draws one stacked horizontal bar per stack, scaled to the
// largest total. Each non-empty segment is a rect of class "seg CLASS".
// The SVG has class "chart stacked" and data-count = the number of
// segments drawn.
func Stacked(stacks []Stack) template.HTML {
	const row, labelW, barW, textW = 26, 330, 420, 80
	maxT := 0
	drawn := 0
	for _, st := range stacks {
		t := 0
		for _, sg := range st.Segments {
			t += sg.Value
			if sg.Value > 0 {
				drawn++
			}
		}
		maxT = max(maxT, t)
	}
	w := labelW + barW + textW
	h := row*len(stacks) + 4
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart stacked" data-count="%d" role="img" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMinYMin meet">`, drawn, w, h)
	for i, st := range stacks {
		y := i*row + 2
		fmt.Fprintf(&s, `<text x="%d" y="%d" class="label" text-anchor="end">%s</text>`, labelW-8, y+16, esc(clip(st.Label, 48)))
		x := float64(labelW)
		total := 0
		for _, sg := range st.Segments {
			total += sg.Value
			if sg.Value <= 0 || maxT == 0 {
				continue
			}
			sw := math.Max(float64(barW-4)*float64(sg.Value)/float64(maxT), 2)
			fmt.Fprintf(&s, `<rect class="seg %s" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s</title></rect>`, esc(sg.Class), x, y+3, sw, row-8, esc(sg.Title))
			x += sw
		}
		fmt.Fprintf(&s, `<text x="%.1f" y="%d" class="value">%d</text>`, x+6, y+16, total)
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

// Node is a treemap node: a leaf is drawn, an inner node is split among its
// children. Size is the node's own total (children included); Wasted marks
// bytes that cost space for nothing.
type Node struct {
	Label    string
	Title    string
	Size     int64
	Wasted   int64
	Children []Node
}

type cell struct {
	n          *Node
	x, y, w, h float64
	depth      int
}

// Treemap draws root as a squarified treemap of width×height user units.
// Leaves are rects of class "cell" (plus "wasted" when more than a tenth
// of their bytes are wasted); a node's area is its Size plus its Wasted
// bytes, so deleted files still show where they cost. The SVG has class
// "chart treemap" and data-count = the number of cells.
func Treemap(root Node, width, height float64) template.HTML {
	var cells []cell
	var lay func(n *Node, x, y, w, h float64, depth int)
	lay = func(n *Node, x, y, w, h float64, depth int) {
		kids := make([]*Node, 0, len(n.Children))
		for i := range n.Children {
			if area(&n.Children[i]) > 0 {
				kids = append(kids, &n.Children[i])
			}
		}
		if len(kids) == 0 || w < 6 || h < 6 {
			cells = append(cells, cell{n, x, y, w, h, depth})
			return
		}
		sort.SliceStable(kids, func(i, j int) bool { return area(kids[i]) > area(kids[j]) })
		pad := 0.0
		if depth > 0 {
			pad = 2
		}
		for _, r := range squarify(kids, x+pad, y+pad, w-2*pad, h-2*pad) {
			lay(r.n, r.x, r.y, r.w, r.h, depth+1)
		}
	}
	lay(&root, 0, 0, width, height, 0)
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart treemap" data-count="%d" role="img" viewBox="0 0 %.0f %.0f" width="100%%" preserveAspectRatio="xMinYMin meet">`, len(cells), width, height)
	s.WriteString(`<defs><pattern id="waste" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3b0a8"></rect><line x1="0" y1="0" x2="0" y2="6" stroke="#c2412d" stroke-width="2"></line></pattern></defs>`)
	for i, c := range cells {
		class := fmt.Sprintf("cell c%d", i%6)
		fill := ""
		if float64(c.n.Wasted)*10 > area(c.n) {
			class += " wasted"
			fill = ` fill="url(#waste)"`
		}
		fmt.Fprintf(&s, `<g><title>%s</title><rect class="%s"%s x="%.1f" y="%.1f" width="%.1f" height="%.1f"></rect>`,
			esc(firstNonEmpty(c.n.Title, c.n.Label)), class, fill, c.x, c.y, math.Max(c.w-1, 0.5), math.Max(c.h-1, 0.5))
		if c.w > 60 && c.h > 16 {
			fmt.Fprintf(&s, `<text x="%.1f" y="%.1f" class="cell-label">%s</text>`, c.x+4, c.y+13, esc(clip(c.n.Label, int(c.w/7))))
		}
		s.WriteString(`</g>`)
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}

func area(n *Node) float64 { return float64(n.Size + n.Wasted) }

type rect struct {
	n          *Node
	x, y, w, h float64
}

// squarify lays out nodes (sorted by area, largest first) in the rectangle
// with the squarified algorithm of Bruls, Huizing and van Wijk: rows are
// filled along the shorter side while the worst aspect ratio improves.
func squarify(nodes []*Node, x, y, w, h float64) []rect {
	var total float64
	for _, n := range nodes {
		total += area(n)
	}
	if total <= 0 || w <= 0 || h <= 0 {
		return nil
	}
	scale := w * h / total
	var out []rect
	for len(nodes) > 0 {
		short := math.Min(w, h)
		var row []*Node
		var rowArea float64
		worst := math.Inf(1)
		for len(nodes) > 0 {
			a := area(nodes[0]) * scale
			cand := append(row, nodes[0])
			ws := worstRatio(cand, rowArea+a, short, scale)
			if len(row) > 0 && ws > worst {
				break
			}
			row, rowArea, worst = cand, rowArea+a, ws
			nodes = nodes[1:]
		}
		thick := rowArea / short
		off := 0.0
		for _, n := range row {
			l := area(n) * scale / thick
			if w >= h { // column on the left
				out = append(out, rect{n, x, y + off, thick, l})
			} else { // row on top
				out = append(out, rect{n, x + off, y, l, thick})
			}
			off += l
		}
		if w >= h {
			x, w = x+thick, w-thick
		} else {
			y, h = y+thick, h-thick
		}
	}
	return out
}

func worstRatio(row []*Node, sum, side, scale float64) float64 {
	if sum <= 0 {
		return math.Inf(1)
	}
	minA, maxA := math.Inf(1), 0.0
	for _, n := range row {
		a := area(n) * scale
		minA, maxA = math.Min(minA, a), math.Max(maxA, a)
	}
	s2, side2 := sum*sum, side*side
	return math.Max(side2*maxA/s2, s2/(side2*minA))
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func clip(s string, n int) string {
	if n < 2 {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Style is the stylesheet shared by pyimg's HTML pages: readable on a
// laptop screen, printable, no web fonts.
const Style template.CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1180px;padding:0 1rem;color:#1d232a;background:#fff}
h1{font-size:1.3rem;word-break:break-all}h2{font-size:1.05rem;margin-top:2rem;border-bottom:1px solid #dde2e7;padding-bottom:.3rem}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
.cards{display:flex;flex-wrap:wrap;gap:.75rem}.card{border:1px solid #dde2e7;border-radius:8px;padding:.6rem .9rem;min-width:9rem}
.card b{display:block;font-size:1.15rem}.card span{color:#5b6670;font-size:12px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #eef1f4;vertical-align:top}
th{font-weight:600;color:#5b6670;font-size:12px;text-transform:uppercase}.num{text-align:right;white-space:nowrap}
td.diff{background:#fff6d6;font-weight:600}.delta{color:#5b6670;font-weight:400;font-size:12px;display:block}
.sev{font-weight:600;border-radius:4px;padding:0 .4rem;font-size:12px}.sev-error{background:#fde2e1;color:#a61b1b}.sev-warning{background:#fff1cc;color:#8a5a00}.sev-info{background:#e3efff;color:#1d4f91}
.gate{background:#fde2e1;color:#a61b1b;padding:.5rem .8rem;border-radius:6px;margin:.3rem 0}
.muted{color:#5b6670}.legend span{display:inline-block;margin-right:1rem;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;vertical-align:middle}
svg.chart{display:block;max-width:100%;margin:.4rem 0}svg.chart text{font:12px system-ui,sans-serif;fill:#1d232a}svg.chart text.value{fill:#5b6670}
svg.chart rect.bar{fill:#3b82c4}svg.chart rect.bar.pkg{fill:#3a9a6b}svg.chart rect.bar.waste{fill:#c2412d}svg.chart rect.bar.compressed{fill:#8fb8de}
svg.chart .cell{stroke:#fff;stroke-width:1}svg.chart .c0{fill:#9cc3e6}svg.chart .c1{fill:#a8d5ba}svg.chart .c2{fill:#f6d08b}svg.chart .c3{fill:#c9b8e8}svg.chart .c4{fill:#f2b8c6}svg.chart .c5{fill:#b7d7d8}
svg.chart text.cell-label{font-size:11px;fill:#1d232a;pointer-events:none}
.sev-critical{fill:#7f1d1d;background:#7f1d1d}.sev-high{fill:#dc2626;background:#dc2626}.sev-medium{fill:#f59e0b;background:#f59e0b}.sev-low{fill:#84cc16;background:#84cc16}.sev-unknown{fill:#9ca3af;background:#9ca3af}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}svg.chart,table{break-inside:avoid}}`
