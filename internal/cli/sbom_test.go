package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/sbom/sbomtest"
)

// sbomImage writes a Debian-like image with one dpkg package, a venv with
// one distribution, and a second layer that deletes another distribution.
func sbomImage(t *testing.T) string {
	t.Helper()
	site := "opt/venv/lib/python3.11/site-packages/"
	l0 := layerOf(t,
		tarFile{name: "etc/os-release", body: "ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"},
		tarFile{name: "var/lib/dpkg/status", body: "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u9\n"},
		tarFile{name: site + "requests-2.32.3.dist-info/METADATA", body: "Metadata-Version: 2.1\nName: requests\nVersion: 2.32.3\nLicense: Apache-2.0\n"},
		tarFile{name: site + "gone-1.0.dist-info/METADATA", body: "Name: gone\nVersion: 1.0\n"},
	)
	l1 := layerOf(t, tarFile{name: site + ".wh.gone-1.0.dist-info"})
	return ociLayoutOf(t, l0, l1)
}

func TestSbomFormats(t *testing.T) {
	ref := sbomImage(t)
	r := run(t, nil, "sbom", ref)
	if r.code != ExitOK {
		t.Fatalf("sbom: exit %d, stderr %s", r.code, r.stderr)
	}
	for _, want := range []string{"libc6", "2.36-9+deb12u9", "requests", "2.32.3", "2 packages", "Debian GNU/Linux 12"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "gone") {
		t.Errorf("table lists a distribution deleted by a later layer:\n%s", r.stdout)
	}

	for _, tt := range []struct{ format, schema, purl string }{
		{"spdx-json", sbomtest.SPDX23, `"referenceLocator": "pkg:pypi/requests@2.32.3"`},
		{"cyclonedx-json", sbomtest.CycloneDX16, `"purl": "pkg:pypi/requests@2.32.3"`},
	} {
		t.Run(tt.format, func(t *testing.T) {
			r := run(t, nil, "sbom", "--format", tt.format, ref)
			if r.code != ExitOK {
				t.Fatalf("exit %d, stderr %s", r.code, r.stderr)
			}
			if err := sbomtest.Validate(tt.schema, []byte(r.stdout)); err != nil {
				t.Errorf("output does not validate: %v", err)
			}
			if !strings.Contains(r.stdout, tt.purl) || !strings.Contains(r.stdout, "pkg:deb/debian/libc6@2.36-9%2Bdeb12u9?arch=amd64&distro=debian-12") {
				t.Errorf("output lacks the purls:\n%s", r.stdout)
			}
			if !strings.Contains(r.stdout, "2026-11-22T00:00:00Z") {
				t.Errorf("creation time is not the clock's")
			}
			again := run(t, nil, "sbom", "--format", tt.format, ref)
			if again.stdout != r.stdout {
				t.Errorf("two runs differ")
			}
		})
	}
}

func TestSbomTimestamp(t *testing.T) {
	ref := sbomImage(t)
	created := func(r result) string {
		var doc struct {
			Metadata struct {
				Timestamp string `json:"timestamp"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
			t.Fatalf("exit %d, %v: %s", r.code, err, r.stderr)
		}
		return doc.Metadata.Timestamp
	}
	tests := []struct {
		name string
		opts []runOpt
		args []string
		want string
	}{
		{"flag RFC 3339", nil, []string{"--timestamp", "2025-01-02T03:04:05+01:00"}, "2025-01-02T02:04:05Z"},
		{"flag Unix", nil, []string{"--timestamp", "0"}, "1970-01-01T00:00:00Z"},
		{"SOURCE_DATE_EPOCH", []runOpt{withEnv("SOURCE_DATE_EPOCH", "1700000000")}, nil, "2023-11-14T22:13:20Z"},
		{"flag wins", []runOpt{withEnv("SOURCE_DATE_EPOCH", "1700000000")}, []string{"--timestamp", "0"}, "1970-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"sbom", "-f", "cyclonedx-json"}, tt.args...)
			if got := created(run(t, tt.opts, append(args, ref)...)); got != tt.want {
				t.Errorf("timestamp = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSbomExitCodes(t *testing.T) {
	ref := sbomImage(t)
	tests := []struct {
		name string
		opts []runOpt
		args []string
		want int
	}{
		{"unknown format", nil, []string{"sbom", "-f", "xml", ref}, ExitUsage},
		{"bad timestamp", nil, []string{"sbom", "--timestamp", "yesterday", ref}, ExitUsage},
		{"bad SOURCE_DATE_EPOCH", []runOpt{withEnv("SOURCE_DATE_EPOCH", "soon")}, []string{"sbom", ref}, ExitUsage},
		{"missing archive", nil, []string{"sbom", "oci-archive:" + filepath.Join(t.TempDir(), "none.tar")}, ExitUsage},
		{"no image", nil, []string{"sbom"}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := run(t, tt.opts, tt.args...); r.code != tt.want {
				t.Errorf("pyimg %v: exit %d, want %d (stderr %s)", tt.args, r.code, tt.want, r.stderr)
			}
		})
	}
}
