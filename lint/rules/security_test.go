package rules

import (
	"strings"
	"testing"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

func TestPY201(t *testing.T) {
	runCases(t, "PY201", []ruleCase{
		{name: "no USER", src: "FROM python:3.12.7-slim-bookworm\nCMD [\"python\"]\n", want: []int{1}},
		{name: "USER root at the end", src: "FROM python:3.12.7-slim-bookworm\nUSER 10001\nRUN true\nUSER root\n", want: []int{4}},
		{name: "USER 0", src: "FROM python:3.12.7-slim-bookworm\nUSER 0\n", want: []int{2}},
		{name: "USER 0:0", src: "FROM python:3.12.7-slim-bookworm\nUSER 0:0\n", want: []int{2}},
		{name: "USER root:root", src: "FROM python:3.12.7-slim-bookworm\nUSER root:root\n", want: []int{2}},
		{name: "scratch", src: "FROM scratch\nCOPY app /app\n", want: []int{1}},
		{name: "non-root", src: "FROM python:3.12.7-slim-bookworm\nUSER 10001\n"},
		{name: "root builder, non-root final",
			src: "FROM python:3.12.7-slim-bookworm AS builder\nRUN pip install x\nFROM python:3.12.7-slim-bookworm\nCOPY --from=builder /venv /venv\nUSER 10001\n"},
		{name: "inherits USER from parent stage",
			src: "FROM python:3.12.7-slim-bookworm AS base\nUSER 10001\nFROM base AS final\nCMD [\"python\"]\n"},
		{name: "inherits root from parent stage",
			src: "FROM python:3.12.7-slim-bookworm AS base\nUSER root\nFROM base AS final\nCMD [\"python\"]\n", want: []int{2}},
		{name: "distroless nonroot", src: "FROM python:3.11-slim AS b\nFROM gcr.io/distroless/python3-debian12:nonroot\nCOPY --from=b /venv /venv\n"},
		{name: "distroless root tag", src: "FROM gcr.io/distroless/python3-debian12\n", want: []int{1}},
		{name: "chainguard", src: "FROM cgr.dev/chainguard/python:latest\n"},
		{name: "distroless via ARG", src: "ARG RUNTIME=gcr.io/distroless/python3-debian13:nonroot\nFROM ${RUNTIME}\n"},
		{name: "unknown base from ARG without default", src: "ARG RUNTIME\nFROM ${RUNTIME}\n"},
		{name: "variable user", src: "FROM python:3.12.7-slim-bookworm\nARG UID\nUSER ${UID}\n"},
		{name: "ARG default user", src: "FROM python:3.12.7-slim-bookworm\nARG UID=0\nUSER ${UID}\n", want: []int{3}},
		{name: "--target builder", src: "FROM python:3.12.7-slim-bookworm AS builder\nFROM python:3.12.7-slim-bookworm\nUSER 10001\n",
			opts: []lint.Option{lint.WithTarget("builder")}, want: []int{1}},
		{name: "--target final", src: "FROM python:3.12.7-slim-bookworm AS builder\nFROM python:3.12.7-slim-bookworm AS final\nUSER 10001\nFROM final AS debug\nUSER root\n",
			opts: []lint.Option{lint.WithTarget("final")}},
	})
}

func TestPY202(t *testing.T) {
	runCases(t, "PY202", []ruleCase{
		{name: "aws secret", src: "FROM python:3.12\nENV AWS_SECRET_ACCESS_KEY=abc123xyz\n", want: []int{2}},
		{name: "aws key id value", src: "FROM python:3.12\nENV AWS_KEY=AKIAIOSFODNN7EXAMPLE\n", want: []int{2}},
		{name: "github token value in other name", src: "FROM python:3.12\nARG X=ghp_abcdefghijklmnopqrstuvwxyz0123456789AB\n", want: []int{2}},
		{name: "global ARG", src: "ARG PYPI_TOKEN=pypi-AgEIcHlwaS5vcmcCJGE0ZjY3\nFROM python:3.12\n", want: []int{1}},
		{name: "password", src: "FROM python:3.12\nENV DB_PASSWORD=hunter2\n", want: []int{2}},
		{name: "private key", src: "FROM python:3.12\nENV KEY=\"-----BEGIN RSA PRIVATE KEY-----\"\n", want: []int{2}},
		{name: "url with password", src: "FROM python:3.12\nENV PIP_INDEX_URL=https://user:s3cret@pypi.example.com/simple\n", want: []int{2}},
		{name: "multiple pairs", src: "FROM python:3.12\nENV A=1 API_TOKEN=zzz B=2\n", want: []int{2}},
		{name: "empty", src: "FROM python:3.12\nENV API_TOKEN=\"\"\n"},
		{name: "ARG without default", src: "FROM python:3.12\nARG GITHUB_TOKEN\n"},
		{name: "ENV copies a build argument", src: "FROM python:3.12\nARG GITHUB_TOKEN\nENV GITHUB_TOKEN=${GITHUB_TOKEN}\n", want: []int{3}},
		{name: "ARG recorded in RUN history", src: "FROM python:3.12\nARG PYPI_TOKEN\nRUN pip install --index-url https://__token__:$PYPI_TOKEN@pypi.example.com/simple app\n", want: []int{2}},
		{name: "ARG after the last RUN", src: "FROM python:3.12\nRUN true\nARG PYPI_TOKEN\n"},
		{name: "ENV reference to a file path", src: "FROM python:3.12\nARG F\nENV DB_PASSWORD_FILE=${F}\n"},
		{name: "secret file path", src: "FROM python:3.12\nENV DB_PASSWORD_FILE=/run/secrets/db\n"},
		{name: "gpg key fingerprint", src: "FROM python:3.12\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\n"},
		{name: "tokenizers", src: "FROM python:3.12\nENV TOKENIZERS_PARALLELISM=false\n"},
		{name: "boolean", src: "FROM python:3.12\nENV USE_TOKEN=true\n"},
		{name: "url without password", src: "FROM python:3.12\nENV PIP_INDEX_URL=https://pypi.example.com/simple\n"},
	})
	argFs := lintSrc(t, "FROM python:3.12\nARG PYPI_TOKEN\nRUN pip install app\n", nil)
	if f, _ := find(argFs, "PY202"); f.Severity != report.SeverityWarning {
		t.Errorf("PY202 on an ARG without value: severity %v, want warning (the value only reaches the history)", f.Severity)
	}
	fs := lintSrc(t, "FROM python:3.12\nENV DB_PASSWORD=hunter2\n", nil)
	if f, _ := find(fs, "PY202"); strings.Contains(f.Message, "hunter2") {
		t.Errorf("PY202 message %q leaks the secret", f.Message)
	}
}

func TestPY203(t *testing.T) {
	noIgnore := &dockerfile.Context{Dir: "/ctx"}
	partial := &dockerfile.Context{Dir: "/ctx", IgnoreFile: "/ctx/.dockerignore", Ignore: []string{".git", "__pycache__"}}
	allow := &dockerfile.Context{Dir: "/ctx", IgnoreFile: "/ctx/.dockerignore", Ignore: []string{"*", "!app", "!requirements.txt"}}
	runCases(t, "PY203", []ruleCase{
		{name: "no ignore file", src: "FROM python:3.12\nCOPY . .\n", build: noIgnore, want: []int{2}},
		{name: "partial ignore", src: "FROM python:3.12\nCOPY . /app\n", build: partial, want: []int{2}},
		{name: "ADD dot", src: "FROM python:3.12\nADD ./ /app\n", build: noIgnore, want: []int{2}},
		// The builder's context copy reaches the final image whole when
		// the final stage copies its destination (or a parent of it).
		{name: "builder stage too", src: "FROM python:3.12 AS b\nWORKDIR /app\nCOPY . .\nFROM python:3.12\nCOPY --from=b /app /app\n", build: noIgnore, want: []int{3}},
		{name: "builder root copied", src: "FROM python:3.12 AS b\nCOPY . /src\nFROM python:3.12\nCOPY --from=b / /\n", build: noIgnore, want: []int{2}},
		{name: "good ignore", src: "FROM python:3.12\nCOPY . .\n", build: goodIgnore},
		{name: "allow-list ignore", src: "FROM python:3.12\nCOPY . .\n", build: allow},
		{name: "specific files", src: "FROM python:3.12\nCOPY app/ /app/\n", build: noIgnore},
		{name: "from stage", src: "FROM python:3.12 AS b\nFROM python:3.12\nCOPY --from=b . .\n", build: noIgnore},
		{name: "unknown context", src: "FROM python:3.12\nCOPY . .\n"},
	})
	fs := lintSrc(t, "FROM python:3.12\nCOPY . /app\n", partial)
	if f, _ := find(fs, "PY203"); !strings.Contains(f.Message, ".env") || strings.Contains(f.Message, ".git,") {
		t.Errorf("PY203 message = %q, want it to name .env and not .git", f.Message)
	}
}

func TestPY204(t *testing.T) {
	runCases(t, "PY204", []ruleCase{
		{name: "local file", src: "FROM python:3.12\nADD app.py /app/\n", want: []int{2}},
		{name: "url no checksum", src: "FROM python:3.12\nADD https://example.com/tool.tgz /opt/\n", want: []int{2}},
		{name: "url and local", src: "FROM python:3.12\nADD https://example.com/a a.txt /opt/\n", want: []int{2, 2}},
		{name: "url with checksum", src: "FROM python:3.12\nADD --checksum=sha256:" + exampleDigest + " https://example.com/tool.tgz /opt/\n"},
		{name: "local archive", src: "FROM python:3.12\nADD rootfs.tar.gz /\n"},
		{name: "git", src: "FROM python:3.12\nADD https://github.com/acme/lib.git#v1.0 /src\n"},
		{name: "copy", src: "FROM python:3.12\nCOPY app.py /app/\n"},
	})
}

func TestPY205(t *testing.T) {
	runCases(t, "PY205", []ruleCase{
		{name: "curl sh", src: "FROM python:3.12\nRUN curl -fsSL https://x.sh | sh\n", want: []int{2}},
		{name: "wget bash", src: "FROM python:3.12\nRUN apt-get update && wget -qO- https://x.sh | bash -s -- -y\n", want: []int{2}},
		{name: "poetry installer", src: "FROM python:3.12\nRUN curl -sSL https://install.python-poetry.org | python3 -\n", want: []int{2}},
		{name: "sudo bash", src: "FROM python:3.12\nRUN curl -sSL https://x.sh | sudo bash\n", want: []int{2}},
		{name: "continuation lines", src: "FROM python:3.12\nRUN set -eux; \\\n    curl -sSL https://x.sh \\\n    | sh\n", want: []int{2}},
		{name: "heredoc", src: "FROM python:3.12\nRUN <<EOF\nset -e\ncurl -sSL https://x.sh | sh\nEOF\n", want: []int{2}},
		{name: "exec form sh -c", src: "FROM python:3.12\nRUN [\"sh\", \"-c\", \"curl -sSL https://x.sh | sh\"]\n", want: []int{2}},
		{name: "download then verify", src: "FROM python:3.12\nRUN curl -fsSLo i.sh https://x.sh && echo \"abc  i.sh\" | sha256sum -c && sh i.sh\n"},
		{name: "curl to jq", src: "FROM python:3.12\nRUN curl -s https://api/x | jq .\n"},
		{name: "tar", src: "FROM python:3.12\nRUN curl -sSL https://x.tgz | tar xz\n"},
	})
}

func TestPY206(t *testing.T) {
	runCases(t, "PY206", []ruleCase{
		{name: "sudo apt", src: "FROM python:3.12\nUSER app\nRUN sudo apt-get update && sudo apt-get install -y curl\n", want: []int{3}},
		{name: "sudo in heredoc", src: "FROM python:3.12\nRUN <<EOF\nsudo pip install x\nEOF\n", want: []int{2}},
		{name: "no sudo", src: "FROM python:3.12\nRUN apt-get update\n"},
		{name: "installing sudo counts (issue 13: sudo in the final image lets the app user become root)", src: "FROM python:3.12\nRUN apt-get install -y sudo\n", want: []int{2}},
		{name: "echo sudo", src: "FROM python:3.12\nRUN echo sudo\n"},
	})
}

func TestPY207(t *testing.T) {
	runCases(t, "PY207", []ruleCase{
		{name: "name", src: "FROM python:3.12\nUSER app\n", want: []int{2}},
		{name: "name and group", src: "FROM python:3.12\nUSER app:app\n", want: []int{2}},
		{name: "uid with group name", src: "FROM python:3.12\nUSER 10001:app\n", want: []int{2}},
		{name: "inherited", src: "FROM python:3.12 AS base\nUSER app\nFROM base\nRUN true\n", want: []int{2}},
		{name: "numeric", src: "FROM python:3.12\nUSER 10001\n"},
		{name: "numeric pair", src: "FROM python:3.12\nUSER 10001:10001\n"},
		{name: "root is PY201", src: "FROM python:3.12\nUSER root\n"},
		{name: "builder only", src: "FROM python:3.12 AS b\nUSER app\nFROM python:3.12\nCOPY --from=b /x /x\nUSER 10001\n"},
		{name: "no USER", src: "FROM python:3.12\n"},
	})
}
