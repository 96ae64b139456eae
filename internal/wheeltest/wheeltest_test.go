package wheeltest

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func readZip(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = b
	}
	return out
}

// checkRecord verifies every RECORD line against the archive content and
// that every archive entry is listed; it returns the problems found.
func checkRecord(files map[string][]byte, recName string) []string {
	var problems []string
	rec, ok := files[recName]
	if !ok {
		return []string{"no RECORD"}
	}
	rows, err := csv.NewReader(bytes.NewReader(rec)).ReadAll()
	if err != nil {
		return []string{"bad RECORD: " + err.Error()}
	}
	listed := map[string]bool{}
	for _, r := range rows {
		listed[r[0]] = true
		if r[0] == recName {
			continue
		}
		b, ok := files[r[0]]
		if !ok {
			problems = append(problems, "missing "+r[0])
			continue
		}
		if RecordHash(b) != r[1] {
			problems = append(problems, "hash "+r[0])
		}
		if r[2] != strconv.Itoa(len(b)) {
			problems = append(problems, "size "+r[0])
		}
	}
	for name := range files {
		if !listed[name] {
			problems = append(problems, "unlisted "+name)
		}
	}
	return problems
}

var helloSpec = Spec{
	Name:           "Hello.World",
	Version:        "1.2.0",
	Files:          map[string]string{"hello_world/__init__.py": "def main():\n    print('hello from hello_world')\n", "hello_world/gui.py": "def run():\n    pass\n"},
	ConsoleScripts: map[string]string{"hello-world": "hello_world:main"},
	GUIScripts:     map[string]string{"hello-gui": "hello_world.gui:run"},
	Scripts:        map[string]string{"hello-script": "#!python\nprint('script ok')\n"},
	Data:           map[string]string{"share/hello/readme.txt": "data\n"},
	RequiresDist:   []string{"six>=1.0", "requests ; extra == 'http'"},
	RequiresPython: ">=3.8",
	Tag:            "py2.py3-none-any",
}

func TestPure(t *testing.T) {
	dir := t.TempDir()
	path, err := Pure(dir, helloSpec)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := filepath.Base(path), "Hello_World-1.2.0-py2.py3-none-any.whl"; got != want {
		t.Errorf("name = %q, want %q", got, want)
	}
	files := readZip(t, path)
	di := "Hello_World-1.2.0.dist-info/"
	if p := checkRecord(files, di+"RECORD"); len(p) > 0 {
		t.Errorf("RECORD problems: %v", p)
	}
	for _, want := range []struct{ file, text string }{
		{di + "WHEEL", "Root-Is-Purelib: true\nTag: py2-none-any\nTag: py3-none-any\n"},
		{di + "METADATA", "Requires-Dist: requests ; extra == 'http'\n"},
		{di + "METADATA", "Requires-Python: >=3.8\n"},
		{di + "entry_points.txt", "[console_scripts]\nhello-world = hello_world:main\n\n[gui_scripts]\nhello-gui = hello_world.gui:run\n"},
		{"Hello_World-1.2.0.data/scripts/hello-script", "#!python\n"},
		{"Hello_World-1.2.0.data/data/share/hello/readme.txt", "data\n"},
	} {
		if !strings.Contains(string(files[want.file]), want.text) {
			t.Errorf("%s = %q, want it to contain %q", want.file, files[want.file], want.text)
		}
	}
	// Deterministic: the same spec gives the same bytes.
	dir2 := t.TempDir()
	path2, err := Pure(dir2, helloSpec)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(path)
	b, _ := os.ReadFile(path2)
	if !bytes.Equal(a, b) {
		t.Error("two builds of the same spec differ")
	}
}

func TestRecordHash(t *testing.T) {
	// sha256("") in urlsafe base64 without padding, as pip writes it.
	if got, want := RecordHash(nil), "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"; got != want {
		t.Errorf("RecordHash(nil) = %q, want %q", got, want)
	}
}

func TestEntriesRejectsEmptySpec(t *testing.T) {
	if _, err := Entries(Spec{Name: "x"}); err == nil {
		t.Error("Entries without version succeeded")
	}
}

// pip returns the host's Debian python3 with pip, or skips.
func pip(t *testing.T) string {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-m", "pip", "--version").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("python3 -m pip unavailable: %v", err)
		}
		t.Skipf("SKIP: %s -m pip unavailable: %v", py, err)
	}
	return py
}

func pipInstall(t *testing.T, py, wheel string) string {
	t.Helper()
	target := t.TempDir()
	cmd := exec.Command(py, "-m", "pip", "install", "--no-index", "--no-deps", "--disable-pip-version-check", "--no-compile", "--target", target, wheel)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pip install %s: %v\n%s", wheel, err, out)
	}
	return target
}

func TestPureInstallsWithPip(t *testing.T) {
	py := pip(t)
	path, err := Pure(t.TempDir(), helloSpec)
	if err != nil {
		t.Fatal(err)
	}
	target := pipInstall(t, py, path)
	cmd := exec.Command(filepath.Join(target, "bin", "hello-world"))
	cmd.Env = append(os.Environ(), "PYTHONPATH="+target)
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "hello from hello_world\n" {
		t.Errorf("console script: %v %q", err, out)
	}
	cmd = exec.Command(filepath.Join(target, "bin", "hello-script"))
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "script ok\n" {
		t.Errorf(".data/scripts script: %v %q", err, out)
	}
}

