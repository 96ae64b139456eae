package pypi

import (
	"strings"
	"testing"
)

func TestParseWheelFilename(t *testing.T) {
	tests := []struct {
		in                      string
		project, version, build string
		tags                    string
		err                     string
	}{
		{in: "pip-23.0.1-py3-none-any.whl", project: "pip", version: "23.0.1", tags: "py3-none-any"},
		{in: "six-1.16.0-py2.py3-none-any.whl", project: "six", version: "1.16.0", tags: "py2-none-any py3-none-any"},
		{in: "Hello_World-1.2.0-1abc-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", project: "hello-world", version: "1.2.0", build: "1abc",
			tags: "cp312-cp312-manylinux_2_17_x86_64 cp312-cp312-manylinux2014_x86_64"},
		{in: "numpy-2.1.0-cp312-cp312-musllinux_1_2_aarch64.whl", project: "numpy", version: "2.1.0", tags: "cp312-cp312-musllinux_1_2_aarch64"},
		{in: "cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl", project: "cryptography", version: "43.0.0", tags: "cp39-abi3-manylinux_2_28_x86_64"},
		{in: "zope.interface-6.0-CP311-CP311-Linux_X86_64.whl", project: "zope-interface", version: "6.0", tags: "cp311-cp311-linux_x86_64"},
		{in: "torch-2.4.0+cpu-cp312-cp312-linux_x86_64.whl", project: "torch", version: "2.4.0+cpu", tags: "cp312-cp312-linux_x86_64"},
		{in: "pip-23.0.1-py3-none-any.tar.gz", err: "does not end in .whl"},
		{in: "pip-23.0.1-none-any.whl", err: "want name-version"},
		{in: "pip-23.0.1-x-y-py3-none-any.whl", err: "want name-version"},
		{in: "pip-23.0.1-abc-py3-none-any.whl", err: "must start with a digit"},
		{in: "-23.0.1-py3-none-any.whl", err: "invalid project name"},
		{in: "pip-..%2f-py3-none-any.whl", err: "invalid version"},
		{in: "pip-1-py3..py2-none-any.whl", err: "empty component"},
		{in: "pip-1-3py-none-any.whl", err: "not an identifier"},
		{in: "pip-1-a.b.c.d.e.f.g-a.b.c.d.e.f.g-a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.whl", err: "more than 256 tags"},
		{in: strings.Repeat("a", 600) + "-1-py3-none-any.whl", err: "too long"},
	}
	for _, tt := range tests {
		w, err := ParseWheelFilename(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseWheelFilename(%.60q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseWheelFilename(%q): %v", tt.in, err)
			continue
		}
		if w.Project != tt.project || w.Version != tt.version || w.BuildTag != tt.build || strings.Join(tagStrings(w.Tags), " ") != tt.tags {
			t.Errorf("ParseWheelFilename(%q) = %+v", tt.in, w)
		}
	}
}

func TestParseSdistFilename(t *testing.T) {
	tests := []struct {
		in, project, version, ext string
		ok                        bool
	}{
		{"psycopg2-2.9.9.tar.gz", "psycopg2", "2.9.9", ".tar.gz", true},
		{"python-dateutil-2.8.2.tar.gz", "python-dateutil", "2.8.2", ".tar.gz", true},
		{"Django-5.0.zip", "django", "5.0", ".zip", true},
		{"zope_interface-6.0.tar.bz2", "zope-interface", "6.0", ".tar.bz2", true},
		{"nodash.tar.gz", "", "", "", false},
		{"pip-23.0.1-py3-none-any.whl", "", "", "", false},
		{"x-../../etc.tar.gz", "", "", "", false},
	}
	for _, tt := range tests {
		s, err := ParseSdistFilename(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("ParseSdistFilename(%q) error = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && (s.Project != tt.project || s.Version != tt.version || s.Ext != tt.ext) {
			t.Errorf("ParseSdistFilename(%q) = %+v", tt.in, s)
		}
		if IsSdist(tt.in) != (tt.ext != "" || strings.HasSuffix(tt.in, ".tar.gz")) {
			t.Errorf("IsSdist(%q) = %v", tt.in, IsSdist(tt.in))
		}
	}
	if s, ok := SdistFor("foo-bar-1.0-1.tar.gz", "Foo.Bar"); !ok || s.Version != "1.0-1" || s.Project != "foo-bar" {
		t.Errorf("SdistFor legacy dash version = %+v %v", s, ok)
	}
	if _, ok := SdistFor("foobar-1.0.tar.gz", "foo"); ok {
		t.Error("SdistFor matched another project")
	}
}

func wheels(t *testing.T, names ...string) []Wheel {
	t.Helper()
	var out []Wheel
	for _, n := range names {
		w, err := ParseWheelFilename(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, w)
	}
	return out
}

func TestRankerSelect(t *testing.T) {
	bookworm := Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.36", Arch: "x86_64"}
	alpine := Target{PythonVersion: "3.12", Libc: Musl, LibcVersion: "1.2.5", Arch: "x86_64"}
	files := wheels(t,
		"pkg-1.0-py3-none-any.whl",
		"pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
		"pkg-1.0-cp312-cp312-manylinux_2_28_x86_64.whl",
		"pkg-1.0-cp312-cp312-manylinux_2_39_x86_64.whl",
		"pkg-1.0-cp38-abi3-manylinux_2_28_x86_64.whl",
		"pkg-1.0-cp312-cp312-musllinux_1_1_x86_64.whl",
		"pkg-1.0-cp312-cp312-linux_x86_64.whl",
		"pkg-1.0-cp311-cp311-manylinux_2_28_x86_64.whl",
		"pkg-1.0-cp312-cp312-manylinux_2_28_aarch64.whl",
	)
	tags := func(tg Target) []Tag {
		x, err := CompatibleTags(tg)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	names := func(c []Candidate) string {
		var s []string
		for _, x := range c {
			s = append(s, x.Wheel.Filename)
		}
		return strings.Join(s, " ")
	}
	got := names(NewRanker(tags(bookworm)).Select(files))
	want := "pkg-1.0-cp312-cp312-manylinux_2_28_x86_64.whl pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl pkg-1.0-cp38-abi3-manylinux_2_28_x86_64.whl pkg-1.0-py3-none-any.whl"
	if got != want {
		t.Errorf("bookworm:\n got %s\nwant %s", got, want)
	}
	got = names(NewRanker(tags(alpine)).Select(files))
	if want := "pkg-1.0-cp312-cp312-musllinux_1_1_x86_64.whl pkg-1.0-py3-none-any.whl"; got != want {
		t.Errorf("alpine:\n got %s\nwant %s", got, want)
	}
	// linux_x86_64 only with AllowLinuxTag, and then ranked where packaging puts it.
	only := wheels(t, "pkg-1.0-cp312-cp312-linux_x86_64.whl")
	if _, ok := NewRanker(tags(bookworm)).Best(only); ok {
		t.Error("linux_x86_64 accepted without AllowLinuxTag")
	}
	if w, ok := NewRanker(tags(bookworm), AllowLinuxTag()).Best(only); !ok || w.Filename != only[0].Filename {
		t.Error("linux_x86_64 refused with AllowLinuxTag")
	}
	// Same rank: the higher build tag wins, numerically.
	builds := wheels(t, "pkg-1.0-2-py3-none-any.whl", "pkg-1.0-10-py3-none-any.whl", "pkg-1.0-py3-none-any.whl")
	if w, _ := NewRanker(tags(bookworm)).Best(builds); w.BuildTag != "10" {
		t.Errorf("best build = %q, want 10", w.BuildTag)
	}
}

func FuzzParseWheelFilename(f *testing.F) {
	for _, s := range []string{"pip-23.0.1-py3-none-any.whl", "a-1-2b-cp312-abi3.none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "x-1-py3-none-any.tar.gz", "a-b-c-d.whl"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := ParseWheelFilename(s)
		if err != nil {
			return
		}
		if len(w.Tags) == 0 || len(w.Tags) > maxTagSet || w.Project == "" || w.Version == "" {
			t.Fatalf("ParseWheelFilename(%q) = %+v", s, w)
		}
		for _, bad := range []string{"/", "\\", "-"} {
			if strings.Contains(w.Version, bad) || strings.Contains(w.Name, bad) {
				t.Fatalf("ParseWheelFilename(%q) accepted %q in name or version", s, bad)
			}
		}
		_, _ = ParseSdistFilename(s)
		_, _ = SdistFor(s, w.Project)
	})
}
