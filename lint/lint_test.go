package lint_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/lint/rules"
	"github.com/pyimg/pyimg/report"
)

var today = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

// lineRule reports every instruction of a kind, to test the engine without
// depending on real rules.
type lineRule struct {
	id, kind string
}

func (r lineRule) Meta() report.Rule {
	return report.Rule{ID: r.id, Name: "test-" + strings.ToLower(r.kind), Severity: report.SeverityWarning}
}

func (r lineRule) Check(c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, in := range c.File.Instructions() {
		if in.Kind == r.kind {
			out = append(out, lint.Finding(r.Meta(), in, r.kind+" seen", ""))
		}
	}
	return out
}

var testRules = []lint.Rule{lineRule{"PY901", "RUN"}, lineRule{"PY902", "FROM"}}

func lintString(t *testing.T, src string, opts ...lint.Option) []report.Finding {
	t.Helper()
	opts = append([]lint.Option{lint.WithToday(today), lint.WithConfig(lint.DefaultConfig())}, opts...)
	fs, err := lint.New(testRules, opts...).LintBytes(context.Background(), "Dockerfile", []byte(src), nil)
	if err != nil {
		t.Fatalf("LintBytes(%q) error = %v", src, err)
	}
	return fs
}

func keys(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Location()+" "+f.Rule)
	}
	return out
}

