package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/pyimg/pyimg/baseimage"
)

var update = flag.Bool("update", false, "rewrite golden files (docs/rules.md)")

type result struct {
	stdout, stderr string
	code           int
}

type runOpt func(*Env)

func withTTY(e *Env) { e.IsTerminal = func(io.Writer) bool { return true } }
func withEnv(k, v string) runOpt {
	return func(e *Env) {
		prev := e.Getenv
		e.Getenv = func(s string) string {
			if s == k {
				return v
			}
			return prev(s)
		}
	}
}
func withStdin(s string) runOpt { return func(e *Env) { e.Stdin = strings.NewReader(s) } }

// run executes pyimg in-process with its own streams, a fixed clock and a
// clean environment.
func run(t *testing.T, opts []runOpt, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{
		Stdin:      strings.NewReader(""),
		Stdout:     &out,
		Stderr:     &errb,
		Getenv:     func(string) string { return "" },
		Now:        func() time.Time { return time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC) },
		IsTerminal: func(io.Writer) bool { return false },
		Version:    "test",
	}
	for _, o := range opts {
		o(&env)
	}
	code := Execute(context.Background(), env, args)
	return result{out.String(), errb.String(), code}
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const goodDockerfile = `# syntax=docker/dockerfile:1
FROM python:3.12.7-slim-bookworm@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS build
WORKDIR /app
RUN python -m venv /opt/venv
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip /opt/venv/bin/pip install -r requirements.txt

FROM python:3.12.7-slim-bookworm@sha256:0000000000000000000000000000000000000000000000000000000000000000
ENV PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=10001:10001 app.py .
USER 10001
CMD ["python", "app.py"]
`

const badDockerfile = `FROM python:latest
ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
RUN apt-get update
RUN apt-get install -y gcc
COPY . .
RUN pip install flask
CMD python app.py
`

func TestVersion(t *testing.T) {
	r := run(t, nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "pyimg test ") {
		t.Errorf("pyimg version = %q (exit %d), want \"pyimg test ...\" and exit 0", r.stdout, r.code)
	}
}

func TestLintExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, filepath.Join(dir, "good"), "Dockerfile", goodDockerfile)
	writeFile(t, filepath.Join(dir, "good"), ".dockerignore", ".env\n.git\n*.pem\n")
	writeFile(t, filepath.Join(dir, "good"), "requirements.txt", "flask==3.0.3\n")
	bad := writeFile(t, filepath.Join(dir, "bad"), "Dockerfile", badDockerfile)
	broken := writeFile(t, filepath.Join(dir, "broken"), "Dockerfile", "FROM python:3.12.7-slim-bookworm\nRUNN pip install flask\n")

	tests := []struct {
		name string
		args []string
		code int
	}{
		{"clean file", []string{"lint", good}, ExitOK},
		{"directory argument", []string{"lint", filepath.Dir(good)}, ExitOK},
		{"errors fail by default", []string{"lint", bad}, ExitFindings},
		{"fail-on none", []string{"lint", "--fail-on", "none", bad}, ExitOK},
		{"parse error", []string{"lint", broken}, ExitUsage},
		{"missing file", []string{"lint", filepath.Join(dir, "nope", "Dockerfile")}, ExitUsage},
		{"bad format", []string{"lint", "--format", "yaml", good}, ExitUsage},
		{"bad fail-on", []string{"lint", "--fail-on", "fatal", good}, ExitUsage},
		{"unknown rule in --ignore", []string{"lint", "--ignore", "PY999", good}, ExitUsage},
		{"bad --now", []string{"lint", "--now", "yesterday", good}, ExitUsage},
		{"unknown command", []string{"lnit"}, ExitUsage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, tc.args...)
			if r.code != tc.code {
				t.Errorf("pyimg %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(tc.args, " "), r.code, tc.code, r.stdout, r.stderr)
			}
		})
	}
}

