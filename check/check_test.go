package check

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/project"
)

var today = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

func commands(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.Command)
	}
	return out
}

func TestRunExamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		example    string
		build      string
		musl       string
		native     []string
		next       []string
		lintFiles  int
		failed     bool
		staleNotes int
	}{
		{"http-stdlib", "docker.io/library/python:3.14.7-slim-trixie", MuslFeasible, nil,
			[]string{"pyimg data update", "pyimg generate ../examples/http-stdlib", "pyimg scan IMAGE"}, 0, false, 1},
		{"c-extension-libpq", "docker.io/library/python:3.14.7-slim-trixie", MuslSourceBuilds, []string{"pgver"},
			[]string{"pyimg data update", "pyimg generate ../examples/c-extension-libpq", "pyimg libs IMAGE", "pyimg scan IMAGE"}, 0, false, 1},
		{"fastapi-uv", "docker.io/library/python:3.13.15-slim-trixie", MuslFeasible, nil,
			[]string{"pyimg data update", "pyimg generate --variant alpine --stdout ../examples/fastapi-uv", "pyimg scan IMAGE"}, 1, false, 1},
		// The lock has MarkupSafe 3.0.2 wheels for cp312 and cp313 only: on
		// the recommended 3.14 it builds from its sdist.
		{"poetry-flask", "docker.io/library/python:3.14.7-slim-trixie", MuslSourceBuilds, nil,
			[]string{"pyimg data update", "pyimg generate ../examples/poetry-flask", "pyimg scan IMAGE"}, 0, false, 1},
		{"requirements-hashes", "docker.io/library/python:3.12.14-slim-trixie", MuslUnknown, nil,
			[]string{"pyimg data update", "pyimg generate ../examples/requirements-hashes", "pyimg scan IMAGE"}, 0, false, 1},
		{"django-site", "docker.io/library/python:3.12.14-slim-trixie", MuslUnknown, nil,
			[]string{"pyimg data update", "pyimg generate ../examples/django-site", "pyimg scan IMAGE"}, 0, false, 1},
		{"bad", "docker.io/library/python:3.14.7-slim-trixie", MuslUnknown, nil,
			[]string{"pyimg data update", "pyimg lint ../examples/bad/Dockerfile", "pyimg pin ../examples/bad/Dockerfile", "pyimg scan IMAGE"}, 1, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.example, func(t *testing.T) {
			dir := filepath.Join("..", "examples", tt.example)
			r, err := Run(context.Background(), dir, WithNow(today))
			if err != nil {
				t.Fatal(err)
			}
			if r.Base.Build != tt.build || r.Base.Error != "" {
				t.Errorf("Base = %+v, want build %s", r.Base, tt.build)
			}
			if r.Musl.Verdict != tt.musl {
				t.Errorf("Musl = %+v, want %s", r.Musl, tt.musl)
			}
			var native []string
			for _, n := range r.Native {
				native = append(native, n.Package)
			}
			if !reflect.DeepEqual(native, tt.native) {
				t.Errorf("Native = %+v, want packages %v", r.Native, tt.native)
			}
			if got := commands(r.Next); !reflect.DeepEqual(got, tt.next) {
				t.Errorf("Next = %q, want %q", got, tt.next)
			}
			if len(r.Lint) != tt.lintFiles || r.Failed != tt.failed || len(r.Data.Stale) != tt.staleNotes {
				t.Errorf("Lint %d files, failed %v, stale %d; want %d, %v, %d", len(r.Lint), r.Failed, len(r.Data.Stale), tt.lintFiles, tt.failed, tt.staleNotes)
			}
		})
	}
}

