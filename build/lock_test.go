package build

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/build/target"
)

func TestParseRequirementsLock(t *testing.T) {
	h := func(c string) string { return strings.Repeat(c, 64) }
	in := "# generated\n--index-url https://pypi.org/simple\n\nFlask==3.0.3 \\\n    --hash=sha256:" + h("a") + " \\\n    --hash=sha256:" + h("B") + "\n" +
		"    # via app\nclick[extra]==8.1.7 ; python_version >= \"3.8\" --hash sha256:" + h("c") + "  # comment\n"
	l, err := parseRequirementsLock("requirements.txt", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Requirements) != 2 || len(l.SHA256) != 64 {
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
		{"flask==3 --hash=md5:abc\n", "sha256"},
		{"-r other.txt\n", "not supported"},
		{"-e .\n", "not supported"},
		{"pkg @ https://x/pkg.whl --hash=sha256:" + h("a") + "\n", "direct references"},
		{"a==1 --hash=sha256:" + h("a") + "\nA==1 --hash=sha256:" + h("a") + "\n", "twice"},
	}
	for _, b := range bad {
		_, err := parseRequirementsLock("r.txt", []byte(b.in))
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), b.want) || !strings.HasPrefix(err.Error(), "r.txt:") {
			t.Errorf("parse(%q) = %v, want an InputError mentioning %q", b.in, err, b.want)
		}
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
