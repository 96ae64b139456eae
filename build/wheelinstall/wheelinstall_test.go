package wheelinstall

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"testing"
)

// entry is one file of a test wheel.
type entry struct {
	name string
	data string
	mode fs.FileMode // 0 means 0o644
}

// makeWheel zips entries and appends a RECORD for them to dist-info unless
// record is non-nil, in which case it is used verbatim (nil entries: none).
func makeWheel(t testing.TB, distInfo string, entries []entry, record *string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var rec strings.Builder
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, e.data); err != nil {
			t.Fatal(err)
		}
		if mode&fs.ModeSymlink == 0 && !strings.HasSuffix(e.name, "/") {
			fmt.Fprintf(&rec, "%s,%s,%d\n", csvField(e.name), recordHash([]byte(e.data)), len(e.data))
		}
	}
	if distInfo != "" {
		r := rec.String() + distInfo + "/RECORD,,\n"
		if record != nil {
			r = *record
		}
		w, err := zw.Create(distInfo + "/RECORD")
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, r)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const wheelMeta = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"

func demoEntries() []entry {
	return []entry{
		{name: "demo/__init__.py", data: "VERSION = '1.0'\n"},
		{name: "demo/cli.py", data: "def main():\n    print('hi')\n"},
		{name: "demo-1.0.dist-info/METADATA", data: "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"},
		{name: "demo-1.0.dist-info/WHEEL", data: wheelMeta},
		{name: "demo-1.0.dist-info/entry_points.txt", data: "[console_scripts]\ndemo = demo.cli:main\ndemo-x = demo.cli:App.run [extra]\n\n[gui_scripts]\ndemo-gui = demo.cli:main\n\n[other]\nx = y\n"},
		{name: "demo-1.0.data/scripts/tool", data: "#!python\nprint('tool')\n"},
		{name: "demo-1.0.data/scripts/plain.sh", data: "#!/bin/sh\necho plain\n"},
		{name: "demo-1.0.data/headers/demo.h", data: "int demo;\n"},
		{name: "demo-1.0.data/data/share/demo/readme.txt", data: "hello\n"},
		{name: "demo-1.0.data/platlib/_demo_native.py", data: "x = 1\n", mode: 0o755},
	}
}

func install(t *testing.T, b []byte, wheel string, opts ...Option) (*Result, error) {
	t.Helper()
	opts = append([]Option{WithPythonVersion("3.11")}, opts...)
	return Install(bytes.NewReader(b), int64(len(b)), wheel, opts...)
}

func contents(t *testing.T, f *File) string {
	t.Helper()
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("reading %s: %v", f.Path, err)
	}
	return string(b)
}

