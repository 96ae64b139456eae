package analyze

import (
	"io/fs"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/layers"
)

// ent is a hand-made tar entry for driving the visitor directly.
type ent struct {
	path    string
	typ     layers.EntryType
	size    int64
	mode    fs.FileMode
	link    string
	wh, opq bool
	content string
	name    string // tar name, when it differs from path
	flags   layers.Flags
}

func file(p string, size int64) ent {
	return ent{path: p, typ: layers.TypeFile, size: size, mode: 0o644}
}
func dir(p string) ent      { return ent{path: p, typ: layers.TypeDir, mode: 0o755} }
func whiteout(p string) ent { return ent{path: p, typ: layers.TypeFile, wh: true} }
func opaque(p string) ent   { return ent{path: p, typ: layers.TypeFile, opq: true} }
func symlink(p, target string) ent {
	return ent{path: p, typ: layers.TypeSymlink, link: target, mode: 0o777}
}
func text(p, content string) ent {
	return ent{path: p, typ: layers.TypeFile, size: int64(len(content)), mode: 0o644, content: content}
}

func layersLayer(i int) layers.Layer { return layers.Layer{Index: i} }

// drive feeds entries to one layer visitor and finishes it.
func drive(t testing.TB, lv layers.LayerVisitor, layer int, es ...ent) {
	t.Helper()
	var files int64
	for _, e := range es {
		le := &layers.Entry{Layer: layer, Path: e.path, Type: e.typ, Size: e.size, Mode: e.mode,
			Linkname: e.link, Whiteout: e.wh, Opaque: e.opq, Name: e.name, Flags: e.flags}
		var content []byte
		if n := lv.Want(le); n > 0 {
			content = []byte(e.content)
			if int64(len(content)) > n {
				content = content[:n]
			}
		}
		if err := lv.Entry(le, content); err != nil {
			t.Fatal(err)
		}
		files += e.size
	}
	if err := lv.Done(layers.Stats{Entries: int64(len(es)), FileBytes: files}); err != nil {
		t.Fatal(err)
	}
}

// feed drives a through the given layers, honouring Want like the walker.
func feed(t testing.TB, cfg *v1.ConfigFile, ls ...[]ent) *Result {
	t.Helper()
	a := New(cfg)
	for i, l := range ls {
		drive(t, a.VisitLayer(layers.Layer{Index: i}), i, l...)
	}
	res, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestWasteDefinitions(t *testing.T) {
	tests := []struct {
		name       string
		layers     [][]ent
		wasted     int64
		efficiency float64
	}{
		{
			name:       "no overlap",
			layers:     [][]ent{{dir("/a"), file("/a/x", 100)}, {file("/b", 50)}},
			wasted:     0,
			efficiency: 1,
		},
		{
			name:       "overwrite counts both copies",
			layers:     [][]ent{{file("/a", 100)}, {file("/a", 30)}},
			wasted:     130,
			efficiency: 30.0 / 130,
		},
		{
			name:       "whiteout of a file weighs nothing",
			layers:     [][]ent{{file("/a", 100), file("/b", 10)}, {whiteout("/a")}},
			wasted:     100,
			efficiency: 10.0 / 110,
		},
		{
			name: "whiteout of a dir weighs its subtree",
			layers: [][]ent{
				{dir("/d"), file("/d/x", 100), dir("/d/e"), file("/d/e/y", 50)},
				{whiteout("/d")},
			},
			// path /d/x and /d/e/y visited once each (150); /d visited once
			// as a whiteout with 150: only one visit, no waste.
			wasted:     0,
			efficiency: 1,
		},
		{
			name: "whiteout of an implicit dir weighs nothing",
			layers: [][]ent{
				{file("/d/x", 100)},
				{whiteout("/d")},
			},
			wasted:     0,
			efficiency: 1,
		},
		{
			name: "re-added dir after whiteout",
			layers: [][]ent{
				{dir("/d"), file("/d/x", 100)},
				{whiteout("/d")},
				{dir("/d")},
			},
			// /d: whiteout 100 + empty dir leaf 0, two visits.
			wasted:     100,
			efficiency: 100.0 / 200,
		},
		{
			name: "missing whiteout stops the layer and counts -1",
			layers: [][]ent{
				{file("/a", 10)},
				{whiteout("/zz"), file("/a", 10), file("/b", 5)},
			},
			// sorted: /a, /b, /.wh.zz? No: ".wh.zz" < "a": the whiteout comes
			// first, so /a and /b of layer 1 are never visited.
			wasted:     0,
			efficiency: float64(10-1) / 10,
		},
		{
			name: "opaque marker hides nothing for dive",
			layers: [][]ent{
				{dir("/d"), file("/d/x", 100)},
				{dir("/d"), opaque("/d"), file("/d/y", 1)},
			},
			wasted:     0,
			efficiency: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := feed(t, nil, tc.layers...)
			if res.WastedBytes != tc.wasted {
				t.Errorf("WastedBytes = %d, want %d", res.WastedBytes, tc.wasted)
			}
			if d := res.Efficiency - tc.efficiency; d > 1e-12 || d < -1e-12 {
				t.Errorf("Efficiency = %v, want %v", res.Efficiency, tc.efficiency)
			}
		})
	}
}
