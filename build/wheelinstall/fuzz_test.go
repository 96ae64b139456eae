package wheelinstall

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"hash/crc32"
	"io"
	"path"
	"strings"
	"testing"
)

func TestOpenReverifies(t *testing.T) {
	b := makeWheel(t, "demo-1.0.dist-info", demoEntries(), nil)
	res, err := install(t, b, "demo-1.0-py3-none-any.whl")
	if err != nil {
		t.Fatal(err)
	}
	// Corrupt the archive after installation: every file read from the
	// wheel must now fail rather than yield unverified content.
	for i := range b {
		b[i] ^= 0x55
	}
	failed := 0
	for _, f := range res.Files {
		if f.zf == nil {
			continue
		}
		rc, err := f.Open()
		if err == nil {
			_, err = io.ReadAll(rc)
			rc.Close()
		}
		if err != nil {
			failed++
		} else {
			t.Errorf("%s read without error from a corrupted wheel", f.Path)
		}
	}
	if failed == 0 {
		t.Fatal("no file was read from the wheel")
	}
}

func FuzzInstall(f *testing.F) {
	f.Add(makeWheel(f, "demo-1.0.dist-info", demoEntries(), nil))
	f.Add(makeWheel(f, "demo-1.0.dist-info", append(demoEntries(), entry{name: "../x", data: "x"}), nil))
	f.Add(makeWheel(f, "demo-1.0.dist-info", []entry{{name: "demo-1.0.dist-info/WHEEL", data: wheelMeta}, {name: "demo-1.0.data/data/../../x", data: "y"}}, nil))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := Install(bytes.NewReader(b), int64(len(b)), "demo-1.0-py3-none-any.whl",
			WithPythonVersion("3.11"), WithLimits(Limits{MaxFiles: 64, MaxBytes: 1 << 20}))
		if err != nil {
			var ie *Error
			if !asError(err, &ie) {
				t.Fatalf("error %v is not an *Error", err)
			}
			return
		}
		for _, file := range res.Files {
			if path.Clean(file.Path) != file.Path || !strings.HasPrefix(file.Path, "/opt/venv/") {
				t.Fatalf("installed path %q escapes the venv", file.Path)
			}
			rc, err := file.Open()
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, io.LimitReader(rc, 2<<20))
			rc.Close()
			if n > 1<<20+1<<10 {
				t.Fatalf("%s yielded %d bytes past the limit", file.Path, n)
			}
		}
	})
}

// TestInstallBombLiesAboutSize checks that an entry whose content is
// longer than its declared size (how a zip bomb hides) fails rather than
// being read past the declared size.
func TestInstallBombLiesAboutSize(t *testing.T) {
	var raw bytes.Buffer
	fw, _ := flate.NewWriter(&raw, flate.BestCompression)
	fw.Write(bytes.Repeat([]byte{0}, 8<<20))
	fw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, content string) {
		w, _ := zw.Create(name)
		io.WriteString(w, content)
	}
	add("demo-1.0.dist-info/WHEEL", wheelMeta)
	small := "x"
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "demo/bomb.bin", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE([]byte(small)),
		CompressedSize64: uint64(raw.Len()), UncompressedSize64: uint64(len(small))})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(raw.Bytes())
	add("demo-1.0.dist-info/RECORD", "demo-1.0.dist-info/WHEEL,"+recordHash([]byte(wheelMeta))+",\ndemo/bomb.bin,"+recordHash([]byte(small))+",1\ndemo-1.0.dist-info/RECORD,,\n")
	zw.Close()
	b := buf.Bytes()
	_, err = Install(bytes.NewReader(b), int64(len(b)), "demo-1.0-py3-none-any.whl", WithPythonVersion("3.11"))
	var ie *Error
	if !errors.As(err, &ie) || ie.Entry != "demo/bomb.bin" {
		t.Fatalf("Install(bomb) = %v, want an error naming demo/bomb.bin", err)
	}
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "zip: not a valid zip file") {
		t.Errorf("Install(bomb) = %v, want the zip reader's refusal to read past the declared size", err)
	}
}
