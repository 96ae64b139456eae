package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type generateOut struct {
	Variant      string   `json:"variant"`
	Python       string   `json:"python"`
	BuildImage   string   `json:"build_image"`
	RuntimeImage string   `json:"runtime_image"`
	Pinned       bool     `json:"pinned"`
	Install      string   `json:"install"`
	Command      []string `json:"command"`
	Written      []string `json:"written"`
	Dockerfile   string   `json:"dockerfile"`
	Notes        []string `json:"notes"`
	Warnings     []string `json:"warnings"`
}

func TestGenerateWritesAndRefuses(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pyproject.toml", "[project]\nname = \"svc\"\nrequires-python = \">=3.12\"\n[tool.pyimg.generate]\nport = 8000\n")
	writeFile(t, dir, "requirements.txt", "flask==3.1.0 --hash=sha256:00\n")
	writeFile(t, dir, "app.py", "if __name__ == \"__main__\":\n    print(1)\n")

	r := run(t, nil, "generate", "--now", "2026-11-30", dir)
	if r.code != ExitOK {
		t.Fatalf("generate = exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "wrote "+filepath.Join(dir, "Dockerfile")) || !strings.Contains(r.stdout, "pip install --require-hashes") {
		t.Errorf("generate output:\n%s", r.stdout)
	}
	df, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".dockerignore")); err != nil {
		t.Errorf(".dockerignore not written: %v", err)
	}
	// The written file lints clean at warning level.
	if r := run(t, nil, "lint", "--now", "2026-11-30", "--fail-on", "warning", filepath.Join(dir, "Dockerfile")); r.code != ExitOK {
		t.Errorf("lint of the generated file = exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A second run refuses, exit 2, and leaves the file alone.
	r = run(t, nil, "generate", "--now", "2026-11-30", "--variant", "distroless", dir)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "--force") {
		t.Errorf("generate over existing files = exit %d, stderr %q; want 2 naming --force", r.code, r.stderr)
	}
	if now, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(now) != string(df) {
		t.Error("refused generate changed the Dockerfile")
	}
	r = run(t, nil, "generate", "--now", "2026-11-30", "--variant", "distroless", "--force", dir)
	if now, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); r.code != ExitOK || !strings.Contains(string(now), "gcr.io/distroless/python3-debian13:nonroot") {
		t.Errorf("generate --force = exit %d\n%s", r.code, r.stderr)
	}
}

func TestGenerateStdoutJSONAndErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pyproject.toml", "[project]\nname = \"svc\"\n")
	writeFile(t, dir, "main.py", "if __name__ == \"__main__\":\n    print(1)\n")

	r := run(t, nil, "generate", "--now", "2026-11-30", "--stdout", dir)
	if r.code != ExitOK || !strings.HasPrefix(r.stdout, "# syntax=docker/dockerfile:1.7\n") || !strings.Contains(r.stderr, "not pinned") {
		t.Errorf("generate --stdout = exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "Dockerfile")); err == nil {
		t.Error("--stdout wrote a Dockerfile")
	}
	r = run(t, nil, "generate", "--now", "2026-11-30", "--stdout", "--format", "json", dir)
	var out generateOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("generate --format json: %v\n%s", err, r.stdout)
	}
	if out.Variant != "slim" || out.Install != "none" || out.Pinned || len(out.Written) != 0 ||
		!strings.Contains(out.Dockerfile, "CMD [\"python\", \"main.py\"]") || strings.Join(out.Command, " ") != "python main.py" {
		t.Errorf("generate json = %+v", out)
	}

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad variant", []string{"--variant", "scratch"}, ExitUsage, "unknown variant"},
		{"bad format", []string{"--format", "yaml"}, ExitUsage, "yaml"},
		{"alpine without feasibility", []string{"--variant", "alpine"}, ExitUsage, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := t.TempDir()
			writeFile(t, d, "requirements.txt", "numpy==2.1.0\n")
			writeFile(t, d, "app.py", "if __name__ == \"__main__\":\n    print(1)\n")
			r := run(t, nil, append(append([]string{"generate", "--now", "2026-11-30", "--stdout"}, tc.args...), d)...)
			if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
				t.Errorf("generate %v = exit %d, stderr %q; want %d containing %q", tc.args, r.code, r.stderr, tc.code, tc.want)
			}
		})
	}
	d := t.TempDir()
	writeFile(t, d, "pyproject.toml", "[tool.pyimg.generate]\nport = \"x\"\n")
	if r := run(t, nil, "generate", "--stdout", d); r.code != ExitUsage || !strings.Contains(r.stderr, "pyproject.toml") {
		t.Errorf("generate with a malformed config = exit %d, stderr %q; want 2 naming the file", r.code, r.stderr)
	}
}

