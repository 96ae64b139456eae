package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/build/target"
)

// readLockIn writes files into a new project directory and reads its lock.
func readLockIn(t *testing.T, files map[string]string) (*Lock, bool, error) {
	t.Helper()
	dir := t.TempDir()
	for n, c := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ReadLock(dir)
}

func TestReadLockRequirements(t *testing.T) {
	h := func(c string) string { return strings.Repeat(c, 64) }
	in := "# generated\n--index-url https://pypi.org/simple\n\nFlask==3.0.3 \\\n    --hash=sha256:" + h("a") + " \\\n    --hash=sha256:" + h("B") + "\n" +
		"    # via app\nclick[extra]==8.1.7 ; python_version >= \"3.8\" --hash sha256:" + h("c") + "  # comment\n-e .\n"
	l, ok, err := readLockIn(t, map[string]string{"requirements.txt": in})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if len(l.Requirements) != 2 || len(l.SHA256) != 64 || filepath.Base(l.File) != "requirements.txt" {
		t.Fatalf("lock = %+v", l)
	}
	click, flask := l.Requirements[0], l.Requirements[1]
	if click.Name != "click" || click.Version != "8.1.7" || click.Marker != `python_version >= "3.8"` || click.Line != 8 || len(click.Hashes) != 1 {
		t.Errorf("click = %+v", click)
	}
	if flask.Name != "Flask" || flask.Version != "3.0.3" || flask.Line != 4 || len(flask.Hashes) != 2 || flask.Hashes[1] != "sha256:"+h("b") {
		t.Errorf("flask = %+v", flask)
	}
	bad := []struct{ in, want string }{
		{"flask>=3\n", "not pinned"},
		{"flask==3\n", "no --hash"},
		{"-e ./libs/x\n", "not supported"},
		{"pkg @ https://x/pkg.whl --hash=sha256:" + h("a") + "\n", "direct references"},
		{"a==1 --hash=sha256:" + h("a") + "\nA==1 --hash=sha256:" + h("a") + "\n", "twice"},
	}
	for _, b := range bad {
		_, _, err := readLockIn(t, map[string]string{"requirements.txt": b.in})
		if !IsInputError(err) || !strings.Contains(err.Error(), b.want) || !strings.Contains(err.Error(), "requirements.txt:") {
			t.Errorf("ReadLock(%q) = %v, want an input error mentioning %q", b.in, err, b.want)
		}
	}
}

func TestReadLockFiles(t *testing.T) {
	h := strings.Repeat("d", 64)
	uv := `version = 1
requires-python = ">=3.11"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }

[[package]]
name = "idna"
version = "3.7"
source = { registry = "https://pypi.org/simple" }
sdist = { url = "https://files/idna-3.7.tar.gz", hash = "sha256:` + strings.Repeat("e", 64) + `", size = 1 }
wheels = [
    { url = "https://files/idna-3.7-py3-none-any.whl", hash = "sha256:` + h + `", size = 1 },
]
`
	l, ok, err := readLockIn(t, map[string]string{"uv.lock": uv})
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if len(l.Requirements) != 1 || l.Requirements[0].Name != "idna" || l.Requirements[0].Version != "3.7" || len(l.Requirements[0].Hashes) != 2 ||
		len(l.Requirements[0].Files) != 2 || l.Requirements[0].Line != 9 {
		t.Errorf("uv.lock = %+v", l.Requirements)
	}
	pylock := `lock-version = "1.0"
created-by = "test"

[[packages]]
name = "local"
version = "1.0"
directory = { path = "./local" }
`
	if _, _, err := readLockIn(t, map[string]string{"pylock.toml": pylock}); !IsInputError(err) {
		t.Errorf("pylock with a directory package = %v, want an input error", err)
	}
	if _, ok, err := readLockIn(t, map[string]string{"pyproject.toml": "[project]\nname='x'\n"}); ok || err != nil {
		t.Errorf("no lock: ok %v, err %v", ok, err)
	}
	if _, _, err := readLockIn(t, map[string]string{"poetry.lock": "not toml ["}); !IsInputError(err) {
		t.Errorf("broken poetry.lock = %v, want an input error", err)
	}
}

func TestEvalMarker(t *testing.T) {
	env := markerEnv(&target.Target{PythonVersion: "3.11", PythonFullVersion: "3.11.2", Arch: "x86_64"})
	tests := []struct {
		m    string
		want bool
	}{
		{`sys_platform == "win32"`, false},
		{`sys_platform == 'linux'`, true},
		{`python_version >= "3.8"`, true},
		{`python_version < "3.10"`, false},
		{`python_version > "3.9" and platform_machine == "x86_64"`, true},
		{`(os_name == "nt" or platform_system == "Darwin") and python_version >= "3"`, false},
		{`platform_system != "Windows"`, true},
		{`python_full_version >= "3.11.1"`, true},
		{`python_version == "3.11.*"`, true},
		{`python_version ~= "3.9"`, true},
		{`"linux" in sys_platform`, true},
		{`"win" not in sys_platform`, true},
		{`implementation_name == "cpython" and extra == "dev"`, false},
	}
	for _, tt := range tests {
		got, err := evalMarker(tt.m, env)
		if err != nil || got != tt.want {
			t.Errorf("evalMarker(%q) = %v, %v; want %v", tt.m, got, err, tt.want)
		}
	}
	for _, bad := range []string{`foo == "1"`, `python_version >=`, `(python_version == "3"`} {
		if _, err := evalMarker(bad, env); err == nil {
			t.Errorf("evalMarker(%q) = nil error", bad)
		}
	}
}

func TestGitInfo(t *testing.T) {
	dir := t.TempDir()
	if s, r := gitInfo(dir); s != "" || r != "" {
		t.Errorf("no repository: %q %q", s, r)
	}
	g := filepath.Join(dir, ".git")
	os.MkdirAll(filepath.Join(g, "refs", "heads"), 0o755)
	sha := strings.Repeat("ab", 20)
	os.WriteFile(filepath.Join(g, "HEAD"), []byte("ref: refs/heads/main\n"), 0o644)
	os.WriteFile(filepath.Join(g, "packed-refs"), []byte("# pack-refs\n"+sha+" refs/heads/main\n"), 0o644)
	os.WriteFile(filepath.Join(g, "config"), []byte("[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://user:tok@github.com/acme/app.git\n"), 0o644)
	s, r := gitInfo(dir)
	if s != "https://github.com/acme/app.git" || r != sha {
		t.Errorf("gitInfo = %q, %q", s, r)
	}
}
