package project

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSpecifier(t *testing.T) {
	tests := []struct {
		spec   string
		allow  []string
		deny   []string
		series []string // series allowed among 3.8 ... 3.14
	}{
		{">=3.10", []string{"3.10.0", "3.14.1"}, []string{"3.9.18"}, []string{"3.10", "3.11", "3.12", "3.13", "3.14"}},
		{">=3.10,<3.13", []string{"3.12.9"}, []string{"3.13.0"}, []string{"3.10", "3.11", "3.12"}},
		{">= 3.9, != 3.11.*", []string{"3.10.2"}, []string{"3.11.4"}, []string{"3.9", "3.10", "3.12", "3.13", "3.14"}},
		{"~=3.11", []string{"3.11.0", "3.13.1"}, []string{"3.10.9", "4.0"}, []string{"3.11", "3.12", "3.13", "3.14"}},
		{"~=3.11.2", []string{"3.11.5"}, []string{"3.11.1", "3.12.0"}, []string{"3.11"}},
		{"==3.12.*", []string{"3.12.0", "3.12.7"}, []string{"3.13.0"}, []string{"3.12"}},
		{"^3.11", []string{"3.11.0", "3.14.0"}, []string{"4.0.0", "3.10.0"}, []string{"3.11", "3.12", "3.13", "3.14"}},
		{"~3.11", []string{"3.11.9"}, []string{"3.12.0"}, []string{"3.11"}},
		{">=3.9 <3.12", []string{"3.11.2"}, []string{"3.12.0"}, []string{"3.9", "3.10", "3.11"}},
		{"^3.9 || ^3.11", []string{"3.10.1"}, []string{"2.7.18"}, []string{"3.9", "3.10", "3.11", "3.12", "3.13", "3.14"}},
		{">3.10.4", []string{"3.10.5"}, []string{"3.10.4"}, []string{"3.10", "3.11", "3.12", "3.13", "3.14"}},
		{"3.12.*", []string{"3.12.3"}, []string{"3.11.0"}, []string{"3.12"}},
	}
	for _, tc := range tests {
		s, err := ParseSpecifier(tc.spec)
		if err != nil {
			t.Errorf("ParseSpecifier(%q) = %v", tc.spec, err)
			continue
		}
		for _, v := range tc.allow {
			if !s.Allows(v) {
				t.Errorf("ParseSpecifier(%q).Allows(%s) = false, want true", tc.spec, v)
			}
		}
		for _, v := range tc.deny {
			if s.Allows(v) {
				t.Errorf("ParseSpecifier(%q).Allows(%s) = true, want false", tc.spec, v)
			}
		}
		var got []string
		for _, ser := range []string{"3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14"} {
			if s.AllowsSeries(ser) {
				got = append(got, ser)
			}
		}
		if !slices.Equal(got, tc.series) {
			t.Errorf("ParseSpecifier(%q) allows series %v, want %v", tc.spec, got, tc.series)
		}
	}
	for _, bad := range []string{">=three", "~=3", ">=3.*"} {
		if _, err := ParseSpecifier(bad); err == nil {
			t.Errorf("ParseSpecifier(%q) = nil error, want one", bad)
		}
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDetect(t *testing.T) {
	t.Run("PEP 621 with policy", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "pyproject.toml", `[project]
name = "app"
requires-python = ">=3.11,<3.14"

[tool.pyimg.base]
allowed-registries = ["docker.io", "registry.example.com/mirror"]
min-support-days = 365
preferred-os = "bookworm"
`)
		write(t, dir, ".python-version", "# pinned\n3.12.4\n")
		write(t, dir, "Dockerfile", "FROM python:3.12-slim\n")
		write(t, dir, "worker.Dockerfile", "FROM python:3.12-slim\n")
		p, err := Detect(dir)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "app" || p.RequiresPython != ">=3.11,<3.14" || !p.Requires.AllowsSeries("3.13") || p.Requires.AllowsSeries("3.14") {
			t.Errorf("Detect = %+v", p)
		}
		if p.PythonVersion != "3.12.4" || p.PythonVersionSeries() != "3.12" {
			t.Errorf("Detect .python-version = %q (series %q), want 3.12.4 (3.12)", p.PythonVersion, p.PythonVersionSeries())
		}
		if !slices.Equal(p.Dockerfiles, []string{"Dockerfile", "worker.Dockerfile"}) {
			t.Errorf("Detect Dockerfiles = %v", p.Dockerfiles)
		}
		want := BasePolicy{AllowedRegistries: []string{"docker.io", "registry.example.com/mirror"}, MinSupportDays: 365, PreferredOS: "bookworm"}
		if !slices.Equal(p.Base.AllowedRegistries, want.AllowedRegistries) || p.Base.MinSupportDays != 365 || p.Base.PreferredOS != "bookworm" {
			t.Errorf("Detect Base = %+v, want %+v", p.Base, want)
		}
	})
	t.Run("Poetry", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "pyproject.toml", "[tool.poetry]\nname = \"p\"\n[tool.poetry.dependencies]\npython = \"^3.10\"\nflask = \"*\"\n")
		p, err := Detect(dir)
		if err != nil {
			t.Fatal(err)
		}
		if p.RequiresPython != "^3.10" || !p.Requires.AllowsSeries("3.10") || p.Requires.AllowsSeries("3.9") {
			t.Errorf("Detect(poetry) = %+v", p)
		}
	})
	t.Run("setup.cfg", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "setup.cfg", "[metadata]\nname = legacy\n\n[options]\npython_requires = >=3.9\n")
		p, err := Detect(dir)
		if err != nil {
			t.Fatal(err)
		}
		if p.Name != "legacy" || p.RequiresPython != ">=3.9" || p.RequiresPythonFrom != "setup.cfg [options] python_requires" {
			t.Errorf("Detect(setup.cfg) = %+v", p)
		}
	})
	t.Run("empty", func(t *testing.T) {
		p, err := Detect(t.TempDir())
		if err != nil || !p.Requires.Empty() || p.PythonVersion != "" {
			t.Errorf("Detect(empty) = %+v, %v", p, err)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		dir := t.TempDir()
		write(t, dir, "pyproject.toml", "[project\n")
		if _, err := Detect(dir); err == nil {
			t.Errorf("Detect(malformed pyproject) = nil error")
		}
	})
}
