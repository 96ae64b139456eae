package native

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
)

func TestDirClosure(t *testing.T) {
	root := fixtureRoot(t)
	res, err := Dir(context.Background(), root)
	if err != nil {
		t.Fatalf("Dir() = %v", err)
	}
	if res.Venv {
		t.Errorf("Venv = true for a root with /etc and /usr")
	}
	if len(res.Missing) != 1 || res.Missing[0].Soname != "libgone.so.7" {
		t.Fatalf("Missing = %+v, want only libgone.so.7", res.Missing)
	}
	m := res.Missing[0]
	if !slices.Equal(m.NeededBy, []string{extRel}) || !slices.Equal(m.Extensions, []string{extRel}) {
		t.Errorf("libgone.so.7 needed_by %q, extensions %q; want %q", m.NeededBy, m.Extensions, extRel)
	}
	if !slices.Equal(m.Distributions, []string{"pkg==1.0"}) {
		t.Errorf("Distributions = %q, want [pkg==1.0]", m.Distributions)
	}
	if len(m.Providers) != 0 {
		t.Errorf("Providers = %+v, want none for an unknown soname", m.Providers)
	}
	if res.GlibcRequired != "2.34" || res.GlibcRequiredBy != extRel {
		t.Errorf("glibc required %q by %q, want 2.34 by %s", res.GlibcRequired, res.GlibcRequiredBy, extRel)
	}
	if res.GlibcAvailable == "" || compareVersion(res.GlibcAvailable, "2.34") < 0 {
		t.Errorf("GlibcAvailable = %q, want the host libc's (>= 2.34)", res.GlibcAvailable)
	}
	if res.Libc != LibcGlibc {
		t.Errorf("Libc = %q, want glibc", res.Libc)
	}
	wantGap := VersionGap{Path: extRel, Library: site + "/pkg/lib/libhelper.so.1", Version: "HELPER_2.0"}
	if !slices.Contains(res.VersionGaps, wantGap) {
		t.Errorf("VersionGaps = %+v, want %+v", res.VersionGaps, wantGap)
	}
	// The helper was found through DT_RUNPATH $ORIGIN/../lib and libc
	// through the default directories behind the /lib symlink.
	var ext *Root
	for i := range res.Roots {
		if res.Roots[i].Path == extRel {
			ext = &res.Roots[i]
		}
	}
	if ext == nil {
		t.Fatalf("Roots = %+v, want %s", res.Roots, extRel)
	}
	want := []Need{
		{Soname: "libhelper.so.1", Path: site + "/pkg/lib/libhelper.so.1"},
		{Soname: "libgone.so.7"},
		{Soname: "libc.so.6", Path: "/usr/lib/x86_64-linux-gnu/libc.so.6"},
	}
	if !slices.Equal(ext.Needs, want) {
		t.Errorf("extension needs %+v, want %+v", ext.Needs, want)
	}
	if ext.Distribution != "pkg==1.0" || ext.Kind != "extension" || ext.Libc != LibcGlibc {
		t.Errorf("extension root = %+v", ext)
	}
	if !res.Failed() {
		t.Errorf("Failed() = false with a missing library")
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var generic map[string]any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"missing", "glibc_required", "glibc_available", "libc"} {
		if _, ok := generic[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}
	if p := generic["missing"].([]any)[0].(map[string]any)["providers"]; p == nil {
		t.Errorf("missing[0].providers is null, want []")
	}
}

func TestVenvDirectory(t *testing.T) {
	root := fixtureRoot(t)
	res, err := Dir(context.Background(), root+site)
	if err != nil {
		t.Fatalf("Dir() = %v", err)
	}
	if !res.Venv || len(res.Missing) != 0 {
		t.Fatalf("Venv = %v, Missing = %+v; want a venv with nothing missing", res.Venv, res.Missing)
	}
	var ext []string
	for _, m := range res.External {
		ext = append(ext, m.Soname)
	}
	if !slices.Equal(ext, []string{"libc.so.6", "libgone.so.7"}) {
		t.Errorf("External = %q, want libc.so.6 and libgone.so.7", ext)
	}
}
