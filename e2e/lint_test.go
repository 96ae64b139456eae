package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lintOutput is `pyimg lint --format json`.
type lintOutput struct {
	Findings []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		File     string `json:"file"`
		Line     int    `json:"line"`
		Message  string `json:"message"`
		Fix      string `json:"fix"`
	} `json:"findings"`
}

// lintJSON runs `pyimg lint --format json` and decodes stdout.
func lintJSON(t *testing.T, args ...string) (lintOutput, int, string) {
	t.Helper()
	args = append([]string{"lint", "--format", "json"}, args...)
	stdout, stderr, code := runPyimg(t, args...)
	var out lintOutput
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("pyimg %s (exit %d): decoding JSON: %v\nstdout:\n%.2000s\nstderr:\n%s", strings.Join(args, " "), code, err, stdout, stderr)
	}
	if out.Findings == nil {
		t.Errorf("pyimg %s: \"findings\" missing or null; want a list", strings.Join(args, " "))
	}
	return out, code, stderr
}

// lintTargets are the Dockerfiles every lint test runs on: the examples and
// the e2e fixtures' own recipes.
func lintTargets(t *testing.T) []string {
	t.Helper()
	skipShort(t)
	if pyimgErr != nil {
		t.Fatal("pyimg binary unavailable; see the error printed before the tests ran")
	}
	examples, _ := filepath.Glob(filepath.Join(repoRoot, "examples", "*", "Dockerfile"))
	if len(examples) == 0 {
		t.Logf("no examples/*/Dockerfile yet; linting only e2e/testdata")
	}
	fixtures, _ := filepath.Glob(filepath.Join(repoRoot, "e2e", "testdata", "*", "Dockerfile"))
	return append(examples, fixtures...)
}

// TestLintExitCodes checks, for every example and fixture Dockerfile, that
// the JSON parses, findings are well formed and point into the file, and the
// exit code follows --fail-on: 1 exactly when a finding is at or above it.
func TestLintExitCodes(t *testing.T) {
	for _, df := range lintTargets(t) {
		rel, _ := filepath.Rel(repoRoot, df)
		t.Run(rel, func(t *testing.T) {
			src, err := os.ReadFile(df)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Count(string(src), "\n") + 1
			rank := map[string]int{"info": 1, "warning": 2, "error": 3}
			for _, failOn := range []string{"", "error", "warning", "info"} {
				var args []string
				threshold := "error" // the documented default
				if failOn != "" {
					args, threshold = []string{"--fail-on", failOn}, failOn
				}
				out, code, stderr := lintJSON(t, append(args, df)...)
				atOrAbove := false
				for _, f := range out.Findings {
					if f.Rule == "" || f.Message == "" || rank[f.Severity] == 0 {
						t.Errorf("malformed finding %+v", f)
					}
					if f.Line < 1 || f.Line > lines {
						t.Errorf("%s: line %d outside the file (1..%d)", f.Rule, f.Line, lines)
					}
					if f.File != "" && filepath.Base(f.File) != "Dockerfile" {
						t.Errorf("%s: file %q, want the linted Dockerfile", f.Rule, f.File)
					}
					if rank[f.Severity] >= rank[threshold] {
						atOrAbove = true
					}
				}
				want := 0
				if atOrAbove {
					want = 1
				}
				if code != want {
					t.Errorf("--fail-on %s: exit %d, want %d (%d findings)\nstderr:\n%s", threshold, code, want, len(out.Findings), stderr)
				}
			}
		})
	}
}

// TestLintFixtureRecipes checks lint flags what the careless fixtures do on
// purpose, by line: the wasted image sets no USER (on a base pyimg does not
// know, so lint says the user is unknown rather than root), the secret
// image bakes a build argument into ENV AWS_SECRET_ACCESS_KEY (the value
// ends up in the image config either way). Rule IDs are not pinned.
func TestLintFixtureRecipes(t *testing.T) {
	lintTargets(t)
	for _, c := range []struct {
		name   string
		line   string // prefix of the line a finding must point at ("" = any line)
		needle string // word the finding's message must contain
	}{
		{"wasted", "", "sets no USER"},
		{"secret", "ENV AWS_SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"},
	} {
		t.Run(c.name, func(t *testing.T) {
			df := filepath.Join(repoRoot, "e2e", "testdata", c.name, "Dockerfile")
			src, err := os.ReadFile(df)
			if err != nil {
				t.Fatal(err)
			}
			line := 0
			for i, l := range strings.Split(string(src), "\n") {
				if c.line != "" && strings.HasPrefix(l, c.line) {
					line = i + 1
				}
			}
			out, _, _ := lintJSON(t, df)
			found := false
			for _, f := range out.Findings {
				if (line == 0 || f.Line == line) && strings.Contains(strings.ToLower(f.Message), strings.ToLower(c.needle)) {
					found = true
				}
			}
			if !found {
				t.Errorf("no finding mentioning %q at line %d (0: any); got %+v", c.needle, line, out.Findings)
			}
		})
	}
}

// TestLintParseErrors checks unparsable Dockerfiles exit 2 and still print
// JSON, and that a missing file exits 2.
func TestLintParseErrors(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	for name, src := range map[string]string{
		"empty":       "",
		"from-no-arg": "FROM\n",
		"unknown":     "FROM python:3.12-slim\nRUNX echo hi\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name, "Dockerfile")
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			_, code, stderr := lintJSON(t, p)
			if code != 2 {
				t.Errorf("exit %d, want 2 (parse error)\nstderr:\n%s", code, stderr)
			}
			if strings.TrimSpace(stderr) == "" {
				t.Errorf("no message on stderr")
			}
		})
	}
	t.Run("missing", func(t *testing.T) {
		_, stderr, code := runPyimg(t, "lint", "--format", "json", filepath.Join(dir, "nope", "Dockerfile"))
		if code != 2 {
			t.Errorf("exit %d, want 2\nstderr:\n%s", code, stderr)
		}
	})
}