func TestInstall(t *testing.T) {
	res, err := install(t, makeWheel(t, "demo-1.0.dist-info", demoEntries(), nil), "demo-1.0-py3-none-any.whl")
	if err != nil {
		t.Fatal(err)
	}
	if res.Name != "demo" || res.Version != "1.0" {
		t.Errorf("name, version = %q, %q", res.Name, res.Version)
	}
	const sp = "/opt/venv/lib/python3.11/site-packages/"
	got := map[string]*File{}
	var paths []string
	for _, f := range res.Files {
		got[f.Path] = f
		paths = append(paths, f.Path)
	}
	want := []string{
		"/opt/venv/bin/demo", "/opt/venv/bin/demo-gui", "/opt/venv/bin/demo-x", "/opt/venv/bin/plain.sh", "/opt/venv/bin/tool",
		"/opt/venv/include/site/python3.11/demo/demo.h",
		sp + "_demo_native.py",
		sp + "demo-1.0.dist-info/INSTALLER", sp + "demo-1.0.dist-info/METADATA", sp + "demo-1.0.dist-info/RECORD",
		sp + "demo-1.0.dist-info/WHEEL", sp + "demo-1.0.dist-info/entry_points.txt",
		sp + "demo/__init__.py", sp + "demo/cli.py",
		"/opt/venv/share/demo/readme.txt",
	}
	sort.Strings(want)
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Fatalf("paths:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
	checks := []struct {
		path, content string
		mode          fs.FileMode
	}{
		{"/opt/venv/bin/tool", "#!/opt/venv/bin/python\nprint('tool')\n", 0o755},
		{"/opt/venv/bin/plain.sh", "#!/bin/sh\necho plain\n", 0o755},
		{"/opt/venv/bin/demo", "#!/opt/venv/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom demo.cli import main\nif __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(main())\n", 0o755},
		{"/opt/venv/bin/demo-x", "#!/opt/venv/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom demo.cli import App\nif __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(App.run())\n", 0o755},
		{sp + "demo-1.0.dist-info/INSTALLER", "pyimg\n", 0o644},
		{sp + "demo/__init__.py", "VERSION = '1.0'\n", 0o644},
		{sp + "_demo_native.py", "x = 1\n", 0o755},
		{"/opt/venv/share/demo/readme.txt", "hello\n", 0o644},
	}
	for _, c := range checks {
		f := got[c.path]
		if s := contents(t, f); s != c.content {
			t.Errorf("%s = %q, want %q", c.path, s, c.content)
		}
		if f.Mode != c.mode {
			t.Errorf("%s mode = %o, want %o", c.path, f.Mode, c.mode)
		}
		if f.Size != int64(len(c.content)) {
			t.Errorf("%s size = %d, want %d", c.path, f.Size, len(c.content))
		}
	}
	if len(res.Scripts) != 3 || res.ConsoleScripts["demo"] != "demo.cli:main" || len(res.ConsoleScripts) != 2 {
		t.Errorf("scripts = %v, console = %v", res.Scripts, res.ConsoleScripts)
	}

	// The installed RECORD lists every file with its installed hash, relative
	// to site-packages, itself last without a hash.
	record := contents(t, got[sp+"demo-1.0.dist-info/RECORD"])
	lines := strings.Split(strings.TrimSpace(record), "\n")
	if len(lines) != len(want) {
		t.Fatalf("RECORD has %d lines, want %d:\n%s", len(lines), len(want), record)
	}
	if lines[len(lines)-1] != "demo-1.0.dist-info/RECORD,," {
		t.Errorf("last RECORD line = %q", lines[len(lines)-1])
	}
	tool := "../../../bin/tool," + recordHash([]byte("#!/opt/venv/bin/python\nprint('tool')\n")) + ",37"
	if !strings.Contains(record, tool+"\n") {
		t.Errorf("RECORD lacks %q:\n%s", tool, record)
	}
	if !strings.Contains(record, "../../../share/demo/readme.txt,") || !strings.Contains(record, "demo-1.0.dist-info/INSTALLER,") {
		t.Errorf("RECORD lacks data or INSTALLER rows:\n%s", record)
	}
}

func TestInstallOptions(t *testing.T) {
	res, err := install(t, makeWheel(t, "demo-1.0.dist-info", demoEntries(), nil), "demo-1.0-py3-none-any.whl",
		WithPrefix("/app/env/"), WithPythonVersion("3.12"), WithInterpreter("/app/env/bin/python3"))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range res.Files {
		if !strings.HasPrefix(f.Path, "/app/env/") {
			t.Errorf("%s outside the prefix", f.Path)
		}
		if f.Path == "/app/env/bin/tool" {
			found = true
			if s := contents(t, f); !strings.HasPrefix(s, "#!/app/env/bin/python3\n") {
				t.Errorf("tool = %q", s)
			}
		}
	}
	if !found || res.DistInfo != "/app/env/lib/python3.12/site-packages/demo-1.0.dist-info" {
		t.Errorf("dist-info = %s, tool found %v", res.DistInfo, found)
	}
}

func TestInstallRefuses(t *testing.T) {
	const di = "demo-1.0.dist-info"
	base := []entry{{name: di + "/WHEEL", data: wheelMeta}, {name: "demo/__init__.py", data: "x\n"}}
	with := func(extra ...entry) []entry { return append(append([]entry{}, base...), extra...) }
	md5sum := md5.Sum([]byte("x\n"))
	rec := func(s string) *string { return &s }
	goodWheelHash := recordHash([]byte(wheelMeta))
	tests := []struct {
		name    string
		entries []entry
		record  *string
		wheel   string
		limits  Limits
		want    error
		entry   string
	}{
		{name: "dotdot", entries: with(entry{name: "../evil.py", data: "x"}), want: ErrUnsafe, entry: "../evil.py"},
		{name: "inner dotdot", entries: with(entry{name: "demo/../../evil.py", data: "x"}), want: ErrUnsafe, entry: "demo/../../evil.py"},
		{name: "absolute", entries: with(entry{name: "/etc/passwd", data: "x"}), want: ErrUnsafe, entry: "/etc/passwd"},
		{name: "drive", entries: with(entry{name: "C:/x.py", data: "x"}), want: ErrUnsafe, entry: "C:/x.py"},
		{name: "backslash", entries: with(entry{name: "demo\\..\\..\\x.py", data: "x"}), want: ErrUnsafe},
		{name: "symlink", entries: with(entry{name: "demo/link", data: "/etc/passwd", mode: fs.ModeSymlink | 0o777}), want: ErrUnsafe, entry: "demo/link"},
		{name: "device", entries: with(entry{name: "demo/dev", data: "", mode: fs.ModeDevice | 0o644}), want: ErrUnsafe, entry: "demo/dev"},
		{name: "unclean", entries: with(entry{name: "demo/./x.py", data: "x"}), want: ErrUnsafe},
		{name: "scripts dotdot", entries: with(entry{name: "demo-1.0.data/scripts/../../x", data: "x"}), want: ErrUnsafe},
		{name: "not in RECORD", entries: base, record: rec(di + "/WHEEL," + goodWheelHash + "," + fmt.Sprint(len(wheelMeta)) + "\n"), want: ErrRecord, entry: "demo/__init__.py"},
		{name: "RECORD names missing file", entries: base, record: rec(di + "/WHEEL," + goodWheelHash + ",\ndemo/__init__.py," + recordHash([]byte("x\n")) + ",2\ndemo/gone.py," + recordHash(nil) + ",0\n"), want: ErrRecord, entry: "demo/gone.py"},
		{name: "hash mismatch", entries: base, record: rec(di + "/WHEEL," + goodWheelHash + ",\ndemo/__init__.py," + recordHash([]byte("y\n")) + ",2\n"), want: ErrRecord, entry: "demo/__init__.py"},
		{name: "size mismatch", entries: base, record: rec(di + "/WHEEL," + goodWheelHash + ",\ndemo/__init__.py," + recordHash([]byte("x\n")) + ",3\n"), want: ErrRecord, entry: "demo/__init__.py"},
		{name: "md5", entries: base, record: rec(di + "/WHEEL," + goodWheelHash + ",\ndemo/__init__.py,md5=" + base64.RawURLEncoding.EncodeToString(md5sum[:]) + ",2\n"), want: ErrRecord, entry: "demo/__init__.py"},
		{name: "no hash", entries: base, record: rec(di + "/WHEEL," + goodWheelHash + ",\ndemo/__init__.py,,\n"), want: ErrRecord, entry: "demo/__init__.py"},
		{name: "bad RECORD", entries: base, record: rec("a,b,c,d\n"), want: ErrRecord},
		{name: "duplicate RECORD row", entries: base, record: rec(di + "/WHEEL," + goodWheelHash + ",\n" + di + "/WHEEL," + goodWheelHash + ",\ndemo/__init__.py," + recordHash([]byte("x\n")) + ",2\n"), want: ErrRecord},
		{name: "duplicate entry", entries: with(entry{name: "demo/__init__.py", data: "x\n"}), want: ErrInvalid, entry: "demo/__init__.py"},
		{name: "unknown scheme", entries: with(entry{name: "demo-1.0.data/etc/x", data: "x"}), want: ErrInvalid},
		{name: "wheel version 2", entries: []entry{{name: di + "/WHEEL", data: "Wheel-Version: 2.0\n"}}, want: ErrInvalid},
		{name: "no dist-info", entries: []entry{{name: "demo/__init__.py", data: "x"}}, want: ErrInvalid},
		{name: "name mismatch", entries: base, wheel: "other-1.0-py3-none-any.whl", want: ErrInvalid},
		{name: "bad entry point", entries: with(entry{name: di + "/entry_points.txt", data: "[console_scripts]\nx = demo\n"}), want: ErrInvalid},
		{name: "script name with slash", entries: with(entry{name: di + "/entry_points.txt", data: "[console_scripts]\n../x = demo:main\n"}), want: ErrUnsafe},
		{name: "bomb total", entries: with(entry{name: "demo/big.bin", data: strings.Repeat("\x00", 1<<20)}), limits: Limits{MaxBytes: 1 << 19}, want: ErrLimit, entry: "demo/big.bin"},
		{name: "too many files", entries: with(entry{name: "demo/a", data: ""}, entry{name: "demo/b", data: ""}), limits: Limits{MaxFiles: 3}, want: ErrLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wheel := tt.wheel
			if wheel == "" {
				wheel = "demo-1.0-py3-none-any.whl"
			}
			b := makeWheel(t, di, tt.entries, tt.record)
			_, err := install(t, b, wheel, WithLimits(tt.limits))
			if !errors.Is(err, tt.want) {
				t.Fatalf("Install() = %v, want %v", err, tt.want)
			}
			var ie *Error
			if !errors.As(err, &ie) || ie.Wheel != wheel {
				t.Fatalf("error %v does not name the wheel", err)
			}
			if tt.entry != "" && ie.Entry != tt.entry {
				t.Errorf("error names entry %q, want %q (%v)", ie.Entry, tt.entry, err)
			}
			if !strings.Contains(err.Error(), wheel) {
				t.Errorf("message %q lacks the wheel name", err)
			}
		})
	}
}

