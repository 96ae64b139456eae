package inventory

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/layers"
)

func addSeeds(f *testing.F, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzParseDpkgStatus(f *testing.F) {
	addSeeds(f, "dpkg/status", "dpkg/status.d/libssl3", "dpkg/status.d/tzdata")
	f.Add([]byte("Package: a\nSource: b (1\nVersion: 1\n \n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, req := range []bool{true, false} {
			for _, p := range parseDpkgStatus(b, req) {
				if p.name == "" || p.version == "" || p.source == "" || p.sourceVersion == "" {
					t.Fatalf("incomplete package %+v", p)
				}
				if strings.ContainsAny(p.name, " \n/") {
					t.Fatalf("bad name %q", p.name)
				}
				_ = DebPURL(Distro{ID: "debian", VersionID: "12"}, p.name, p.version, p.arch, Upstream(p.name, p.version, p.source, p.sourceVersion))
			}
		}
	})
}

func FuzzParseApkInstalled(f *testing.F) {
	addSeeds(f, "apk/installed")
	f.Add([]byte("P:a\nV:1\nR:x\nF:\nR:y\n\n\nP:\nV:2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, p := range parseApkInstalled(b) {
			if p.name == "" || p.version == "" || p.origin == "" {
				t.Fatalf("incomplete package %+v", p)
			}
			for _, f := range p.files {
				if !strings.HasPrefix(f, "/") {
					t.Fatalf("relative file %q", f)
				}
			}
		}
	})
}

func FuzzParseMetadata(f *testing.F) {
	addSeeds(f, "python/PyYAML-METADATA", "python/PyJWT-PKG-INFO", "python/license-expression-METADATA", "python/classifier-METADATA")
	f.Fuzz(func(t *testing.T, b []byte) {
		m := parseMetadata(b)
		_ = PyPIPURL(m.name, m.version)
		for _, p := range parseRecord(b, "/site") {
			if !strings.HasPrefix(p, "/") {
				t.Fatalf("RECORD path %q is not absolute", p)
			}
		}
	})
}

// FuzzVisitor feeds arbitrary entries (paths, whiteouts, contents) to a
// Visitor across two layers and checks Result never fails or panics.
func FuzzVisitor(f *testing.F) {
	f.Add([]byte("/var/lib/dpkg/status\x00Package: a\nStatus: install ok installed\nVersion: 1\n\x00/opt/s/a-1.dist-info/METADATA\x00Name: a\nVersion: 1\n\x00/opt/s/a.libs/x-0123abcd.so.1\x00\x00!/opt/s\x00"))
	f.Add([]byte("/lib/apk/db/installed\x00P:musl\nV:1\nR:x\n\x00/etc/os-release\x00ID=alpine\n\x00/usr/local/bin/python3.12\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		v := New(nil)
		parts := strings.Split(string(b), "\x00")
		for layer := range 2 {
			lv := v.VisitLayer(layers.Layer{Index: layer})
			for i := layer; i+1 < len(parts); i += 2 {
				p, content := parts[i], []byte(parts[i+1])
				e := &layers.Entry{Layer: layer, Path: path.Clean("/" + strings.TrimPrefix(p, "!")), Type: layers.TypeFile, Size: int64(len(content))}
				if strings.HasPrefix(p, "!") {
					e.Whiteout = true
				}
				if n := lv.Want(e); n >= 0 && int64(len(content)) > n {
					content = content[:n]
				}
				if err := lv.Entry(e, content); err != nil {
					t.Fatal(err)
				}
			}
			if err := lv.Done(layers.Stats{}); err != nil {
				t.Fatal(err)
			}
		}
		inv, err := v.Result()
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range inv.Packages {
			if p.PURL == "" || p.Name == "" {
				t.Fatalf("package without purl or name: %+v", p)
			}
		}
	})
}
