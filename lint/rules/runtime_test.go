package rules

import (
	"testing"

	"github.com/pyimg/pyimg/lint"
)

func TestPY401(t *testing.T) {
	t.Parallel()
	runCases(t, "PY401", []ruleCase{
		{name: "shell-cmd", src: py + "CMD python -m app\n", want: []int{2}},
		{name: "shell-entrypoint", src: py + "ENTRYPOINT gunicorn app:app\nCMD [\"--workers\", \"2\"]\n", want: []int{2}},
		{name: "exec-form", src: py + "CMD [\"python\", \"-m\", \"app\"]\n"},
		{name: "exec-prefix", src: py + "CMD exec gunicorn app:app\n"},
		{name: "overridden", src: py + "CMD python -m app\nCMD [\"python\", \"-m\", \"app\"]\n"},
		{name: "inherited", src: "FROM python:3.12.12-slim-bookworm" + dg + " AS base\nCMD python -m app\nFROM base\nENV X=1\n", want: []int{2}},
		{name: "builder-ignored", src: pyAs + "CMD python -m app\n" + py + "CMD [\"python\"]\n"},
		{name: "exec-entrypoint-shell-cmd", src: py + "ENTRYPOINT [\"tini\", \"--\"]\nCMD python -m app\n", want: []int{3}},
	})
}

func TestPY402(t *testing.T) {
	t.Parallel()
	runCases(t, "PY402", []ruleCase{
		{name: "missing", src: py + "CMD [\"python\", \"-m\", \"app\"]\n", want: []int{1}},
		{name: "set", src: py + "ENV PYTHONUNBUFFERED=1\nCMD [\"python\", \"-m\", \"app\"]\n"},
		{name: "inherited", src: "FROM python:3.12.12-slim-bookworm" + dg + " AS base\nENV PYTHONUNBUFFERED=1\nFROM base\nCMD [\"python\"]\n"},
		{name: "set-in-builder-only", src: pyAs + "ENV PYTHONUNBUFFERED=1\n" + py + "COPY --from=builder /x /x\n", want: []int{3}},
		{name: "python-u", src: py + "CMD [\"python\", \"-u\", \"-m\", \"app\"]\n"},
		{name: "not-python", src: "FROM nginx:1.27.2" + dg + "\nCMD [\"nginx\", \"-g\", \"daemon off;\"]\n"},
		{name: "distroless-python-cmd", src: "FROM gcr.io/distroless/cc-debian12" + dg + "\nCMD [\"/opt/venv/bin/gunicorn\", \"app:app\"]\n", want: []int{1}},
	})
}

func TestPY403(t *testing.T) {
	t.Parallel()
	runCases(t, "PY403", []ruleCase{
		{name: "pipe", src: py + "RUN curl -fsSL https://x/y.tgz | tar -xz\n", want: []int{2}},
		{name: "shell-pipefail", src: py + "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://x/y.tgz | tar -xz\n"},
		{name: "shell-euxo", src: py + "SHELL [\"/bin/bash\", \"-euxo\", \"pipefail\", \"-c\"]\nRUN curl -fsSL https://x/y.tgz | tar -xz\n"},
		{name: "set-in-run", src: py + "RUN set -euo pipefail; curl -fsSL https://x/y.tgz | tar -xz\n"},
		{name: "set-after-pipe", src: py + "RUN curl -fsSL https://x/y.tgz | tar -xz; set -o pipefail\n", want: []int{2}},
		{name: "echo-pipe", src: py + "RUN echo \"abc  file\" | sha256sum -c -\n"},
		{name: "no-pipe", src: py + "RUN curl -fsSLo /tmp/x https://x/y || true\n"},
		{name: "subst-pipe", src: py + "RUN pip install --no-cache-dir $(cat req.txt | grep -v '#')\n"},
		{name: "bash-c-pipefail", src: py + "RUN bash -o pipefail -c 'curl -fsSL https://x | tar -xz'\n"},
		{name: "exec-form-sh-c", src: py + "RUN [\"sh\", \"-c\", \"curl -fsSL https://x | tar -xz\"]\n", want: []int{2}},
		{name: "builder-counts", src: pyAs + "RUN curl -fsSL https://x | tar -xz\n" + py + "COPY --from=builder /x /x\n", want: []int{2}},
		{name: "powershell", src: py + "SHELL [\"pwsh\", \"-Command\"]\nRUN Get-Content x | Out-File y\n"},
	})
}