func TestVerifyOnRead(t *testing.T) {
	const di = "demo-1.0.dist-info"
	record := di + "/WHEEL," + recordHash([]byte(wheelMeta)) + ",\ndemo/__init__.py," + recordHash([]byte("y\n")) + ",2\n"
	b := makeWheel(t, di, []entry{{name: di + "/WHEEL", data: wheelMeta}, {name: "demo/__init__.py", data: "x\n"}}, &record)
	res, err := install(t, b, "demo-1.0-py3-none-any.whl", WithVerifyOnRead())
	if err != nil {
		t.Fatalf("Install(WithVerifyOnRead) = %v; the content is checked on read", err)
	}
	for _, f := range res.Files {
		if !strings.HasSuffix(f.Path, "/demo/__init__.py") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.ReadAll(rc)
		rc.Close()
		var ie *Error
		if !errors.Is(err, ErrRecord) || !errors.As(err, &ie) || ie.Entry != "demo/__init__.py" {
			t.Errorf("reading a mismatching file = %v, want ErrRecord naming the entry", err)
		}
		return
	}
	t.Fatal("demo/__init__.py not installed")
}

func TestInstallNotZip(t *testing.T) {
	_, err := install(t, []byte("not a zip"), "x-1.0-py3-none-any.whl")
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("Install(garbage) = %v, want ErrInvalid", err)
	}
}

