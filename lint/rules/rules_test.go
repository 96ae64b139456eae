package rules

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// today is inside the embedded data's range: Python 3.9 is past end of
// life, 3.10 has a month left, Debian 12 is in LTS.
var today = time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)

const dg = "@sha256:" + exampleDigest

// goodIgnore is a context whose .dockerignore keeps secrets out.
var goodIgnore = &dockerfile.Context{Dir: "/ctx", IgnoreFile: "/ctx/.dockerignore", Ignore: []string{".env", ".git", "*.pem", "id_rsa*"}}

type ruleCase struct {
	name  string
	src   string
	build *dockerfile.Context
	opts  []lint.Option
	want  []int // lines the rule reports, in order
}

// runCases lints each case with all rules and compares the lines of rule's
// findings.
func runCases(t *testing.T, rule string, cases []ruleCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := lintSrc(t, tc.src, tc.build, tc.opts...)
			got := linesOf(fs, rule)
			if !slices.Equal(got, tc.want) {
				t.Errorf("Lint(%q) %s lines = %v, want %v\nfindings:\n%s", tc.src, rule, got, tc.want, dump(fs))
			}
		})
	}
}

func lintSrc(t *testing.T, src string, bc *dockerfile.Context, opts ...lint.Option) []report.Finding {
	t.Helper()
	opts = append([]lint.Option{lint.WithToday(today), lint.WithConfig(lint.DefaultConfig())}, opts...)
	l := lint.New(All(baseimage.Embedded()), opts...)
	fs, err := l.LintBytes(context.Background(), "Dockerfile", []byte(src), bc)
	if err != nil {
		t.Fatalf("LintBytes(%q) error = %v", src, err)
	}
	return fs
}

func linesOf(fs []report.Finding, rule string) []int {
	var out []int
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f.Line)
		}
	}
	return out
}

func find(fs []report.Finding, rule string) (report.Finding, bool) {
	for _, f := range fs {
		if f.Rule == rule {
			return f, true
		}
	}
	return report.Finding{}, false
}

func dump(fs []report.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s %s: %s\n", f.Location(), f.Rule, f.Severity, f.Message)
	}
	return b.String()
}

// TestMetaExamples checks that every rule's Bad example triggers it and its
// Good example does not, and that the metadata is complete.
func TestMetaExamples(t *testing.T) {
	seen := map[string]bool{}
	metas := []report.Rule{lint.ParseErrorRule()}
	for _, r := range All(nil) {
		metas = append(metas, r.Meta())
	}
	for _, m := range metas {
		t.Run(m.ID, func(t *testing.T) {
			if seen[m.ID] {
				t.Fatalf("duplicate rule ID %s", m.ID)
			}
			seen[m.ID] = true
			if m.Name == "" || m.Summary == "" || m.Why == "" || m.Fix == "" || m.Bad == "" || m.Good == "" || m.Severity == report.SeverityUnknown {
				t.Fatalf("incomplete metadata: %+v", m)
			}
			l := lint.New(All(nil), lint.WithToday(today), lint.WithConfig(lint.DefaultConfig()))
			bad, _ := l.LintBytes(context.Background(), "Dockerfile", []byte(m.Bad), &dockerfile.Context{Dir: "/ctx"})
			if _, ok := find(bad, m.ID); !ok {
				t.Errorf("Bad example does not trigger %s:\n%s\nfindings:\n%s", m.ID, m.Bad, dump(bad))
			}
			good, err := l.LintBytes(context.Background(), "Dockerfile", []byte(m.Good), goodIgnore)
			if err != nil {
				t.Errorf("Good example does not parse: %v", err)
			}
			if f, ok := find(good, m.ID); ok {
				t.Errorf("Good example triggers %s: %s\n%s", m.ID, f.Message, m.Good)
			}
		})
	}
}

func TestAllIDsAreStable(t *testing.T) {
	var got []string
	for _, r := range All(nil) {
		got = append(got, r.Meta().ID)
	}
	for _, id := range []string{"PY101", "PY102", "PY103", "PY104", "PY105", "PY106", "PY107", "PY108",
		"PY201", "PY202", "PY203", "PY204", "PY205", "PY206", "PY207"} {
		if !slices.Contains(got, id) {
			t.Errorf("All() lacks %s", id)
		}
	}
}

func TestParseErrorBecomesPY505(t *testing.T) {
	l := lint.New(All(nil), lint.WithToday(today), lint.WithConfig(lint.DefaultConfig()))
	fs, err := l.LintBytes(context.Background(), "Dockerfile", []byte("FROM python:3.13.9-slim-trixie\n\nRUNN pip install x\n"), nil)
	var pe *dockerfile.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("LintBytes() error = %v, want *dockerfile.ParseError", err)
	}
	if got, want := err.Error(), "Dockerfile:3: unknown instruction: RUNN (did you mean RUN?)"; got != want {
		t.Errorf("error = %q, want %q", got, want)
	}
	if len(fs) != 1 || fs[0].Rule != "PY505" || fs[0].Line != 3 || fs[0].File != "Dockerfile" || fs[0].Severity != report.SeverityError {
		t.Errorf("findings = %+v, want one PY505 at Dockerfile:3", fs)
	}
}
