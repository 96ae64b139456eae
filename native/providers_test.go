package native

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestAddProvidersFrom(t *testing.T) {
	runtime, err := Dir(context.Background(), fixtureRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir string
		copies    []Copy
	}{
		{"default directory", "usr/lib/x86_64-linux-gnu", []Copy{{Soname: "libgone.so.7", Sources: []string{"/usr/lib/x86_64-linux-gnu/libgone.so.7*"}, Dest: "/usr/lib/x86_64-linux-gnu"}}},
		{"private directory", "opt/pg/lib", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			build := t.TempDir()
			gcc(t, "int gone(void){return 0;}\n", filepath.Join(build, tc.dir, "libgone.so.7.0.1"), "-shared", "-fPIC", "-nostdlib", "-Wl,-soname,libgone.so.7")
			if err := os.Symlink("libgone.so.7.0.1", filepath.Join(build, tc.dir, "libgone.so.7")); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(build, "etc/os-release"), "ID=debian\nVERSION_ID=\"12\"\n")
			writeFile(t, filepath.Join(build, "var/lib/dpkg/status"), "Package: libgone7\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.0.1-1\n\n")
			writeFile(t, filepath.Join(build, "var/lib/dpkg/info/libgone7:amd64.list"), "/"+tc.dir+"/libgone.so.7\n/"+tc.dir+"/libgone.so.7.0.1\n")
			from, err := Dir(context.Background(), build, WithLabel("builder"))
			if err != nil {
				t.Fatal(err)
			}
			res := *runtime
			res.Missing = slices.Clone(runtime.Missing)
			res.AddProvidersFrom(from)
			p := res.Missing[0].Providers
			want := Provider{Package: "libgone7", Manager: "apt", Source: "image:builder", Path: "/" + tc.dir + "/libgone.so.7",
				Files: []string{"/" + tc.dir + "/libgone.so.7", "/" + tc.dir + "/libgone.so.7.0.1"}}
			if len(p) == 0 || p[0].Package != want.Package || p[0].Source != want.Source || p[0].Path != want.Path || !slices.Equal(p[0].Files, want.Files) || p[0].Manager != want.Manager {
				t.Errorf("providers = %+v, want first %+v", p, want)
			}
			if got := res.DistrolessCopies(); !slices.EqualFunc(got, tc.copies, func(a, b Copy) bool {
				return a.Soname == b.Soname && a.Dest == b.Dest && slices.Equal(a.Sources, b.Sources)
			}) {
				t.Errorf("DistrolessCopies() = %+v, want %+v", got, tc.copies)
			}
		})
	}
}
