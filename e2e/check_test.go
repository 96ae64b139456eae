package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCheck runs the built pyimg with the embedded lifecycle data (PYIMG_DATA
// points at a file that does not exist), without colour, in dir.
func runCheck(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runWithData(t, dir, filepath.Join(t.TempDir(), "absent.json"), args...)
}

// runWithData runs the built pyimg with PYIMG_DATA=data, without colour, in dir.
func runWithData(t *testing.T, dir, data string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	skipShort(t)
	if pyimgErr != nil {
		t.Fatal("pyimg binary unavailable; see the error printed before the tests ran")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	c := exec.CommandContext(ctx, pyimgBin, args...)
	c.Stdout, c.Stderr, c.Dir = &out, &errb, dir
	c.Env = append(os.Environ(), "NO_COLOR=1", "PYIMG_DATA="+data)
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("running pyimg %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// checkJSON is the part of `pyimg check --format json` the tests assert.
type checkJSON struct {
	Project struct {
		Name           string `json:"name"`
		Manager        string `json:"manager"`
		RequiresPython string `json:"requires_python"`
		PythonVersion  string `json:"python_version"`
		Dependencies   []struct {
			Name string `json:"name"`
		} `json:"dependencies"`
		Locks []struct {
			Kind     string `json:"kind"`
			Packages []struct {
				Name   string   `json:"name"`
				Hashes []string `json:"hashes"`
				Files  []string `json:"files"`
			} `json:"packages"`
		} `json:"locks"`
		Requirements []struct {
			Requirements []struct {
				Name   string   `json:"name"`
				Line   int      `json:"line"`
				Hashes []string `json:"hashes"`
			} `json:"requirements"`
		} `json:"requirements"`
		Generate struct {
			BuildPackages   []string `json:"build_packages"`
			RuntimePackages []string `json:"runtime_packages"`
		} `json:"generate"`
		App struct {
			Framework      string   `json:"framework"`
			Server         string   `json:"server"`
			Target         string   `json:"target"`
			Command        []string `json:"command"`
			Port           int      `json:"port"`
			PortFrom       string   `json:"port_from"`
			DjangoSettings string   `json:"django_settings"`
		} `json:"app"`
	} `json:"project"`
	Lint []struct {
		File string `json:"file"`
	} `json:"lint"`
	Base struct {
		Build, Runtime, Error string
	} `json:"base"`
	Musl struct {
		Verdict string `json:"verdict"`
	} `json:"musl"`
	Native []struct {
		Package string `json:"package"`
	} `json:"native"`
	Data struct {
		Stale []string `json:"stale"`
	} `json:"data"`
	Next []struct {
		Command string `json:"command"`
	} `json:"next"`
	Failed bool `json:"failed"`
}

// TestCheckExamples runs `pyimg check` (text and JSON) on every example
// project and asserts the facts a reader can verify in its files.
func TestCheckExamples(t *testing.T) {
	skipShort(t)
	type want struct {
		name, manager, framework, server, target string
		port                                     int
		portFrom, musl, build                    string
		code                                     int
		text                                     []string
		extra                                    func(t *testing.T, c checkJSON)
	}
	tests := map[string]want{
		"http-stdlib": {"hello-http", "setuptools", "module", "", "hello", 8080, "hello/__main__.py:38", "feasible", ":3.14.7-slim-trixie", 0,
			[]string{"command:          python -m hello", "port:             8080 (hello/__main__.py:38)", "1. pyimg data update", "pyimg generate "}, nil},
		"c-extension-libpq": {"pgver", "setuptools", "module", "", "pgver", 0, "", "source-builds", ":3.14.7-slim-trixie", 0,
			[]string{"pgver: build gcc libpq-dev; runtime libpq5"}, func(t *testing.T, c checkJSON) {
				if strings.Join(c.Project.Generate.BuildPackages, " ") != "gcc libpq-dev" || len(c.Native) != 1 {
					t.Errorf("c-extension generate/native = %+v %+v", c.Project.Generate, c.Native)
				}
			}},
		"fastapi-uv": {"api", "uv", "fastapi", "uvicorn", "api.main:app", 8000, "Dockerfile:36", "feasible", ":3.13.15-slim-trixie", 0,
			[]string{"lock:             uv.lock: 14 packages", "Dockerfile: 0 errors"}, func(t *testing.T, c checkJSON) {
				if len(c.Project.Locks) != 1 || c.Project.Locks[0].Kind != "uv.lock" {
					t.Fatalf("locks = %+v", c.Project.Locks)
				}
				for _, p := range c.Project.Locks[0].Packages {
					if p.Name == "pydantic-core" && (len(p.Files) != 5 || len(p.Hashes) != 5) {
						t.Errorf("pydantic-core files %v hashes %d, want 4 wheels + sdist", p.Files, len(p.Hashes))
					}
				}
			}},
		"poetry-flask": {"notes", "poetry", "flask", "gunicorn", "app:create_app()", 8000, "gunicorn.conf.py:2", "source-builds", ":3.14.7-slim-trixie", 0,
			[]string{"requires-python:  ^3.12", "lock:             poetry.lock: 10 packages"}, nil},
		"requirements-hashes": {"", "pip", "script", "", "fetch.py", 0, "", "unknown", ":3.12.14-slim-trixie", 0,
			[]string{"every requirement hashed", ".python-version:  3.12"}, func(t *testing.T, c checkJSON) {
				rs := c.Project.Requirements[0].Requirements
				if len(rs) != 5 || rs[1].Name != "charset-normalizer" || len(rs[1].Hashes) != 4 || rs[1].Line != 11 {
					t.Errorf("requirements = %+v", rs)
				}
			}},
		"django-site": {"", "pip", "django", "gunicorn", "mysite.wsgi:application", 8000, "default of gunicorn in the command", "unknown", ":3.12.14-slim-trixie", 0,
			[]string{"settings:         mysite.settings", "gunicorn --bind 0.0.0.0:8000 mysite.wsgi:application"}, func(t *testing.T, c checkJSON) {
				if c.Project.App.DjangoSettings != "mysite.settings" {
					t.Errorf("django settings = %q", c.Project.App.DjangoSettings)
				}
			}},
		"flask-app": {"", "pip", "flask", "gunicorn", "app:create_app()", 8000, "Dockerfile:29", "unknown", ":3.14.7-slim-trixie", 0, nil, nil},
		"bad": {"", "pip", "flask", "flask", "app:app", 8000, "app.py:12", "unknown", ":3.14.7-slim-trixie", 1,
			[]string{"pyimg lint ", "pyimg pin "}, nil},
	}
	entries, err := os.ReadDir(filepath.Join(repoRoot, "examples"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		w, ok := tests[e.Name()]
		if !ok {
			t.Errorf("examples/%s has no expectations in TestCheckExamples", e.Name())
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			dir := filepath.Join(repoRoot, "examples", e.Name())
			stdout, stderr, code := runCheck(t, t.TempDir(), "check", "--now", "2026-11-30", "--format", "json", dir)
			if code != w.code {
				t.Fatalf("pyimg check --format json = exit %d, want %d\n%s", code, w.code, stderr)
			}
			var c checkJSON
			if err := json.Unmarshal([]byte(stdout), &c); err != nil {
				t.Fatalf("decoding check JSON: %v\n%.2000s", err, stdout)
			}
			p, a := c.Project, c.Project.App
			if p.Name != w.name || p.Manager != w.manager || a.Framework != w.framework || a.Server != w.server || a.Target != w.target || a.Port != w.port || a.PortFrom != w.portFrom {
				t.Errorf("detected name %q manager %q app %+v\nwant %q %q %s/%s %s port %d from %q", p.Name, p.Manager, a, w.name, w.manager, w.framework, w.server, w.target, w.port, w.portFrom)
			}
			if c.Musl.Verdict != w.musl || !strings.HasSuffix(c.Base.Build, w.build) || (code == 1) != c.Failed {
				t.Errorf("musl %q build %q failed %v; want %q, *%s, exit %d", c.Musl.Verdict, c.Base.Build, c.Failed, w.musl, w.build, w.code)
			}
			if len(c.Data.Stale) != 1 || !strings.Contains(c.Data.Stale[0], "older than Python 3.15") || len(c.Next) == 0 || c.Next[0].Command != "pyimg data update" {
				t.Errorf("stale data %q, next %+v; want the data older than Python 3.15 and 'pyimg data update' first", c.Data.Stale, c.Next)
			}
			if w.extra != nil {
				w.extra(t, c)
			}

			text, stderr, tcode := runCheck(t, dir, "check", "--now", "2026-11-30")
			if tcode != w.code {
				t.Errorf("pyimg check (text, in the project) = exit %d, want %d\n%s", tcode, w.code, stderr)
			}
			for _, s := range append([]string{"next:", "base image:", "musl (alpine): " + w.musl}, w.text...) {
				if !strings.Contains(text, s) {
					t.Errorf("pyimg check text lacks %q:\n%s", s, text)
				}
			}
			if strings.Contains(text, "\x1b[") {
				t.Errorf("pyimg check with NO_COLOR wrote escape codes")
			}
		})
	}
}

// TestCheckInputErrors: unparsable or contradictory project files exit 2
// naming the file and line.
func TestCheckInputErrors(t *testing.T) {
	skipShort(t)
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"broken pyproject TOML", map[string]string{"pyproject.toml": "[project]\nname = \"x\"\nversion = 1.0.0\n"}, "pyproject.toml:3: invalid TOML"},
		{"bad PEP 508 in pyproject", map[string]string{"pyproject.toml": "[project]\nname = \"x\"\ndependencies = [\n  \"flask >= 3 <4\",\n]\n"}, "pyproject.toml:4: invalid dependency"},
		{"bad requirement", map[string]string{"requirements.txt": "flask==3.0.3\n\ndjango >= \n"}, "requirements.txt:3: invalid requirement"},
		{"requirements include cycle", map[string]string{"requirements.txt": "-r dev.txt\n", "dev.txt": "pytest\n-r requirements.txt\n"}, "dev.txt:2: include cycle"},
		{"bad hash", map[string]string{"requirements.txt": "flask==3.0.3 \\\n    --hash=sha256:not-hex\n"}, "requirements.txt:1: --hash"},
		{"python-version outside requires-python", map[string]string{"pyproject.toml": "[project]\nname = \"x\"\nrequires-python = \">=3.12\"\n", ".python-version": "3.10\n"}, ".python-version:1: names Python 3.10"},
		{"lock out of date", map[string]string{
			"pyproject.toml": "[project]\nname = \"x\"\ndependencies = [\"flask\", \"httpx\"]\n",
			"uv.lock":        "version = 1\n\n[[package]]\nname = \"flask\"\nversion = \"3.0.3\"\nsource = { registry = \"https://pypi.org/simple\" }\n",
		}, "pyproject.toml:3: dependency httpx is not in uv.lock"},
		{"lock for other Python series", map[string]string{
			"pyproject.toml": "[tool.poetry]\nname = \"x\"\n\n[tool.poetry.dependencies]\npython = \"^3.12\"\n",
			"poetry.lock":    "[metadata]\nlock-version = \"2.0\"\npython-versions = \"^3.10\"\ncontent-hash = \"0\"\n",
		}, `poetry.lock:3: locked for Python "^3.10", but pyproject.toml:5 says "^3.12" (they disagree on 3.10)`},
		{"locks disagree", map[string]string{
			"poetry.lock":  "[[package]]\nname = \"flask\"\nversion = \"3.0.3\"\nfiles = []\n\n[metadata]\nlock-version = \"2.0\"\n",
			"Pipfile.lock": "{\n  \"default\": {\n    \"flask\": {\"version\": \"==3.1.0\", \"hashes\": []}\n  }\n}\n",
		}, "Pipfile.lock:3: locks flask 3.1.0, but poetry.lock:1 locks 3.0.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, c := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, format := range []string{"text", "json"} {
				stdout, stderr, code := runCheck(t, dir, "check", "--format", format)
				if code != 2 || !strings.Contains(stderr, tt.want) || stdout != "" {
					t.Errorf("pyimg check --format %s = exit %d, stdout %q, stderr %q; want exit 2, nothing on stdout, stderr with %q", format, code, stdout, stderr, tt.want)
				}
			}
		})
	}
}

