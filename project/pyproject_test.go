package project

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func names(rs []Requirement) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.Name+r.Specifier)
	}
	return out
}

func TestParsePyproject(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src string
		check     func(t *testing.T, p *Pyproject)
	}{
		{"PEP 621 with scripts and entry points", `[project]
name = "svc"
version = "1.2.3"
requires-python = ">=3.11"
dependencies = [
  "fastapi>=0.115",
  "uvicorn[standard]==0.30.6",
]

[project.optional-dependencies]
pg = ["psycopg[binary]>=3.2"]

[project.scripts]
svc = "svc.cli:main"

[project.gui-scripts]
svc-gui = "svc.gui:run"

[project.entry-points."pyimg.plugins"]
demo = "svc.plugin:Plugin"

[build-system]
requires = ["setuptools>=70"]
build-backend = "setuptools.build_meta"
`, func(t *testing.T, p *Pyproject) {
			if p.Name != "svc" || p.Version != "1.2.3" || p.RequiresPython != ">=3.11" || p.RequiresPythonLine != 4 {
				t.Errorf("metadata = %q %q %q line %d", p.Name, p.Version, p.RequiresPython, p.RequiresPythonLine)
			}
			if got := names(p.Dependencies); !reflect.DeepEqual(got, []string{"fastapi>=0.115", "uvicorn==0.30.6"}) {
				t.Errorf("Dependencies = %v", got)
			}
			if p.DependencyLine("uvicorn") != 7 {
				t.Errorf("DependencyLine(uvicorn) = %d, want 7", p.DependencyLine("uvicorn"))
			}
			if got := names(p.OptionalDependencies["pg"]); !reflect.DeepEqual(got, []string{"psycopg>=3.2"}) {
				t.Errorf("OptionalDependencies = %v", p.OptionalDependencies)
			}
			if p.Scripts["svc"] != "svc.cli:main" || p.GUIScripts["svc-gui"] != "svc.gui:run" || p.EntryPoints["pyimg.plugins"]["demo"] != "svc.plugin:Plugin" {
				t.Errorf("scripts = %v %v %v", p.Scripts, p.GUIScripts, p.EntryPoints)
			}
			if p.BuildBackend != "setuptools.build_meta" || len(p.BuildRequires) != 1 {
				t.Errorf("build-system = %q %v", p.BuildBackend, p.BuildRequires)
			}
		}},
		{"Poetry 1", `[tool.poetry]
name = "legacy"
version = "0.3.0"
packages = [{ include = "legacy", from = "src" }]

[tool.poetry.dependencies]
python = "^3.10"
flask = "^3.0"
requests = { version = "~2.32", extras = ["socks"] }
pendulum = { git = "https://github.com/sdispater/pendulum.git", branch = "develop" }
psycopg2 = { version = "2.9.9", optional = true }
tomli = [
  { version = "^2.0", python = "<3.11" },
  { version = "*", python = ">=3.11" },
]

[tool.poetry.extras]
pg = ["psycopg2"]

[tool.poetry.dev-dependencies]
pytest = "^8"

[tool.poetry.group.lint.dependencies]
ruff = "0.6.9"

[tool.poetry.scripts]
legacy = "legacy.cli:main"
other = { callable = "legacy.other:run" }

[build-system]
requires = ["poetry-core"]
build-backend = "poetry.core.masonry.api"
`, func(t *testing.T, p *Pyproject) {
			if p.Name != "legacy" || p.RequiresPython != "^3.10" || !strings.Contains(p.RequiresPythonFrom, "tool.poetry") || p.RequiresPythonLine != 7 {
				t.Errorf("metadata = %q %q %q line %d", p.Name, p.RequiresPython, p.RequiresPythonFrom, p.RequiresPythonLine)
			}
			if got := names(p.Dependencies); !reflect.DeepEqual(got, []string{"flask^3.0", "pendulum", "requests~2.32", "tomli^2.0", "tomli"}) {
				t.Errorf("Dependencies = %v", got)
			}
			if p.Dependencies[1].URL != "git+https://github.com/sdispater/pendulum.git@develop" || p.Dependencies[2].Extras[0] != "socks" {
				t.Errorf("Dependencies = %+v", p.Dependencies)
			}
			if got := names(p.OptionalDependencies["pg"]); !reflect.DeepEqual(got, []string{"psycopg2==2.9.9"}) {
				t.Errorf("extras = %v", p.OptionalDependencies)
			}
			if got := names(p.Groups["dev"]); !reflect.DeepEqual(got, []string{"pytest^8"}) || names(p.Groups["lint"])[0] != "ruff==0.6.9" {
				t.Errorf("Groups = %v", p.Groups)
			}
			if p.Scripts["legacy"] != "legacy.cli:main" || p.Scripts["other"] != "legacy.other:run" {
				t.Errorf("Scripts = %v", p.Scripts)
			}
			if !reflect.DeepEqual(p.Packages, []string{"src/legacy"}) || !reflect.DeepEqual(p.Tools, []string{"poetry"}) {
				t.Errorf("Packages %v Tools %v", p.Packages, p.Tools)
			}
		}},
		{"Poetry 2: PEP 621 plus tool.poetry", `[project]
name = "modern"
requires-python = ">=3.12,<4"
dependencies = ["httpx (>=0.27,<0.28)"]

[tool.poetry]
packages = [{ include = "modern" }]

[tool.poetry.dependencies]
httpx = { source = "internal" }

[tool.poetry.group.dev.dependencies]
pytest = "^8"
`, func(t *testing.T, p *Pyproject) {
			if got := names(p.Dependencies); !reflect.DeepEqual(got, []string{"httpx>=0.27,<0.28"}) {
				t.Errorf("Dependencies = %v (tool.poetry must refine, not duplicate)", got)
			}
			if p.RequiresPython != ">=3.12,<4" || !strings.Contains(p.RequiresPythonFrom, "[project]") {
				t.Errorf("requires-python = %q from %q", p.RequiresPython, p.RequiresPythonFrom)
			}
		}},
		{"uv with PEP 735 groups", `[project]
name = "api"
dependencies = ["fastapi"]

[dependency-groups]
test = ["pytest>=8"]
lint = ["ruff"]
dev = [{ include-group = "test" }, { include-group = "lint" }, "ipython"]

[tool.uv]
dev-dependencies = ["mypy"]
`, func(t *testing.T, p *Pyproject) {
			if got := names(p.Groups["dev"]); !reflect.DeepEqual(got, []string{"pytest>=8", "ruff", "ipython", "mypy"}) {
				t.Errorf("Groups[dev] = %v", got)
			}
			if !reflect.DeepEqual(p.Tools, []string{"uv"}) {
				t.Errorf("Tools = %v", p.Tools)
			}
		}},
		{"PDM", `[project]
name = "p"
dependencies = ["click>=8"]

[tool.pdm.dev-dependencies]
test = ["pytest"]

[build-system]
requires = ["pdm-backend"]
build-backend = "pdm.backend"
`, func(t *testing.T, p *Pyproject) {
			if names(p.Groups["test"])[0] != "pytest" || p.BuildBackend != "pdm.backend" || p.Tools[0] != "pdm" {
				t.Errorf("PDM = %+v", p)
			}
		}},
		{"Hatch", `[project]
name = "h"
dependencies = []

[tool.hatch.build.targets.wheel]
packages = ["src/h"]

[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
`, func(t *testing.T, p *Pyproject) {
			if !reflect.DeepEqual(p.Packages, []string{"src/h"}) || p.Tools[0] != "hatch" || len(p.Dependencies) != 0 {
				t.Errorf("Hatch = %+v", p)
			}
		}},
		{"Flit (old metadata table)", `[tool.flit.metadata]
module = "flitpkg"
requires-python = ">=3.9"
requires = ["requests>=2"]

[tool.flit.scripts]
flitpkg = "flitpkg:main"

[build-system]
requires = ["flit_core >=3.2,<4"]
build-backend = "flit_core.buildapi"
`, func(t *testing.T, p *Pyproject) {
			if p.Name != "flitpkg" || p.RequiresPython != ">=3.9" || names(p.Dependencies)[0] != "requests>=2" || p.Scripts["flitpkg"] != "flitpkg:main" {
				t.Errorf("Flit = %+v", p)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePyproject("pyproject.toml", []byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, p)
		})
	}
}

func TestParsePyprojectErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, want string
	}{
		{"bad TOML", "[project]\nname = \"x\"\nversion = 1.0.0\n", "pyproject.toml:3: invalid TOML"},
		{"bad dependency", "[project]\nname = \"x\"\ndependencies = [\n  \"ok\",\n  \"bad dep ~~ 1\",\n]\n", "pyproject.toml:5: invalid dependency"},
		{"dependencies not a list", "[project]\nname = \"x\"\ndependencies = \"flask\"\n", "pyproject.toml:3"},
		{"group cycle", "[dependency-groups]\na = [{include-group = \"b\"}]\nb = [{include-group = \"a\"}]\n", "include cycle"},
		{"unknown group", "[dependency-groups]\na = [{include-group = \"zz\"}]\n", "unknown group \"zz\""},
		{"poetry bad name", "[tool.poetry.dependencies]\n\"-x\" = \"1\"\n", "pyproject.toml:2"},
		{"poetry bad value", "[tool.poetry.dependencies]\nflask = 3\n", "pyproject.toml:2"},
	}
	for _, tt := range tests {
		_, err := ParsePyproject("pyproject.toml", []byte(tt.src))
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: ParsePyproject = %v, want *InputError containing %q", tt.name, err, tt.want)
		}
	}
}

