package project

import (
	"errors"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	uvLock := func(pkgs ...string) string {
		s := "version = 1\nrequires-python = \">=3.12\"\n"
		for _, p := range pkgs {
			name, ver, _ := strings.Cut(p, "==")
			s += "\n[[package]]\nname = \"" + name + "\"\nversion = \"" + ver + "\"\nsource = { registry = \"https://pypi.org/simple\" }\n"
		}
		return s
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []string // substrings of the error; nil for none
	}{
		{"consistent", map[string]string{
			"pyproject.toml":  "[project]\nname = \"a\"\nrequires-python = \">=3.12\"\ndependencies = [\"flask>=3\"]\n",
			".python-version": "3.12\n",
			"uv.lock":         uvLock("a==0.1", "flask==3.0.3"),
		}, nil},
		{".python-version outside requires-python", map[string]string{
			"pyproject.toml":  "[project]\nname = \"a\"\n\nrequires-python = \">=3.12\"\n",
			".python-version": "# pinned\n3.11.9\n",
		}, []string{`.python-version:2: names Python 3.11, which requires-python ">=3.12" in pyproject.toml:4`}},
		{"lock lacks a declared dependency", map[string]string{
			"pyproject.toml": "[project]\nname = \"a\"\ndependencies = [\n  \"flask>=3\",\n  \"requests\",\n  \"pywin32; sys_platform == 'win32'\",\n]\n",
			"uv.lock":        uvLock("flask==3.0.3"),
		}, []string{"pyproject.toml:5: dependency requests is not in uv.lock: the lock is out of date (run uv lock)"}},
		{"poetry lock lacks a dependency", map[string]string{
			"pyproject.toml": "[tool.poetry]\nname = \"a\"\n[tool.poetry.dependencies]\npython = \"^3.12\"\nflask = \"^3\"\n",
			"poetry.lock":    "[[package]]\nname = \"click\"\nversion = \"8.1.7\"\nfiles = []\n\n[metadata]\nlock-version = \"2.0\"\n",
		}, []string{"pyproject.toml:5: dependency flask is not in poetry.lock"}},
		{"uv.lock for other Python series", map[string]string{
			"pyproject.toml": "[project]\nname = \"a\"\nrequires-python = \">=3.11\"\n",
			"uv.lock":        uvLock("a==0.1"),
		}, []string{`uv.lock:2: locked for Python ">=3.12", but pyproject.toml:3 says ">=3.11" (they disagree on 3.11): the lock is out of date (run uv lock)`}},
		{"uv rewrites the constraint, same series", map[string]string{
			"pyproject.toml": "[project]\nname = \"a\"\nrequires-python = \">=3.12, <4\"\n",
			"uv.lock":        uvLock("a==0.1"),
		}, nil},
		{"two lock kinds disagree", map[string]string{
			"pyproject.toml": "[project]\nname = \"a\"\ndependencies = [\"flask\"]\n",
			"uv.lock":        uvLock("flask==3.0.3"),
			"pylock.toml":    "lock-version = \"1.0\"\n\n[[packages]]\nname = \"Flask\"\nversion = \"3.1.0\"\n",
		}, []string{"pylock.toml:3: locks Flask 3.1.0, but uv.lock:4 locks 3.0.3: the lock files disagree"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, c := range tt.files {
				write(t, dir, n, c)
			}
			p, err := Detect(dir)
			if err != nil {
				t.Fatal(err)
			}
			err = p.Validate()
			if tt.want == nil {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Validate() = %v, want *InputError", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate() = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestDetectErrorsCarryLines(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, content, want string
	}{
		{"pyproject TOML", "pyproject.toml", "[project]\nname = \"x\"\ndependencies = [\"ok\",\n", "pyproject.toml:"},
		{"pyproject dependency", "pyproject.toml", "[project]\nname = \"x\"\ndependencies = [\"fl ask\"]\n", "pyproject.toml:3: invalid dependency"},
		{"requires-python", "pyproject.toml", "[project]\nname = \"x\"\nrequires-python = \">=three\"\n", "pyproject.toml:3: requires-python"},
		{"requirements", "requirements.txt", "flask\n-r missing.txt\n", "requirements.txt:2: reading included missing.txt"},
		{"uv.lock", "uv.lock", "version = 1\n[[package]\n", "uv.lock:2: invalid TOML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, tt.file, tt.content)
			_, err := Detect(dir)
			var ie *InputError
			if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("Detect = %v, want *InputError starting %q", err, tt.want)
			}
		})
	}
}

func TestDetectManager(t *testing.T) {
	t.Parallel()
	tests := []struct {
		files map[string]string
		want  string
	}{
		{map[string]string{"pyproject.toml": "[project]\nname = \"a\"\n[tool.uv]\n"}, ManagerUV},
		{map[string]string{"pyproject.toml": "[tool.poetry]\nname = \"a\"\n"}, ManagerPoetry},
		{map[string]string{"pyproject.toml": "[project]\nname = \"a\"\n[build-system]\nbuild-backend = \"pdm.backend\"\n"}, ManagerPDM},
		{map[string]string{"pyproject.toml": "[project]\nname = \"a\"\n[build-system]\nbuild-backend = \"hatchling.build\"\n"}, ManagerHatch},
		{map[string]string{"pyproject.toml": "[project]\nname = \"a\"\n[build-system]\nbuild-backend = \"flit_core.buildapi\"\n"}, ManagerFlit},
		{map[string]string{"Pipfile": "[packages]\n", "Pipfile.lock": `{"default": {}}`}, ManagerPipenv},
		{map[string]string{"requirements.txt": "flask\n"}, ManagerPip},
		{map[string]string{"setup.py": "from setuptools import setup\nsetup()\n"}, ManagerSetuptools},
		{map[string]string{}, ""},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		for n, c := range tt.files {
			write(t, dir, n, c)
		}
		p, err := Detect(dir)
		if err != nil {
			t.Fatal(err)
		}
		if p.Manager != tt.want {
			t.Errorf("Detect(%v).Manager = %q, want %q", tt.files, p.Manager, tt.want)
		}
	}
}
