package htmlchart

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

var rectRE = regexp.MustCompile(`<rect class="cell[^"]*"(?: fill="[^"]*")? x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"`)

func TestTreemapAreasAreProportionalAndInside(t *testing.T) {
	root := Node{Label: "/", Size: 1000, Children: []Node{
		{Label: "usr", Size: 600, Children: []Node{{Label: "lib", Size: 450}, {Label: "bin", Size: 150}}},
		{Label: "opt", Size: 300},
		{Label: "tmp", Size: 0, Wasted: 100},
	}}
	out := string(Treemap(root, 800, 500))
	if !strings.Contains(out, `data-count="4"`) {
		t.Fatalf("Treemap: want 4 cells (lib, bin, opt, tmp):\n%s", out)
	}
	ms := rectRE.FindAllStringSubmatch(out, -1)
	if len(ms) != 4 {
		t.Fatalf("found %d cells, want 4", len(ms))
	}
	var total float64
	areas := map[int]float64{}
	for i, m := range ms {
		x, _ := strconv.ParseFloat(m[1], 64)
		y, _ := strconv.ParseFloat(m[2], 64)
		w, _ := strconv.ParseFloat(m[3], 64)
		h, _ := strconv.ParseFloat(m[4], 64)
		if x < 0 || y < 0 || x+w > 800.5 || y+h > 500.5 {
			t.Errorf("cell %d (%v,%v %vx%v) outside the 800x500 box", i, x, y, w, h)
		}
		areas[i] = (w + 1) * (h + 1)
		total += areas[i]
	}
	// The box is split among the children's areas (600+300+0+100 wasted):
	// lib gets 450 of 1000 units, less usr's padding.
	var biggest float64
	for _, a := range areas {
		biggest = max(biggest, a)
	}
	if share := biggest / (800 * 500); share < 0.42 || share > 0.455 {
		t.Errorf("largest cell covers %.3f of the box, want a little under 450/1000", share)
	}
	if !strings.Contains(out, `class="cell c3 wasted" fill="url(#waste)"`) {
		t.Errorf("the cell of deleted bytes is not marked wasted:\n%s", out)
	}
}

func TestBarsAndStackedCountAndEscape(t *testing.T) {
	out := string(Bars([]Bar{{Label: "<script>", Value: 10, Text: "10 B"}, {Label: "b", Value: 0, Text: "0 B"}}))
	if !strings.Contains(out, `data-count="2"`) || strings.Count(out, `<rect class="bar`) != 2 {
		t.Errorf("Bars: want 2 bars:\n%s", out)
	}
	if strings.Contains(out, "<script>") {
		t.Errorf("Bars did not escape a label:\n%s", out)
	}
	st := string(Stacked([]Stack{{Label: "img", Segments: []Segment{{Value: 2, Class: "sev-high"}, {Value: 0, Class: "sev-low"}, {Value: 5, Class: "sev-medium"}}}}))
	if !strings.Contains(st, `data-count="2"`) || strings.Count(st, `<rect class="seg`) != 2 {
		t.Errorf("Stacked: want the 2 non-empty segments:\n%s", st)
	}
}

func TestSquarifyFillsTheBox(t *testing.T) {
	var nodes []*Node
	for _, s := range []int64{60, 60, 40, 30, 20, 20, 10} {
		nodes = append(nodes, &Node{Size: s})
	}
	rs := squarify(nodes, 0, 0, 600, 400)
	var sum float64
	for i, r := range rs {
		sum += r.w * r.h
		want := float64(nodes[i].Size) / 240 * 600 * 400
		if d := r.w*r.h - want; d > 1 || d < -1 {
			t.Errorf("rect %d area %.1f, want %.1f", i, r.w*r.h, want)
		}
	}
	if d := sum - 600*400; d > 1 || d < -1 {
		t.Errorf("areas sum to %.1f, want the box's %d", sum, 600*400)
	}
}