func FuzzParsePyproject(f *testing.F) {
	f.Add("[project]\nname = \"a\"\ndependencies = [\"b>=1\"]\n[dependency-groups]\nd = [{include-group = \"e\"}]\ne = [\"x\"]\n")
	f.Add("[tool.poetry.dependencies]\npython = \"^3.10\"\nx = {version = \"1\", optional = true}\n[tool.poetry.extras]\ne = [\"x\"]\n")
	f.Add("[tool.flit.metadata]\nmodule = \"m\"\nrequires = [\"r\"]\n")
	f.Fuzz(func(t *testing.T, src string) {
		p, err := ParsePyproject("pyproject.toml", []byte(src))
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is not an *InputError", err)
			}
			return
		}
		for _, r := range p.Dependencies {
			if r.Name == "" {
				t.Fatalf("dependency without a name in %+v", p.Dependencies)
			}
		}
	})
}

func TestParsePyprojectIgnoresOtherTools(t *testing.T) {
	t.Parallel()
	src := "[project]\nname = \"x\"\ndependencies = [\"a\"]\n\n[tool.ruff]\nline-length = 100\nmixed = [1, \"two\", {three = 3}]\nwhen = 2024-01-01T00:00:00Z\n\n[tool.mypy]\nstrict = true\n"
	p, err := ParsePyproject("pyproject.toml", []byte(src))
	if err != nil {
		t.Fatalf("ParsePyproject with [tool.ruff] and [tool.mypy] = %v", err)
	}
	if len(p.Tools) != 0 || names(p.Dependencies)[0] != "a" {
		t.Errorf("ParsePyproject = %+v", p)
	}
}

func TestDeepTOMLIsInputError(t *testing.T) {
	t.Parallel()
	deep := "[project]\nname = \"x\"\nx = " + strings.Repeat("[", 200) + strings.Repeat("]", 200) + "\n"
	for _, parse := range []func() error{
		func() error { _, err := ParsePyproject("pyproject.toml", []byte(deep)); return err },
		func() error { _, err := ParseLock("uv.lock", []byte(deep)); return err },
		func() error { _, err := ParsePipfile("Pipfile", []byte(deep)); return err },
	} {
		err := parse()
		var ie *InputError
		if !errors.As(err, &ie) || ie.Line != 3 || !strings.Contains(err.Error(), ":3: arrays and tables nest more than") {
			t.Errorf("deep TOML = %v, want an *InputError at line 3", err)
		}
	}
}
