package lint_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/lint/rules"
)

// TestExamples lints the projects under examples/ with their own build
// context and configuration.
func TestExamples(t *testing.T) {
	tests := []struct {
		dir      string
		want     []string // exactly these rules (sorted, with repeats)
		contains []string // at least these rules
	}{
		{dir: "flask-app", want: []string{"PY104", "PY104"}},
		{dir: "fastapi-uv", want: nil},
		// python:3.9-slim is a frozen end-of-life tag: PY106 names the
		// Debian release it is stuck on instead of PY102's advice, and it
		// gets no patch releases, so PY103 no longer applies.
		{dir: "bad", contains: []string{"PY101", "PY106", "PY104", "PY105", "PY107",
			"PY201", "PY202", "PY203", "PY204", "PY205", "PY206"}},
	}
	l := lint.New(rules.All(nil), lint.WithToday(today))
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			fs, err := l.LintFile(context.Background(), filepath.Join("..", "examples", tt.dir, "Dockerfile"))
			if err != nil {
				t.Fatalf("LintFile(%s) error = %v", tt.dir, err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Rule)
			}
			slices.Sort(got)
			if tt.contains == nil && !slices.Equal(got, tt.want) {
				t.Errorf("LintFile(%s) rules = %v, want %v", tt.dir, got, tt.want)
			}
			for _, id := range tt.contains {
				if !slices.Contains(got, id) {
					t.Errorf("LintFile(%s) rules = %v, want %s among them", tt.dir, got, id)
				}
			}
		})
	}
}