func TestPY404(t *testing.T) {
	t.Parallel()
	runCases(t, "PY404", []ruleCase{
		{name: "expose-only", src: py + "EXPOSE 8000\n", want: []int{2}},
		{name: "healthcheck", src: py + "EXPOSE 8000\nHEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1\n"},
		{name: "healthcheck-none", src: py + "EXPOSE 8000\nHEALTHCHECK NONE\n"},
		{name: "healthcheck-inherited", src: "FROM python:3.12.12-slim-bookworm" + dg + " AS base\nHEALTHCHECK CMD true\nFROM base\nEXPOSE 8000\n"},
		{name: "no-expose", src: py + "CMD [\"python\"]\n"},
		{name: "builder-expose", src: pyAs + "EXPOSE 8000\n" + py + "CMD [\"python\"]\n"},
	})
}

func TestPY405(t *testing.T) {
	t.Parallel()
	runCases(t, "PY405", []ruleCase{
		// cd x && cmd uses the change within the RUN: idiomatic (issue 13).
		{name: "cd-and", src: py + "RUN cd /app && pip install --no-cache-dir .\n"},
		{name: "cd-last", src: py + "RUN make -C /src && cd /src\n", want: []int{2}},
		{name: "cd-alone", src: py + "RUN cd /app\n", want: []int{2}},
		{name: "subshell", src: py + "RUN (cd /src && make install)\n"},
		{name: "tmp", src: py + "RUN cd /tmp && curl -fsSLO https://x/y.tgz && tar xzf y.tgz && rm y.tgz\n"},
		{name: "mktemp", src: py + "RUN cd \"$(mktemp -d)\" && curl -fsSLO https://x/y.tgz\n"},
		{name: "none", src: py + "WORKDIR /app\nRUN pip install --no-cache-dir .\n"},
	})
}

func TestPY406(t *testing.T) {
	t.Parallel()
	runCases(t, "PY406", []ruleCase{
		{name: "relative", src: py + "WORKDIR app\n", want: []int{2}},
		{name: "dot-relative", src: py + "WORKDIR /srv\nWORKDIR ./app\n", want: []int{3}},
		{name: "absolute", src: py + "WORKDIR /app\n"},
		{name: "variable-absolute", src: py + "ENV APP_HOME=/app\nWORKDIR $APP_HOME\n"},
		{name: "variable-relative", src: py + "ARG APP=app\nWORKDIR ${APP}\n", want: []int{3}},
		{name: "variable-unknown", src: py + "WORKDIR $HOME/app\n"},
	})
}

func TestExecForm(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"gunicorn --bind 0.0.0.0:8000 app:app", `["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]`, true},
		{"python -c 'print(1)'", `["python", "-c", "print(1)"]`, true},
		{"python -m app && echo done", "", false},
		{"FOO=1 python app.py", "", false},
		{"gunicorn --bind 0.0.0.0:$PORT app:app", "", false},
		{"python app.py > /var/log/app.log", "", false},
	} {
		if got, ok := execForm(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("execForm(%q) = %s, %v, want %s, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// TestTargetSelectsChain checks that --target changes which stage is final.
func TestTargetSelectsChain(t *testing.T) {
	t.Parallel()
	src := pyAs + "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n" + py + "CMD [\"python\"]\n"
	runCases(t, "PY307", []ruleCase{
		{name: "default-target", src: src},
		{name: "builder-target", src: src, opts: []lint.Option{lint.WithTarget("builder")}, want: []int{2}},
	})
}
