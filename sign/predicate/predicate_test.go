package predicate

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/sbom"
	"github.com/pyimg/pyimg/vuln"
)

func testInventory() *inventory.Inventory {
	return &inventory.Inventory{Packages: []inventory.Package{
		{Ecosystem: "Debian", Name: "openssl", Version: "3.0.15-1~deb12u1", PURL: "pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12", Location: "/var/lib/dpkg/status"},
		{Ecosystem: "PyPI", Name: "Flask_Login", Version: "0.6.3", PURL: "pkg:pypi/flask-login@0.6.3", Location: "/app/.venv/lib/python3.12/site-packages"},
		{Ecosystem: "generic", Name: "python", Version: "3.12.7", PURL: "pkg:generic/python@3.12.7", Location: "/usr/local/bin/python3.12"},
	}}
}

func TestSBOMPredicatesListTheInventory(t *testing.T) {
	inv := testInventory()
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, typ := range []string{TypeCycloneDX, TypeSPDX} {
		t.Run(typ, func(t *testing.T) {
			pred, err := SBOM(typ, inv, sbom.Source{Name: "r/app:1", Digest: "sha256:" + strings.Repeat("a", 64)}, sbom.WithCreated(created))
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(pred) {
				t.Fatal("predicate is not JSON")
			}
			got, err := FromSBOM(pred)
			if err != nil {
				t.Fatal(err)
			}
			if d := Compare(got, FromInventory(inv)); !d.Empty() {
				t.Fatalf("Compare(own SBOM, inventory) = %+v, want equal sets %v", d, got)
			}
			// One package fewer in the image: reported as extra; one more:
			// reported as missing.
			less := &inventory.Inventory{Packages: inv.Packages[1:]}
			d := Compare(got, FromInventory(less))
			if len(d.Extra) != 1 || !strings.HasPrefix(d.Extra[0], "deb/openssl@") || len(d.Missing) != 0 {
				t.Fatalf("Compare(SBOM, image without openssl) = %+v", d)
			}
			more := &inventory.Inventory{Packages: append(append([]inventory.Package{}, inv.Packages...), inventory.Package{Ecosystem: "PyPI", Name: "evil", Version: "1.0", PURL: "pkg:pypi/evil@1.0"})}
			d = Compare(got, FromInventory(more))
			if len(d.Missing) != 1 || d.Missing[0] != "pypi/evil@1.0" || len(d.Extra) != 0 {
				t.Fatalf("Compare(SBOM, image with evil) = %+v", d)
			}
		})
	}
	if _, err := SBOM(TypeVuln, inv, sbom.Source{}); err == nil {
		t.Fatal("SBOM(vuln type) succeeded")
	}
}

