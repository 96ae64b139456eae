package build

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSourceWheelLayouts(t *testing.T) {
	write := func(t *testing.T, dir string, files map[string]string) {
		for name, body := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	meta := pyprojectMeta{Name: "hello-http", Version: "1.0.0"}
	for _, tc := range []struct {
		name     string
		files    map[string]string
		declared []string
		want     []string // module files in the wheel
		wantErr  bool
	}{
		{"src layout", map[string]string{"src/hello_http/__init__.py": "", "src/hello_http/app.py": ""}, nil,
			[]string{"hello_http/__init__.py", "hello_http/app.py"}, false},
		{"flat module", map[string]string{"hello_http.py": ""}, nil, []string{"hello_http.py"}, false},
		// [tool.setuptools] packages = ["hello"]: a package named otherwise
		// than the distribution.
		{"declared package", map[string]string{"hello/__init__.py": "", "hello/__main__.py": "", "tests/test_x.py": ""}, []string{"hello"},
			[]string{"hello/__init__.py", "hello/__main__.py"}, false},
		{"declared src package", map[string]string{"src/hello/__init__.py": ""}, []string{"src/hello"}, []string{"hello/__init__.py"}, false},
		{"declared outside", map[string]string{"hello/__init__.py": ""}, []string{"../hello"}, nil, true},
		{"nothing", map[string]string{"README": ""}, nil, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tc.files)
			b, name, err := sourceWheel(dir, meta, tc.declared)
			if tc.wantErr {
				var ie *InputError
				if !errors.As(err, &ie) {
					t.Fatalf("sourceWheel() = %v, want an *InputError", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("sourceWheel() = %v", err)
			}
			if name != "hello_http-1.0.0-py3-none-any.whl" {
				t.Errorf("name = %q", name)
			}
			zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range zr.File {
				if filepath.Dir(f.Name) != "hello_http-1.0.0.dist-info" {
					got = append(got, f.Name)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("wheel files = %q, want %q", got, tc.want)
			}
		})
	}
}
