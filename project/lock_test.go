package project

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseLockGolden(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"uv.lock", "poetry.lock", "pdm.lock", "pylock.toml", "Pipfile.lock"} {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "locks", name))
			if err != nil {
				t.Fatal(err)
			}
			l, err := ParseLock(name, data)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "golden", "locks", name+".json"), l)
		})
	}
}

func TestParseLockFacts(t *testing.T) {
	t.Parallel()
	read := func(name string) *Lock {
		data, err := os.ReadFile(filepath.Join("testdata", "locks", name))
		if err != nil {
			t.Fatal(err)
		}
		l, err := ParseLock(name, data)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	uv := read("uv.lock")
	if ps := uv.Find("psycopg2"); len(ps) != 1 || ps[0].Version != "2.9.9" || len(ps[0].Wheels()) != 0 || strings.Join(ps[0].Sdists(), "") != "psycopg2-2.9.9.tar.gz" || ps[0].Line != 33 {
		t.Errorf("uv.lock psycopg2 = %+v", ps)
	}
	if app := uv.Find("app"); len(app) != 1 || !app[0].Editable {
		t.Errorf("uv.lock app = %+v, want editable", app)
	}
	po := read("poetry.lock")
	if sdk := po.Find("internal-sdk"); len(sdk) != 1 || sdk[0].Source != "https://pypi.internal.example.com/simple" {
		t.Errorf("poetry.lock internal-sdk = %+v", sdk)
	}
	if pt := po.Find("pytest"); len(pt) != 1 || strings.Join(pt[0].Groups, ",") != "dev" {
		t.Errorf("poetry.lock pytest = %+v", pt)
	}
	py := read("pylock.toml")
	if ms := py.Find("markupsafe"); len(ms) != 1 || len(ms[0].Wheels()) != 2 || len(ms[0].Hashes) != 3 {
		t.Errorf("pylock markupsafe = %+v", ms)
	}
	if j := py.Find("jinja2"); len(j) != 1 || len(j[0].Hashes) != 2 || !strings.HasPrefix(j[0].Hashes[0], "blake2b:") {
		t.Errorf("pylock jinja2 hashes = %+v", j)
	}
	pf := read("Pipfile.lock")
	if c := pf.Find("certifi"); len(c) != 1 || c[0].Version != "2024.8.30" || c[0].Source != "https://pypi.org/simple" || len(c[0].Hashes) != 2 {
		t.Errorf("Pipfile.lock certifi = %+v", c)
	}
	if pf.RequiresPython != "==3.12.*" {
		t.Errorf("Pipfile.lock RequiresPython = %q", pf.RequiresPython)
	}
}

func TestParseLockErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, data, want string
	}{
		{"uv.lock", "version = 1\n[[package]]\nname = \"a\"\nversion = 1.0.0\n", "uv.lock:4: invalid TOML"},
		{"uv.lock", "[[package]]\nname = \"a\"\n", "uv.lock:1: no lock version"},
		{"uv.lock", "version = 1\n\n[[package]]\nname = \"a\"\n\n[[package]]\nversion = \"2\"\n", "uv.lock:6: [[package]] without a name"},
		{"poetry.lock", "[[package]]\nname = \"a\"\nfiles = \"x\"\n", "poetry.lock:3"},
		{"pdm.lock", "[[package]]\nname = \"a\"\n", "pdm.lock: no [metadata] lock_version"},
		{"pylock.toml", "lock-version = \"2.0\"\n", "pylock.toml:1: lock-version \"2.0\""},
		{"pylock.dev.toml", "lock-version = \"1.0\"\n[[packages]]\nversion = \"1\"\n", "pylock.dev.toml:2: [[packages]] without a name"},
		{"Pipfile.lock", "{\n  \"default\": {\n    \"x\": [}\n}", "Pipfile.lock:3: invalid JSON"},
		{"Pipfile.lock", "{\"_meta\": {}}", "Pipfile.lock: no \"default\""},
		{"Pipfile.lock", "{\"default\": {\n  \"\": {}\n}}", "Pipfile.lock:2: a package without a name in \"default\""},
		{"requirements.lock", "", "not a known lock file name"},
	}
	for _, tt := range tests {
		_, err := ParseLock(tt.file, []byte(tt.data))
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseLock(%s, %q) = %v, want *InputError containing %q", tt.file, tt.data, err, tt.want)
		}
	}
}

func FuzzParseLock(f *testing.F) {
	for _, name := range []string{"uv.lock", "poetry.lock", "pdm.lock", "pylock.toml", "Pipfile.lock"} {
		data, err := os.ReadFile(filepath.Join("testdata", "locks", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(name, data)
	}
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		switch name {
		case "uv.lock", "poetry.lock", "pdm.lock", "pylock.toml", "Pipfile.lock":
		default:
			name = "uv.lock"
		}
		l, err := ParseLock(name, data)
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("ParseLock error %v is not an *InputError", err)
			}
			return
		}
		for _, p := range l.Packages {
			if p.Name == "" {
				t.Fatalf("locked package without a name: %+v", p)
			}
		}
	})
}

func TestParseLockVariants(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file, data string
		want       []Locked
	}{
		{"poetry.lock", `[[package]]
name = "six"
version = "1.16.0"
category = "main"
optional = false
python-versions = ">=2.7"

[[package]]
name = "mylib"
version = "0.1.0"
category = "main"
optional = false
python-versions = "*"
develop = false

[package.source]
type = "git"
url = "https://github.com/org/mylib.git"
reference = "main"
resolved_reference = "0123abc"

[metadata]
lock-version = "1.1"
python-versions = "^3.8"
content-hash = "abc"

[metadata.files]
six = [
    {file = "six-1.16.0-py2.py3-none-any.whl", hash = "sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"},
]
mylib = []
`, []Locked{
			{Name: "mylib", Version: "0.1.0", Source: "git+https://github.com/org/mylib.git@main", Line: 8},
			{Name: "six", Version: "1.16.0", Hashes: []string{"sha256:8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"}, Files: []string{"six-1.16.0-py2.py3-none-any.whl"}, Line: 1},
		}},
		{"pylock.toml", `lock-version = "1.0"
created-by = "pdm"

[[packages]]
name = "tool"
vcs = { type = "git", url = "https://github.com/org/tool.git", commit-id = "0123abc" }
`, []Locked{{Name: "tool", Source: "vcs:https://github.com/org/tool.git", Line: 4}}},
		{"Pipfile.lock", `{"_meta": {"sources": [{"name": "internal", "url": "https://pypi.internal/simple"}]},
"default": {"x": {"git": "https://github.com/org/x.git", "ref": "v1", "editable": true}, "y": {"version": "==1.0", "index": "internal", "hashes": ["sha256:00"]}},
"develop": {}}`, []Locked{
			{Name: "x", Source: "git+https://github.com/org/x.git@v1", Groups: []string{"default"}, Editable: true, Line: 2},
			{Name: "y", Version: "1.0", Source: "https://pypi.internal/simple", Hashes: []string{"sha256:00"}, Groups: []string{"default"}, Line: 2},
		}},
	}
	for _, tt := range tests {
		l, err := ParseLock(tt.file, []byte(tt.data))
		if err != nil {
			t.Errorf("ParseLock(%s) = %v", tt.file, err)
			continue
		}
		if !reflect.DeepEqual(l.Packages, tt.want) {
			t.Errorf("ParseLock(%s) =\n%+v\nwant\n%+v", tt.file, l.Packages, tt.want)
		}
	}
}
