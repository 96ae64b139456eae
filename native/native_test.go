package native

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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

func TestRootKind(t *testing.T) {
	dyn := &Object{Type: "dyn"}
	tests := []struct {
		path string
		obj  *Object
		want string
	}{
		{"/opt/venv/lib/python3.12/site-packages/psycopg2/_psycopg.cpython-312-x86_64-linux-gnu.so", dyn, "extension"},
		{"/usr/lib/python3/dist-packages/yaml/_yaml.abi3.so", dyn, "extension"},
		{"/app/site-packages/m/_m.so", dyn, "extension"},
		{"/opt/venv/lib/python3.12/site-packages/numpy.libs/libopenblas64_p-r0-0cf96a72.3.23.dev.so", dyn, ""},
		{"/opt/venv/lib/python3.12/site-packages/torch/lib/libc10.so.1", dyn, ""},
		{"/usr/local/lib/python3.12/lib-dynload/_ssl.cpython-312-x86_64-linux-gnu.so", dyn, "stdlib"},
		{"/usr/local/bin/python3.12", &Object{Type: "dyn"}, "interpreter"},
		{"/usr/bin/python3", &Object{Type: "exec"}, "interpreter"},
		{"/usr/local/lib/libpython3.12.so.1.0", dyn, "libpython"},
		{"/usr/lib/x86_64-linux-gnu/libpq.so.5", dyn, ""},
		{"/opt/venv/lib/python3.12/site-packages/m/_m.o.so", &Object{Type: "rel"}, ""},
	}
	for _, tc := range tests {
		if got := rootKind(tc.path, tc.obj); got != tc.want {
			t.Errorf("rootKind(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}

func TestExpand(t *testing.T) {
	rs := &resolver{multiarch: true}
	o := &Object{Class: 64, Machine: "EM_X86_64"}
	tests := []struct{ entry, want string }{
		{"$ORIGIN/../lib", "/opt/venv/site/pkg/lib"},
		{"${ORIGIN}/../../pkg.libs", "/opt/venv/site/pkg.libs"},
		{"$ORIGIN", "/opt/venv/site/pkg/ext"},
		{"/usr/$LIB/extra", "/usr/lib/x86_64-linux-gnu/extra"},
		{"/opt/${PLATFORM}/lib", "/opt/x86_64/lib"},
		{"relative/dir", "/relative/dir"},
		{"$ORIGIN/../../../../../../..", "/"},
	}
	for _, tc := range tests {
		if got := rs.expand(tc.entry, "/opt/venv/site/pkg/ext/_x.so", o); got != tc.want {
			t.Errorf("expand(%q) = %q, want %q", tc.entry, got, tc.want)
		}
	}
	rs.multiarch = false
	if got := rs.expand("/usr/$LIB", "/x.so", o); got != "/usr/lib64" {
		t.Errorf("expand($LIB) without multiarch = %q, want /usr/lib64", got)
	}
}

func TestCompareVersion(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2.34", "2.4", 1}, {"2.17", "2.17", 0}, {"2.2.5", "2.3", -1}, {"", "2.17", -1}, {"2.17", "", 1}, {"3.4.30", "3.4.29", 1},
	}
	for _, tc := range tests {
		if got := compareVersion(tc.a, tc.b); got != tc.want {
			t.Errorf("compareVersion(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestMuslDetection(t *testing.T) {
	needGCC(t)
	root := fixtureRoot(t)
	// A glibc-linked interpreter whose PT_INTERP says musl, and an
	// extension that needs Alpine's libc soname, in a glibc image.
	gcc(t, "int main(void){return 0;}\n", filepath.Join(root, "usr/bin/python3"), "-Wl,--dynamic-linker=/lib/ld-musl-x86_64.so.1")
	b := t.TempDir()
	gcc(t, "int f(void){return 0;}\n", filepath.Join(b, "libc.musl-x86_64.so.1"), "-shared", "-fPIC", "-nostdlib", "-Wl,-soname,libc.musl-x86_64.so.1")
	gcc(t, "int f(void); int g(void){return f();}\n", filepath.Join(root, site, "muslmod.cpython-311-x86_64-linux-musl.so"), "-shared", "-fPIC", "-nostdlib", "-L"+b, "-l:libc.musl-x86_64.so.1")
	res, err := Dir(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Mismatch{}
	for _, m := range res.Mismatches {
		got[m.Path] = m
	}
	for _, p := range []string{"/usr/bin/python3", site + "/muslmod.cpython-311-x86_64-linux-musl.so"} {
		m, ok := got[p]
		if !ok || m.ObjectLibc != LibcMusl || m.ImageLibc != LibcGlibc {
			t.Errorf("mismatch for %s = %+v, want musl object in a glibc image (all: %+v)", p, m, res.Mismatches)
		}
	}
	if !slices.Contains(missingNames(res), "libc.musl-x86_64.so.1") {
		t.Errorf("missing = %q, want libc.musl-x86_64.so.1", missingNames(res))
	}
}

func TestMaxVersion(t *testing.T) {
	o := &Object{VersionNeeds: map[string][]string{
		"libc.so.6":      {"GLIBC_2.2.5", "GLIBC_2.34", "GLIBC_ABI_DT_RELR", "GLIBC_PRIVATE"},
		"libm.so.6":      {"GLIBC_2.29"},
		"libstdc++.so.6": {"CXXABI_1.3.9", "GLIBCXX_3.4.30", "GLIBCXX_3.4.9"},
	}}
	for prefix, want := range map[string]string{"GLIBC_": "GLIBC_2.34", "GLIBCXX_": "GLIBCXX_3.4.30", "CXXABI_": "CXXABI_1.3.9", "GCC_": ""} {
		if got := o.MaxVersion(prefix); got != want {
			t.Errorf("MaxVersion(%q) = %q, want %q", prefix, got, want)
		}
	}
	if got := (&Object{VersionNeeds: map[string][]string{"libc.so.6": {"GLIBC_ABI_DT_RELR"}}}).MaxVersion("GLIBC_"); got != "" {
		t.Errorf("MaxVersion with only GLIBC_ABI_DT_RELR = %q, want \"\"", got)
	}
}

// TestVenvWithPyvenvCfg checks that a venv directory (it has lib/ and
// bin/, like a root filesystem, but also pyvenv.cfg) is read as a venv at
// its own path.
func TestVenvWithPyvenvCfg(t *testing.T) {
	root := fixtureRoot(t)
	venv := filepath.Join(root, "opt/venv")
	writeFile(t, filepath.Join(venv, "pyvenv.cfg"), "home = /usr/bin\nversion = 3.11.2\n")
	res, err := Dir(context.Background(), venv)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Venv || len(res.Missing) != 0 || len(res.Roots) != 1 || res.Roots[0].Path != venv+"/lib/python3.11/site-packages/pkg/ext/_ext.cpython-311-x86_64-linux-gnu.so" {
		t.Fatalf("venv = %v, missing %+v, roots %+v; want the extension at its own path and nothing missing", res.Venv, res.Missing, res.Roots)
	}
	if res.Roots[0].Distribution != "pkg==1.0" {
		t.Errorf("distribution = %q, want pkg==1.0", res.Roots[0].Distribution)
	}
}

// TestDirSymlinksStayInside checks that symlinks of a directory input are
// resolved inside it: a link to a host file that exists on the host but
// not below the root does not satisfy a need, and a root that is itself a
// symlink is read.
func TestDirSymlinksStayInside(t *testing.T) {
	root := fixtureRoot(t)
	if _, err := os.Stat("/usr/bin/true"); err != nil {
		t.Skip("SKIPPING: no /usr/bin/true on the host")
	}
	if err := os.Symlink("../../../../../../../usr/bin/true", filepath.Join(root, "usr/lib/x86_64-linux-gnu/libgone.so.7")); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "rootlink")
	if err := os.Symlink(root, link); err != nil {
		t.Fatal(err)
	}
	res, err := Dir(context.Background(), link)
	if err != nil {
		t.Fatal(err)
	}
	if got := missingNames(res); !slices.Equal(got, []string{"libgone.so.7"}) {
		t.Errorf("missing = %q, want libgone.so.7 (the link leaves the root)", got)
	}
}
