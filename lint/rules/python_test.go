package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
)

func TestPY501(t *testing.T) {
	t.Parallel()
	runCases(t, "PY501", []ruleCase{
		{name: "moved", src: pyAs + "RUN python -m venv /opt/venv\n" + py + "COPY --from=builder /opt/venv /venv\n", want: []int{4}},
		{name: "same-path", src: pyAs + "RUN python -m venv /opt/venv\n" + py + "COPY --from=builder /opt/venv /opt/venv\n"},
		{name: "same-path-slash", src: pyAs + "RUN python -m venv /opt/venv\n" + py + "COPY --from=builder /opt/venv/ /opt/venv/\n"},
		{name: "into-parent", src: pyAs + "RUN python -m venv /opt/venv\n" + py + "COPY --from=builder /opt/venv /opt/\n", want: []int{4}},
		{name: "relative-venv", src: pyAs + "WORKDIR /app\nRUN python -m venv .venv\n" + py + "COPY --from=builder /app/.venv /venv\n", want: []int{5}},
		{name: "relative-venv-same", src: pyAs + "WORKDIR /app\nRUN python -m venv .venv\n" + py + "WORKDIR /app\nCOPY --from=builder /app/.venv .venv\n"},
		{name: "uv-venv", src: pyAs + "RUN uv venv /opt/venv\n" + py + "COPY --from=builder /opt/venv /usr/local/venv\n", want: []int{4}},
		{name: "uv-venv-relocatable", src: pyAs + "RUN uv venv --relocatable /opt/venv\n" + py + "COPY --from=builder /opt/venv /usr/local/venv\n"},
		{name: "uv-sync", src: pyAs + "WORKDIR /app\nRUN uv sync --frozen\n" + py + "COPY --from=builder /app/.venv /opt/venv\n", want: []int{5}},
		{name: "uv-sync-env", src: pyAs + "ENV UV_PROJECT_ENVIRONMENT=/opt/venv\nWORKDIR /app\nRUN uv sync --frozen\n" + py + "COPY --from=builder /opt/venv /opt/venv\n"},
		{name: "virtualenv-grandparent", src: "FROM python:3.12.12-slim-bookworm" + dg + " AS base\nRUN virtualenv /env\nFROM base AS builder\nRUN /env/bin/pip install --no-cache-dir x==1\n" + py + "COPY --from=builder /env /venv\n", want: []int{6}},
		{name: "not-a-venv", src: pyAs + "RUN pip install --no-cache-dir --prefix=/install x==1\n" + py + "COPY --from=builder /install /usr/local\n"},
	})
}

func TestPY502(t *testing.T) {
	t.Parallel()
	runCases(t, "PY502", []ruleCase{
		{name: "user-as-root", src: py + "RUN pip install --no-cache-dir --user flask==3.0.3\nUSER 10001\n", want: []int{2}},
		{name: "user-as-app", src: py + "USER 10001\nRUN pip install --no-cache-dir --user flask==3.0.3\n"},
		{name: "final-root", src: py + "RUN pip install --no-cache-dir --user flask==3.0.3\n"},
		{name: "explicit-root", src: py + "RUN pip install --no-cache-dir --user flask==3.0.3\nUSER root\n"},
		{name: "userbase", src: py + "ENV PYTHONUSERBASE=/opt/pyuser\nRUN pip install --no-cache-dir --user flask==3.0.3\nUSER 10001\n"},
		{name: "builder-root-copied-to-home", src: pyAs + "RUN pip install --no-cache-dir --user flask==3.0.3\n" + py + "RUN useradd -u 10001 -m app\nCOPY --from=builder --chown=10001 /root/.local /home/app/.local\nUSER 10001\n"},
		{name: "builder-root-copied-to-root", src: pyAs + "RUN pip install --no-cache-dir --user flask==3.0.3\n" + py + "COPY --from=builder /root/.local /root/.local\nUSER 10001\n", want: []int{4}},
		{name: "sudo-to-app", src: py + "RUN useradd -m app && sudo -u app pip install --no-cache-dir --user flask==3.0.3\nUSER app\n"},
		{name: "variable-user", src: py + "ARG UID\nRUN pip install --no-cache-dir --user flask==3.0.3\nUSER $UID\n"},
	})
}

func TestPY503(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "requirements.txt"), []byte("# ml\nflask==3.0.3\nTorch==2.5.1 ; platform_machine == 'x86_64'\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := &dockerfile.Context{Dir: dir, DependencyFiles: []string{"requirements.txt"}}
	pdir := t.TempDir()
	if err := os.WriteFile(filepath.Join(pdir, "pyproject.toml"), []byte("[project]\nname = \"x\"\ndependencies = [\n  \"jaxlib>=0.4\",\n]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pctx := &dockerfile.Context{Dir: pdir, DependencyFiles: []string{"pyproject.toml"}}
	runCases(t, "PY503", []ruleCase{
		{name: "compilers", src: alp + "RUN apk add --no-cache --virtual .deps gcc musl-dev libffi-dev\n", want: []int{2}},
		{name: "torch", src: alp + "RUN pip install --no-cache-dir torch==2.5.1\n", want: []int{2}},
		{name: "pure-python", src: alp + "RUN pip install --no-cache-dir flask==3.0.3\n"},
		{name: "has-musllinux-wheels", src: alp + "RUN pip install --no-cache-dir numpy==2.1.3 pyarrow==22.0.0\n"},
		{name: "slim-with-compilers", src: py + "RUN apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*\n"},
		{name: "plain-alpine", src: "FROM alpine:3.20" + dg + "\nRUN apk add --no-cache python3 py3-pip build-base\n", want: []int{2}},
		{name: "context-requirements", src: alp + "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n", build: ctx, want: []int{1}},
		{name: "context-pyproject", src: alp + "COPY . .\nRUN pip install --no-cache-dir .\n", build: pctx, want: []int{1}},
		{name: "context-but-slim", src: py + "COPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n", build: ctx},
		{name: "alpine-builder-only", src: "FROM python:3.12.12-alpine3.20" + dg + " AS builder\nRUN apk add --no-cache gcc\n" + py + "COPY --from=builder /x /x\n", want: []int{2}},
	})
}

// TestFamilyIDs pins the public rule IDs and checks the metadata style of
// the size, runtime and Python families.
func TestFamilyIDs(t *testing.T) {
	t.Parallel()
	kebab := regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	for _, fam := range []struct {
		rules []lint.Rule
		want  []string
	}{
		{sizeRules(), []string{"PY301", "PY302", "PY303", "PY304", "PY305", "PY306", "PY307", "PY308", "PY309", "PY310", "PY311", "PY312"}},
		{runtimeRules(), []string{"PY401", "PY402", "PY403", "PY404", "PY405", "PY406"}},
		{pythonRules(), []string{"PY501", "PY502", "PY503"}},
	} {
		var got []string
		for _, r := range fam.rules {
			m := r.Meta()
			got = append(got, m.ID)
			if !kebab.MatchString(m.Name) {
				t.Errorf("%s name %q is not kebab-case", m.ID, m.Name)
			}
			if strings.Contains(m.Summary, "\n") || !strings.HasSuffix(m.Summary, ".") {
				t.Errorf("%s summary %q is not one sentence on one line", m.ID, m.Summary)
			}
		}
		if !slices.Equal(got, fam.want) {
			t.Errorf("rule IDs = %v, want %v", got, fam.want)
		}
	}
}
