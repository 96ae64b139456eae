package project

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestScanSource(t *testing.T) {
	t.Parallel()
	src := `import os
from flask import Flask
from fastapi import FastAPI
import starlette.applications

api: FastAPI = FastAPI()
web = Flask(__name__)
star = starlette.applications.Starlette()

def create_app():
    return web

PORT = 8080  # default
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")

if __name__ == "__main__":
    web.run(host="0.0.0.0", port=5000)
`
	got := scanSource(sourceFile{rel: "src/pkg/app.py", module: "pkg.app", lines: strings.Split(src, "\n")})
	want := []clue{
		{FrameworkFastAPI, "pkg.app:api", "src/pkg/app.py", 6},
		{FrameworkFlask, "pkg.app:web", "src/pkg/app.py", 7},
		{FrameworkStarlette, "pkg.app:star", "src/pkg/app.py", 8},
		{FrameworkFlask, "pkg.app:create_app()", "src/pkg/app.py", 10},
		{cluePort, "8080", "src/pkg/app.py", 13},
		{clueSettings, "site.settings", "src/pkg/app.py", 14},
		{clueMain, "src/pkg/app.py", "src/pkg/app.py", 16},
		{cluePort, "5000", "src/pkg/app.py", 17},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("scanSource =\n%v\nwant\n%v", got, want)
	}
}

func TestScanConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       []clue
	}{
		{"gunicorn.conf.py", "workers = 4\nbind = ['0.0.0.0:8001']\nworker_class = 'uvicorn.workers.UvicornWorker'\n",
			[]clue{{cluePort, "8001", "gunicorn.conf.py", 2}, {clueUvicornWorkers, "", "gunicorn.conf.py", 3}}},
		{"Procfile", "release: ./migrate\nweb: gunicorn -k uvicorn.workers.UvicornWorker -b 0.0.0.0:9000 app:app\n",
			[]clue{{clueProcfile, "web: gunicorn -k uvicorn.workers.UvicornWorker -b 0.0.0.0:9000 app:app", "Procfile", 2}, {clueUvicornWorkers, "", "Procfile", 2}, {cluePort, "9000", "Procfile", 2}}},
		{"Dockerfile", "FROM python:3.12-slim\n  expose 7000/tcp\n", []clue{{clueExpose, "7000", "Dockerfile", 2}}},
	}
	for _, tt := range tests {
		if got := scanConfig(tt.name, strings.Split(tt.text, "\n")); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("scanConfig(%s) =\n%v\nwant\n%v", tt.name, got, tt.want)
		}
	}
}

func FuzzScan(f *testing.F) {
	f.Add("app = FastAPI()\nif __name__ == '__main__':\n    uvicorn.run(app, port=8000)\n")
	f.Add("bind = \"0.0.0.0:80\"\nworker_class = \"uvicorn.workers.UvicornWorker\"\n")
	f.Add("web: gunicorn --bind 0.0.0.0:5000 app:app\nEXPOSE 99999\n")
	f.Fuzz(func(t *testing.T, text string) {
		lines := strings.Split(text, "\n")
		clues := scanSource(sourceFile{rel: "m.py", module: "m", lines: lines})
		for _, name := range configFiles {
			clues = append(clues, scanConfig(name, lines)...)
		}
		for _, c := range clues {
			if c.line < 1 || c.line > len(lines) {
				t.Fatalf("clue %+v outside the %d lines", c, len(lines))
			}
			switch c.kind {
			case cluePort, clueExpose:
				if _, err := strconv.Atoi(c.value); err != nil || len(c.value) > 5 {
					t.Fatalf("port clue %+v is not a number of at most 5 digits", c)
				}
			case FrameworkFastAPI, FrameworkStarlette, FrameworkFlask:
				if !strings.HasPrefix(c.value, "m:") {
					t.Fatalf("application clue %+v is not module:object", c)
				}
			}
		}
	})
}