func TestPURLKeyNormalizesNames(t *testing.T) {
	for in, want := range map[string]string{
		"pkg:pypi/Flask_Login@0.6.3":                      "pypi/flask-login@0.6.3",
		"pkg:pypi/flask.login@0.6.3":                      "pypi/flask-login@0.6.3",
		"pkg:deb/debian/libc6@2.36-9?arch=amd64":          "deb/libc6@2.36-9",
		"pkg:oci/app@sha256%3Aabc":                        "",
		"not a purl":                                      "",
		"pkg:apk/alpine/musl@1.2.5-r0?distro=alpine-3.20": "apk/musl@1.2.5-r0",
	} {
		if got := purlKey(in); got != want {
			t.Errorf("purlKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSplitKeepsListedTypes(t *testing.T) {
	s := PackageSet{"deb/libc6@2.36": true, "pypi/flask@3.0.0": true, "golang/github.com/x@v1": true, "npm/left-pad@1.0.0": true, "npm/a@1": true}
	listed, other := s.Split()
	if len(listed) != 2 || !listed["deb/libc6@2.36"] || other["npm"] != 2 || other["golang"] != 1 {
		t.Fatalf("Split = %v, %v", listed, other)
	}
}

func TestFromSBOMRejectsOtherDocuments(t *testing.T) {
	for _, doc := range []string{`{}`, `[]`, `{"bomFormat":"other"}`, `nope`} {
		if _, err := FromSBOM([]byte(doc)); err == nil {
			t.Errorf("FromSBOM(%s) succeeded", doc)
		}
	}
}

func TestScanRoundTrip(t *testing.T) {
	built := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	ms := []vuln.Match{
		{ID: "CVE-2099-1", Package: vuln.PackageRef{Name: "openssl"}, InstalledVersion: "3.0.15", Severity: vuln.SeverityCritical},
		{ID: "CVE-2099-2", Package: vuln.PackageRef{Name: "pip"}, InstalledVersion: "23.0", Severity: vuln.SeverityLow},
	}
	pred, err := Scan(ScanInput{ToolVersion: "1.0", DBBuilt: built, Packages: 10, Matches: ms, Started: built.Add(time.Hour), Finished: built.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	// cosign's vuln predicate shape.
	var shape map[string]map[string]any
	if err := json.Unmarshal(pred, &shape); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"invocation", "scanner", "metadata"} {
		if shape[k] == nil {
			t.Errorf("predicate lacks %q: %s", k, pred)
		}
	}
	if db := shape["scanner"]["db"].(map[string]any); db["version"] != "2026-11-20T00:00:00Z" {
		t.Errorf("scanner.db.version = %v", db["version"])
	}
	f, err := ParseScan(pred)
	if err != nil {
		t.Fatal(err)
	}
	if !f.DBBuilt.Equal(built) || !f.Finished.Equal(built.Add(2*time.Hour)) || len(f.Findings) != 2 ||
		f.Findings[0].Severity != vuln.SeverityCritical || f.Findings[1].Package != "pip" {
		t.Fatalf("ParseScan = %+v", f)
	}
	if _, err := ParseScan(json.RawMessage(`{"scanner":{}}`)); err == nil {
		t.Error("ParseScan accepted a predicate without scanFinishedOn")
	}
}

func TestProvenance(t *testing.T) {
	sum := strings.Repeat("ab", 32)
	pred, err := NewProvenance(ProvenanceInput{
		BaseImage: "docker.io/library/python:3.12-slim", BaseDigest: "sha256:" + sum,
		LockFile: "uv.lock", LockSHA256: sum,
		Wheels:      []Wheel{{Name: "flask-3.0.0-py3-none-any.whl", SHA256: sum}},
		ToolVersion: "1.2.3", Started: time.Unix(1, 0), Finished: time.Unix(2, 0),
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParseProvenance(pred)
	if err != nil {
		t.Fatal(err)
	}
	deps := p.BuildDefinition.ResolvedDependencies
	if p.BuildDefinition.BuildType != BuildTypePyimg || p.RunDetails.Builder.ID != BuilderPyimg || len(deps) != 3 {
		t.Fatalf("provenance = %s", pred)
	}
	if deps[0].URI != "oci://docker.io/library/python:3.12-slim@sha256:"+sum || deps[1].Name != "uv.lock" || deps[2].Digest["sha256"] != sum {
		t.Fatalf("resolvedDependencies = %+v", deps)
	}
	for _, bad := range []ProvenanceInput{
		{BaseImage: "python", BaseDigest: "sha256:short"},
		{LockFile: "uv.lock", LockSHA256: "XYZ"},
		{Wheels: []Wheel{{Name: "w.whl", SHA256: ""}}},
	} {
		if _, err := NewProvenance(bad); err == nil {
			t.Errorf("NewProvenance(%+v) succeeded", bad)
		}
	}
	if _, err := ParseProvenance(json.RawMessage(`{"buildDefinition":{}}`)); err == nil {
		t.Error("ParseProvenance accepted a predicate without buildType")
	}
}

func TestTypeOf(t *testing.T) {
	for kind, want := range map[string]string{"cyclonedx": TypeCycloneDX, "SPDX": TypeSPDX, "scan": TypeVuln, "provenance": TypeSLSAProvenance1, "vuln": TypeVuln} {
		if got, err := TypeOf(kind); err != nil || got != want {
			t.Errorf("TypeOf(%q) = %q, %v", kind, got, err)
		}
	}
	if _, err := TypeOf("sbom"); err == nil {
		t.Error("TypeOf(sbom) succeeded")
	}
}
