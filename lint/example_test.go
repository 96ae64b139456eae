package lint_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/lint/rules"
)

func ExampleLinter_LintFile() {
	l := lint.New(rules.All(nil), lint.WithToday(time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)))
	findings, err := l.LintFile(context.Background(), "../examples/flask-app/Dockerfile")
	var pe *dockerfile.ParseError
	if errors.As(err, &pe) {
		fmt.Println("does not parse:", pe) // findings holds the PY505 finding
	} else if err != nil {
		fmt.Println("error:", err)
	}
	for _, f := range findings {
		fmt.Printf("line %d %s %s\n", f.Line, f.Rule, f.Severity)
	}
	// Output:
	// line 11 PY104 warning
	// line 19 PY104 warning
}

func ExampleLinter_LintBytes() {
	l := lint.New(rules.All(nil), lint.WithConfig(lint.DefaultConfig()))
	_, err := l.LintBytes(context.Background(), "Dockerfile", []byte("FROM python:3.13.9-slim-trixie\nRUNN pip install flask\n"), nil)
	fmt.Println(err)
	// Output:
	// Dockerfile:2: unknown instruction: RUNN (did you mean RUN?)
}
