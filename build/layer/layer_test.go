package layer

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func fileEntry(p, content string, mode os.FileMode) Entry {
	return Entry{Path: p, Type: File, Mode: mode, Size: int64(len(content)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(content)), nil }}
}

type hdr struct {
	name     string
	typ      byte
	mode     int64
	size     int64
	linkname string
}

func readTar(t *testing.T, b []byte) []hdr {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if b[3] != 0 || !bytes.Equal(b[4:8], []byte{0, 0, 0, 0}) {
		t.Errorf("gzip flags %x, mtime bytes % x: want none and zero", b[3], b[4:8])
	}
	if zr.Name != "" || !zr.ModTime.IsZero() || zr.Comment != "" || zr.Extra != nil {
		t.Errorf("gzip header has name %q, time %v, comment %q, extra %q", zr.Name, zr.ModTime, zr.Comment, zr.Extra)
	}
	tr := tar.NewReader(zr)
	var out []hdr
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s owned by %d:%d (%q:%q)", h.Name, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if !h.ModTime.Equal(time.Unix(EpochUnix, 0)) || !h.AccessTime.IsZero() || !h.ChangeTime.IsZero() {
			t.Errorf("%s times: m %v a %v c %v", h.Name, h.ModTime, h.AccessTime, h.ChangeTime)
		}
		if len(h.PAXRecords) != 0 || h.Format != tar.FormatUSTAR {
			t.Errorf("%s: format %v, PAX %v", h.Name, h.Format, h.PAXRecords)
		}
		out = append(out, hdr{h.Name, h.Typeflag, h.Mode, h.Size, h.Linkname})
	}
}

func TestWrite(t *testing.T) {
	var buf bytes.Buffer
	w, err := Write(&buf, []Entry{
		fileEntry("/opt/venv/bin/app", "#!/x\n", 0o700),
		{Path: "/opt/venv/bin/python", Type: Symlink, Linkname: "/usr/bin/python3.11"},
		fileEntry("/opt/venv/lib/a.py", "a", 0o600),
		fileEntry("/opt/venv/lib-b", "", 0o644),
		{Path: "/app", Type: Dir, Mode: 0o700},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := readTar(t, buf.Bytes())
	want := []hdr{
		{"app/", tar.TypeDir, 0o755, 0, ""},
		{"opt/", tar.TypeDir, 0o755, 0, ""},
		{"opt/venv/", tar.TypeDir, 0o755, 0, ""},
		{"opt/venv/bin/", tar.TypeDir, 0o755, 0, ""},
		{"opt/venv/bin/app", tar.TypeReg, 0o755, 5, ""},
		{"opt/venv/bin/python", tar.TypeSymlink, 0o777, 0, "/usr/bin/python3.11"},
		{"opt/venv/lib/", tar.TypeDir, 0o755, 0, ""},
		{"opt/venv/lib-b", tar.TypeReg, 0o644, 0, ""},
		{"opt/venv/lib/a.py", tar.TypeReg, 0o644, 1, ""},
	}
	// Sorting is bytewise by path ("lib-b" before "lib/a.py", as in the C
	// locale); parents still precede their children.
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("entries:\n%v\nwant:\n%v", got, want)
	}
	if w.Entries != len(want) || w.Bytes != 6 || w.Size != int64(buf.Len()) {
		t.Errorf("Written = %+v", w)
	}
	if d := fmt.Sprintf("sha256:%x", sha256.Sum256(buf.Bytes())); d != w.Digest {
		t.Errorf("digest = %s, want %s", w.Digest, d)
	}
	zr, _ := gzip.NewReader(bytes.NewReader(buf.Bytes()))
	raw, _ := io.ReadAll(zr)
	if d := fmt.Sprintf("sha256:%x", sha256.Sum256(raw)); d != w.DiffID {
		t.Errorf("diffID = %s, want %s", w.DiffID, d)
	}
}

func TestWriteModTime(t *testing.T) {
	var buf bytes.Buffer
	if _, err := Write(&buf, []Entry{fileEntry("/a", "x", 0)}, WithModTime(time.Unix(1700000000, 5e8))); err != nil {
		t.Fatal(err)
	}
	zr, _ := gzip.NewReader(&buf)
	h, err := tar.NewReader(zr).Next()
	if err != nil {
		t.Fatal(err)
	}
	if h.ModTime.Unix() != 1700000000 || h.Format != tar.FormatUSTAR {
		t.Errorf("mtime = %v format %v", h.ModTime, h.Format)
	}
}

func TestWriteLongName(t *testing.T) {
	long := "/" + strings.Repeat("d/", 150) + strings.Repeat("n", 120)
	var buf bytes.Buffer
	if _, err := Write(&buf, []Entry{fileEntry(long, "x", 0)}); err != nil {
		t.Fatal(err)
	}
	zr, _ := gzip.NewReader(&buf)
	tr := tar.NewReader(zr)
	var last string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		last = h.Name
	}
	if "/"+last != long {
		t.Errorf("long name read back as %q", last)
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
	}{
		{"relative", []Entry{fileEntry("a/b", "", 0)}},
		{"unclean", []Entry{fileEntry("/a/../b", "", 0)}},
		{"root", []Entry{{Path: "/", Type: Dir}}},
		{"duplicate", []Entry{fileEntry("/a", "", 0), fileEntry("/a", "", 0)}},
		{"below file", []Entry{fileEntry("/a", "", 0), fileEntry("/a/b", "", 0)}},
		{"short", []Entry{{Path: "/a", Type: File, Size: 5, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("x")), nil }}}},
		{"long", []Entry{{Path: "/a", Type: File, Size: 1, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader("xyz")), nil }}}},
		{"no content", []Entry{{Path: "/a", Type: File, Size: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Write(io.Discard, tt.entries); !errors.Is(err, ErrEntry) {
				t.Errorf("Write() = %v, want ErrEntry", err)
			}
		})
	}
}

