package build

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/internal/indextest"
	"github.com/pyimg/pyimg/internal/wheeltest"
)

var debianTarget = &target.Target{Interpreter: "/usr/bin/python3.11", PythonVersion: "3.11", Implementation: "cp", ABI: "cp311", Libc: "glibc", LibcVersion: "2.36", Arch: "x86_64", OS: "linux"}

func pureWheel(t *testing.T, dir, name, version, tag string) (string, string) {
	t.Helper()
	p, err := wheeltest.Pure(dir, wheeltest.Spec{Name: name, Version: version, Tag: tag, Files: map[string]string{name + "/__init__.py": "TAG = " + `"` + tag + `"` + "\n"}})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := fileSHA256(p)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Base(p), sum
}

func TestResolveWheelhouse(t *testing.T) {
	dir := t.TempDir()
	anyFile, anySum := pureWheel(t, dir, "pkg", "1.0", "py3-none-any")
	mlFile, mlSum := pureWheel(t, dir, "pkg", "1.0", "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64")
	newFile, newSum := pureWheel(t, dir, "pkg", "2.0", "py3-none-any")
	_, linuxSum := pureWheel(t, dir, "native", "1.0", "cp311-cp311-linux_x86_64")
	_, muslSum := pureWheel(t, dir, "alpine", "1.0", "cp311-cp311-musllinux_1_2_x86_64")
	if err := os.WriteFile(filepath.Join(dir, "srconly-3.0.tar.gz"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := func(s ...string) []string {
		var out []string
		for _, x := range s {
			out = append(out, "sha256:"+x)
		}
		return out
	}
	tests := []struct {
		name     string
		req      Requirement
		allowLin bool
		want     string
		err      string
	}{
		{"most specific tag", Requirement{Name: "pkg", Version: "1.0", Hashes: h(anySum, mlSum)}, false, mlFile, ""},
		{"the one the lock lists", Requirement{Name: "PKG", Version: "1.0", Hashes: h(anySum)}, false, anyFile, ""},
		{"version", Requirement{Name: "pkg", Version: "2.0", Hashes: h(newSum)}, false, newFile, ""},
		{"hash not in lock", Requirement{Name: "pkg", Version: "2.0", Hashes: h(anySum)}, false, "", "does not list"},
		{"linux tag refused", Requirement{Name: "native", Version: "1.0", Hashes: h(linuxSum)}, false, "", "--allow-linux-tag"},
		{"linux tag allowed", Requirement{Name: "native", Version: "1.0", Hashes: h(linuxSum)}, true, "native-1.0-cp311-cp311-linux_x86_64.whl", ""},
		{"musl on glibc", Requirement{Name: "alpine", Version: "1.0", Hashes: h(muslSum)}, true, "", "do not match the target"},
		{"sdist only", Requirement{Name: "srconly", Version: "3.0", Hashes: h(anySum)}, false, "", "source distribution"},
		{"absent", Requirement{Name: "nothere", Version: "1", Hashes: h(anySum)}, false, "", "no file of nothere 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewResolverFactory(Sources{Wheelhouses: []string{dir}, AllowLinuxTag: tt.allowLin})(context.Background(), debianTarget)
			if err != nil {
				t.Fatal(err)
			}
			w, err := r.Resolve(context.Background(), tt.req)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !IsInputError(err) {
					t.Fatalf("Resolve() = %v, %v; want an input error with %q", w, err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if w.File != tt.want || w.Path != filepath.Join(dir, tt.want) || !containsHash(tt.req.Hashes, w.SHA256) {
				t.Errorf("Resolve() = %+v, want %s", w, tt.want)
			}
		})
	}
}

func TestResolveIndex(t *testing.T) {
	dir := t.TempDir()
	file, sum := pureWheel(t, dir, "remote", "1.5", "py3-none-any")
	srv, err := indextest.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cache := t.TempDir()
	r, err := NewResolverFactory(Sources{IndexURL: srv.IndexURL(), CacheDir: cache})(context.Background(), debianTarget)
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.Resolve(context.Background(), Requirement{Name: "remote", Version: "1.5", Hashes: []string{"sha256:" + sum}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := fileSHA256(w.Path)
	if err != nil || got != sum || w.File != file || !strings.HasPrefix(w.Path, cache) || !strings.HasPrefix(w.URL, "http://") {
		t.Errorf("Resolve() = %+v (file sha %s, %v)", w, got, err)
	}
	_, err = r.Resolve(context.Background(), Requirement{Name: "remote", Version: "1.5", Hashes: []string{"sha256:" + strings.Repeat("0", 64)}})
	var he *HashError
	if !errors.As(err, &he) {
		t.Errorf("Resolve(wrong hash) = %v, want a HashError", err)
	}
	_, err = r.Resolve(context.Background(), Requirement{Name: "unknown", Version: "1", Hashes: []string{"sha256:" + sum}})
	var nw *NoWheelError
	if !errors.As(err, &nw) || !strings.Contains(err.Error(), "not on") {
		t.Errorf("Resolve(unknown) = %v, want a NoWheelError", err)
	}
	srv.Close()
	// An unreachable index is a runtime failure, not the user's input.
	r, err = NewResolverFactory(Sources{IndexURL: srv.IndexURL(), CacheDir: t.TempDir()})(context.Background(), debianTarget)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Resolve(context.Background(), Requirement{Name: "remote", Version: "1.5", Hashes: []string{"sha256:" + sum}}); err == nil || IsInputError(err) {
		t.Errorf("Resolve(unreachable) = %v, want a runtime error", err)
	}
}
