package analyze

import (
	"slices"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/layers"
	"github.com/pyimg/pyimg/report"
)

func TestRootOpaqueHidesLowerLayers(t *testing.T) {
	res := feed(t, nil,
		[]ent{dir("/usr"), file("/usr/old", 100), file("/etc/os-release", 10)},
		[]ent{opaque("/"), file("/new", 7)},
	)
	var got []string
	for _, f := range res.BiggestFiles {
		got = append(got, f.Path)
	}
	if !slices.Equal(got, []string{"/new"}) || res.Files != 1 || res.FinalBytes != 7 {
		t.Errorf("final files = %q (%d files, %d bytes), want [/new] (1, 7)", got, res.Files, res.FinalBytes)
	}
}

func TestHostileEntryFindings(t *testing.T) {
	esc := file("/etc/cron.d/x", 3)
	esc.name, esc.flags = "../../etc/cron.d/x", layers.FlagEscape
	abs := file("/etc/passwd", 3)
	abs.name, abs.flags = "/etc/passwd", layers.FlagAbsolute
	link := symlink("/app/x", "../../../../etc/shadow")
	link.name, link.flags = "app/x", layers.FlagLinkEscape
	res := feed(t, nil, []ent{file("/ok", 1)}, []ent{esc, abs}, []ent{link})
	want := map[string]string{
		RuleEscape:     `layer 1 has entry "../../etc/cron.d/x"`,
		RuleAbsolute:   `layer 1 has entry "/etc/passwd" with an absolute name`,
		RuleLinkEscape: `layer 2 has link "app/x" -> "../../../../etc/shadow"`,
	}
	got := map[string]string{}
	for _, f := range res.Findings {
		if _, ok := want[f.Rule]; ok {
			got[f.Rule] = f.Message
			if f.Layer == nil || f.Severity != report.SeverityError {
				t.Errorf("finding %s: layer %v severity %q, want a layer and error", f.Rule, f.Layer, f.Severity)
			}
		}
	}
	for id, w := range want {
		if !strings.Contains(got[id], w) {
			t.Errorf("finding %s = %q, want it to contain %q", id, got[id], w)
		}
	}
}

func TestHostileEntriesBounded(t *testing.T) {
	var es []ent
	for i := range maxHostilePerLayer + 5 {
		e := file("/x"+strings.Repeat("y", i), 1)
		e.name, e.flags = "/x", layers.FlagAbsolute
		es = append(es, e)
	}
	res := feed(t, nil, es)
	n := 0
	var last string
	for _, f := range res.Findings {
		if f.Rule == RuleAbsolute {
			n++
			last = f.Message
		}
	}
	if n != maxHostilePerLayer || !strings.Contains(last, "and 5 more hostile entries in layer 0") {
		t.Errorf("%d findings, last %q; want %d and a count of 5 more", n, last, maxHostilePerLayer)
	}
}
