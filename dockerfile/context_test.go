package dockerfile

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func writeTree(t *testing.T, files map[string]string) string {
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

func TestLoadContext(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"Dockerfile":            "FROM python\n",
		".dockerignore":         "# comment\n.git\n.env*\n**/*.pem\n!keep.pem\n",
		"requirements.txt":      "flask\n",
		"requirements-dev.txt":  "pytest\n",
		"pyproject.toml":        "[project]\n",
		"uv.lock":               "",
		"app.py":                "",
		"requirements/base.txt": "",
	})
	c, err := LoadContext(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatalf("LoadContext() error = %v", err)
	}
	if c.IgnoreFile != filepath.Join(dir, ".dockerignore") {
		t.Errorf("IgnoreFile = %q", c.IgnoreFile)
	}
	if want := []string{"pyproject.toml", "requirements-dev.txt", "requirements.txt", "uv.lock"}; !reflect.DeepEqual(c.DependencyFiles, want) {
		t.Errorf("DependencyFiles = %v, want %v", c.DependencyFiles, want)
	}
	for path, want := range map[string]bool{
		".git": true, ".git/config": true, ".env": true, ".env.local": true,
		"certs/server.pem": true, "keep.pem": false, "app.py": false, "id_rsa": false,
	} {
		if got := c.Excludes(path); got != want {
			t.Errorf("Excludes(%q) = %v, want %v", path, got, want)
		}
	}
	if !c.HasDependencyFile("uv.lock") || c.HasDependencyFile("poetry.lock") {
		t.Errorf("HasDependencyFile wrong for %v", c.DependencyFiles)
	}
}

func TestLoadContextDockerfileSpecificIgnore(t *testing.T) {
	dir := writeTree(t, map[string]string{
		".dockerignore":                      ".git\n",
		"docker/app.Dockerfile":              "FROM python\n",
		"docker/app.Dockerfile.dockerignore": "*\n!src\n",
	})
	c, err := LoadContext(dir, filepath.Join(dir, "docker", "app.Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(c.IgnoreFile) != "app.Dockerfile.dockerignore" || !c.Excludes(".env") || c.Excludes("src/main.py") {
		t.Errorf("LoadContext() = %+v, want the Dockerfile-specific ignore file", c)
	}
}

func TestLoadContextNoIgnore(t *testing.T) {
	c, err := LoadContext(writeTree(t, map[string]string{"Dockerfile": "FROM a\n"}), "")
	if err != nil {
		t.Fatal(err)
	}
	if c.HasIgnoreFile() || c.Excludes(".env") {
		t.Errorf("LoadContext() = %+v, want no ignore file", c)
	}
	var nilCtx *Context
	if nilCtx.Excludes(".env") || nilCtx.HasIgnoreFile() {
		t.Error("nil Context excludes something")
	}
	if _, err := LoadContext(filepath.Join(t.TempDir(), "missing"), ""); err == nil {
		t.Error("LoadContext(missing dir) error = nil")
	}
}

func TestScripts(t *testing.T) {
	src := "FROM a\n" +
		"SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n" +
		"RUN apt-get update && curl -s x | sh\n" +
		"RUN [\"sh\", \"-c\", \"pip install x\"]\n" +
		"RUN <<EOF\nsudo rm -rf /tmp/x\nEOF\n" +
		"RUN python3 <<EOF\nprint('hi')\nEOF\n" +
		"COPY a b\n"
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	ins := f.Stages[0].Instructions
	names := func(i int) []string {
		var out []string
		for _, s := range ins[i].Scripts() {
			for _, c := range s.Commands {
				out = append(out, c.Name)
			}
		}
		return out
	}
	tests := []struct {
		i    int
		want []string
	}{
		{1, []string{"apt-get", "curl", "sh"}},
		{2, []string{"sh", "pip"}},
		{3, []string{"rm"}},
		{4, []string{"python3"}},
		{5, nil},
	}
	for _, tt := range tests {
		if got := names(tt.i); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Scripts() of %q = %v, want %v", ins[tt.i].Original, got, tt.want)
		}
	}
	if c := ins[1].Scripts()[0].Commands[2]; !c.Pipefail {
		t.Errorf("pipefail from SHELL not applied: %+v", c)
	}
	first, second := ins[1].Scripts(), ins[1].Scripts()
	if first[0] != second[0] {
		t.Error("Scripts() parsed twice")
	}
}