func TestLintParseErrorNamesFileAndLine(t *testing.T) {
	p := writeFile(t, t.TempDir(), "Dockerfile", "FROM python:3.12.7-slim-bookworm\nRUNN pip install flask\n")
	r := run(t, nil, "lint", "--format", "json", p)
	if r.code != ExitUsage {
		t.Fatalf("exit %d, want %d", r.code, ExitUsage)
	}
	want := filepath.ToSlash(p) + ":2:"
	if !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "RUNN") {
		t.Errorf("stderr = %q, want it to name %q and the bad token RUNN", r.stderr, want)
	}
	var doc struct {
		Findings []struct {
			Rule string
			Line int
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	if len(doc.Findings) != 1 || doc.Findings[0].Rule != "PY505" || doc.Findings[0].Line != 2 {
		t.Errorf("findings = %+v, want one PY505 at line 2", doc.Findings)
	}
}

func TestLintJSONAndSARIF(t *testing.T) {
	p := writeFile(t, t.TempDir(), "Dockerfile", badDockerfile)
	r := run(t, nil, "lint", "--format", "json", p)
	var doc struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("lint --format json: %v\n%s", err, r.stdout)
	}
	rules := map[string]bool{}
	for _, f := range doc.Findings {
		for _, k := range []string{"rule", "name", "severity", "file", "line", "message", "fix"} {
			if _, ok := f[k]; !ok {
				t.Errorf("finding %v lacks %q", f, k)
			}
		}
		rules[f["rule"].(string)] = true
	}
	for _, id := range []string{"PY101", "PY202", "PY203", "PY303", "PY401"} {
		if !rules[id] {
			t.Errorf("lint of the bad Dockerfile lacks %s; got %v", id, rules)
		}
	}

	r = run(t, nil, "lint", "--format", "sarif", "--fail-on", "none", p)
	if r.code != 0 {
		t.Fatalf("sarif exit %d: %s", r.code, r.stderr)
	}
	rep, err := sarif.FromString(r.stdout)
	if err != nil {
		t.Fatalf("parsing SARIF: %v", err)
	}
	if err := rep.Validate(); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
	if n, want := len(rep.Runs[0].Results), len(doc.Findings); n != want {
		t.Errorf("SARIF has %d results, JSON %d findings", n, want)
	}
	if len(rep.Runs[0].Tool.Driver.Rules) < 30 {
		t.Errorf("SARIF driver lists %d rules, want the whole catalogue", len(rep.Runs[0].Tool.Driver.Rules))
	}
}

func TestLintStdinAndIgnore(t *testing.T) {
	r := run(t, []runOpt{withStdin(badDockerfile)}, "lint", "--format", "json", "--fail-on", "none", "--ignore", "py101", "-")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if strings.Contains(r.stdout, `"PY101"`) {
		t.Errorf("--ignore py101 still reports PY101:\n%s", r.stdout)
	}
	if !strings.Contains(r.stdout, `"file": "<stdin>"`) || !strings.Contains(r.stdout, `"PY401"`) {
		t.Errorf("stdin lint lacks <stdin> findings:\n%s", r.stdout)
	}
}

func TestLintConfigFailOn(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "Dockerfile", goodDockerfile+"EXPOSE 8000\n")
	writeFile(t, dir, ".dockerignore", ".env\n.git\n*.pem\n")
	writeFile(t, dir, "requirements.txt", "flask==3.0.3\n")
	if r := run(t, nil, "lint", p); r.code != 0 {
		t.Fatalf("without config: exit %d, want 0 (only info findings)\n%s", r.code, r.stdout)
	}
	writeFile(t, dir, "pyproject.toml", "[project]\nname = \"x\"\n\n[tool.pyimg.lint]\nfail-on = \"info\"\n")
	if r := run(t, nil, "lint", p); r.code != ExitFindings {
		t.Errorf("with fail-on = info in pyproject: exit %d, want 1\n%s", r.code, r.stdout)
	}
	if r := run(t, nil, "lint", "--fail-on", "error", p); r.code != 0 {
		t.Errorf("--fail-on error overrides config: exit %d, want 0", r.code)
	}
}