func TestCExtension(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path, err := CExtension(ctx, dir, CSpec{Spec: Spec{Name: "fastmath", Version: "0.1"}})
	if errors.Is(err, ErrUnavailable) {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skipf("SKIP: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	host, _ := HostPython(ctx, "")
	if got, want := filepath.Base(path), "fastmath-0.1-"+host.Tag+".whl"; got != want {
		t.Errorf("name = %q, want %q", got, want)
	}
	files := readZip(t, path)
	if !strings.Contains(string(files["fastmath-0.1.dist-info/WHEEL"]), "Root-Is-Purelib: false\nTag: "+host.Tag+"\n") {
		t.Errorf("WHEEL = %q", files["fastmath-0.1.dist-info/WHEEL"])
	}
	if p := checkRecord(files, "fastmath-0.1.dist-info/RECORD"); len(p) > 0 {
		t.Errorf("RECORD problems: %v", p)
	}
	py := pip(t)
	target := pipInstall(t, py, path)
	cmd := exec.Command(host.Python, "-c", "import fastmath; print(fastmath.hello())")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+target)
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "hello from fastmath\n" {
		t.Errorf("import fastmath: %v %q", err, out)
	}
}

func TestCExtensionLibpq(t *testing.T) {
	ctx := context.Background()
	path, err := CExtension(ctx, t.TempDir(), Libpq("pqprobe", "1.0"))
	if errors.Is(err, ErrUnavailable) {
		t.Skipf("SKIP: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	py := pip(t)
	target := pipInstall(t, py, path)
	cmd := exec.Command(py, "-c", "import pqprobe; print(pqprobe.libpq_version() > 90000)")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+target)
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "True\n" {
		t.Errorf("import pqprobe: %v %q", err, out)
	}
	if _, err := exec.LookPath("readelf"); err == nil {
		so, _ := filepath.Glob(filepath.Join(target, "pqprobe*.so"))
		if len(so) == 1 {
			out, _ := exec.Command("readelf", "-d", so[0]).Output()
			if !strings.Contains(string(out), "libpq.so.5") {
				t.Errorf("extension does not need libpq.so.5:\n%s", out)
			}
		}
	}
}

func TestCExtensionMissingLibrary(t *testing.T) {
	s := CSpec{Spec: Spec{Name: "nolib", Version: "1"}, Libs: []string{"pyimg-no-such-library"}}
	_, err := CExtension(context.Background(), t.TempDir(), s)
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("CExtension with a missing library: err = %v, want ErrUnavailable", err)
	}
}

func TestCorrupt(t *testing.T) {
	s := Spec{Name: "evil", Version: "1.0", Files: map[string]string{"evil/__init__.py": "X = 1\n"}}
	rec := "evil-1.0.dist-info/RECORD"
	tests := []struct {
		c        Corruption
		problem  string // expected substring of checkRecord's problems ("" = none)
		hasEntry string // an archive entry that must exist ("" = none)
	}{
		{DotDot, "", "../escaped.txt"},
		{Absolute, "", "/tmp/wheeltest-absolute.txt"},
		{NestedDotDot, "", "evil/../../escaped.txt"},
		{Symlink, "", "evil/passwd"},
		{HashMismatch, "hash evil/__init__.py", ""},
		{SizeMismatch, "size evil/__init__.py", ""},
		{NotInRecord, "unlisted evil/unlisted.py", ""},
		{MissingFile, "missing evil/missing.py", ""},
		{NoRecord, "no RECORD", ""},
		{NoWheelFile, "", ""},
	}
	if len(tests) != len(Corruptions()) {
		t.Fatalf("table covers %d corruptions, want %d", len(tests), len(Corruptions()))
	}
	for _, tt := range tests {
		t.Run(string(tt.c), func(t *testing.T) {
			path, err := Corrupt(t.TempDir(), s, tt.c)
			if err != nil {
				t.Fatal(err)
			}
			if filepath.Base(path) != "evil-1.0-py3-none-any.whl" {
				t.Errorf("name = %s", filepath.Base(path))
			}
			files := readZip(t, path)
			problems := strings.Join(checkRecord(files, rec), ";")
			if tt.problem == "" && problems != "" {
				t.Errorf("unexpected RECORD problems %q", problems)
			}
			if tt.problem != "" && !strings.Contains(problems, tt.problem) {
				t.Errorf("RECORD problems %q, want %q", problems, tt.problem)
			}
			if tt.hasEntry != "" {
				if _, ok := files[tt.hasEntry]; !ok {
					t.Errorf("no entry %q", tt.hasEntry)
				}
			}
			_, hasWheel := files["evil-1.0.dist-info/WHEEL"]
			if hasWheel == (tt.c == NoWheelFile) {
				t.Errorf("WHEEL present = %v", hasWheel)
			}
		})
	}
	zr, err := zip.OpenReader(mustCorrupt(t, s, Symlink))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if f.Name == "evil/passwd" && f.Mode()&os.ModeSymlink == 0 {
			t.Errorf("evil/passwd mode = %v, want a symlink", f.Mode())
		}
	}
}

func mustCorrupt(t *testing.T, s Spec, c Corruption) string {
	t.Helper()
	p, err := Corrupt(t.TempDir(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
