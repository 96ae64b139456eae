package layers

import (
	"errors"
	"testing"
)

func TestResolveLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		e       Entry
		want    string
		escapes bool
	}{
		{Entry{Type: TypeSymlink, Path: "/usr/bin/python", Linkname: "python3"}, "/usr/bin/python3", false},
		{Entry{Type: TypeSymlink, Path: "/usr/bin/python", Linkname: "/usr/local/bin/python3"}, "/usr/local/bin/python3", false},
		{Entry{Type: TypeSymlink, Path: "/usr/lib/x", Linkname: "../share/y"}, "/usr/share/y", false},
		{Entry{Type: TypeSymlink, Path: "/usr/bin/evil", Linkname: "../../../etc/shadow"}, "/etc/shadow", true},
		{Entry{Type: TypeSymlink, Path: "/x", Linkname: "/../../etc"}, "/etc", true},
		{Entry{Type: TypeSymlink, Path: "/x", Linkname: "."}, "/", false},
		{Entry{Type: TypeHardlink, Path: "/y", Linkname: "usr/bin/python3"}, "/usr/bin/python3", false},
		{Entry{Type: TypeHardlink, Path: "/y", Linkname: "./usr/bin/python3"}, "/usr/bin/python3", false},
		{Entry{Type: TypeHardlink, Path: "/y", Linkname: "../etc/passwd"}, "/etc/passwd", true},
		{Entry{Type: TypeFile, Path: "/f", Linkname: "../x"}, "", false},
	}
	for _, tt := range tests {
		got, escapes := ResolveLink(&tt.e)
		if got != tt.want || escapes != tt.escapes {
			t.Errorf("ResolveLink(%v %q -> %q) = %q, %v, want %q, %v", tt.e.Type, tt.e.Path, tt.e.Linkname, got, escapes, tt.want, tt.escapes)
		}
	}
}

func TestResolvePath(t *testing.T) {
	t.Parallel()
	links := map[string]string{
		"/bin":                 "usr/bin",
		"/usr/bin/python":      "python3",
		"/usr/bin/python3":     "/usr/local/bin/python3.12",
		"/usr/local/bin/up":    "../../../../../..",
		"/lib":                 "/usr/lib",
		"/usr/lib/escape":      "../../../../etc",
		"/loop/a":              "b",
		"/loop/b":              "a",
		"/usr/lib/x86/libc.so": "libc.so.6",
	}
	readlink := func(p string) (string, bool) { t, ok := links[p]; return t, ok }
	tests := []struct {
		in, want string
		err      error
	}{
		{"/bin/python", "/usr/local/bin/python3.12", nil},
		{"/usr/local/bin/up/etc/passwd", "/etc/passwd", nil},
		{"/lib/escape/shadow", "/etc/shadow", nil},
		{"/lib/x86/libc.so", "/usr/lib/x86/libc.so.6", nil},
		{"/../../..", "/", nil},
		{"/", "/", nil},
		{"/usr/./lib/../bin/", "/usr/bin", nil},
		{"/loop/a", "", ErrTooManyLinks},
	}
	for _, tt := range tests {
		got, err := ResolvePath(tt.in, readlink)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ResolvePath(%q) = %q, %v, want %q, %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}
