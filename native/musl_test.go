package native

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestAlpineLike builds an Alpine-like root: musl's loader as
// /lib/ld-musl-x86_64.so.1 with the libc.musl-x86_64.so.1 link, an apk
// database, /etc/ld-musl-x86_64.path, a musl extension and a glibc one.
func TestAlpineLike(t *testing.T) {
	needGCC(t)
	root, b := t.TempDir(), t.TempDir()
	nostd := []string{"-shared", "-fPIC", "-nostdlib"}
	gcc(t, "int musl_fn(void){return 0;}\n", filepath.Join(root, "lib/ld-musl-x86_64.so.1"), append(nostd, "-Wl,-soname,libc.musl-x86_64.so.1")...)
	if err := os.Symlink("ld-musl-x86_64.so.1", filepath.Join(root, "lib/libc.musl-x86_64.so.1")); err != nil {
		t.Fatal(err)
	}
	gcc(t, "int musl_fn(void){return 0;}\n", filepath.Join(b, "libc.musl-x86_64.so.1"), append(nostd, "-Wl,-soname,libc.musl-x86_64.so.1")...)
	gcc(t, "int helper(void){return 0;}\n", filepath.Join(root, "opt/musl/lib/libhelp.so.2"), append(nostd, "-Wl,-soname,libhelp.so.2")...)
	gcc(t, "int omp(void){return 0;}\n", filepath.Join(b, "libgomp.so.1"), append(nostd, "-Wl,-soname,libgomp.so.1")...)
	gcc(t, "int helper(void){return 0;}\n", filepath.Join(b, "libhelp.so.2"), append(nostd, "-Wl,-soname,libhelp.so.2")...)
	site := "/usr/lib/python3.12/site-packages"
	musl := site + "/m/_m.cpython-312-x86_64-linux-musl.so"
	gcc(t, "int musl_fn(void); int helper(void); int omp(void); int m(void){return musl_fn()+helper()+omp();}\n", filepath.Join(root, musl),
		append(nostd, "-L"+b, "-l:libc.musl-x86_64.so.1", "-l:libhelp.so.2", "-l:libgomp.so.1")...)
	glibc := site + "/g/_g.cpython-312-x86_64-linux-gnu.so"
	gcc(t, "#include <stdio.h>\nint g(void){return puts(\"g\");}\n", filepath.Join(root, glibc), "-shared", "-fPIC", "-Wl,--no-as-needed")
	writeFile(t, filepath.Join(root, "etc/os-release"), "ID=alpine\nVERSION_ID=3.21.0\n")
	writeFile(t, filepath.Join(root, "etc/ld-musl-x86_64.path"), "/lib:/usr/local/lib:/usr/lib:/opt/musl/lib\n")
	writeFile(t, filepath.Join(root, "lib/apk/db/installed"), "P:musl\nV:1.2.5-r8\nA:x86_64\nF:lib\nR:ld-musl-x86_64.so.1\nR:libc.musl-x86_64.so.1\n\n")

	res, err := Dir(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	if res.Libc != LibcMusl || res.GlibcAvailable != "" {
		t.Errorf("libc = %q, glibc available %q; want musl and none", res.Libc, res.GlibcAvailable)
	}
	if got := missingNames(res); !slices.Equal(got, []string{"libc.so.6", "libgomp.so.1"}) {
		t.Fatalf("missing = %q, want libc.so.6 (glibc extension) and libgomp.so.1", got)
	}
	if p := res.Missing[1].Providers; len(p) != 1 || p[0].Package != "libgomp" || p[0].Manager != "apk" {
		t.Errorf("libgomp.so.1 providers = %+v, want libgomp from the Alpine index", p)
	}
	if len(res.Mismatches) != 1 || res.Mismatches[0].Path != glibc || res.Mismatches[0].ObjectLibc != LibcGlibc {
		t.Errorf("mismatches = %+v, want the glibc extension only", res.Mismatches)
	}
	i := slices.IndexFunc(res.Libraries, func(l Library) bool { return l.Soname == "libc.musl-x86_64.so.1" })
	if i < 0 || res.Libraries[i].Package != "musl" || res.Libraries[i].RealPath != "/lib/ld-musl-x86_64.so.1" {
		t.Errorf("libraries = %+v, want libc.musl-x86_64.so.1 → /lib/ld-musl-x86_64.so.1 owned by musl", res.Libraries)
	}
	if !slices.ContainsFunc(res.Libraries, func(l Library) bool { return l.Path == "/opt/musl/lib/libhelp.so.2" }) {
		t.Errorf("libhelp.so.2 not found through /etc/ld-musl-x86_64.path: %+v", res.Libraries)
	}
	if got := res.Dockerfile(EmitOptions{}); got != "RUN apk add --no-cache libgomp\n# libc.so.6: no known apk package provides it; pass --from with the build image\n" {
		t.Errorf("Dockerfile() = %q", got)
	}
}
