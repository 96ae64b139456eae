package lint_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/lint/rules"
)

// genDockerfiles returns n realistic, varied Dockerfiles: single- and
// multi-stage, pip/uv/poetry installs, apt and apk, heredocs, ARG-driven
// tags, distroless and Chainguard finals, good and bad habits mixed.
func genDockerfiles(n int) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	out := make([][]byte, n)
	for i := range out {
		var b strings.Builder
		py := pick("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
		os := pick("", "-bookworm", "-trixie", "-slim", "-slim-bookworm", "-slim-trixie", "-alpine", "-alpine3.22")
		patch := pick("", ".4", ".7")
		digest := pick("", "", "@sha256:"+strings.Repeat("ab", 32))
		if r.IntN(3) == 0 {
			fmt.Fprintf(&b, "# syntax=docker/dockerfile:1.7\nARG PYTHON_VERSION=%s%s\n", py, patch)
			fmt.Fprintf(&b, "FROM python:${PYTHON_VERSION}%s%s AS builder\n", os, digest)
		} else {
			fmt.Fprintf(&b, "FROM python:%s%s%s%s AS builder\n", py, patch, os, digest)
		}
		b.WriteString("ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1\nWORKDIR /app\n")
		if strings.Contains(os, "alpine") {
			b.WriteString("RUN apk add --no-cache build-base libffi-dev\n")
		} else {
			b.WriteString(pick(
				"RUN apt-get update && apt-get install -y --no-install-recommends build-essential libpq-dev \\\n    && rm -rf /var/lib/apt/lists/*\n",
				"RUN apt-get update && apt-get install -y gcc\n",
				"RUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y --no-install-recommends gcc\n",
			))
		}
		switch r.IntN(4) {
		case 0:
			b.WriteString("COPY requirements.txt .\nRUN python -m venv /venv && /venv/bin/pip install -r requirements.txt\n")
		case 1:
			b.WriteString("COPY pyproject.toml uv.lock ./\nRUN --mount=type=cache,target=/root/.cache/uv \\\n    pip install uv==0.4.18 && uv sync --frozen --no-dev\n")
		case 2:
			b.WriteString("RUN curl -sSL https://install.python-poetry.org | python3 -\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root --only main\n")
		default:
			b.WriteString("COPY . .\nRUN pip install .\n")
		}
		if r.IntN(4) == 0 {
			b.WriteString("RUN <<EOF\nset -eux\npython -m compileall -q /app\nrm -rf /root/.cache\nEOF\n")
		}
		if r.IntN(5) == 0 {
			b.WriteString("ARG GITHUB_TOKEN\nENV API_TOKEN=" + pick("${GITHUB_TOKEN}", "s3cr3t-value") + "\n")
		}
		switch r.IntN(3) {
		case 0:
			fmt.Fprintf(&b, "\nFROM python:%s%s%s\nWORKDIR /app\nCOPY --from=builder /venv /venv\nCOPY app/ ./app/\n", py, patch, os)
			b.WriteString(pick("USER 10001\n", "USER app\n", "", "RUN useradd -u 10001 app\nUSER 10001:10001\n"))
		case 1:
			fmt.Fprintf(&b, "\nFROM gcr.io/distroless/python3-debian%s:%s\nCOPY --from=builder --chown=65532:65532 /venv /venv\nCOPY --from=builder /app /app\n",
				pick("12", "13"), pick("nonroot", "latest"))
		default:
			b.WriteString("ADD app.py /app/\nEXPOSE 8000\n")
		}
		b.WriteString(pick(
			"CMD [\"python\", \"-m\", \"app\"]\n",
			"CMD python app.py\n",
			"ENTRYPOINT [\"/venv/bin/gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]\n",
		))
		out[i] = []byte(b.String())
	}
	return out
}

// BenchmarkLint1000 parses and lints 1,000 generated Dockerfiles per
// iteration with every rule and reports files/s.
func BenchmarkLint1000(b *testing.B) {
	files := genDockerfiles(1000)
	var bytes int64
	for _, f := range files {
		bytes += int64(len(f))
	}
	l := lint.New(rules.All(nil), lint.WithToday(today), lint.WithConfig(lint.DefaultConfig()))
	bc := &dockerfile.Context{Dir: "/ctx", IgnoreFile: "/ctx/.dockerignore", Ignore: []string{".git", ".env"}}
	ctx := context.Background()
	b.SetBytes(bytes)
	b.ReportAllocs()
	findings := 0
	for b.Loop() {
		findings = 0
		for _, f := range files {
			fs, err := l.LintBytes(ctx, "Dockerfile", f, bc)
			if err != nil {
				b.Fatalf("LintBytes() error = %v\n%s", err, f)
			}
			findings += len(fs)
		}
	}
	b.ReportMetric(float64(len(files)*b.N)/b.Elapsed().Seconds(), "files/s")
	b.ReportMetric(float64(findings)/float64(len(files)), "findings/file")
}

func TestGeneratedDockerfilesParse(t *testing.T) {
	for i, f := range genDockerfiles(200) {
		if _, err := dockerfile.Parse(fmt.Sprintf("gen%d", i), f); err != nil {
			t.Fatalf("generated Dockerfile %d does not parse: %v\n%s", i, err, f)
		}
	}
}
