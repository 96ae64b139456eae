package project

import (
	"reflect"
	"testing"
)

func TestParseRequirement(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want Requirement
		err  bool
	}{
		{in: "requests", want: Requirement{Name: "requests"}},
		{in: "requests[socks, security] >= 2.31 , < 3", want: Requirement{Name: "requests", Extras: []string{"socks", "security"}, Specifier: ">=2.31,<3"}},
		{in: `uvicorn[standard]==0.30.6; python_version >= "3.10"`, want: Requirement{Name: "uvicorn", Extras: []string{"standard"}, Specifier: "==0.30.6", Marker: `python_version >= "3.10"`}},
		{in: "name (>=1.0)", want: Requirement{Name: "name", Specifier: ">=1.0"}},
		{in: "Django~=5.0.0", want: Requirement{Name: "Django", Specifier: "~=5.0.0"}},
		{in: "zope.interface===5.*", want: Requirement{Name: "zope.interface", Specifier: "===5.*"}},
		{in: "pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee ; python_version < '3.13'", want: Requirement{Name: "pip", URL: "https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee", Marker: "python_version < '3.13'"}},
		{in: "pkg@file:///tmp/pkg-1.0.tar.gz", want: Requirement{Name: "pkg", URL: "file:///tmp/pkg-1.0.tar.gz"}},
		{in: "numpy==2.*,!=2.0.1", want: Requirement{Name: "numpy", Specifier: "==2.*,!=2.0.1"}},
		{in: "", err: true},
		{in: ">=1.0", err: true},
		{in: "-bad", err: true},
		{in: "pkg[extra", err: true},
		{in: "pkg 1.0", err: true},
		{in: "pkg >=", err: true},
		{in: "pkg @ ", err: true},
		{in: "pkg; ", err: true},
		{in: `pkg; python_version < "3.10`, err: true},
		{in: "pkg; (os_name == 'nt'", err: true},
		{in: "pkg (>=1.0", err: true},
	}
	for _, tt := range tests {
		got, err := ParseRequirement(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("ParseRequirement(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseRequirement(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestRequirementStringRoundTrip(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"requests[socks]>=2.31,<3; python_version >= \"3.10\"", "pkg @ https://x.example/p.whl ; os_name == 'posix'", "flask"} {
		r, err := ParseRequirement(s)
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseRequirement(r.String())
		if err != nil || !reflect.DeepEqual(again, r) {
			t.Errorf("ParseRequirement(%q).String() = %q, parses to %+v (%v)", s, r.String(), again, err)
		}
	}
	if got := (Requirement{Name: "x", Specifier: "==1.2"}).Pinned(); got != "1.2" {
		t.Errorf("Pinned(==1.2) = %q", got)
	}
	if got := (Requirement{Name: "x", Specifier: ">=1.2"}).Pinned(); got != "" {
		t.Errorf("Pinned(>=1.2) = %q", got)
	}
}

func FuzzParseRequirement(f *testing.F) {
	for _, s := range []string{"requests[socks]>=2.31,<3; python_version >= \"3.10\"", "pkg @ https://x/p.whl ; os_name == 'nt'", "name (>=1.0)", "a[", "b; (", "c==1.*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequirement(s)
		if err != nil {
			return
		}
		if r.Name == "" {
			t.Fatalf("ParseRequirement(%q) = empty name without error", s)
		}
		again, err := ParseRequirement(r.String())
		if err != nil {
			t.Fatalf("ParseRequirement(%q).String() = %q does not parse: %v", s, r.String(), err)
		}
		if again.Normalized() != r.Normalized() || again.Specifier != r.Specifier {
			t.Fatalf("round trip of %q: %+v != %+v", s, again, r)
		}
	})
}
