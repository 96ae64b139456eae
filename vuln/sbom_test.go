package vuln

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/inventory"
)

func TestReadSBOM(t *testing.T) {
	t.Parallel()
	cdx := `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
	  {"type": "library", "name": "libssl3", "purl": "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl"},
	  {"type": "library", "name": "bsdutils", "purl": "pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5%2Bdeb12u3"},
	  {"type": "library", "name": "numpy", "purl": "pkg:pypi/NumPy@2.1.0", "components": [
	    {"type": "file", "name": "libopenblas.so", "purl": "pkg:generic/libopenblas@0.3.27"}]},
	  {"type": "library", "name": "musl", "purl": "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3"},
	  {"type": "library", "name": "dup", "purl": "pkg:pypi/NumPy@2.1.0"},
	  {"type": "library", "name": "noversion", "purl": "pkg:pypi/flask"}
	]}`
	spdx := `{"spdxVersion": "SPDX-2.3", "packages": [
	  {"name": "libssl3", "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12"}]},
	  {"name": "requests", "externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": "cpe:2.3:a:python:requests:2.31.0:*:*:*:*:*:*:*"}, {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:pypi/requests@2.31.0"}]}
	]}`
	for _, tc := range []struct {
		name, doc string
		want      []string
	}{
		{"cyclonedx", cdx, []string{
			"Debian libssl3 3.0.15-1~deb12u1 src=openssl@3.0.15-1~deb12u1",
			"Debian bsdutils 1:2.38.1-5+deb12u3 src=util-linux@2.38.1-5+deb12u3",
			"PyPI numpy 2.1.0 src=@",
			"Alpine musl 1.2.5-r0 src=@",
		}},
		{"spdx", spdx, []string{"Debian libssl3 3.0.15-1~deb12u1 src=@", "PyPI requests 2.31.0 src=@"}},
	} {
		inv, err := ReadSBOM(strings.NewReader(tc.doc))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, p := range inv.Packages {
			got = append(got, p.Ecosystem+" "+p.Name+" "+p.Version+" src="+p.SourceName+"@"+p.SourceVersion)
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s: packages\n%s\nwant\n%s", tc.name, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
	for _, bad := range []string{`{"hello": 1}`, `not json`, `[]`} {
		if _, err := ReadSBOM(strings.NewReader(bad)); !errors.Is(err, ErrNotSBOM) {
			t.Errorf("ReadSBOM(%q) = %v, want ErrNotSBOM", bad, err)
		}
	}
	// The distro qualifier gives the Debian release when os-release is absent.
	inv, _ := ReadSBOM(strings.NewReader(cdx))
	if got := release(inventory.EcosystemDebian, inv.Distro.VersionID, purlDistro(inv.Packages[0].PURL)); got != "12" {
		t.Errorf("release from purl = %q, want 12", got)
	}
}

// pyimg's own SBOMs carry the source package and dpkg ownership beside the
// purl; two copies of one distribution (Debian's and a venv's) both count.
func TestReadSBOMPyimgFacts(t *testing.T) {
	t.Parallel()
	cdx := `{"bomFormat": "CycloneDX", "components": [
	  {"name": "libssl3", "purl": "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?distro=debian-12", "properties": [
	    {"name": "pyimg:source:name", "value": "openssl"}, {"name": "pyimg:source:version", "value": "3.0.15-1~deb12u1"}, {"name": "pyimg:location", "value": "/var/lib/dpkg/status"}]},
	  {"name": "pip", "purl": "pkg:pypi/pip@23.0.1", "properties": [{"name": "pyimg:os-owned", "value": "true"}, {"name": "pyimg:location", "value": "/usr/lib/python3/dist-packages/pip-23.0.1.dist-info"}]},
	  {"name": "pip", "purl": "pkg:pypi/pip@23.0.1", "properties": [{"name": "pyimg:location", "value": "/opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info"}, {"name": "pyimg:layer", "value": "3"}]}
	]}`
	spdx := `{"spdxVersion": "SPDX-2.3", "packages": [
	  {"name": "libc6", "sourceInfo": "found at /var/lib/dpkg/status (layer 0); built from source package glibc 2.36-9+deb12u9", "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:deb/debian/libc6@2.36-9%2Bdeb12u9?distro=debian-12"}]},
	  {"name": "wheel", "comment": "installed by the OS package manager", "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:pypi/wheel@0.38.4"}]}
	]}`
	for _, tc := range []struct {
		doc  string
		want []string
	}{
		{cdx, []string{
			"libssl3 src=openssl@3.0.15-1~deb12u1 os=false at=/var/lib/dpkg/status:0",
			"pip src=@ os=true at=/usr/lib/python3/dist-packages/pip-23.0.1.dist-info:0",
			"pip src=@ os=false at=/opt/venv/lib/python3.11/site-packages/pip-23.0.1.dist-info:3",
		}},
		{spdx, []string{
			"libc6 src=glibc@2.36-9+deb12u9 os=false at=sbom:0",
			"wheel src=@ os=true at=sbom:0",
		}},
	} {
		inv, err := ReadSBOM(strings.NewReader(tc.doc))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range inv.Packages {
			got = append(got, fmt.Sprintf("%s src=%s@%s os=%v at=%s:%d", p.Name, p.SourceName, p.SourceVersion, p.OSOwned, p.Location, p.Layer))
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("packages\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}

func FuzzReadSBOM(f *testing.F) {
	f.Add([]byte(`{"bomFormat": "CycloneDX", "components": [{"purl": "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?distro=debian-12&upstream=openssl", "properties": [{"name": "pyimg:layer", "value": "2"}], "components": [{"purl": "pkg:pypi/a@1"}]}]}`))
	f.Add([]byte(`{"spdxVersion": "SPDX-2.3", "packages": [{"sourceInfo": "built from source package glibc 2.36-9", "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:apk/alpine/musl@1.2.5-r0"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		inv, err := ReadSBOM(strings.NewReader(string(data)))
		if err != nil {
			return
		}
		for _, p := range inv.Packages {
			if p.Name == "" || p.Version == "" || p.Ecosystem == "" {
				t.Fatalf("package without name, version or ecosystem: %+v", p)
			}
		}
	})
}

func FuzzParsePURL(f *testing.F) {
	for _, s := range []string{"pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12", "pkg:pypi/Zope.Interface@5.0#sub/path", "pkg:generic/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePURL(s)
		if err == nil && (p.Type == "" || p.Name == "") {
			t.Fatalf("ParsePURL(%q) = %+v without type or name", s, p)
		}
	})
}

func TestReadSBOMStreams(t *testing.T) {
	t.Parallel()
	// Components before bomFormat, a big field to skip, nested components.
	doc := `{"components": [{"purl": "pkg:pypi/requests@2.31.0", "components": [{"purl": "pkg:pypi/idna@3.7"}]}],
	  "dependencies": [` + strings.Repeat(`{"ref": "x", "dependsOn": ["a", "b"]},`, 1000) + `{}],
	  "metadata": {"component": {"name": "app"}}, "bomFormat": "CycloneDX", "specVersion": "1.6"}`
	inv, err := ReadSBOM(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range inv.Packages {
		got = append(got, p.Name+"@"+p.Version)
	}
	if strings.Join(got, " ") != "requests@2.31.0 idna@3.7" {
		t.Errorf("packages = %v", got)
	}
	for _, bad := range []string{`[1, 2]`, `{"bomFormat": "CycloneDX", "components": {"x": 1}}`, `{"components": [`, `{"a": 1}`, ``} {
		if _, err := ReadSBOM(strings.NewReader(bad)); !errors.Is(err, ErrNotSBOM) {
			t.Errorf("ReadSBOM(%q) = %v, want ErrNotSBOM", bad, err)
		}
	}
}