// TestCheckStaleDataRefresh: with the embedded data (as of 2026-08-22),
// check on 2026-11-30 says the data is older than Python 3.15 (scheduled
// 2026-10-01) and puts 'pyimg data update' first; after `pyimg data update`
// from sources that record the release, the note and the step are gone.
func TestCheckStaleDataRefresh(t *testing.T) {
	skipShort(t)
	work := t.TempDir()
	data := filepath.Join(work, "knowledge.json")
	py := filepath.Join(work, "release-cycle.json")
	osf := filepath.Join(work, "lifecycles.json")
	// The shapes of the devguide's release-cycle.json and of endoflife.date's cycles.
	if err := os.WriteFile(py, []byte(`{
  "3.15": {"branch": "3.15", "pep": 790, "status": "bugfix", "first_release": "2026-10-01", "end_of_life": "2031-10"},
  "3.14": {"branch": "3.14", "pep": 745, "status": "bugfix", "first_release": "2025-10-07", "end_of_life": "2030-10"}
}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(osf, []byte(`{
  "debian": [{"codename": "trixie", "version": "13", "released": "2025-08-09", "security_eol": "2028-08-09", "lts_eol": "2030-06-30"}],
  "alpine": [{"version": "3.24", "released": "2026-06-09", "eol": "2028-06-01"}]
}`), 0o644); err != nil {
		t.Fatal(err)
	}
	example := filepath.Join(repoRoot, "examples", "http-stdlib")

	stdout, _, code := runWithData(t, work, data, "check", "--now", "2026-11-30", example)
	if code != 0 || !strings.Contains(stdout, "is older than Python 3.15") || !strings.Contains(stdout, "1. pyimg data update") {
		t.Fatalf("check with the embedded data = exit %d:\n%s\nwant the stale-data note and 'pyimg data update' first", code, stdout)
	}
	if _, stderr, code := runWithData(t, work, data, "data", "update", "--now", "2026-11-30",
		"--source-python", "file://"+py, "--source-os", "file://"+osf); code != 0 {
		t.Fatalf("pyimg data update = exit %d\n%s", code, stderr)
	}
	stdout, _, code = runWithData(t, work, data, "check", "--now", "2026-11-30", "--format", "json", example)
	var c checkJSON
	if err := json.Unmarshal([]byte(stdout), &c); err != nil || code != 0 {
		t.Fatalf("check after the update = exit %d, %v\n%s", code, err, stdout)
	}
	if len(c.Data.Stale) != 0 || len(c.Next) == 0 || c.Next[0].Command == "pyimg data update" {
		t.Errorf("check after the update: stale %q, next %+v; want no note and no data update step", c.Data.Stale, c.Next)
	}
}