func TestParseEntryPoints(t *testing.T) {
	eps, err := ParseEntryPoints([]byte("# c\n[console_scripts]\na = m:f\n; c\n b=m.x:C.f [e1,e2]\n[gui_scripts]\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []EntryPoint{{"a", "m:f"}, {"b", "m.x:C.f [e1,e2]"}}
	if fmt.Sprint(eps["console_scripts"]) != fmt.Sprint(want) {
		t.Errorf("console_scripts = %v, want %v", eps["console_scripts"], want)
	}
	for _, bad := range []string{"a = b\n", "[x\n", "[x]\nnovalue\n"} {
		if _, err := ParseEntryPoints([]byte(bad)); err == nil {
			t.Errorf("ParseEntryPoints(%q) = nil error", bad)
		}
	}
}

func TestRewriteShebang(t *testing.T) {
	tests := []struct{ in, want string }{
		{"#!python\nx\n", "#!/v/bin/python\nx\n"},
		{"#!pythonw -u\nx\n", "#!/v/bin/python\nx\n"},
		{"#!python", "#!/v/bin/python\n"},
		{"#!/bin/sh\n", "#!/bin/sh\n"},
		{"\x7fELF", "\x7fELF"},
	}
	for _, tt := range tests {
		if got := string(rewriteShebang([]byte(tt.in), "/v/bin/python")); got != tt.want {
			t.Errorf("rewriteShebang(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRelPath(t *testing.T) {
	tests := []struct{ dir, target, want string }{
		{"/opt/venv/lib/python3.11/site-packages", "/opt/venv/bin/x", "../../../bin/x"},
		{"/opt/venv/lib/python3.11/site-packages", "/opt/venv/lib/python3.11/site-packages/a/b", "a/b"},
		{"/a", "/b/c", "../b/c"},
	}
	for _, tt := range tests {
		if got := relPath(tt.dir, tt.target); got != tt.want {
			t.Errorf("relPath(%q, %q) = %q, want %q", tt.dir, tt.target, got, tt.want)
		}
	}
}

func asError(err error, target **Error) bool { return errors.As(err, target) }
