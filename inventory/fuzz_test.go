package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
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