// makeTree writes the same project into a fresh temporary directory under
// the given umask.
func makeTree(t *testing.T, umask int) string {
	t.Helper()
	old := syscall.Umask(umask)
	defer syscall.Umask(old)
	dir := t.TempDir()
	files := map[string]string{"pkg/__init__.py": "", "pkg/app.py": "print(1)\n", "static/index.html": "<p>hi</p>\n", "run.sh": "#!/bin/sh\n"}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o777); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o666)
		if strings.HasSuffix(name, ".sh") {
			mode = 0o777
		}
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("pkg/app.py", filepath.Join(dir, "app-link")); err != nil {
		t.Fatal(err)
	}
	// Different times on each run: the layer must not depend on them.
	if err := os.Chtimes(filepath.Join(dir, "pkg/app.py"), time.Now(), time.Now().Add(-time.Duration(umask)*time.Hour)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestFromDirReproducible(t *testing.T) {
	build := func(umask int, tz *time.Location) (string, []byte) {
		oldTZ := time.Local
		time.Local = tz
		defer func() { time.Local = oldTZ }()
		dir := makeTree(t, umask)
		entries, err := FromDir(dir, "/app", func(rel string, _ os.DirEntry) bool { return rel == "static" })
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		w, err := Write(&buf, entries)
		if err != nil {
			t.Fatal(err)
		}
		return w.Digest, buf.Bytes()
	}
	d1, b1 := build(0o022, time.UTC)
	d2, b2 := build(0o077, time.FixedZone("X", -7*3600))
	if d1 != d2 || !bytes.Equal(b1, b2) {
		t.Fatalf("digests differ: %s vs %s", d1, d2)
	}
	got := readTar(t, b1)
	names := make([]string, len(got))
	for i, h := range got {
		names[i] = fmt.Sprintf("%s %o", h.name, h.mode)
	}
	want := "app/ 755,app/app-link 777,app/pkg/ 755,app/pkg/__init__.py 644,app/pkg/app.py 644,app/run.sh 755"
	if strings.Join(names, ",") != want {
		t.Errorf("entries = %s, want %s", strings.Join(names, ","), want)
	}
}

func TestWriteFileAndOpen(t *testing.T) {
	dir := t.TempDir()
	w, file, err := WriteFile(dir, []Entry{fileEntry("/a/b", "hello", 0)})
	if err != nil {
		t.Fatal(err)
	}
	if file != Path(dir, w.Digest) {
		t.Errorf("file = %s", file)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d files, want 1 (no temporaries)", len(ents))
	}
	l, err := Open(file, w)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := l.Digest()
	diff, _ := l.DiffID()
	if d.String() != w.Digest || diff.String() != w.DiffID {
		t.Errorf("layer digests %s %s, want %s %s", d, diff, w.Digest, w.DiffID)
	}
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(rc)
	if got := fmt.Sprintf("sha256:%x", sha256.Sum256(raw)); got != w.DiffID {
		t.Errorf("uncompressed digest %s, want %s", got, w.DiffID)
	}
	// A failed write leaves nothing behind.
	if _, _, err := WriteFile(dir, []Entry{fileEntry("rel", "", 0)}); err == nil {
		t.Fatal("WriteFile(relative) succeeded")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("failed write left %d files", len(ents))
	}
}
