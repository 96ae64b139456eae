package rules

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/pyimg/pyimg/dockerfile"
)

// fileContext returns a build context holding an empty file name.
func fileContext(t *testing.T, name string) *dockerfile.Context {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return &dockerfile.Context{Dir: dir}
}

// py is the FROM line most cases start with (line 1).
const py = "FROM python:3.12.12-slim-bookworm" + dg + "\n"

// pyAs is a FROM line naming a builder stage.
const pyAs = "FROM python:3.12.12-slim-bookworm" + dg + " AS builder\n"

const alp = "FROM python:3.12.12-alpine3.20" + dg + "\n"

func TestPY301(t *testing.T) {
	t.Parallel()
	runCases(t, "PY301", []ruleCase{
		{name: "missing", src: py + "RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n", want: []int{2}},
		{name: "apt", src: py + "RUN apt update && apt install -y curl && rm -rf /var/lib/apt/lists/*\n", want: []int{2}},
		{name: "flag", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"},
		{name: "option", src: py + "RUN apt-get update && apt-get -o APT::Install-Recommends=false install -y curl && rm -rf /var/lib/apt/lists/*\n"},
		{name: "builder-stage-ignored", src: pyAs + "RUN apt-get update && apt-get install -y gcc && rm -rf /var/lib/apt/lists/*\n" + py + "COPY --from=builder /x /x\n"},
		{name: "inherited-stage-counts", src: "FROM python:3.12.12-slim-bookworm" + dg + " AS base\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nFROM base\nCMD [\"python\"]\n", want: []int{2}},
		{name: "exec-form-sh-c", src: py + "RUN [\"sh\", \"-c\", \"apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\"]\n", want: []int{2}},
		{name: "update-only", src: py + "RUN apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*\n"},
	})
}

func TestPY302(t *testing.T) {
	t.Parallel()
	runCases(t, "PY302", []ruleCase{
		{name: "not-removed", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends curl\n", want: []int{2}},
		{name: "removed", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"},
		{name: "removed-dir", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends curl; rm -rf /var/lib/apt/lists\n"},
		{name: "cache-mounts", src: py + "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n apt-get update && apt-get install -y --no-install-recommends curl\n"},
		{name: "cache-mount-only-archives", src: py + "RUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y --no-install-recommends curl\n", want: []int{2}},
		{name: "heredoc", src: py + "RUN <<EOF\nset -e\napt-get update\napt-get install -y --no-install-recommends curl\nrm -rf /var/lib/apt/lists/*\nEOF\n"},
		{name: "heredoc-missing", src: py + "RUN <<EOF\napt-get update\napt-get install -y --no-install-recommends curl\nEOF\n", want: []int{2}},
		{name: "builder-ignored", src: pyAs + "RUN apt-get update && apt-get install -y --no-install-recommends gcc\n" + py + "COPY --from=builder /x /x\n"},
	})
}

func TestPY303(t *testing.T) {
	t.Parallel()
	runCases(t, "PY303", []ruleCase{
		{name: "alone", src: py + "RUN apt-get update\nRUN apt-get install -y --no-install-recommends curl\n", want: []int{2}},
		{name: "with-install", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"},
		{name: "with-upgrade", src: py + "RUN apt-get update && apt-get -y upgrade\n"},
		{name: "builder-counts", src: pyAs + "RUN apt-get -qq update\n" + py + "COPY --from=builder /x /x\n", want: []int{2}},
		{name: "unused-stage-ignored", src: pyAs + "RUN apt-get update\n" + py + "CMD [\"python\"]\n"},
	})
}

func TestPY304(t *testing.T) {
	t.Parallel()
	runCases(t, "PY304", []ruleCase{
		{name: "plain", src: py + "RUN pip install -r requirements.txt\n", want: []int{2}},
		{name: "python-m-pip", src: py + "RUN python3 -m pip install -r requirements.txt\n", want: []int{2}},
		{name: "no-cache-dir", src: py + "RUN pip install --no-cache-dir -r requirements.txt\n"},
		{name: "global-option", src: py + "RUN pip --no-cache-dir install -r requirements.txt\n"},
		{name: "env-stage", src: py + "ENV PIP_NO_CACHE_DIR=1\nRUN pip install -r requirements.txt\n"},
		{name: "env-inherited", src: "FROM python:3.12.12-slim-bookworm" + dg + " AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install -r requirements.txt\n"},
		{name: "arg", src: py + "ARG PIP_NO_CACHE_DIR=1\nRUN pip install -r requirements.txt\n"},
		{name: "env-prefix", src: py + "RUN PIP_NO_CACHE_DIR=1 pip install -r requirements.txt\n"},
		{name: "export", src: py + "RUN export PIP_NO_CACHE_DIR=1 && pip install -r requirements.txt\n"},
		{name: "cache-mount", src: py + "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n"},
		{name: "cache-mount-parent", src: py + "RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt\n"},
		{name: "cache-mount-pip-cache-dir", src: py + "ENV PIP_CACHE_DIR=/var/cache/pip\nRUN --mount=type=cache,target=/var/cache/pip pip install -r requirements.txt\n"},
		{name: "cache-mount-elsewhere", src: py + "RUN --mount=type=cache,target=/tmp/cache pip install -r requirements.txt\n", want: []int{2}},
		{name: "non-root-user-cache-mount", src: py + "USER 10001\nRUN --mount=type=cache,target=/home/app/.cache/pip,uid=10001 pip install --user -r requirements.txt\n"},
		{name: "purged", src: py + "RUN pip install -r requirements.txt && pip cache purge\n"},
		{name: "removed", src: py + "RUN pip install -r requirements.txt && rm -rf /root/.cache\n"},
		{name: "builder-ignored", src: pyAs + "RUN pip wheel -w /wheels -r requirements.txt && pip install -r requirements.txt\n" + py + "COPY --from=builder /wheels /wheels\n"},
		{name: "uv-pip", src: py + "RUN uv pip install --system -r requirements.txt\n", want: []int{2}},
		{name: "uv-pip-no-cache", src: py + "RUN uv pip install --system --no-cache -r requirements.txt\n"},
		{name: "uv-sync-mount", src: py + "RUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen\n"},
		{name: "uv-sync-env", src: py + "ENV UV_NO_CACHE=1\nRUN uv sync --frozen\n"},
		{name: "uv-sync", src: py + "RUN uv sync --frozen\n", want: []int{2}},
		{name: "pip-download-not-install", src: py + "RUN pip download -d /tmp/x flask==3.0.3\n"},
		{name: "uv-cache-clean", src: py + "RUN uv sync --frozen && uv cache clean\n"},
		{name: "poetry", src: py + "RUN poetry install --no-root --only main\n", want: []int{2}},
		{name: "poetry-cache-dir-removed", src: py + "ENV POETRY_CACHE_DIR=/tmp/poetry\nRUN poetry install --no-root && rm -rf /tmp/poetry\n"},
		{name: "poetry-cache-mount", src: py + "RUN --mount=type=cache,target=/root/.cache/pypoetry poetry install --no-root\n"},
		{name: "poetry-no-cache", src: py + "RUN poetry install --no-cache --no-root\n"},
		{name: "pip-explicit-cache-dir-mounted", src: py + "RUN --mount=type=cache,target=/cache pip install --cache-dir /cache -r requirements.txt\n"},
	})
}

func TestPY305(t *testing.T) {
	t.Parallel()
	runCases(t, "PY305", []ruleCase{
		{name: "copy-all-first", src: py + "WORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n", want: []int{3}},
		{name: "copy-src-first", src: py + "WORKDIR /app\nCOPY src/ ./src/\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\n", want: []int{3}},
		{name: "deps-first", src: py + "WORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"},
		{name: "poetry-deps-first", src: py + "WORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root\nCOPY . .\nRUN poetry install --only-root\n"},
		{name: "uv-sync", src: py + "WORKDIR /app\nCOPY . .\nRUN uv sync --frozen\n", want: []int{3}},
		{name: "uv-deps-first", src: py + "WORKDIR /app\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --frozen --no-install-project\nCOPY . .\nRUN uv sync --frozen\n"},
		{name: "pip-install-dot-is-not-a-dependency-step", src: py + "WORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir .\n"},
		{name: "copy-from-stage", src: pyAs + "RUN true\n" + py + "COPY --from=builder /app /app\nRUN pip install --no-cache-dir -r /app/requirements.txt\n"},
		{name: "requirements-dir", src: py + "WORKDIR /app\nCOPY requirements/ requirements/\nRUN pip install --no-cache-dir -r requirements/prod.txt\n"},
		{name: "entrypoint-script", src: py + "COPY docker-entrypoint /usr/local/bin/\nCOPY Makefile .\nRUN pip install --no-cache-dir -r requirements.txt\n"},
		{name: "extensionless-dir", src: py + "WORKDIR /app\nCOPY mypkg mypkg\nRUN pip install --no-cache-dir -r requirements.txt\n", want: []int{3}},
		{name: "extensionless-file-in-context", src: py + "WORKDIR /app\nCOPY tool ./\nRUN pip install --no-cache-dir -r requirements.txt\n", build: fileContext(t, "tool")},
	})
}

func TestPY306(t *testing.T) {
	t.Parallel()
	runCases(t, "PY306", []ruleCase{
		{name: "apt-lists-later", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends curl\nRUN rm -rf /var/lib/apt/lists/*\n", want: []int{3}},
		{name: "apt-lists-same-run", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"},
		{name: "copied-then-removed", src: py + "COPY dist/app.whl /tmp/app.whl\nRUN pip install --no-cache-dir /tmp/app.whl\nRUN rm /tmp/app.whl\n", want: []int{4}},
		{name: "copied-into-workdir-then-part-removed", src: py + "WORKDIR /app\nCOPY . .\nRUN rm -rf tests docs\n", want: []int{4}},
		{name: "download-then-removed", src: py + "RUN curl -fsSLo /tmp/x.tgz https://example.com/x.tgz && tar -xzf /tmp/x.tgz -C /opt\nRUN rm /tmp/x.tgz\n", want: []int{3}},
		{name: "download-and-remove-same-run", src: py + "RUN curl -fsSLo /tmp/x.tgz https://example.com/x.tgz && tar -xzf /tmp/x.tgz -C /opt && rm /tmp/x.tgz\n"},
		{name: "pip-cache-later", src: py + "RUN pip install -r requirements.txt\nRUN rm -rf /root/.cache\n", want: []int{3}},
		{name: "pip-cache-purge-later", src: py + "RUN pip install -r requirements.txt\nRUN pip cache purge\n", want: []int{3}},
		{name: "uv-cache-clean-later", src: py + "RUN uv sync --frozen\nRUN uv cache clean\n", want: []int{3}},
		{name: "pip-cache-mounted", src: py + "RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\nRUN rm -rf /root/.cache\n"},
		{name: "purge-later", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\nRUN pip install --no-cache-dir -r requirements.txt\nRUN apt-get purge -y gcc\n", want: []int{4}},
		{name: "apk-del-same-run", src: alp + "RUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir -r requirements.txt && apk del .build-deps\n"},
		{name: "apk-del-later", src: alp + "RUN apk add --no-cache --virtual .build-deps gcc musl-dev\nRUN pip install --no-cache-dir -r requirements.txt\nRUN apk del .build-deps\n", want: []int{4}},
		{name: "base-image-files", src: py + "RUN rm -rf /usr/share/doc /usr/share/man\n"},
		{name: "recreated-and-cleaned-same-run", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends curl\nRUN apt-get update && apt-get install -y --no-install-recommends jq && rm -rf /var/lib/apt/lists/*\n"},
		{name: "builder-ignored", src: pyAs + "COPY . /src\nRUN rm -rf /src/tests\n" + py + "COPY --from=builder /src /src\n"},
		{name: "copy-to-root-not-a-tree", src: py + "COPY requirements.txt /\nRUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"},
	})
}

func TestPY307(t *testing.T) {
	t.Parallel()
	runCases(t, "PY307", []ruleCase{
		{name: "gcc-final", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && rm -rf /var/lib/apt/lists/*\n", want: []int{2}},
		{name: "build-essential", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends build-essential && rm -rf /var/lib/apt/lists/*\n", want: []int{2}},
		{name: "runtime-libs", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 curl && rm -rf /var/lib/apt/lists/*\n"},
		{name: "builder-stage", src: pyAs + "RUN apt-get update && apt-get install -y --no-install-recommends gcc python3-dev && rm -rf /var/lib/apt/lists/*\n" + py + "COPY --from=builder /opt/venv /opt/venv\n"},
		{name: "inherited-from-builder", src: pyAs + "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\nFROM builder\nCMD [\"python\"]\n", want: []int{2}},
		{name: "apk-virtual-removed", src: alp + "RUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir -r r.txt && apk del .build-deps\n"},
		{name: "apk-left", src: alp + "RUN apk add --no-cache gcc musl-dev\n", want: []int{2}},
		{name: "purged-same-run", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends gcc && pip install --no-cache-dir -r r.txt && apt-get purge -y --auto-remove gcc && rm -rf /var/lib/apt/lists/*\n"},
		{name: "full-variant-final", src: "FROM python:3.12.12-bookworm" + dg + "\nCMD [\"python\"]\n", want: []int{1}},
		{name: "full-variant-inherited", src: "FROM python:3.12.12-bookworm" + dg + " AS base\nFROM base\nCMD [\"python\"]\n", want: []int{1}},
		{name: "full-variant-builder", src: "FROM python:3.12.12-bookworm" + dg + " AS builder\nRUN pip wheel -w /w x==1\n" + py + "COPY --from=builder /w /w\n"},
		{name: "target-builder", src: pyAs + "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n" + py + "CMD [\"python\"]\n",
			opts: nil, want: nil},
	})
}

func TestPY308(t *testing.T) {
	t.Parallel()
	runCases(t, "PY308", []ruleCase{
		{name: "pip-poetry", src: py + "RUN pip install --no-cache-dir poetry==1.8.3\n", want: []int{2}},
		{name: "installer-script", src: py + "RUN curl -sSL https://install.python-poetry.org | python3 -\n", want: []int{2}},
		{name: "uv-copy", src: py + "COPY --from=ghcr.io/astral-sh/uv:0.9.5 /uv /uvx /bin/\n", want: []int{2}},
		{name: "uv-mount", src: py + "RUN --mount=from=ghcr.io/astral-sh/uv:0.9.5,source=/uv,target=/bin/uv uv pip install --system --no-cache -r requirements.txt\n"},
		{name: "pipx", src: py + "RUN pipx install pdm==2.19.1\n", want: []int{2}},
		{name: "builder-only", src: pyAs + "RUN pip install --no-cache-dir poetry==1.8.3 && poetry export -o /req.txt\n" + py + "COPY --from=builder /req.txt /req.txt\n"},
		{name: "app-deps", src: py + "RUN pip install --no-cache-dir flask==3.0.3 gunicorn==23.0.0\n"},
	})
}

func TestPY309(t *testing.T) {
	t.Parallel()
	runCases(t, "PY309", []ruleCase{
		{name: "no-flag", src: alp + "RUN apk add libpq\n", want: []int{2}},
		{name: "update-flag", src: alp + "RUN apk add -U libpq\n", want: []int{2}},
		{name: "no-cache", src: alp + "RUN apk add --no-cache libpq\n"},
		{name: "update-then-no-cache", src: alp + "RUN apk update && apk add --no-cache libpq\n", want: []int{2}},
		{name: "update-cleaned", src: alp + "RUN apk update && apk add libpq && rm -rf /var/cache/apk/*\n"},
		{name: "cache-mount", src: alp + "RUN --mount=type=cache,target=/var/cache/apk apk add libpq\n"},
		{name: "removed", src: alp + "RUN apk add libpq && rm -rf /var/cache/apk/*\n"},
		{name: "builder-ignored", src: "FROM python:3.12.12-alpine3.20" + dg + " AS builder\nRUN apk add gcc\n" + alp + "COPY --from=builder /x /x\n"},
	})
}

func TestPY310(t *testing.T) {
	t.Parallel()
	runCases(t, "PY310", []ruleCase{
		{name: "unpinned", src: py + "RUN pip install --no-cache-dir flask\n", want: []int{2}},
		{name: "pinned", src: py + "RUN pip install --no-cache-dir flask==3.0.3 'uvicorn[standard]==0.30.1'\n"},
		{name: "range-is-a-choice", src: py + "RUN pip install --no-cache-dir 'flask>=3,<4' 'requests~=2.32'\n"},
		{name: "requirements", src: py + "RUN pip install --no-cache-dir -r requirements.txt\n"},
		{name: "project", src: py + "RUN pip install --no-cache-dir . && pip install --no-cache-dir -e .\n"},
		{name: "wheels", src: py + "RUN pip install --no-cache-dir /wheels/*.whl ./dist/app-1.0.tar.gz\n"},
		{name: "url", src: py + "RUN pip install --no-cache-dir git+https://github.com/org/lib@v1.2.3\n"},
		{name: "constraints", src: py + "RUN pip install --no-cache-dir -c constraints.txt flask\n"},
		{name: "upgrade-pip", src: py + "RUN pip install --no-cache-dir --upgrade pip setuptools wheel\n"},
		{name: "pip-without-upgrade", src: py + "RUN pip install --no-cache-dir setuptools\n", want: []int{2}},
		{name: "variable", src: py + "ARG FLASK=flask==3.0.3\nRUN pip install --no-cache-dir $FLASK\n"},
		{name: "builder-counts", src: pyAs + "RUN pip install --no-cache-dir build\n" + py + "COPY --from=builder /x /x\n", want: []int{2}},
		{name: "uv-pip", src: py + "RUN uv pip install --system --no-cache httpx\n", want: []int{2}},
	})
}

func TestPY311(t *testing.T) {
	t.Parallel()
	runCases(t, "PY311", []ruleCase{
		{name: "chown-after-copy", src: py + "COPY . /app\nRUN chown -R 10001:10001 /app\n", want: []int{3}},
		{name: "chmod-subdir", src: py + "WORKDIR /app\nCOPY . .\nRUN chmod -R g+w /app/data\n", want: []int{4}},
		{name: "copy-chown", src: py + "COPY --chown=10001:10001 . /app\n"},
		{name: "own-dir", src: py + "RUN mkdir -p /app/data && chown -R 10001 /app/data\n"},
		{name: "not-recursive", src: py + "COPY entrypoint.sh /entrypoint.sh\nRUN chmod +x /entrypoint.sh\n"},
		{name: "other-path", src: py + "COPY . /app\nRUN chown -R 10001 /var/log/app\n"},
		{name: "builder-ignored", src: pyAs + "COPY . /src\nRUN chown -R 10001 /src\n" + py + "COPY --from=builder /src /src\n"},
	})
}

func TestPY312(t *testing.T) {
	t.Parallel()
	runCases(t, "PY312", []ruleCase{
		{name: "three", src: py + "RUN useradd app\nRUN mkdir /data\nRUN chown app /data\n", want: []int{3}},
		{name: "separated", src: py + "RUN useradd app\nWORKDIR /app\nRUN mkdir /data\n"},
		{name: "two-install-layers", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\nRUN pip install --no-cache-dir -r requirements.txt\n"},
		{name: "different-mounts", src: py + "RUN --mount=type=secret,id=tok cat /run/secrets/tok > /dev/null\nRUN useradd app\n"},
		{name: "builder-ignored", src: pyAs + "RUN a\nRUN b\n" + py + "COPY --from=builder /x /x\n"},
		// An install layer next to a small step is kept apart for caching.
		{name: "install-then-useradd", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends gosu && rm -rf /var/lib/apt/lists/*\nRUN useradd app\n"},
		{name: "conda-then-useradd", src: py + "RUN conda env update -n base -f env.yml && conda clean -afy\nRUN useradd app\n"},
		{name: "clone-after-install", src: py + "RUN pip install --no-cache-dir -r requirements.txt\nRUN git clone --branch v1.0.0 https://x/y.git /y\n"},
	})
}

func TestResolveAndWithin(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ wd, p, want string }{
		{"/app", "src", "/app/src"},
		{"", "src", "/src"},
		{"/app", "/opt/venv/", "/opt/venv"},
		{"/app", "$HOME/x", ""},
		{"/app", "../x", "/x"},
	} {
		if got := resolvePath(tt.wd, tt.p); got != tt.want {
			t.Errorf("resolvePath(%q, %q) = %q, want %q", tt.wd, tt.p, got, tt.want)
		}
	}
	for _, tt := range []struct {
		p, dir string
		want   bool
	}{
		{"/var/lib/apt/lists", "/var/lib/apt", true},
		{"/var/lib/apt", "/var/lib/apt", true},
		{"/var/lib/aptx", "/var/lib/apt", false},
		{"/anything", "/", true},
	} {
		if got := within(tt.p, tt.dir); got != tt.want {
			t.Errorf("within(%q, %q) = %v, want %v", tt.p, tt.dir, got, tt.want)
		}
	}
	for in, want := range map[string]string{"/var/lib/apt/lists/*": "/var/lib/apt/lists", "/tmp/x/": "/tmp/x", "/": "/", "/a/*/*": "/a"} {
		if got := stripGlob(in); got != want {
			t.Errorf("stripGlob(%q) = %q, want %q", in, got, want)
		}
	}
}
