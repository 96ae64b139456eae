package rules

import (
	"strings"
	"testing"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// Regression cases for wrong findings on real-world Dockerfiles, one test
// per cause, each with the true case the rule must still report.

// TestExpandedValues: values are judged after BuildKit's expansion of ENV
// and ARG references and quotes.
func TestExpandedValues(t *testing.T) {
	t.Parallel()
	t.Run("PY406", func(t *testing.T) {
		runCases(t, "PY406", []ruleCase{
			{name: "quoted-env", src: py + "ENV CODE_DIR=/code\nWORKDIR \"$CODE_DIR\"\n"},
			{name: "env", src: py + "ENV APP_HOME=/app\nWORKDIR $APP_HOME\n"},
			{name: "env-braces-suffix", src: py + "ENV APP_HOME=/app\nWORKDIR ${APP_HOME}/src\n"},
			{name: "unknown-home", src: py + "WORKDIR \"${HOME}\"\n"},
			{name: "arg-quoted-default", src: py + "ARG DIR=\"/srv/app\"\nWORKDIR ${DIR}\n"},
			{name: "true-relative", src: py + "WORKDIR app\n", want: []int{2}},
			{name: "true-relative-via-arg", src: py + "ARG D=app\nWORKDIR $D\n", want: []int{3}},
			{name: "true-relative-quoted", src: py + "WORKDIR \"src\"\n", want: []int{2}},
		})
	})
	t.Run("PY207", func(t *testing.T) {
		runCases(t, "PY207", []ruleCase{
			{name: "arg-quoted-uid", src: py + "ARG UID=\"10001\"\nRUN useradd -u $UID app\nUSER $UID\n"},
			{name: "env-uid-gid", src: py + "ENV APP_UID=10001 APP_GID=10001\nUSER ${APP_UID}:${APP_GID}\n"},
			{name: "quoted-number", src: py + "USER \"10001\"\n"},
			{name: "true-name", src: py + "RUN useradd app\nUSER app\n", want: []int{3}},
			{name: "true-name-via-env", src: py + "ENV APP_USER=app\nRUN useradd $APP_USER\nUSER $APP_USER\n", want: []int{4}},
		})
	})
	t.Run("PY304", func(t *testing.T) {
		runCases(t, "PY304", []ruleCase{
			{name: "quoted-mount-target", src: py + "ENV PIP_CACHE_DIR=/var/cache/pip\nRUN --mount=type=cache,target=\"$PIP_CACHE_DIR\" pip install -r requirements.txt\n"},
			{name: "true-no-mount", src: py + "RUN pip install -r requirements.txt\n", want: []int{2}},
			{name: "true-mount-elsewhere", src: py + "ENV CACHE=/tmp/other\nRUN --mount=type=cache,target=$CACHE pip install -r requirements.txt\n", want: []int{3}},
		})
	})
}

// TestStageReachability: a builder's context copy or ENV does not leak
// when only its build output reaches the final image.
func TestStageReachability(t *testing.T) {
	t.Parallel()
	noIgnore := &dockerfile.Context{Dir: "/ctx"}
	builder := "FROM python:3.12.12-slim-bookworm" + dg + " AS builder\nWORKDIR /src\nCOPY . .\nRUN pip wheel --no-cache-dir -w /wheels .\n"
	t.Run("PY203", func(t *testing.T) {
		runCases(t, "PY203", []ruleCase{
			{name: "only-wheels-copied", build: noIgnore, src: builder + py + "COPY --from=builder /wheels /wheels\n"},
			{name: "dist-subdir-copied", build: noIgnore, src: builder + py + "COPY --from=builder /src/dist/ /dist/\n"},
			{name: "mounted-wheels", build: noIgnore, src: builder + py + "RUN --mount=type=bind,from=builder,source=/wheels,target=/w pip install --no-cache-dir /w/*.whl\n"},
			{name: "scm-version-builder", build: goodIgnoreNoGit, src: builder + py + "COPY --from=builder /wheels /wheels\n"},
			{name: "true-src-copied", build: noIgnore, src: builder + py + "COPY --from=builder /src /app\n", want: []int{3}},
			{name: "true-mounted-src", build: noIgnore, src: builder + py + "RUN --mount=type=bind,from=builder,source=/src,target=/s cp -r /s /app\n", want: []int{3}},
			{name: "true-via-intermediate", build: noIgnore, src: builder + "FROM builder AS test\nRUN pytest\n" + py + "COPY --from=test /src /app\n", want: []int{3}},
			{name: "true-target-builder", build: noIgnore, src: builder + py + "COPY --from=builder /wheels /wheels\n", opts: []lint.Option{lint.WithTarget("builder")}, want: []int{3}},
		})
	})
	t.Run("PY202", func(t *testing.T) {
		runCases(t, "PY202", []ruleCase{
			{name: "builder-env-token", src: pyAs + "ARG GITHUB_TOKEN\nENV GITHUB_TOKEN=${GITHUB_TOKEN}\nRUN pip wheel -w /w .\n" + py + "COPY --from=builder /w /w\n"},
			{name: "true-final-env-token", src: py + "ARG GITHUB_TOKEN\nENV GITHUB_TOKEN=${GITHUB_TOKEN}\nRUN pip install --no-cache-dir -r requirements.txt\n", want: []int{2, 3}},
			{name: "true-literal-token-in-builder", src: pyAs + "ENV GH=ghp_" + strings.Repeat("a", 36) + "\n" + py + "COPY --from=builder /w /w\n", want: []int{2}},
			{name: "true-hardcoded-password-in-builder", src: pyAs + "ENV DB_PASSWORD=hunter2\n" + py + "COPY --from=builder /w /w\n", want: []int{2}},
		})
	})
}

// goodIgnoreNoGit excludes .env and keys but not .git.
var goodIgnoreNoGit = &dockerfile.Context{Dir: "/ctx", IgnoreFile: "/ctx/.dockerignore", Ignore: []string{".env", "*.pem"}}

// TestDockerignoreMatcher: the ignore file's own matcher decides, and
// keys alone are not reported.
func TestDockerignoreMatcher(t *testing.T) {
	t.Parallel()
	ctx := func(pats ...string) *dockerfile.Context {
		return &dockerfile.Context{Dir: "/ctx", IgnoreFile: "/ctx/.dockerignore", Ignore: pats}
	}
	src := py + "WORKDIR /app\nCOPY . .\n"
	runCases(t, "PY203", []ruleCase{
		{name: "allow-list-star", build: ctx("*", "!app", "!pyproject.toml", "!uv.lock"), src: src},
		{name: "allow-list-doublestar", build: ctx("**", "!src/**", "!requirements.txt"), src: src},
		{name: "dot-star", build: ctx(".*", "__pycache__"), src: src},
		{name: "git-slash-and-env-glob", build: ctx(".git/", ".env*"), src: src},
		{name: "doublestar-git", build: ctx("**/.git", "**/.env"), src: src},
		{name: "no-pem-line-alone", build: ctx(".git", ".env", "*.pyc"), src: src},
		{name: "true-reinclude-env", build: ctx("*", "!app", "!.env"), src: src, want: []int{3}},
		{name: "true-git-missing", build: ctx(".env", "*.pem"), src: src, want: []int{3}},
		{name: "true-no-ignore", build: &dockerfile.Context{Dir: "/ctx"}, src: src, want: []int{3}},
	})
}

// TestCommandOptions: options are read the way the tools read them.
func TestCommandOptions(t *testing.T) {
	t.Parallel()
	t.Run("PY304-pip-prefix", func(t *testing.T) {
		runCases(t, "PY304", []ruleCase{
			{name: "no-cache-prefix", src: py + "RUN pip install --no-cache -r requirements.txt\n"},
			{name: "no-cache-d-prefix", src: py + "RUN python -m pip install --no-cache-d -r requirements.txt\n"},
			{name: "true-ambiguous-no-c", src: py + "RUN pip install --no-c -r requirements.txt\n", want: []int{2}},
		})
	})
	t.Run("PY310-uv-pip-values", func(t *testing.T) {
		runCases(t, "PY310", []ruleCase{
			{name: "python-preference", src: py + "RUN uv pip install --no-cache --system --python-preference system --requirements requirements.txt\n"},
			{name: "upgrade-package", src: py + "RUN uv pip install --no-cache --system -r requirements.txt --upgrade-package urllib3\n"},
			{name: "pip-req-prefix", src: py + "RUN pip install --no-cache-dir --requirem requirements.txt\n"},
			{name: "true-uv-unpinned", src: py + "RUN uv pip install --no-cache --system --python-preference system flask\n", want: []int{2}},
		})
	})
	t.Run("PY311-chown-from", func(t *testing.T) {
		runCases(t, "PY311", []ruleCase{
			{name: "from-other-owner", src: py + "RUN useradd -u 10001 app\nCOPY --chown=10001:10001 . /app\nRUN chown -R --from=1000:1000 10001:10001 /app\n"},
			{name: "true-from-root", src: py + "RUN useradd -u 10001 app\nCOPY . /app\nRUN chown -R --from=root:root app /app\n", want: []int{4}},
			{name: "true-plain", src: py + "RUN useradd -u 10001 app\nCOPY . /app\nRUN chown -R app /app\n", want: []int{4}},
		})
	})
	t.Run("PY307-purge", func(t *testing.T) {
		runCases(t, "PY307", []ruleCase{
			{name: "autoremove-purge", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends gcc && pip install --no-cache-dir psutil==6.1.0 && apt-get autoremove --purge -y gcc && rm -rf /var/lib/apt/lists/*\n"},
			{name: "purge-var", src: py + "RUN set -eux; deps='gcc libpq-dev'; apt-get update; apt-get install -y --no-install-recommends $deps; pip install --no-cache-dir psycopg2==2.9.10; apt-get purge -y --auto-remove $deps; rm -rf /var/lib/apt/lists/*\n"},
			{name: "true-kept", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n", want: []int{2}},
		})
	})
	t.Run("PY301-apt-conf", func(t *testing.T) {
		conf := "RUN echo 'APT::Install-Recommends \"0\";' > /etc/apt/apt.conf.d/01norecommends\n"
		runCases(t, "PY301", []ruleCase{
			{name: "apt-conf-echo", src: py + conf + "RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n"},
			{name: "apt-conf-heredoc", src: py + "COPY <<EOF /etc/apt/apt.conf.d/99local\nAPT::Install-Recommends \"false\";\nEOF\nRUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n"},
			{name: "true-before-conf", src: py + "RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n" + conf, want: []int{2}},
			{name: "true-no-conf", src: py + "RUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n", want: []int{2}},
		})
	})
	t.Run("PY405-cd", func(t *testing.T) {
		runCases(t, "PY405", []ruleCase{
			{name: "cd-and-make", src: py + "RUN cd /src && make install\n"},
			{name: "cd-semicolon", src: py + "RUN set -eux; cd /opt/app; pip install --no-cache-dir .\n"},
			{name: "true-lone-cd", src: py + "RUN cd /app\nRUN pip install --no-cache-dir .\n", want: []int{2}},
		})
	})
}

// TestPrivilegeStepDown: images that start as root and drop privileges
// in their entrypoint get an info finding saying what was found; an
// unknown base's user is unknown, not root.
func TestPrivilegeStepDown(t *testing.T) {
	t.Parallel()
	gosuScript := "COPY <<'EOF' /usr/local/bin/docker-entrypoint.sh\n#!/bin/sh\nset -e\nchown -R app /data\nexec gosu app \"$@\"\nEOF\n"
	cases := []struct {
		name, src string
		sev       report.Severity
		contains  string
	}{
		{name: "gosu-heredoc-script", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends gosu && rm -rf /var/lib/apt/lists/*\n" + gosuScript +
			"ENTRYPOINT [\"/usr/local/bin/docker-entrypoint.sh\"]\nCMD [\"gunicorn\", \"app:app\"]\n", sev: report.SeverityInfo, contains: "gosu"},
		{name: "su-exec-in-entrypoint", src: "FROM python:3.12.12-alpine3.22" + dg + "\nRUN apk add --no-cache su-exec\nENTRYPOINT [\"su-exec\", \"app\", \"python\", \"-m\", \"app\"]\n", sev: report.SeverityInfo, contains: "su-exec"},
		{name: "setpriv-cmd", src: py + "CMD [\"setpriv\", \"--reuid=10001\", \"--regid=10001\", \"--init-groups\", \"python\", \"-m\", \"app\"]\n", sev: report.SeverityInfo, contains: "setpriv"},
		{name: "gosu-installed-with-entrypoint", src: py + "COPY --from=tianon/gosu:1.17 /gosu /usr/local/bin/\nCOPY entrypoint.sh /entrypoint.sh\nENTRYPOINT [\"/entrypoint.sh\"]\n", sev: report.SeverityInfo, contains: "gosu"},
		{name: "nginx-unit", src: "FROM unit:1.34.1-python3.12" + dg + "\nCOPY config.json /docker-entrypoint.d/\n", sev: report.SeverityInfo, contains: "Unit"},
		{name: "unknown-base", src: "FROM registry.example.com/platform/python-base:2024.10" + dg + "\nCMD [\"python\", \"-m\", \"app\"]\n", sev: report.SeverityInfo, contains: "unknown"},
		{name: "true-root-python", src: py + "CMD [\"python\", \"-m\", \"app\"]\n", sev: report.SeverityWarning, contains: "runs as root"},
		{name: "true-root-cuda", src: "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04" + dg + "\nCMD [\"python3\", \"-m\", \"app\"]\n", sev: report.SeverityWarning, contains: "runs as root"},
		{name: "true-user-root-no-stepdown", src: py + "RUN useradd -u 10001 app\nUSER 10001\nUSER root\nCMD [\"python\", \"-m\", \"app\"]\n", sev: report.SeverityWarning, contains: "USER root"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fs := lintSrc(t, tc.src, nil)
			f, ok := find(fs, "PY201")
			if !ok || f.Severity != tc.sev || !strings.Contains(f.Message, tc.contains) {
				t.Errorf("PY201 = %+v, want %s mentioning %q\n%s", f, tc.sev, tc.contains, dump(fs))
			}
		})
	}
	// micromamba runs as mambauser: no finding.
	if f, ok := find(lintSrc(t, "FROM mambaorg/micromamba:2.0.5"+dg+"\nCMD [\"python\"]\n", nil), "PY201"); ok {
		t.Errorf("PY201 on micromamba: %s", f.Message)
	}
}

// TestDependencyManifests: lock files, a package's __init__.py copied for
// its version and build scripts are dependency inputs; an install that
// only adds the project after the dependencies were installed is fine.
func TestDependencyManifests(t *testing.T) {
	t.Parallel()
	runCases(t, "PY305", []ruleCase{
		{name: "pipfile", src: py + "WORKDIR /app\nCOPY Pipfile Pipfile.lock ./\nRUN pip install --no-cache-dir pipenv==2024.4.0 && pipenv install --system --deploy\nCOPY . .\n"},
		{name: "init-for-version", src: py + "WORKDIR /app\nCOPY pyproject.toml ./\nCOPY src/mypkg/__init__.py src/mypkg/\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"},
		{name: "build-script", src: py + "WORKDIR /app\nCOPY pyproject.toml hatch_build.py ./\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen --no-install-project\nCOPY . .\nRUN --mount=type=cache,target=/root/.cache/uv uv sync --frozen\n"},
		{name: "deps-in-parent-stage", src: pyAs + "WORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --no-root --no-cache\nFROM builder AS app\nCOPY . .\nRUN poetry install --no-cache\n"},
		{name: "only-root", src: py + "WORKDIR /app\nCOPY . .\nRUN poetry install --only-root --no-cache\n"},
		{name: "venv-copied-first", src: pyAs + "RUN python -m venv /venv\n" + py + "COPY --from=builder /venv /venv\nWORKDIR /app\nCOPY . .\nRUN /venv/bin/pip install --no-cache-dir -r requirements.txt\n"},
		{name: "true-source-first", src: py + "WORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n", want: []int{3}},
		{name: "true-source-first-poetry", src: py + "WORKDIR /app\nCOPY . .\nRUN poetry install --no-root --no-cache\n", want: []int{3}},
	})
}

// TestHabitRules: the new checks, each with cases that must not fire.
func TestHabitRules(t *testing.T) {
	t.Parallel()
	t.Run("PY407", func(t *testing.T) {
		runCases(t, "PY407", []ruleCase{
			{name: "set-eux", src: py + "RUN <<EOF\nset -eux\napt-get update\nrm -rf /var/lib/apt/lists/*\nEOF\n"},
			{name: "set-o-errexit", src: py + "RUN <<EOF\nset -o errexit\npip install --no-cache-dir -r requirements.txt\npython -m compileall /app\nEOF\n"},
			{name: "bash-e", src: py + "RUN bash -e <<EOF\npip install --no-cache-dir -r requirements.txt\npython -m compileall /app\nEOF\n"},
			{name: "single-command", src: py + "RUN <<EOF\npip install --no-cache-dir -r requirements.txt\nEOF\n"},
			{name: "and-chain", src: py + "RUN <<EOF\npip install --no-cache-dir -r requirements.txt && python -m compileall /app\nEOF\n"},
			{name: "python-heredoc", src: py + "RUN python3 <<EOF\nimport sys\nprint(sys.version)\nEOF\n"},
			{name: "true-no-set-e", src: py + "RUN <<EOF\npip install --no-cache-dir -r requirements.txt\npython -m compileall /app\nEOF\n", want: []int{2}},
		})
	})
	t.Run("PY408", func(t *testing.T) {
		runCases(t, "PY408", []ruleCase{
			{name: "export-used", src: py + "RUN export PIP_INDEX_URL=https://pypi.example/simple && pip install --no-cache-dir -r requirements.txt\n"},
			{name: "true-export-alone", src: py + "RUN export PATH=/opt/venv/bin:$PATH\n", want: []int{2}},
			{name: "true-export-last", src: py + "RUN python -m venv /opt/venv && export VIRTUAL_ENV=/opt/venv\n", want: []int{2}},
		})
	})
	t.Run("PY209", func(t *testing.T) {
		runCases(t, "PY209", []ruleCase{
			{name: "pip-git-tag", src: py + "RUN pip install --no-cache-dir git+https://github.com/example/pkg.git@v1.4.2\n"},
			{name: "pip-git-commit", src: py + "RUN pip install --no-cache-dir 'pkg @ git+https://github.com/example/pkg.git@3f2c1a9d8e7b'\n"},
			{name: "clone-tag", src: py + "RUN git clone --depth 1 --branch v2.1.0 https://github.com/example/tool.git /src/tool\n"},
			{name: "clone-checkout", src: py + "RUN git clone https://github.com/example/tool.git /src/tool && git -C /src/tool checkout 3f2c1a9d\n"},
			{name: "true-pip-git-head", src: py + "RUN pip install --no-cache-dir git+https://github.com/example/pkg.git\n", want: []int{2}},
			{name: "true-pip-git-main", src: py + "RUN pip install --no-cache-dir git+https://github.com/example/pkg.git@main#egg=pkg\n", want: []int{2}},
			{name: "true-clone-head", src: py + "RUN git clone --depth 1 https://github.com/example/tool.git /src/tool\n", want: []int{2}},
			{name: "true-clone-branch", src: py + "RUN git clone -b develop https://github.com/example/tool.git /src/tool\n", want: []int{2}},
		})
	})
	t.Run("PY210", func(t *testing.T) {
		runCases(t, "PY210", []ruleCase{
			{name: "sha256sum", src: py + "RUN curl -fsSLo /usr/local/bin/tini https://example.com/tini && echo \"abc  /usr/local/bin/tini\" | sha256sum -c - && chmod +x /usr/local/bin/tini\n"},
			{name: "not-executable", src: py + "RUN curl -fsSLo /etc/app/config.json https://example.com/config.json\n"},
			{name: "true-curl-chmod", src: py + "RUN curl -fsSLo /usr/local/bin/tini https://example.com/tini && chmod +x /usr/local/bin/tini\n", want: []int{2}},
			{name: "true-wget-chmod", src: py + "RUN wget -qO /usr/local/bin/gosu https://example.com/gosu-amd64 && chmod 0755 /usr/local/bin/gosu\n", want: []int{2}},
		})
	})
	t.Run("PY504", func(t *testing.T) {
		runCases(t, "PY504", []ruleCase{
			{name: "deploy", src: py + "RUN pipenv install --system --deploy\n"},
			{name: "sync", src: py + "RUN pipenv sync --system\n"},
			{name: "true-system", src: py + "RUN pipenv install --system\n", want: []int{2}},
		})
	})
}

func TestCondaCache(t *testing.T) {
	t.Parallel()
	mm := "FROM mambaorg/micromamba:2.0.5" + dg + "\n"
	runCases(t, "PY313", []ruleCase{
		{name: "clean-afy", src: mm + "COPY env.yaml /tmp/env.yaml\nRUN micromamba install -y -n base -f /tmp/env.yaml && micromamba clean --all --yes\n"},
		{name: "cache-mount", src: mm + "RUN --mount=type=cache,target=/opt/conda/pkgs micromamba install -y -n base python=3.12\n"},
		{name: "builder-only", src: "FROM continuumio/miniconda3:24.9.2-0" + dg + " AS build\nRUN conda create -y -p /env python=3.12\n" + mm + "COPY --from=build /env /env\n"},
		{name: "true-conda-env-create", src: "FROM continuumio/miniconda3:24.9.2-0" + dg + "\nCOPY environment.yml .\nRUN conda env create -f environment.yml\n", want: []int{3}},
		{name: "true-mamba-install", src: mm + "RUN micromamba install -y -n base python=3.12 numpy\n", want: []int{2}},
	})
}

// TestExternalImagesAndTools: images named by COPY --from and mounts get
// the tag and digest rules; tools copied into the final image count as
// installed; installing sudo counts.
func TestExternalImagesAndTools(t *testing.T) {
	t.Parallel()
	runCases(t, "PY104", []ruleCase{
		{name: "copy-from-digest", src: py + "COPY --from=ghcr.io/astral-sh/uv:0.9.5" + dg + " /uv /bin/uv\n"},
		{name: "copy-from-stage", src: pyAs + "RUN python -m venv /venv\n" + py + "COPY --from=builder /venv /venv\n"},
		{name: "true-copy-from-image", src: py + "COPY --from=tianon/gosu:1.17 /gosu /usr/local/bin/\n", want: []int{2}},
		{name: "true-mount-from-image", src: py + "RUN --mount=from=ghcr.io/astral-sh/uv:0.9.5,source=/uv,target=/bin/uv uv pip install --system --no-cache -r requirements.txt\n", want: []int{2}},
	})
	runCases(t, "PY101", []ruleCase{
		{name: "tagged", src: py + "COPY --from=tianon/gosu:1.17" + dg + " /gosu /usr/local/bin/\n"},
		{name: "true-untagged", src: py + "COPY --from=ghcr.io/astral-sh/uv /uv /bin/uv\n", want: []int{2}},
	})
	runCases(t, "PY308", []ruleCase{
		{name: "venv-only", src: pyAs + "ENV POETRY_HOME=/opt/poetry\nRUN python -m venv /venv\n" + py + "COPY --from=builder /venv /venv\n"},
		{name: "true-poetry-home", src: pyAs + "ENV POETRY_HOME=/opt/poetry\nRUN python -m venv /venv\n" + py + "ENV POETRY_HOME=/opt/poetry\nCOPY --from=builder $POETRY_HOME $POETRY_HOME\n", want: []int{6}},
		{name: "true-uv-binary", src: pyAs + "RUN pip install --no-cache-dir uv==0.9.5\n" + py + "COPY --from=builder /usr/local/bin/uv /usr/local/bin/uv\n", want: []int{4}},
	})
	runCases(t, "PY206", []ruleCase{
		{name: "builder-sudo", src: pyAs + "RUN apt-get update && apt-get install -y --no-install-recommends sudo && rm -rf /var/lib/apt/lists/*\n" + py + "COPY --from=builder /x /x\n"},
		{name: "true-installed", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends sudo && rm -rf /var/lib/apt/lists/*\n", want: []int{2}},
	})
}

func TestCopyChownUnknownUser(t *testing.T) {
	t.Parallel()
	runCases(t, "PY409", []ruleCase{
		{name: "created-before", src: py + "RUN groupadd -g 10001 app && useradd -u 10001 -g app app\nCOPY --chown=app:app . /app\n"},
		{name: "numeric", src: py + "COPY --chown=10001:10001 . /app\n"},
		{name: "www-data", src: py + "COPY --chown=www-data:www-data . /app\n"},
		{name: "created-in-parent-stage", src: pyAs + "RUN useradd -m appuser\nFROM builder AS final\nCOPY --chown=appuser . /app\n"},
		{name: "alpine-adduser", src: "FROM python:3.12.12-alpine3.22" + dg + "\nRUN addgroup -S app && adduser -S -G app app\nCOPY --chown=app:app . /app\n"},
		{name: "unknown-base", src: "FROM registry.example.com/base/python:3.12" + dg + "\nCOPY --chown=app:app . /app\n"},
		{name: "variable", src: py + "ARG USER\nCOPY --chown=$USER . /app\n"},
		{name: "distroless-nonroot", src: pyAs + "RUN python -m venv /venv\nFROM gcr.io/distroless/python3-debian12:nonroot" + dg + "\nCOPY --from=builder --chown=nonroot:nonroot /venv /venv\n"},
		{name: "true-before-useradd", src: py + "COPY --chown=app:app . /app\nRUN useradd app\n", want: []int{2}},
		{name: "true-group-missing", src: py + "RUN useradd -u 10001 app\nCOPY --chown=app:developers . /app\n", want: []int{3}},
	})
}

// TestABIBeyondVenvs: pip --target directories copied across Python
// series, and pip run with another interpreter than the image runs.
func TestABIBeyondVenvs(t *testing.T) {
	t.Parallel()
	b311 := "FROM python:3.11.14-slim-bookworm" + dg + " AS builder\n"
	f312 := "FROM python:3.12.12-slim-bookworm" + dg + "\n"
	runCases(t, "PY107", []ruleCase{
		{name: "target-same-series", src: "FROM python:3.12.12-slim-bookworm" + dg + " AS builder\nRUN pip install --no-cache-dir --target /deps -r requirements.txt\n" + f312 + "COPY --from=builder /deps /app/deps\n"},
		{name: "pip-matching-interpreter", src: f312 + "RUN python3.12 -m pip install --no-cache-dir -r requirements.txt\nENTRYPOINT [\"python3\", \"-m\", \"app\"]\n"},
		{name: "true-target-across-series", src: b311 + "RUN pip install --no-cache-dir --target /deps -r requirements.txt\n" + f312 + "COPY --from=builder /deps /app/deps\n", want: []int{4}},
		{name: "true-prefix-across-series", src: b311 + "RUN pip install --no-cache-dir --prefix=/install -r requirements.txt\n" + f312 + "COPY --from=builder /install/lib /usr/local/lib\n", want: []int{4}},
		{name: "true-interpreter-mismatch", src: "FROM nvidia/cuda:12.4.1-runtime-ubuntu22.04" + dg + "\nRUN python3.8 -m pip install --no-cache-dir -r requirements.txt\nENTRYPOINT [\"python3.10\", \"-m\", \"app\"]\n", want: []int{2}},
		{name: "true-interpreter-vs-base", src: f312 + "RUN python3.11 -m pip install --no-cache-dir -r requirements.txt\nCMD [\"python\", \"-m\", \"app\"]\n", want: []int{2}},
	})
}

// TestBuilderOSSupport: a builder's OS still under (LTS) security support
// ships nothing; an unsupported one is still reported, as is the final
// stage's.
func TestBuilderOSSupport(t *testing.T) {
	t.Parallel()
	bookworm := "FROM python:3.12.12-slim-bookworm" + dg
	trixie := "FROM python:3.12.12-slim-trixie" + dg + "\n"
	runCases(t, "PY106", []ruleCase{
		{name: "lts-builder", src: bookworm + " AS builder\nRUN python -m venv /venv\n" + trixie + "COPY --from=builder /venv /venv\n"},
		{name: "true-lts-final", src: "FROM python:3.12.12-slim-trixie" + dg + " AS builder\nRUN python -m venv /venv\n" + bookworm + "\nCOPY --from=builder /venv /venv\n", want: []int{3}},
		{name: "true-eol-builder", src: "FROM python:3.11.4-slim-buster" + dg + " AS builder\nRUN python -m venv /venv\n" + trixie + "COPY --from=builder /venv /venv\n", want: []int{1}},
	})
}