func TestGeneratePinsAgainstRegistry(t *testing.T) {
	repo, digests, _ := pythonRegistry(t)
	dir := t.TempDir()
	writeFile(t, dir, "pyproject.toml", "[project]\nname = \"svc\"\nrequires-python = \">=3.11\"\n")
	writeFile(t, dir, "app.py", "if __name__ == \"__main__\":\n    print(1)\n")
	r := run(t, []runOpt{withCache(t)}, "generate", "--now", "2026-11-22", "--pin", "--repo", repo, "--stdout", "--format", "json", dir)
	var out generateOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("generate --pin: exit %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	want := repo + ":3.13.1-slim-trixie@" + digests["3.13.1-slim-trixie"]
	if !out.Pinned || out.BuildImage != want || out.RuntimeImage != want || strings.Contains(out.Dockerfile, "PY104") {
		t.Errorf("generate --pin = pinned %v build %s runtime %s; want %s\nwarnings %q", out.Pinned, out.BuildImage, out.RuntimeImage, want, out.Warnings)
	}
	if !strings.Contains(out.Dockerfile, "ARG BUILD_IMAGE="+want+"\n") {
		t.Errorf("Dockerfile lacks the pinned ARG default:\n%s", out.Dockerfile)
	}
}

// TestGenerateLibsFrom feeds generate what pyimg libs finds missing in a
// root whose extension needs libpq.so.5: libpq5 joins the runtime
// packages, on slim (apt line) and distroless (copied libraries).
func TestGenerateLibsFrom(t *testing.T) {
	runtime, _ := libsRoots(t)
	dir := t.TempDir()
	writeFile(t, dir, "pyproject.toml", "[project]\nname = \"svc\"\nrequires-python = \">=3.11\"\n")
	writeFile(t, dir, "app.py", "if __name__ == \"__main__\":\n    print(1)\n")
	for _, v := range []string{"slim", "distroless"} {
		r := run(t, nil, "generate", "--now", "2026-11-30", "--variant", v, "--libs-from", runtime, "--stdout", "--format", "json", dir)
		var out generateOut
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("generate --libs-from (%s): exit %d %v\n%s", v, r.code, err, r.stderr)
		}
		want := "apt-get install -y --no-install-recommends libpq5"
		if !strings.Contains(out.Dockerfile, want) || !strings.Contains(strings.Join(out.Notes, "\n"), "runtime packages libpq5: shared libraries "+runtime+" lacks") {
			t.Errorf("generate --variant %s --libs-from: notes %q, Dockerfile:\n%s", v, out.Notes, out.Dockerfile)
		}
	}
	if r := run(t, nil, "generate", "--libs-from", filepath.Join(dir, "missing"), "--stdout", dir); r.code != ExitUsage {
		t.Errorf("generate --libs-from a missing path = exit %d, want 2\n%s", r.code, r.stderr)
	}
}

// TestGenerateAlpineEvidence refuses alpine with the per-package evidence
// of pyimg check's musl verdict, and accepts it for pure wheels.
func TestGenerateAlpineEvidence(t *testing.T) {
	lock := func(file string) string {
		return "[[package]]\nname = \"psycopg2\"\nversion = \"2.9.10\"\ndescription = \"\"\noptional = false\npython-versions = \">=3.8\"\nfiles = [\n" +
			"    {file = \"" + file + "\", hash = \"sha256:12ec0b40b0273f95296233e8750441339298e6a572f7039da5b260e3c8b60e11\"},\n]\n\n" +
			"[metadata]\nlock-version = \"2.0\"\npython-versions = \"^3.12\"\ncontent-hash = \"0\"\n"
	}
	pyproject := "[tool.poetry]\nname = \"p\"\nversion = \"1.0\"\n[tool.poetry.dependencies]\npython = \"^3.12\"\npsycopg2 = \"^2.9\"\n[tool.pyimg.generate]\ncommand = [\"python\", \"-m\", \"p\"]\n"
	dir := t.TempDir()
	writeFile(t, dir, "pyproject.toml", pyproject)
	writeFile(t, dir, "poetry.lock", lock("psycopg2-2.9.10.tar.gz"))
	r := run(t, []runOpt{withEnv("XDG_CACHE_HOME", t.TempDir())}, "generate", "--now", "2026-11-30", "--variant", "alpine", "--stdout", dir)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "psycopg2 2.9.10: source (psycopg2-2.9.10.tar.gz)") {
		t.Errorf("generate --variant alpine (sdist only) = exit %d, stderr %q; want 2 with the evidence", r.code, r.stderr)
	}
	writeFile(t, dir, "poetry.lock", lock("psycopg2-2.9.10-py3-none-any.whl"))
	r = run(t, []runOpt{withEnv("XDG_CACHE_HOME", t.TempDir())}, "generate", "--now", "2026-11-30", "--variant", "alpine", "--stdout", dir)
	if r.code != ExitOK || !strings.Contains(r.stdout, "alpine") || !strings.Contains(r.stdout, "apk upgrade --no-cache") {
		t.Errorf("generate --variant alpine (pure wheel) = exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestGenerateContradictoryProject exits 2 naming file and line when the
// project's files contradict each other.
func TestGenerateContradictoryProject(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pyproject.toml", "[project]\nname = \"svc\"\nrequires-python = \">=3.12\"\n")
	writeFile(t, dir, ".python-version", "3.10\n")
	writeFile(t, dir, "app.py", "if __name__ == \"__main__\":\n    print(1)\n")
	r := run(t, nil, "generate", "--now", "2026-11-30", "--stdout", dir)
	if r.code != ExitUsage || !strings.Contains(r.stderr, ".python-version:1") {
		t.Errorf("generate on contradictory files = exit %d, stderr %q; want 2 naming .python-version:1", r.code, r.stderr)
	}
}
