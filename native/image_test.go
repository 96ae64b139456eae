package native

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/layers"
)

// entry is one tar entry of a test layer: a file with a body, or a symlink
// when link is set.
type entry struct {
	name, body, link string
}

func layer(t *testing.T, es ...entry) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Mode: 0o755, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		switch {
		case e.link != "":
			h = &tar.Header{Name: e.name, Mode: 0o777, Linkname: e.link, Typeflag: tar.TypeSymlink}
		case strings.HasSuffix(e.name, "/"):
			h = &tar.Header{Name: e.name, Mode: 0o755, Typeflag: tar.TypeDir}
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// treeEntries turns every file and symlink below root into layer entries.
func treeEntries(t *testing.T, root string) []entry {
	t.Helper()
	var es []entry
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || p == root {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		switch {
		case info.Mode()&os.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			es = append(es, entry{name: rel, link: l})
		case info.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			es = append(es, entry{name: rel, body: string(b)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func imageOf(t *testing.T, env []string, ls ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	if img, err = mutate.Config(img, v1.Config{Env: env}); err != nil {
		t.Fatal(err)
	}
	return img
}

func missingNames(res *Result) []string {
	out := []string{}
	for _, m := range res.Missing {
		out = append(out, m.Soname)
	}
	return out
}

// TestImageLayers checks the final filesystem and the search path: the
// library the extension lacks is supplied by a lower layer, deleted by a
// whiteout, or placed where only LD_LIBRARY_PATH or ld.so.conf finds it.
func TestImageLayers(t *testing.T) {
	root := fixtureRoot(t)
	build := t.TempDir()
	gcc(t, "int gone(void) { return 0; }\n", filepath.Join(build, "libgone.so.7.1"), "-shared", "-fPIC", "-Wl,-soname,libgone.so.7")
	gone, err := os.ReadFile(filepath.Join(build, "libgone.so.7.1"))
	if err != nil {
		t.Fatal(err)
	}
	base := layer(t, treeEntries(t, root)...)
	lib := "usr/lib/x86_64-linux-gnu/"
	tests := []struct {
		name    string
		env     []string
		layers  []v1.Layer
		missing []string
	}{
		{"absent", nil, nil, []string{"libgone.so.7"}},
		{"default dir through a symlink chain", nil, []v1.Layer{layer(t,
			entry{name: lib + "libgone.so.7.1", body: string(gone)},
			entry{name: lib + "libgone.so.7", link: "libgone.so.7.1"},
		)}, []string{}},
		{"whiteout in an upper layer", nil, []v1.Layer{
			layer(t, entry{name: lib + "libgone.so.7", body: string(gone)}),
			layer(t, entry{name: lib + ".wh.libgone.so.7"}),
		}, []string{"libgone.so.7"}},
		{"opaque directory", nil, []v1.Layer{
			layer(t, entry{name: "opt/extra/libgone.so.7", body: string(gone)}),
			layer(t, entry{name: "opt/extra/.wh..wh..opq"}),
		}, []string{"libgone.so.7"}},
		{"outside the search path", nil, []v1.Layer{
			layer(t, entry{name: "opt/extra/libgone.so.7", body: string(gone)}),
		}, []string{"libgone.so.7"}},
		{"LD_LIBRARY_PATH from the config", []string{"PATH=/usr/bin", "LD_LIBRARY_PATH=/nowhere:/opt/extra"}, []v1.Layer{
			layer(t, entry{name: "opt/extra/libgone.so.7", body: string(gone)}),
		}, []string{}},
		{"ld.so.conf include glob", nil, []v1.Layer{
			layer(t,
				entry{name: "opt/extra/libgone.so.7", body: string(gone)},
				entry{name: "etc/ld.so.conf", body: "include /etc/ld.so.conf.d/*.conf\n"},
				entry{name: "etc/ld.so.conf.d/extra.conf", body: "# extra\n/opt/extra\n"},
			),
		}, []string{}},
		{"directory replacing a lower symlink", nil, []v1.Layer{
			layer(t, entry{name: "lib/"}, entry{name: "lib/x86_64-linux-gnu/libgone.so.7", body: string(gone)}),
		}, []string{}},
		{"symlink replacing a lower directory hides its files", nil, []v1.Layer{
			layer(t, entry{name: "opt/extra/libgone.so.7", body: string(gone)}, entry{name: "etc/ld.so.conf", body: "/opt/extra\n"}),
			layer(t, entry{name: "opt/extra", link: "/nowhere"}),
		}, []string{"libgone.so.7"}},
		{"wrong ELF class is skipped", nil, []v1.Layer{
			layer(t, entry{name: lib + "libgone.so.7", body: string(elf32(t))}),
		}, []string{"libgone.so.7"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			img := imageOf(t, tc.env, append([]v1.Layer{base}, tc.layers...)...)
			res, err := Image(context.Background(), img)
			if err != nil {
				t.Fatalf("Image() = %v", err)
			}
			if got := missingNames(res); !slices.Equal(got, tc.missing) {
				t.Errorf("missing = %q, want %q", got, tc.missing)
			}
		})
	}
}

// elf32 builds a 32-bit shared object with the soname libgone.so.7 when
// the compiler can, else a minimal 32-bit ELF header.
func elf32(t *testing.T) []byte {
	t.Helper()
	out := filepath.Join(t.TempDir(), "libgone32.so")
	cmd := []string{"-m32", "-shared", "-fPIC", "-nostdlib", "-Wl,-soname,libgone.so.7"}
	dir := t.TempDir()
	c := filepath.Join(dir, "g.c")
	if err := os.WriteFile(c, []byte("int gone(void) { return 0; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, err := runGCC(append([]string{c, "-o", out}, cmd...)); err == nil {
		return b(out)
	}
	// e_ident for ELFCLASS32, little endian, then e_type ET_DYN, EM_386.
	h := make([]byte, 52)
	copy(h, "\x7fELF\x01\x01\x01")
	h[16], h[18], h[20] = 3, 3, 1
	h[40], h[42] = 52, 32
	return h
}

func TestRPathInheritedRunPathNot(t *testing.T) {
	needGCC(t)
	for _, tc := range []struct {
		flag    string
		missing []string
	}{
		{"-Wl,--disable-new-dtags,-rpath,$ORIGIN/libs", []string{}},
		{"-Wl,--enable-new-dtags,-rpath,$ORIGIN/libs", []string{"libb.so.1"}},
	} {
		t.Run(tc.flag, func(t *testing.T) {
			root := t.TempDir()
			libs := filepath.Join(root, "usr/lib/python3/dist-packages/m/libs")
			gcc(t, "int b(void){return 1;}\n", filepath.Join(libs, "libb.so.1"), "-shared", "-fPIC", "-Wl,-soname,libb.so.1")
			gcc(t, "int b(void); int a(void){return b();}\n", filepath.Join(libs, "liba.so.1"), "-shared", "-fPIC", "-Wl,-soname,liba.so.1", "-l:libb.so.1", "-Wl,--no-as-needed")
			ext := filepath.Join(root, "usr/lib/python3/dist-packages/m/_m.abi3.so")
			gcc(t, "int a(void); int m(void){return a();}\n", ext, "-shared", "-fPIC", "-nostdlib", "-L"+libs, "-l:liba.so.1", tc.flag)
			if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
				t.Fatal(err)
			}
			res, err := Dir(context.Background(), root)
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, m := range res.Missing {
				if strings.HasPrefix(m.Soname, "lib") && m.Soname != "libc.so.6" {
					got = append(got, m.Soname)
				}
			}
			if !slices.Equal(got, tc.missing) {
				t.Errorf("missing = %q, want %q", got, tc.missing)
			}
		})
	}
}

// TestMaxELFBytes checks that objects over the cap are reported as not
// analysed rather than read.
func TestMaxELFBytes(t *testing.T) {
	root := fixtureRoot(t)
	img := imageOf(t, nil, layer(t, treeEntries(t, root)...))
	res, err := Image(context.Background(), img, WithMaxELFBytes(4096))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range res.NotAnalysed {
		got = append(got, n.Path)
		if !strings.Contains(n.Reason, "larger than 4096 bytes") {
			t.Errorf("reason %q for %s", n.Reason, n.Path)
		}
	}
	if !slices.Contains(got, extRel) || !slices.Contains(got, "/usr/lib/x86_64-linux-gnu/libc.so.6") {
		t.Errorf("not analysed = %q, want the extension and libc", got)
	}
	if len(res.Roots) != 0 {
		t.Errorf("roots = %+v, want none when every object is over the cap", res.Roots)
	}
}

// TestOwners checks that resolved libraries are mapped to their package
// through a distroless status.d md5sums list, across the /usr merge.
func TestOwners(t *testing.T) {
	root := fixtureRoot(t)
	build := t.TempDir()
	gcc(t, "int gone(void) { return 0; }\n", filepath.Join(build, "libgone.so.7.1"), "-shared", "-fPIC", "-Wl,-soname,libgone.so.7")
	gone, err := os.ReadFile(filepath.Join(build, "libgone.so.7.1"))
	if err != nil {
		t.Fatal(err)
	}
	img := imageOf(t, nil, layer(t, treeEntries(t, root)...), layer(t,
		entry{name: "usr/lib/x86_64-linux-gnu/libgone.so.7.1", body: string(gone)},
		entry{name: "usr/lib/x86_64-linux-gnu/libgone.so.7", link: "libgone.so.7.1"},
		entry{name: "var/lib/dpkg/status.d/libgone7", body: "Package: libgone7\nVersion: 7.1-1\nArchitecture: amd64\n"},
		entry{name: "var/lib/dpkg/status.d/libgone7.md5sums", body: "0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libgone.so.7.1\n"},
	))
	res, err := Image(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(res.Libraries, func(l Library) bool { return l.Soname == "libgone.so.7" })
	if i < 0 {
		t.Fatalf("libraries = %+v, want libgone.so.7", res.Libraries)
	}
	l := res.Libraries[i]
	if l.Package != "libgone7" || l.RealPath != "/usr/lib/x86_64-linux-gnu/libgone.so.7.1" || l.Path != "/lib/x86_64-linux-gnu/libgone.so.7" {
		t.Errorf("library = %+v, want libgone7 owning /usr/lib/x86_64-linux-gnu/libgone.so.7.1 found as /lib/x86_64-linux-gnu/libgone.so.7", l)
	}
}

// TestSharedInventory: with WithInventory, the package owners come from
// the caller's inventory visitor in the same walk, exactly as from the
// Visitor's own.
func TestSharedInventory(t *testing.T) {
	root := fixtureRoot(t)
	img := imageOf(t, nil, layer(t, treeEntries(t, root)...))
	own, err := Image(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	iv := inventory.New(cfg)
	v := New(cfg, WithInventory(iv))
	if err := layers.Walk(context.Background(), img, []layers.Visitor{iv, v}); err != nil {
		t.Fatal(err)
	}
	shared, err := v.Result()
	if err != nil {
		t.Fatal(err)
	}
	owners := func(r *Result) (out []string) {
		for _, l := range r.Libraries {
			out = append(out, l.Soname+"="+l.Package)
		}
		return out
	}
	if len(owners(own)) == 0 || !slices.Equal(owners(own), owners(shared)) {
		t.Errorf("owners with a shared inventory = %q, with its own %q", owners(shared), owners(own))
	}
	if !slices.Equal(missingNames(own), missingNames(shared)) {
		t.Errorf("missing with a shared inventory = %q, with its own %q", missingNames(shared), missingNames(own))
	}
}

// TestBudgets checks the memory budgets: past them entries are dropped
// (Truncated) or objects are not analysed, and the walk still succeeds.
func TestBudgets(t *testing.T) {
	img := imageOf(t, nil, layer(t, treeEntries(t, fixtureRoot(t))...))
	res, err := Image(context.Background(), img, WithMaxRecords(3))
	if err != nil {
		t.Fatal(err)
	}
	if !res.Truncated {
		t.Errorf("Truncated = false with a budget of 3 records")
	}
	res, err = Image(context.Background(), img, WithMaxFactBytes(600))
	if err != nil {
		t.Fatal(err)
	}
	if res.Truncated || len(res.NotAnalysed) == 0 || !strings.Contains(res.NotAnalysed[0].Reason, "budget of 600 bytes") {
		t.Errorf("truncated %v, not analysed %+v; want objects over the facts budget listed", res.Truncated, res.NotAnalysed)
	}
	res, err = Image(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	if res.Truncated || len(res.NotAnalysed) != 0 {
		t.Errorf("default budgets: truncated %v, not analysed %+v", res.Truncated, res.NotAnalysed)
	}
}
