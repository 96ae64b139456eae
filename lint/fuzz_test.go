package lint_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/lint/rules"
)

// FuzzLint runs the parse + lint path on arbitrary input: it must never
// panic, a parse error must come back as *dockerfile.ParseError with a
// PY505 finding, and findings must carry a rule, a line and a message.
func FuzzLint(f *testing.F) {
	for _, s := range seedDockerfiles() {
		f.Add([]byte(s))
	}
	corpus, _ := filepath.Glob("testdata/corpus/*/Dockerfile")
	for _, p := range corpus {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	if paths, err := filepath.Glob("../examples/*/Dockerfile"); err == nil {
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	for _, r := range rules.All(nil) {
		f.Add([]byte(r.Meta().Bad))
		f.Add([]byte(r.Meta().Good))
	}
	l := lint.New(rules.All(nil), lint.WithToday(today), lint.WithConfig(lint.DefaultConfig()))
	bc := &dockerfile.Context{Dir: "/ctx", IgnoreFile: "/ctx/.dockerignore", Ignore: []string{".git", "!.git/HEAD", "**/*.pyc"}}
	f.Fuzz(func(t *testing.T, src []byte) {
		fs, err := l.LintBytes(context.Background(), "Dockerfile", src, bc)
		if err != nil {
			var pe *dockerfile.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("LintBytes() error = %v (%T), want *dockerfile.ParseError", err, err)
			}
			if len(fs) != 1 || fs[0].Rule != "PY505" || fs[0].Line < 1 {
				t.Fatalf("LintBytes() with parse error returned %+v, want one PY505 with a line", fs)
			}
			return
		}
		for _, fd := range fs {
			if fd.Rule == "" || fd.Name == "" || fd.Message == "" || fd.Line < 1 || fd.File != "Dockerfile" {
				t.Fatalf("incomplete finding %+v", fd)
			}
		}
	})
}

func seedDockerfiles() []string {
	return []string{
		"FROM python\n",
		"ARG PY=3.12\nFROM python:${PY}-slim AS b\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r r.txt\nFROM b\nUSER 0:0\n",
		"FROM scratch\nCOPY --from=python:3.11 /usr/local/lib/python3.11 /x\n",
		"# syntax=docker/dockerfile:1\n# escape=`\nFROM python:3.12 `\n  AS x\nRUN echo `\n  hi\n",
		"FROM a\nRUN <<EOF bash\ncurl x | sh\nEOF\nCOPY <<EOT /f\nhello\nEOT\n",
		"FROM a\nRUN [\"sh\", \"-c\", \"sudo curl -s x | bash\"]\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n",
		"FROM ${X:-python}:${Y:+3.12}\nENV A=$B C=${D}\nWORKDIR ../x\nUSER ${U}\n",
		"FROM a AS a\nFROM a AS a\nFROM 0\nCOPY --from=0 / /\nCOPY --from=7 / /\n",
		"RUNN x\n",
		"FROM a\nONBUILD RUN sudo x\nHEALTHCHECK CMD curl -f localhost || exit 1\n",
		"ARG\nFROM\n",
		"FROM a\nADD --checksum=sha256:00 http://x/y.tgz https://github.com/a/b.git#main . /\n",
		"FROM python:3.14.0rc2-alpine3.22@sha256:abc\nENV GITHUB_TOKEN=ghp_0123456789012345678901234567890123456\n",
	}
}