func TestColor(t *testing.T) {
	p := writeFile(t, t.TempDir(), "Dockerfile", badDockerfile)
	if r := run(t, nil, "lint", p); strings.Contains(r.stdout, "\x1b[") {
		t.Error("colour written to a non-terminal")
	}
	if r := run(t, []runOpt{withTTY}, "lint", p); !strings.Contains(r.stdout, "\x1b[") {
		t.Error("no colour on a terminal")
	}
	if r := run(t, []runOpt{withTTY, withEnv("NO_COLOR", "1")}, "lint", p); strings.Contains(r.stdout, "\x1b[") {
		t.Error("colour despite NO_COLOR")
	}
	if r := run(t, []runOpt{withTTY}, "--no-color", "lint", p); strings.Contains(r.stdout, "\x1b[") {
		t.Error("colour despite --no-color")
	}
}

func TestRules(t *testing.T) {
	r := run(t, nil, "rules")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, id := range []string{"PY101", "PY201", "PY301", "PY401", "PY501", "PY505", "PY601", "PY607"} {
		if !strings.Contains(r.stdout, id) {
			t.Errorf("pyimg rules lacks %s", id)
		}
	}
	r = run(t, nil, "rules", "py304")
	if r.code != 0 || !strings.Contains(r.stdout, "Why:") || !strings.Contains(r.stdout, "Fix:") {
		t.Errorf("pyimg rules py304 = %q (exit %d), want why and fix", r.stdout, r.code)
	}
	if r := run(t, nil, "rules", "PY000"); r.code != ExitUsage {
		t.Errorf("pyimg rules PY000: exit %d, want 2", r.code)
	}
}

// TestRulesDoc keeps docs/rules.md identical to the rule metadata in code.
func TestRulesDoc(t *testing.T) {
	var buf bytes.Buffer
	if err := writeRulesDoc(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "rules.md")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading %s: %v (run: go test ./internal/cli -run TestRulesDoc -update)", path, err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("%s differs from the rules in code; run: go test ./internal/cli -run TestRulesDoc -update", path)
	}
	seen, names := map[string]bool{}, map[string]string{}
	for _, r := range allRules() {
		if seen[r.ID] {
			t.Errorf("rule %s is defined twice", r.ID)
		}
		seen[r.ID] = true
		if other, ok := names[r.Name]; ok {
			t.Errorf("rules %s and %s share the name %q", other, r.ID, r.Name)
		}
		names[r.Name] = r.ID
		if r.Name == "" || r.Summary == "" || r.Why == "" || r.Fix == "" || r.Bad == "" || r.Good == "" {
			t.Errorf("rule %s lacks name, summary, why, fix or examples: %+v", r.ID, r)
		}
		if !strings.Contains(string(got), "\n### "+r.ID+"\n") {
			t.Errorf("docs/rules.md has no section for %s", r.ID)
		}
	}
}

// lint uses the lifecycle data for PY105/PY106, so it says when that data is
// older than 90 days at --now.
func TestLintWarnsOnStaleData(t *testing.T) {
	p := writeFile(t, t.TempDir(), "Dockerfile", goodDockerfile)
	asOf := knowledgeAsOf(t)
	fresh := run(t, nil, "lint", "--now", asOf.AddDate(0, 0, 10).Format("2006-01-02"), p)
	if strings.Contains(fresh.stderr, "lifecycle data") {
		t.Errorf("data 10 days old: stderr %q, want no warning", fresh.stderr)
	}
	stale := run(t, nil, "lint", "--now", asOf.AddDate(0, 0, 120).Format("2006-01-02"), p)
	if !strings.Contains(stale.stderr, "lifecycle data") || !strings.Contains(stale.stderr, "pyimg data update") {
		t.Errorf("data 120 days old: stderr %q, want a warning naming 'pyimg data update'", stale.stderr)
	}
}

func knowledgeAsOf(t *testing.T) time.Time {
	t.Helper()
	return baseimage.Embedded().AsOf
}
