package project

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestDetectApp(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		files     map[string]string
		framework string
		server    string
		target    string
		port      int
		portFrom  string
		command   []string
	}{
		{"fastapi in src layout with uvicorn.run", map[string]string{
			"pyproject.toml":  "[project]\nname = \"svc\"\ndependencies = [\"fastapi\", \"uvicorn\"]\n",
			"src/svc/app.py":  "from fastapi import FastAPI\n\napp = FastAPI(title=\"svc\")\n\nif __name__ == \"__main__\":\n    import uvicorn\n    uvicorn.run(app, host=\"0.0.0.0\", port=9000)\n",
			"tests/test_x.py": "app = FastAPI()\n",
		}, FrameworkFastAPI, "uvicorn", "svc.app:app", 9000, "src/svc/app.py:7", []string{"uvicorn", "svc.app:app", "--host", "0.0.0.0", "--port", "9000"}},
		{"starlette on gunicorn with uvicorn workers", map[string]string{
			"requirements.txt": "starlette\ngunicorn\nuvicorn\n",
			"main.py":          "from starlette.applications import Starlette\napplication = Starlette()\n",
			"gunicorn.conf.py": "bind = \"0.0.0.0:7000\"\nworker_class = \"uvicorn.workers.UvicornWorker\"\n",
		}, FrameworkStarlette, "gunicorn+uvicorn", "main:application", 7000, "gunicorn.conf.py:1", []string{"gunicorn", "--worker-class", "uvicorn.workers.UvicornWorker", "--bind", "0.0.0.0:7000", "main:application"}},
		{"flask dev server with app.run port", map[string]string{
			"requirements.txt": "flask\n",
			"web/server.py":    "from flask import Flask\napp = Flask(__name__)\nif __name__ == '__main__':\n    app.run(debug=True, port=5001)\n",
		}, FrameworkFlask, "flask", "web.server:app", 5001, "web/server.py:4", []string{"flask", "--app", "web.server:app", "run", "--host", "0.0.0.0", "--port", "5001"}},
		{"django with Procfile port", map[string]string{
			"requirements.txt": "django\ngunicorn\n",
			"manage.py":        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings.prod')\n",
			"proj/wsgi.py":     "application = None\n",
			"Procfile":         "release: python manage.py migrate\nweb: gunicorn proj.wsgi --bind 0.0.0.0:$PORT --port 8080\n",
		}, FrameworkDjango, "gunicorn", "proj.wsgi:application", 8080, "Procfile:2", []string{"gunicorn", "--bind", "0.0.0.0:8080", "proj.wsgi:application"}},
		{"console script", map[string]string{
			"pyproject.toml": "[project]\nname = \"tool\"\n[project.scripts]\ntool = \"tool.cli:main\"\nother = \"tool.cli:other\"\n",
			"tool/cli.py":    "def main(): pass\n",
		}, FrameworkConsole, "", "tool", 0, "", []string{"tool"}},
		{"script with http.server and EXPOSE", map[string]string{
			"serve.py":   "from http.server import HTTPServer, SimpleHTTPRequestHandler\nif __name__ == \"__main__\":\n    HTTPServer((\"\", 8000), SimpleHTTPRequestHandler).serve_forever()\n",
			"Dockerfile": "FROM python:3.12-slim\nEXPOSE 9999\n",
		}, FrameworkScript, "", "serve.py", 8000, "serve.py:3", []string{"python", "serve.py"}},
		{"EXPOSE when the code says nothing", map[string]string{
			"setup.py":   "from setuptools import setup\nif __name__ == \"__main__\":\n    setup()\n",
			"run.py":     "if __name__ == \"__main__\":\n    main()\n",
			"Dockerfile": "FROM python:3.12-slim\nEXPOSE 9999\n",
		}, FrameworkScript, "", "run.py", 9999, "Dockerfile:2", []string{"python", "run.py"}},
		{"nothing", map[string]string{"lib.py": "def f(): pass\n"}, "", "", "", 0, "", nil},
		{"sub-projects and non-importable paths are not the app", map[string]string{
			"services/api/pyproject.toml": "[project]\nname = \"api\"\n",
			"services/api/main.py":        "app = FastAPI()\n",
			"my-scripts/tool.py":          "if __name__ == \"__main__\":\n    pass\n",
		}, "", "", "", 0, "", nil},
		{"setup.py's __main__ is not the app", map[string]string{"setup.py": "from setuptools import setup\nif __name__ == \"__main__\":\n    setup()\n"}, "", "", "", 0, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, c := range tt.files {
				if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(n)), 0o755); err != nil {
					t.Fatal(err)
				}
				write(t, dir, n, c)
			}
			p, err := Detect(dir)
			if err != nil {
				t.Fatal(err)
			}
			a := p.App
			if a.Framework != tt.framework || a.Server != tt.server || a.Target != tt.target || a.Port != tt.port || a.PortFrom != tt.portFrom || !reflect.DeepEqual(a.Command, tt.command) {
				t.Errorf("App = %+v\nwant framework %q server %q target %q port %d from %q command %q", a, tt.framework, tt.server, tt.target, tt.port, tt.portFrom, tt.command)
			}
		})
	}
}

func TestReadSourcesBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, d := range []string{".venv/lib", "node_modules/x", "a/b/c/d/e/f/g"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, dir, ".venv/lib/app.py", "app = FastAPI()\n")
	write(t, dir, "node_modules/x/app.py", "app = FastAPI()\n")
	write(t, dir, "a/b/c/d/e/f/g/app.py", "app = FastAPI()\n")
	big := make([]byte, maxSourceBytes+1)
	write(t, dir, "big.py", "app = FastAPI()\n"+string(big))
	srcs, err := readSources(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(srcs) != 0 {
		t.Errorf("readSources read %d files from venvs, node_modules, deep or big files; want 0: %v", len(srcs), srcs[0].rel)
	}
}