func TestRunBeforeStaleDate(t *testing.T) {
	t.Parallel()
	r, err := Run(context.Background(), filepath.Join("..", "examples", "http-stdlib"), WithNow(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Data.Stale) != 0 || commands(r.Next)[0] == "pyimg data update" {
		t.Errorf("before 3.15's scheduled date: stale %v, next %v", r.Data.Stale, commands(r.Next))
	}
}

func TestRunHooks(t *testing.T) {
	t.Parallel()
	var sawMusl, sawNative string
	r, err := Run(context.Background(), filepath.Join("..", "examples", "fastapi-uv"), WithNow(today),
		WithMusl(func(_ context.Context, p *project.Project) (MuslVerdict, error) {
			sawMusl = p.Name
			return MuslVerdict{Verdict: MuslInfeasible, Source: "index"}, nil
		}),
		WithNative(func(_ context.Context, p *project.Project) ([]NativeNeed, error) {
			sawNative = p.Name
			return []NativeNeed{{Package: "x", BuildPackages: []string{"libx-dev"}, RuntimePackages: []string{"libx1"}}}, nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	if sawMusl != "api" || sawNative != "api" || r.Musl.Verdict != MuslInfeasible || len(r.Native) != 1 {
		t.Errorf("hooks: musl saw %q, native saw %q; report %+v %+v", sawMusl, sawNative, r.Musl, r.Native)
	}
	if slicesContain(commands(r.Next), "pyimg generate --variant alpine --stdout ../examples/fastapi-uv") {
		t.Errorf("Next suggests alpine although the musl hook says infeasible: %v", commands(r.Next))
	}
	if _, err := Run(context.Background(), filepath.Join("..", "examples", "fastapi-uv"), WithMusl(func(context.Context, *project.Project) (MuslVerdict, error) {
		return MuslVerdict{}, errors.New("index down")
	})); err == nil || !strings.Contains(err.Error(), "index down") {
		t.Errorf("Run with a failing hook = %v, want its error", err)
	}
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestRunInputErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"broken pyproject", map[string]string{"pyproject.toml": "[project]\nname = \"x\"\ndependencies = [\"a\" \"b\"]\n"}, "pyproject.toml:3"},
		{"broken requirements", map[string]string{"requirements.txt": "flask\nrequests>=>2\n"}, "requirements.txt:2"},
		{"contradiction", map[string]string{"pyproject.toml": "[project]\nname = \"x\"\nrequires-python = \">=3.13\"\n", ".python-version": "3.12\n"}, ".python-version:1"},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		for n, c := range tt.files {
			if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := Run(context.Background(), dir, WithNow(today))
		var ie *project.InputError
		if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s: Run = %v, want *project.InputError at %s", tt.name, err, tt.want)
		}
	}
	if _, err := Run(context.Background(), filepath.Join(t.TempDir(), "missing")); !errors.As(err, new(*project.InputError)) {
		t.Errorf("Run(missing dir) = %v, want *project.InputError", err)
	}
}

func TestFromLockFiles(t *testing.T) {
	t.Parallel()
	mk := func(pkgs ...project.Locked) *project.Project {
		return &project.Project{Manager: project.ManagerUV, Dependencies: []project.Requirement{{Name: "x"}},
			Locks: []*project.Lock{{Kind: project.LockUV, File: "uv.lock", Packages: pkgs}}}
	}
	reg := "https://pypi.org/simple"
	tests := []struct {
		name string
		p    *project.Project
		want string
		st   []string
	}{
		{"pure and musl wheels", mk(
			project.Locked{Name: "a", Source: reg, Files: []string{"a-1-py3-none-any.whl"}},
			project.Locked{Name: "b", Source: reg, Files: []string{"b-1-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "b-1-cp312-cp312-musllinux_1_2_x86_64.whl"}},
			project.Locked{Name: "app", Editable: true, Source: "editable:."},
		), MuslFeasible, []string{StatusPure, StatusMuslWheel}},
		{"sdist fallback", mk(
			project.Locked{Name: "c", Source: reg, Files: []string{"c-1-cp312-cp312-manylinux_2_28_x86_64.whl", "c-1.tar.gz"}},
		), MuslSourceBuilds, []string{StatusSource}},
		{"glibc only", mk(
			project.Locked{Name: "d", Source: reg, Files: []string{"d-1-cp312-cp312-manylinux_2_28_x86_64.whl"}},
			project.Locked{Name: "e", Source: reg, Files: []string{"e-1.tar.gz"}},
		), MuslInfeasible, []string{StatusImpossible, StatusSource}},
		{"windows-only dependency ignored", mk(
			project.Locked{Name: "pywin32", Source: reg, Markers: "sys_platform == 'win32'", Files: []string{"pywin32-306-cp312-cp312-win_amd64.whl"}},
		), MuslFeasible, nil},
		{"no files listed", mk(project.Locked{Name: "f", Source: reg}), MuslUnknown, []string{StatusUnknown}},
		{"no lock", &project.Project{Dependencies: []project.Requirement{{Name: "x"}}}, MuslUnknown, nil},
	}
	for _, tt := range tests {
		v, err := FromLockFiles(context.Background(), tt.p)
		if err != nil {
			t.Fatal(err)
		}
		var st []string
		for _, p := range v.Packages {
			st = append(st, p.Status)
		}
		if v.Verdict != tt.want || !reflect.DeepEqual(st, tt.st) {
			t.Errorf("%s: FromLockFiles = %s %v, want %s %v", tt.name, v.Verdict, st, tt.want, tt.st)
		}
	}
}

func TestKnownNeeds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "setup.py"), []byte("Extension('x', libraries=['pq', \"z\"])\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &project.Project{Dir: dir, Name: "me", SetupPy: true,
		Dependencies: []project.Requirement{{Name: "psycopg2", Specifier: "==2.9.9"}, {Name: "MySQLclient"}, {Name: "flask"}},
		Manager:      project.ManagerUV,
		Locks: []*project.Lock{{Kind: project.LockUV, Packages: []project.Locked{
			{Name: "python-ldap", Version: "3.4.4", Files: []string{"python-ldap-3.4.4.tar.gz"}},
			{Name: "pycairo", Version: "1.27.0", Files: []string{"pycairo-1.27.0-cp312-cp312-manylinux_2_17_x86_64.whl"}},
		}}}}
	needs, err := KnownNeeds(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range needs {
		got = append(got, n.Package+" "+strings.Join(n.BuildPackages, ",")+" / "+strings.Join(n.RuntimePackages, ","))
	}
	want := []string{
		"me gcc,libpq-dev,zlib1g-dev / libpq5,zlib1g",
		"mysqlclient gcc,pkg-config,default-libmysqlclient-dev / libmariadb3",
		"psycopg2 gcc,libpq-dev / libpq5",
		"python-ldap gcc,libldap2-dev,libsasl2-dev / libldap-2.5-0,libsasl2-2",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("KnownNeeds =\n%q\nwant\n%q", got, want)
	}
}

func TestRunPolicy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pyproject.toml", "[project]\nname = \"x\"\n\n[tool.pyimg.base]\nallowed-registries = [\"registry.example.com\"]\n")
	r, err := Run(context.Background(), dir, WithNow(today))
	if err != nil {
		t.Fatal(err)
	}
	if r.Base.Build != "" || !strings.Contains(r.Base.Error, "does not allow docker.io/library/python") {
		t.Errorf("Base = %+v, want a policy error", r.Base)
	}
	write("pyproject.toml", "[project]\nname = \"x\"\n\n[tool.pyimg.base]\nallowed-registries = [\"registry.example.com\"]\nrepo = \"registry.example.com/mirror/python\"\npreferred-os = \"bookworm\"\n")
	if r, err = Run(context.Background(), dir, WithNow(today)); err != nil {
		t.Fatal(err)
	}
	if r.Base.Build != "registry.example.com/mirror/python:3.14.7-slim-bookworm" {
		t.Errorf("Base = %+v, want the mirror and bookworm", r.Base)
	}
}

func TestRunNotAPythonProject(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := Run(context.Background(), dir, WithNow(today))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands(r.Next) {
		if strings.HasPrefix(c, "pyimg generate") {
			t.Errorf("Next = %v: suggests generate for a directory without a Python project", commands(r.Next))
		}
	}
}

func TestShellQuote(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"examples/app": "examples/app", "my app": "'my app'", "it's": `'it'\''s'`, "": "''"} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestMuslVerdictUsesCompatibleTags checks that the verdict ranks the
// lock's files with the target's full compatible tags: a cp313 musllinux
// wheel serves Python 3.13 but not 3.14, where the sdist must build.
func TestMuslVerdictUsesCompatibleTags(t *testing.T) {
	t.Parallel()
	p, err := project.Detect(filepath.Join("..", "examples", "poetry-flask"))
	if err != nil {
		t.Fatal(err)
	}
	o := options{knowledge: baseimage.Embedded()}
	for series, want := range map[string]MuslPackage{
		"3.13": {Name: "markupsafe", Version: "3.0.2", Status: StatusMuslWheel, Evidence: []string{"MarkupSafe-3.0.2-cp313-cp313-musllinux_1_2_x86_64.whl"}},
		"3.14": {Name: "markupsafe", Version: "3.0.2", Status: StatusSource, Evidence: []string{"markupsafe-3.0.2.tar.gz"}},
	} {
		v, ok, err := fromFeasibility(context.Background(), p, series, o)
		if err != nil || !ok {
			t.Fatalf("fromFeasibility(%s) = %v, %v", series, ok, err)
		}
		i := slices.IndexFunc(v.Packages, func(m MuslPackage) bool { return m.Name == "markupsafe" })
		if i < 0 || !reflect.DeepEqual(v.Packages[i], want) {
			t.Errorf("Python %s: markupsafe = %+v, want %+v", series, v.Packages, want)
		}
	}
	// aarch64 picks the aarch64 wheel.
	o.arch = "aarch64"
	v, _, _ := fromFeasibility(context.Background(), p, "3.13", o)
	for _, m := range v.Packages {
		if m.Name == "markupsafe" && (len(m.Evidence) != 1 || !strings.Contains(m.Evidence[0], "musllinux_1_2_aarch64")) {
			t.Errorf("aarch64: markupsafe = %+v, want the aarch64 musllinux wheel", m)
		}
	}
}

// TestMuslVerdictFollowsTheLockGraph: a Windows-only package (pywin32 has
// only win_amd64 wheels) reached through a Windows marker, and a
// development tool, are not what an Alpine image installs.
func TestMuslVerdictFollowsTheLockGraph(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pyproject := "[project]\nname = \"app\"\nversion = \"0.1.0\"\nrequires-python = \">=3.13\"\ndependencies = [\"portalocker\"]\n\n[dependency-groups]\ndev = [\"pytest\"]\n"
	lock := `version = 1
revision = 2
requires-python = ">=3.13"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [{ name = "portalocker" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "portalocker"
version = "2.10.1"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "pywin32", marker = "sys_platform == 'win32'" }]
wheels = [{ url = "https://files.example/portalocker-2.10.1-py3-none-any.whl", hash = "sha256:aa" }]

[[package]]
name = "pytest"
version = "8.3.3"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.example/pytest-8.3.3-py3-none-any.whl", hash = "sha256:bb" }]

[[package]]
name = "pywin32"
version = "308"
source = { registry = "https://pypi.org/simple" }
wheels = [{ url = "https://files.example/pywin32-308-cp313-cp313-win_amd64.whl", hash = "sha256:cc" }]
`
	for name, body := range map[string]string{"pyproject.toml": pyproject, "uv.lock": lock} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	v, ok, err := fromFeasibility(context.Background(), p, "3.13", options{knowledge: baseimage.Embedded()})
	if err != nil || !ok {
		t.Fatalf("fromFeasibility() = %v, %v", ok, err)
	}
	var names []string
	for _, m := range v.Packages {
		names = append(names, m.Name)
	}
	if v.Verdict != MuslFeasible || !reflect.DeepEqual(names, []string{"portalocker"}) {
		t.Errorf("verdict %s over %q, want feasible over portalocker only (pywin32 is Windows-only, pytest a dev tool)", v.Verdict, names)
	}
}
