package pydist

import (
	"fmt"
	"slices"
	"testing"
)

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"Flask_SQLAlchemy": "flask-sqlalchemy", "Zope.Interface": "zope-interface",
		"typing_extensions": "typing-extensions", "a--_.b": "a-b", " Django ": "django", "pip": "pip",
	} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseRecord(t *testing.T) {
	rec := []byte("yaml/__init__.py,sha256=abc,12\n\"a,b.py\",,\n../../../bin/x,,\nbad\"quote,,\n,,\nPyYAML-6.0.dist-info/RECORD,,\n")
	want := []string{"yaml/__init__.py", "a,b.py", "../../../bin/x", "bad\"quote", "PyYAML-6.0.dist-info/RECORD"}
	if got := ParseRecord(rec, false); !slices.Equal(got, want) {
		t.Errorf("ParseRecord = %q, want %q", got, want)
	}
	if got := ParseRecord([]byte("a.py,,\nb.p"), true); !slices.Equal(got, []string{"a.py"}) {
		t.Errorf("ParseRecord(truncated) = %q, want the complete line only", got)
	}
	if got := ParseRecord([]byte("no newline at al"), true); got != nil {
		t.Errorf("ParseRecord(truncated, one partial line) = %q, want nil", got)
	}
}

func TestParseLines(t *testing.T) {
	if got := ParseLines([]byte(" a \n\n b\nc"), false); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("ParseLines = %q", got)
	}
	if got := ParseLines([]byte("a\nb"), true); !slices.Equal(got, []string{"a"}) {
		t.Errorf("ParseLines(truncated) = %q, want [a]", got)
	}
}

func TestParsePyvenv(t *testing.T) {
	for _, tt := range []struct{ in, home, version string }{
		{"home = /usr/local/bin\ninclude-system-site-packages = false\nversion = 3.12.7\n", "/usr/local/bin", "3.12.7"},
		{"home = /usr/bin\nimplementation = CPython\nversion_info = 3.12.7.final.0\n", "/usr/bin", "3.12.7"},
		{"version = 3.11.2\nversion_info = 3.11.2.final.0\n", "", "3.11.2"},
		{"garbage\n", "", ""},
	} {
		home, v := ParsePyvenv([]byte(tt.in))
		if home != tt.home || v != tt.version {
			t.Errorf("ParsePyvenv(%q) = %q, %q; want %q, %q", tt.in, home, v, tt.home, tt.version)
		}
	}
}

func FuzzParseRecord(f *testing.F) {
	f.Add([]byte("a.py,sha256=x,1\n\"q,\"\"\",,\n"), false)
	f.Fuzz(func(t *testing.T, b []byte, truncated bool) {
		for _, p := range ParseRecord(b, truncated) {
			if p == "" {
				t.Fatal("empty path")
			}
		}
	})
}

func ExampleNormalizeName() {
	fmt.Println(NormalizeName("Zope.Interface"), NormalizeName("typing_extensions"))
	// Output: zope-interface typing-extensions
}
