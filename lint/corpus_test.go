package lint_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/lint/rules"
)

var updateCorpus = flag.Bool("update", false, "rewrite lint/testdata/corpus/findings.golden")

// TestCorpus lints the realistic Dockerfiles under testdata/corpus (each
// directory a build context, written in the styles seen in public
// projects) and compares every finding with the reviewed golden file.
// testdata/corpus/REVIEW.md records the review of each finding.
func TestCorpus(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "corpus", "*", "Dockerfile"))
	if err != nil || len(dirs) < 25 {
		t.Fatalf("corpus has %d Dockerfiles (err %v), want at least 25", len(dirs), err)
	}
	l := lint.New(rules.All(nil), lint.WithToday(today))
	var b strings.Builder
	for _, df := range dirs {
		fs, err := l.LintFile(context.Background(), df)
		var pe *dockerfile.ParseError
		if err != nil && !errors.As(err, &pe) {
			t.Fatalf("LintFile(%s) error = %v", df, err)
		}
		name := filepath.Base(filepath.Dir(df))
		fmt.Fprintf(&b, "== %s\n", name)
		for _, f := range fs {
			fmt.Fprintf(&b, "%d %s %s %s\n", f.Line, f.Rule, f.Severity, f.Message)
		}
	}
	golden := filepath.Join("testdata", "corpus", "findings.golden")
	if *updateCorpus {
		if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("corpus findings differ from %s (review the change, then run go test ./lint -run TestCorpus -update):\n%s", golden, diffLines(string(want), got))
	}
}

// diffLines lists the lines only in want (-) or only in got (+).
func diffLines(want, got string) string {
	in := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	w, g := in(want), in(got)
	var out strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if g[l] == 0 {
			fmt.Fprintf(&out, "- %s\n", l)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if w[l] == 0 {
			fmt.Fprintf(&out, "+ %s\n", l)
		}
	}
	return out.String()
}
