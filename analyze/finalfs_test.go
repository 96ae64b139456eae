package analyze

import (
	"slices"
	"testing"
)

func TestFinalFilesystem(t *testing.T) {
	res := feed(t, nil,
		[]ent{
			dir("/app"), file("/app/old.py", 100), file("/app/keep.py", 10),
			dir("/data"), file("/data/x", 1000),
			file("/f", 5),
			file("/gone/a", 7), file("/gone/b", 8),
		},
		[]ent{
			opaque("/app"), file("/app/new.py", 20), // hides old.py and keep.py
			file("/data", 3),     // a file replaces the directory
			file("/f/inside", 9), // a directory replaces the file
			whiteout("/gone"),
		},
	)
	var got []string
	for _, f := range res.BiggestFiles {
		got = append(got, f.Path)
	}
	want := []string{"/app/new.py", "/f/inside", "/data"}
	if !slices.Equal(got, want) {
		t.Errorf("final files = %q, want %q", got, want)
	}
	if res.Files != 3 || res.FinalBytes != 32 {
		t.Errorf("Files, FinalBytes = %d, %d, want 3, 32", res.Files, res.FinalBytes)
	}
	if res.Layers[1].Deletions != 1 || res.Layers[1].Files != 3 {
		t.Errorf("layer 1 = %+v, want 1 deletion and 3 files", res.Layers[1])
	}
	var dirs []string
	for _, d := range res.BiggestDirs {
		dirs = append(dirs, d.Path)
	}
	if !slices.Equal(dirs, []string{"/app", "/f"}) {
		t.Errorf("BiggestDirs = %q, want [/app /f]", dirs)
	}
}

func TestLeftoverKinds(t *testing.T) {
	gcc := file("/usr/lib/gcc/x86_64-linux-gnu/12/cc1", 30000)
	res := feed(t, nil,
		[]ent{
			file("/usr/bin/x86_64-linux-gnu-gcc-12", 900), symlink("/usr/bin/gcc", "gcc-12"), gcc,
			file("/var/lib/apt/lists/deb.debian.org_dists_bookworm_InRelease", 150000),
			file("/var/lib/apt/lists/lock", 0),
		},
		[]ent{
			file("/home/app/.cache/uv/wheels/x.whl", 4000),
			file("/root/.cache/pypoetry/cache/y", 300),
			file("/usr/local/lib/python3.12/site-packages/numpy/_core/include/numpy/ndarraytypes.h", 700),
			file("/usr/local/lib/python3.12/site-packages/numpy/_core/tests/test_a.py", 50),
			file("/usr/local/lib/python3.12/site-packages/numpy/_core/tests/t.h", 5),
		},
	)
	got := map[string]int64{}
	for _, l := range res.Leftovers {
		got[l.Kind+" "+l.Path] = l.SizeBytes
	}
	want := map[string]int64{
		"apt-lists /var/lib/apt/lists":                                    150000,
		"compiler /usr/lib/gcc/x86_64-linux-gnu/12/cc1":                   30000,
		"compiler /usr/bin/x86_64-linux-gnu-gcc-12":                       900,
		"uv-cache /home/app/.cache/uv":                                    4000,
		"poetry-cache /root/.cache/pypoetry":                              300,
		"c-headers /usr/local/lib/python3.12/site-packages/numpy":         700,
		"tests /usr/local/lib/python3.12/site-packages/numpy/_core/tests": 55,
	}
	if len(got) != len(want) {
		t.Errorf("leftovers = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("leftover %q = %d, want %d", k, got[k], v)
		}
	}
	if res.Leftovers[0].Kind != "apt-lists" || res.Leftovers[0].Layer != 0 {
		t.Errorf("first leftover = %+v, want the biggest (apt-lists, layer 0)", res.Leftovers[0])
	}
}
