package analyze

import (
	"archive/tar"
	"encoding/json"
	"io/fs"
	"path"
	"reflect"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/layers"
)

// entsToTar renders hand-made entries as a layer tar, with whiteouts and
// opaque markers spelled as in OCI layers.
func entsToTar(t testing.TB, es []ent) []byte {
	var files []tf
	for _, e := range es {
		name := strings.TrimPrefix(e.path, "/")
		mode := int64(e.mode.Perm())
		if e.mode&fs.ModeSetuid != 0 {
			mode |= 0o4000
		}
		if e.mode&fs.ModeSetgid != 0 {
			mode |= 0o2000
		}
		if e.mode&fs.ModeSticky != 0 {
			mode |= 0o1000
		}
		switch {
		case e.wh:
			files = append(files, tb(path.Join(path.Dir(name), ".wh."+path.Base(name)), ""))
		case e.opq:
			files = append(files, tb(name+"/.wh..wh..opq", ""))
		case e.typ == layers.TypeDir:
			files = append(files, tf{name: name + "/", typ: tar.TypeDir, mode: mode})
		case e.typ == layers.TypeSymlink:
			files = append(files, tf{name: name, typ: tar.TypeSymlink, link: e.link, mode: mode})
		case e.content != "":
			files = append(files, tf{name: name, typ: tar.TypeReg, body: e.content, mode: mode})
		default:
			files = append(files, tf{name: name, typ: tar.TypeReg, size: int(e.size), mode: mode})
		}
	}
	return layerTar(t, files...)
}

// TestWalkMatchesVisitor checks that the analysis of a real image read by
// layers.Walk equals the one of the same entries fed by hand.
func TestWalkMatchesVisitor(t *testing.T) {
	cfg := v1.Config{User: "app", Env: []string{"PYTHON_VERSION=3.12.1"}}
	ls := pythonLayers()
	var tars [][]byte
	for _, l := range ls {
		tars = append(tars, entsToTar(t, l))
	}
	img := imageFrom(t, cfg, tars...)
	got, err := Image(t.Context(), img)
	if err != nil {
		t.Fatalf("Image() = %v", err)
	}
	want := feed(t, &v1.ConfigFile{Config: cfg}, ls...)

	if len(got.Layers) != len(ls) {
		t.Fatalf("len(Layers) = %d, want %d", len(got.Layers), len(ls))
	}
	for i, l := range got.Layers {
		if l.Digest == "" || l.DiffID == "" || l.TarBytes == 0 || l.CompressedBytes == 0 || l.CreatedBy == "" {
			t.Errorf("layer %d = %+v, want digests, sizes and created_by", i, l)
		}
	}
	if got.TarBytes == 0 || got.CompressedBytes == 0 {
		t.Errorf("TarBytes, CompressedBytes = %d, %d", got.TarBytes, got.CompressedBytes)
	}
	// Walk knows what the hand feed does not: blob facts.
	got.Layers, want.Layers = nil, nil
	got.TarBytes, got.CompressedBytes = 0, 0
	for i, f := range got.Findings {
		if (f.Layer != nil) != (f.LayerDigest != "") {
			t.Errorf("finding %s at %s: LayerDigest %q", f.Rule, f.Location(), f.LayerDigest)
		}
		got.Findings[i].LayerDigest = ""
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("Image() =\n%s\nwant\n%s", g, w)
	}
	if got.Security.RunsAsRoot || got.User != "app" {
		t.Errorf("RunsAsRoot, User = %v, %q, want false, app", got.Security.RunsAsRoot, got.User)
	}
}
