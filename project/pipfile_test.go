package project

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParsePipfile(t *testing.T) {
	t.Parallel()
	src := `[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
requests = "*"
django = ">=5.0,<5.2"
uvicorn = {version = "==0.30.6", extras = ["standard"]}
internal = {git = "https://github.com/org/internal.git", ref = "v1.2"}
pywin32 = {version = "*", markers = "sys_platform == 'win32'"}

[dev-packages]
pytest = "*"

[requires]
python_version = "3.12"
`
	pf, err := ParsePipfile("Pipfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range pf.Packages {
		got = append(got, r.String())
	}
	want := []string{"django>=5.0,<5.2", "internal @ git+https://github.com/org/internal.git@v1.2", "pywin32; sys_platform == 'win32'", "requests", "uvicorn[standard]==0.30.6"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Packages = %q, want %q", got, want)
	}
	if pf.PythonVersion != "3.12" || len(pf.DevPackages) != 1 || pf.Sources[0] != "https://pypi.org/simple" || pf.DependencyLine("django") != 8 {
		t.Errorf("Pipfile = %+v (django line %d)", pf, pf.DependencyLine("django"))
	}
	for _, bad := range []struct{ src, want string }{
		{"[packages]\nflask = \">>3\"\n", "Pipfile:2: flask"},
		{"[packages]\nflask = 3\n", "Pipfile:2: flask"},
		{"[packages\n", "Pipfile:1: invalid TOML"},
	} {
		_, err := ParsePipfile("Pipfile", []byte(bad.src))
		var ie *InputError
		if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), bad.want) {
			t.Errorf("ParsePipfile(%q) = %v, want *InputError starting %q", bad.src, err, bad.want)
		}
	}
}

func TestValidatePipfileLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, "Pipfile", "[packages]\nrequests = \"*\"\nflask = \"*\"\n")
	write(t, dir, "Pipfile.lock", `{"default": {"requests": {"version": "==2.32.3"}}, "develop": {}}`)
	p, err := Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.Manager != ManagerPipenv || len(p.Dependencies) != 2 {
		t.Errorf("Detect = manager %q, dependencies %v", p.Manager, p.Dependencies)
	}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "Pipfile:3: package flask is not in Pipfile.lock") {
		t.Errorf("Validate = %v, want flask missing from Pipfile.lock at Pipfile:3", err)
	}
}

func FuzzParsePipfile(f *testing.F) {
	f.Add("[packages]\na = \"*\"\nb = {version = \">=1\", extras = [\"x\"]}\n[requires]\npython_version = \"3.12\"\n")
	f.Fuzz(func(t *testing.T, src string) {
		pf, err := ParsePipfile("Pipfile", []byte(src))
		if err != nil {
			if !errors.As(err, new(*InputError)) {
				t.Fatalf("error %v is not an *InputError", err)
			}
			return
		}
		for _, r := range pf.Packages {
			if r.Name == "" {
				t.Fatalf("package without a name")
			}
		}
	})
}
