package wheelinstall

import (
	"bytes"
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
