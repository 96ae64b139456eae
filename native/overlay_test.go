package native

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestOverlay(t *testing.T) {
	root := fixtureRoot(t)
	base, err := Dir(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	ext, err := os.ReadFile(filepath.Join(root, extRel))
	if err != nil {
		t.Fatal(err)
	}
	b := t.TempDir()
	gcc(t, "int gone(void) { return 0; }\n", filepath.Join(b, "libgone.so.7.2"), "-shared", "-fPIC", "-Wl,-soname,libgone.so.7")
	gone, err := os.ReadFile(filepath.Join(b, "libgone.so.7.2"))
	if err != nil {
		t.Fatal(err)
	}
	other := "/usr/local/lib/python3.11/dist-packages/other/_o.cpython-311-x86_64-linux-gnu.so"

	res, err := base.Overlay([]File{{Path: other, Data: ext, Distribution: "other==2.0"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Missing) != 2 {
		t.Fatalf("missing = %+v, want libgone.so.7 and libhelper.so.1 (the copy has no lib beside it)", res.Missing)
	}
	for _, m := range res.Missing {
		if m.Soname == "libgone.so.7" && !slices.Equal(m.Distributions, []string{"other==2.0", "pkg==1.0"}) {
			t.Errorf("libgone.so.7 distributions = %q, want other==2.0 and pkg==1.0", m.Distributions)
		}
	}
	if len(base.Missing) != 1 {
		t.Errorf("Overlay changed the base: missing = %+v", base.Missing)
	}

	res, err = base.Overlay([]File{
		{Path: "/usr/lib/x86_64-linux-gnu/libgone.so.7.2", Data: gone},
		{Path: "/usr/lib/x86_64-linux-gnu/libgone.so.7", Link: "libgone.so.7.2"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Missing) != 0 {
		t.Errorf("missing = %+v after adding libgone.so.7, want none", res.Missing)
	}
}
