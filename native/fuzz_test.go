package native

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// FuzzParseELF feeds arbitrary bytes to ParseELF: whatever they are, it
// must return facts or an error without panicking, and the facts it keeps
// stay bounded.
func FuzzParseELF(f *testing.F) {
	if _, err := exec.LookPath("gcc"); err == nil {
		dir := f.TempDir()
		src := filepath.Join(dir, "s.c")
		if err := os.WriteFile(src, []byte("int f(void){return 0;}\n"), 0o644); err != nil {
			f.Fatal(err)
		}
		so := filepath.Join(dir, "libs.so.1")
		args := []string{src, "-o", so, "-shared", "-fPIC", "-nostdlib", "-s", "-Wl,-soname,libs.so.1", "-Wl,-rpath,$ORIGIN/../lib", "-Wl,--dynamic-linker=/lib/ld-musl-x86_64.so.1"}
		if out, err := exec.Command("gcc", args...).CombinedOutput(); err != nil {
			f.Fatalf("gcc: %v\n%s", err, out)
		}
		b, err := os.ReadFile(so)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	h := make([]byte, 64)
	copy(h, "\x7fELF\x02\x01\x01")
	h[16], h[18] = 3, 62
	f.Add(h)
	f.Add([]byte("\x7fELF"))
	f.Add([]byte("not an ELF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := ParseELF(b)
		if err != nil {
			if o != nil {
				t.Fatalf("ParseELF returned facts %+v with error %v", o, err)
			}
			return
		}
		if len(o.Needed) > maxNames || len(o.RPath) > maxNames || len(o.RunPath) > maxNames || len(o.Versions) > maxNames {
			t.Fatalf("facts not bounded: %d needed, %d versions", len(o.Needed), len(o.Versions))
		}
		for _, n := range append(append(append([]string{o.Soname}, o.Needed...), o.RunPath...), o.Versions...) {
			if len(n) > maxNameLen {
				t.Fatalf("kept a %d-byte name", len(n))
			}
		}
		_ = o.Musl()
		_ = o.Glibc()
		_ = o.MaxVersion("GLIBC_")
	})
}
