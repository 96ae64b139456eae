package analyze

import (
	"testing"

	"github.com/pyimg/pyimg/layers"
)

// FuzzParse feeds arbitrary content to every parser the analyzer runs on
// file contents read from layers.
func FuzzParse(f *testing.F) {
	f.Add("/s/x-1.dist-info/RECORD", []byte(reqRecord))
	f.Add("/s/x-1.dist-info/METADATA", []byte(reqMeta))
	f.Add("/s/x-1.egg-info/installed-files.txt", []byte("../x/__init__.py\n/abs/path\n../../../../../../etc\n"))
	f.Add("/s/x-1.dist-info/top_level.txt", []byte("x\n"))
	f.Add("/v/pyvenv.cfg", []byte(pyvenv))
	f.Add("/app/.env", []byte(dotenv))
	f.Add("/root/.git-credentials", []byte("https://u:p@h\n"))
	f.Add("/s/x-1.dist-info/RECORD", []byte("\"unterminated,\n,,,\n\x00\xff\n"))
	f.Fuzz(func(t *testing.T, p string, content []byte) {
		if p == "" || p[0] != '/' {
			return
		}
		a := New(nil)
		lv := a.VisitLayer(layers.Layer{Index: 0})
		e := &layers.Entry{Path: p, Type: layers.TypeFile, Size: int64(len(content)) + 1, Mode: 0o644}
		if n := lv.Want(e); n > 0 && int64(len(content)) > n {
			content = content[:n]
		}
		if err := lv.Entry(e, content); err != nil {
			t.Fatal(err)
		}
		if err := lv.Done(layers.Stats{}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Result(); err != nil {
			t.Fatal(err)
		}
	})
}