func TestSuppression(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
	}{
		{"none", "FROM a\nRUN x\n", []string{"Dockerfile:1 PY902", "Dockerfile:2 PY901"}},
		{"above instruction", "FROM a\n# pyimg: ignore=PY901\nRUN x\nRUN y\n", []string{"Dockerfile:1 PY902", "Dockerfile:4 PY901"}},
		{"list with spaces", "# pyimg: ignore=PY901, PY902\nFROM a\nRUN x\n", []string{"Dockerfile:3 PY901"}},
		{"among other comments", "FROM a\n# install\n# pyimg: ignore=PY901 -- reason\n# more\nRUN x\n", []string{"Dockerfile:1 PY902"}},
		{"blank line breaks adjacency", "FROM a\n# pyimg: ignore=PY901\n\nRUN x\n", []string{"Dockerfile:1 PY902", "Dockerfile:4 PY901"}},
		{"multi-line instruction", "FROM a\n# pyimg:ignore=PY901\nRUN x \\\n  && y\n", []string{"Dockerfile:1 PY902"}},
		{"global anywhere", "FROM a\nRUN x\n# pyimg: global ignore=PY901\nRUN y\n", []string{"Dockerfile:1 PY902"}},
		{"global does not leak other rules", "# pyimg: global ignore=PY999\nFROM a\n", []string{"Dockerfile:2 PY902"}},
		{"comment inside continuation is not a suppression", "FROM a\nRUN x \\\n# pyimg: ignore=PY901\n  && y\nRUN z\n", []string{"Dockerfile:1 PY902", "Dockerfile:2 PY901", "Dockerfile:5 PY901"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := keys(lintString(t, tt.src))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Lint(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func TestParseIgnoreComment(t *testing.T) {
	tests := []struct {
		in     string
		ids    []string
		global bool
		ok     bool
	}{
		{"pyimg: ignore=PY301,PY302", []string{"PY301", "PY302"}, false, true},
		{"pyimg: global ignore=PY104", []string{"PY104"}, true, true},
		{"pyimg:ignore = py101 because", []string{"PY101"}, false, true},
		{"pyimg ignore=PY101", nil, false, false},
		{"hadolint ignore=DL3008", nil, false, false},
	}
	for _, tt := range tests {
		ids, global, ok := lint.ParseIgnoreComment(tt.in)
		if !reflect.DeepEqual(ids, tt.ids) || global != tt.global || ok != tt.ok {
			t.Errorf("ParseIgnoreComment(%q) = %v, %v, %v, want %v, %v, %v", tt.in, ids, global, ok, tt.ids, tt.global, tt.ok)
		}
	}
}

func TestConfigApplies(t *testing.T) {
	cfg := lint.DefaultConfig()
	cfg.Ignore = []string{"PY902"}
	cfg.Severity = map[string]report.Severity{"PY901": report.SeverityError}
	fs := lintString(t, "FROM a\nRUN x\n", lint.WithConfig(cfg))
	if len(fs) != 1 || fs[0].Rule != "PY901" || fs[0].Severity != report.SeverityError || fs[0].Name != "test-run" {
		t.Errorf("findings = %+v, want one PY901 error", fs)
	}
	cfg.Ignore = []string{"PY123"}
	_, err := lint.New(testRules, lint.WithConfig(cfg)).LintBytes(context.Background(), "Dockerfile", []byte("FROM a\n"), nil)
	if err == nil || !strings.Contains(err.Error(), `unknown rule "PY123"`) {
		t.Errorf("unknown ignored rule error = %v", err)
	}
}

func TestParseConfig(t *testing.T) {
	tests := []struct {
		name, path, src string
		want            lint.Config
		found           bool
		err             string
	}{
		{name: "pyimg.toml", path: "/p/.pyimg.toml",
			src: "[lint]\nignore = [\"PY104\"]\nseverity = {PY402 = \"warning\"}\nfail-on = \"warning\"\ntrusted-registries = [\"registry.example.com\"]\n",
			want: lint.Config{Path: "/p/.pyimg.toml", Ignore: []string{"PY104"}, Severity: map[string]report.Severity{"PY402": report.SeverityWarning},
				FailOn: report.SeverityWarning, TrustedRegistries: []string{"registry.example.com"}}, found: true},
		{name: "pyproject", path: "/p/pyproject.toml",
			src:  "[project]\nname = \"x\"\n[tool.ruff]\nline-length = 100\n[tool.pyimg.lint]\nignore = [\"py201\"]\n",
			want: lint.Config{Path: "/p/pyproject.toml", Ignore: []string{"PY201"}, FailOn: report.SeverityError}, found: true},
		{name: "pyproject without table", path: "/p/pyproject.toml", src: "[project]\nname = \"x\"\n",
			want: lint.DefaultConfig()},
		{name: "fail-on none", path: "/p/.pyimg.toml", src: "[lint]\nfail-on = \"none\"\n",
			want: lint.Config{Path: "/p/.pyimg.toml"}, found: true},
		{name: "unknown key", path: "/p/.pyimg.toml", src: "[lint]\nignored = [\"PY104\"]\n", err: `/p/.pyimg.toml: unknown key "lint.ignored"`},
		{name: "unknown key pyproject", path: "/p/pyproject.toml", src: "[tool.pyimg.lint]\nfailon = \"error\"\n", err: `/p/pyproject.toml: unknown key "tool.pyimg.lint.failon"`},
		{name: "bad ID", path: "/p/.pyimg.toml", src: "[lint]\nignore = [\"DL3008\"]\n", err: `/p/.pyimg.toml: ignore: "DL3008" is not a rule ID`},
		{name: "bad severity", path: "/p/.pyimg.toml", src: "[lint]\nseverity = {PY101 = \"fatal\"}\n", err: `/p/.pyimg.toml: severity.PY101: "fatal"`},
		{name: "bad fail-on", path: "/p/.pyimg.toml", src: "[lint]\nfail-on = \"sometimes\"\n", err: `/p/.pyimg.toml: fail-on:`},
		{name: "bad toml", path: "/p/.pyimg.toml", src: "[lint\n", err: `/p/.pyimg.toml:`},
		{name: "bad registry", path: "/p/.pyimg.toml", src: "[lint]\ntrusted-registries = [\"a b\"]\n", err: `trusted-registries: "a b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found, err := lint.ParseConfig(tt.path, []byte(tt.src))
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseConfig() error = %v, want it to contain %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseConfig() error = %v", err)
			}
			if found != tt.found || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseConfig() = %+v, %v, want %+v, %v", got, found, tt.want, tt.found)
			}
		})
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
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

func TestLintFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"Dockerfile":  "FROM python:3.13-slim\nCOPY . /app\nUSER app\n",
		".pyimg.toml": "[lint]\nignore = [\"PY104\"]\nseverity = {PY102 = \"error\"}\n",
	})
	l := lint.New(rules.All(nil), lint.WithToday(today))
	fs, err := l.LintFile(context.Background(), filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatalf("LintFile() error = %v", err)
	}
	got := map[string]report.Severity{}
	for _, f := range fs {
		got[f.Rule] = f.Severity
		if f.File != filepath.Join(dir, "Dockerfile") || f.Message == "" || f.Fix == "" || f.Name == "" {
			t.Errorf("incomplete finding %+v", f)
		}
	}
	if _, ok := got["PY104"]; ok {
		t.Error("PY104 reported although .pyimg.toml ignores it")
	}
	if got["PY102"] != report.SeverityError {
		t.Errorf("PY102 severity = %v, want error from .pyimg.toml", got["PY102"])
	}
	if _, ok := got["PY203"]; !ok {
		t.Error("PY203 not reported for COPY . without .dockerignore")
	}
	for i := 1; i < len(fs); i++ {
		a, b := fs[i-1], fs[i]
		if a.Line > b.Line || a.Line == b.Line && a.Rule > b.Rule {
			t.Errorf("findings not sorted: %s %s before %s %s", a.Location(), a.Rule, b.Location(), b.Rule)
		}
	}

	// With a .dockerignore PY203 goes away.
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte(".env\n.git\n*.pem\nid_rsa*\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, err = l.LintFile(context.Background(), filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Rule == "PY203" {
			t.Errorf("PY203 reported with a .dockerignore: %s", f.Message)
		}
	}
}

func TestLintFileErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"Dockerfile":      "FROM python:3.13.9-slim-trixie\nRUNN pip install x\n",
		"bad/Dockerfile":  "FROM python\n",
		"bad/.pyimg.toml": "[lint]\nignore = [\"PY999\"]\n",
	})
	l := lint.New(rules.All(nil), lint.WithToday(today))
	fs, err := l.LintFile(context.Background(), filepath.Join(dir, "Dockerfile"))
	var pe *dockerfile.ParseError
	if !errors.As(err, &pe) || pe.Line != 2 {
		t.Fatalf("LintFile(parse error) error = %v, want *dockerfile.ParseError at line 2", err)
	}
	if len(fs) != 1 || fs[0].Rule != "PY505" || fs[0].Line != 2 || !strings.Contains(fs[0].Message, "unknown instruction: RUNN") {
		t.Errorf("LintFile(parse error) findings = %+v, want one PY505 at line 2", fs)
	}

	_, err = l.LintFile(context.Background(), filepath.Join(dir, "bad", "Dockerfile"))
	if err == nil || !strings.Contains(err.Error(), ".pyimg.toml") || !strings.Contains(err.Error(), "PY999") {
		t.Errorf("LintFile(bad config) error = %v, want it to name the file and rule", err)
	}

	_, err = l.LintFile(context.Background(), filepath.Join(dir, "missing"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("LintFile(missing) error = %v, want fs.ErrNotExist", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.LintFile(ctx, filepath.Join(dir, "bad", "Dockerfile")); err == nil {
		t.Error("LintFile(cancelled) error = nil")
	}
}

func TestTarget(t *testing.T) {
	src := "FROM python:3.13.9-slim-trixie AS dev\nRUN a\nFROM python:3.13.9-slim-trixie AS prod\nRUN b\n"
	l := lint.New(testRules, lint.WithConfig(lint.DefaultConfig()), lint.WithTarget("nope"))
	if _, err := l.LintBytes(context.Background(), "Dockerfile", []byte(src), nil); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("LintBytes(--target nope) error = %v", err)
	}
}

func TestRulesCatalogue(t *testing.T) {
	got := lint.New(testRules).Rules()
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID)
	}
	if want := []string{"PY505", "PY901", "PY902"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("Rules() IDs = %v, want %v", ids, want)
	}
}

// TestConcurrentLint lints one parsed file from many goroutines; run with
// -race to check that the shared model (lazily parsed RUN scripts) is safe.
func TestConcurrentLint(t *testing.T) {
	f, err := dockerfile.Parse("Dockerfile", genDockerfiles(1)[0])
	if err != nil {
		t.Fatal(err)
	}
	l := lint.New(rules.All(nil), lint.WithToday(today), lint.WithConfig(lint.DefaultConfig()))
	want, err := l.Lint(context.Background(), f, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			got, err := l.Lint(context.Background(), f, nil)
			if err == nil && !reflect.DeepEqual(got, want) {
				err = errors.New("findings differ between goroutines")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
