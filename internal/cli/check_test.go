package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	dir := filepath.Join("..", "..", "examples", "fastapi-uv")
	r := run(t, nil, "check", "--now", "2026-11-30", dir)
	if r.code != ExitOK {
		t.Fatalf("check = exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"project: api 0.1.0", "manager:          uv", "lock:             uv.lock: 14 packages",
		"fastapi on uvicorn, api.main:app", "uvicorn api.main:app --host 0.0.0.0 --port 8000",
		"build:   docker.io/library/python:3.13.15-slim-trixie", "older than Python 3.15", "musl (alpine): feasible",
		"1. pyimg data update",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("check colours output that is not a terminal")
	}
	r = run(t, []runOpt{withTTY}, "check", "--now", "2026-11-30", dir)
	if !strings.Contains(r.stdout, "\x1b[1mnext:") {
		t.Errorf("check on a terminal is not coloured:\n%q", r.stdout)
	}
	r = run(t, []runOpt{withTTY, withEnv("NO_COLOR", "1")}, "check", "--now", "2026-11-30", dir)
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("check colours output despite NO_COLOR")
	}
}

func TestCheckJSON(t *testing.T) {
	r := run(t, nil, "check", "--format", "json", "--now", "2026-11-30", filepath.Join("..", "..", "examples", "django-site"))
	if r.code != ExitOK {
		t.Fatalf("check = exit %d\n%s", r.code, r.stderr)
	}
	var got struct {
		Project struct {
			Manager string `json:"manager"`
			App     struct {
				Framework, Server, Target string
				DjangoSettings            string `json:"django_settings"`
				Port                      int
			} `json:"app"`
			Requirements []struct {
				File string `json:"file"`
			} `json:"requirements"`
		} `json:"project"`
		Base struct {
			Build   string   `json:"build"`
			Reasons []string `json:"reasons"`
		} `json:"base"`
		Musl struct {
			Verdict string `json:"verdict"`
		} `json:"musl"`
		Data struct {
			AsOf  string   `json:"as_of"`
			Stale []string `json:"stale"`
		} `json:"data"`
		Next []struct {
			Command, Why string
		} `json:"next"`
		Failed bool `json:"failed"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("check json: %v\n%s", err, r.stdout)
	}
	p := got.Project
	if p.Manager != "pip" || p.App.Framework != "django" || p.App.Server != "gunicorn" || p.App.Target != "mysite.wsgi:application" || p.App.DjangoSettings != "mysite.settings" || p.App.Port != 8000 || len(p.Requirements) != 1 {
		t.Errorf("check json project = %+v", p)
	}
	if !strings.HasSuffix(got.Base.Build, ":3.12.14-slim-trixie") || got.Musl.Verdict != "unknown" || got.Data.AsOf != "2026-08-22" || len(got.Data.Stale) != 1 || len(got.Next) == 0 || got.Failed {
		t.Errorf("check json = %+v", got)
	}
}

func TestCheckExitCodes(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pyproject.toml", "[project]\nname = \"x\"\ndependencies = [\n  \"flask\",\n  \"requests>=>2\",\n]\n")
	r := run(t, nil, "check", dir)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "pyproject.toml:5: invalid dependency") {
		t.Errorf("check on a broken pyproject = exit %d, stderr %q; want 2 with pyproject.toml:5", r.code, r.stderr)
	}
	r = run(t, nil, "check", "--now", "2026-11-30", filepath.Join("..", "..", "examples", "bad"))
	if r.code != ExitFindings || !strings.Contains(r.stdout, "pyimg lint") {
		t.Errorf("check on examples/bad = exit %d; want 1 (lint errors)\n%s", r.code, r.stdout)
	}
	if r := run(t, nil, "check", "--format", "yaml", dir); r.code != ExitUsage {
		t.Errorf("check --format yaml = exit %d, want 2", r.code)
	}
}
