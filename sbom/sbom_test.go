package sbom

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/pydist"
	"github.com/pyimg/pyimg/sbom/sbomtest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var (
	testCreated = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	testSource  = Source{
		Name:     "registry.example.com/team/app:1.0",
		Digest:   "sha256:3f1b8d3c3a4e0b1b2c7d1e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b",
		Platform: "linux/amd64",
	}
)

// testInventory is a small Debian image with a venv: OS packages, a
// dpkg-owned Python distribution, the same distribution in a venv, a wheel
// with vendored libraries, and the interpreter built from source.
func testInventory() *inventory.Inventory {
	d := inventory.Distro{ID: "debian", VersionID: "12", Codename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)", Libc: "glibc", LibcVersion: "2.36"}
	deb := func(name, version, src, srcVersion string) inventory.Package {
		return inventory.Package{
			Ecosystem: inventory.EcosystemDebian, Name: name, Version: version, SourceName: src, SourceVersion: srcVersion,
			Arch: "amd64", PURL: inventory.DebPURL(d, name, version, "amd64", inventory.Upstream(name, version, src, srcVersion)), Location: "/var/lib/dpkg/status",
		}
	}
	py := func(name, version, loc string, layer int, licenses ...string) inventory.Package {
		return inventory.Package{
			Ecosystem: inventory.EcosystemPyPI, Name: pydist.NormalizeName(name), Version: version,
			PURL: inventory.PyPIPURL(name, version), Location: loc, Layer: layer, Licenses: licenses,
			Interpreter: "/opt/venv/bin/python3.12", PythonVersion: "3.12.7",
		}
	}
	venv := "/opt/venv/lib/python3.12/site-packages/"
	yaml := py("PyYAML", "6.0", "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info", 0, "MIT")
	yaml.OSOwned, yaml.Interpreter, yaml.PythonVersion = true, "/usr/bin/python3", "3.11.2"
	numpy := py("numpy", "2.1.2", venv+"numpy-2.1.2.dist-info", 2, "BSD License")
	lib := func(name, version, file string) inventory.Package {
		return inventory.Package{
			Ecosystem: inventory.EcosystemGeneric, Name: name, Version: version, PURL: inventory.GenericPURL(name, version),
			Location: venv + "numpy.libs/" + file, Layer: 2, Parent: numpy.PURL,
		}
	}
	return &inventory.Inventory{Distro: d, Packages: []inventory.Package{
		deb("libc6", "2.36-9+deb12u9", "glibc", "2.36-9+deb12u9"),
		deb("libssl3", "3.0.15-1~deb12u1", "openssl", "3.0.15-1~deb12u1"),
		deb("bsdutils", "1:2.38.1-5+deb12u3", "util-linux", "2.38.1-5+deb12u3"),
		deb("python3-yaml", "6.0-3+b2", "pyyaml", "6.0-3"),
		yaml,
		py("PyYAML", "6.0.2", venv+"PyYAML-6.0.2.dist-info", 2, "MIT"),
		py("Zope.Interface", "7.0.1", venv+"zope.interface-7.0.1.dist-info", 2, "ZPL-2.1"),
		py("requests", "2.32.3", venv+"requests-2.32.3.dist-info", 2, "Apache-2.0"),
		numpy,
		lib("libopenblas64_p-r0", "3.23.dev", "libopenblas64_p-r0-0cf96a72.3.23.dev.so"),
		lib("libgfortran", "5.0.0", "libgfortran-040039e1.so.5.0.0"),
		{
			Ecosystem: inventory.EcosystemGeneric, Name: "python", Version: "3.12.7", PURL: inventory.GenericPURL("python", "3.12.7"),
			CPE: inventory.PythonCPE("3.12.7"), Location: "/usr/local/bin/python3.12", Layer: 1,
		},
	}}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test ./sbom -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./sbom -update to accept):\n%s", name, got)
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		format, file, schema string
	}{
		{FormatSPDXJSON, "app.spdx.json", sbomtest.SPDX23},
		{FormatCycloneDXJSON, "app.cdx.json", sbomtest.CycloneDX16},
		{FormatTable, "app.txt", ""},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Encode(&buf, tt.format, testInventory(), testSource, WithCreated(testCreated), WithToolVersion("1.0.0")); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.file, buf.Bytes())
			if tt.schema != "" {
				if err := sbomtest.Validate(tt.schema, buf.Bytes()); err != nil {
					t.Errorf("%s does not validate: %v", tt.format, err)
				}
			}
		})
	}
}

// TestDeterministic encodes the same inventory with its packages in a
// different order and expects the same bytes.
func TestDeterministic(t *testing.T) {
	for _, f := range []string{FormatSPDXJSON, FormatCycloneDXJSON, FormatTable} {
		a, b := testInventory(), testInventory()
		for i, j := 0, len(b.Packages)-1; i < j; i, j = i+1, j-1 {
			b.Packages[i], b.Packages[j] = b.Packages[j], b.Packages[i]
		}
		var ba, bb bytes.Buffer
		if err := Encode(&ba, f, a, testSource, WithCreated(testCreated)); err != nil {
			t.Fatal(err)
		}
		if err := Encode(&bb, f, b, testSource, WithCreated(testCreated)); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ba.Bytes(), bb.Bytes()) {
			t.Errorf("%s: output depends on package order", f)
		}
	}
}

func TestSPDXRelationships(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSPDX(&buf, testInventory(), testSource, WithCreated(testCreated)); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Namespace string `json:"documentNamespace"`
		Packages  []struct {
			ID   string `json:"SPDXID"`
			Name string `json:"name"`
		} `json:"packages"`
		Relationships []struct {
			A    string `json:"spdxElementId"`
			B    string `json:"relatedSpdxElement"`
			Type string `json:"relationshipType"`
		} `json:"relationships"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(doc.Namespace, "app-3f1b8d3c3a4e0b1b2c7d1e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b") {
		t.Errorf("namespace %q does not derive from the digest", doc.Namespace)
	}
	names := map[string]string{}
	for _, p := range doc.Packages {
		names[p.ID] = p.Name
	}
	rel := map[string]string{} // child name -> parent name
	describes, contains := 0, 0
	for _, r := range doc.Relationships {
		switch r.Type {
		case "DESCRIBES":
			describes++
			if r.A != "SPDXRef-DOCUMENT" || r.B != "SPDXRef-Image" {
				t.Errorf("DESCRIBES %s -> %s", r.A, r.B)
			}
		case "CONTAINS":
			contains++
			rel[names[r.B]] = names[r.A]
		}
	}
	if describes != 1 || contains != len(doc.Packages)-1 {
		t.Errorf("%d DESCRIBES and %d CONTAINS for %d packages", describes, contains, len(doc.Packages))
	}
	if rel["libopenblas64_p-r0"] != "numpy" || rel["libgfortran"] != "numpy" || rel["libc6"] != "app" {
		t.Errorf("CONTAINS parents: %v", rel)
	}
}

func TestSerialFromDigest(t *testing.T) {
	a := serialUUID(testSource)
	if a != serialUUID(testSource) || a == serialUUID(Source{Digest: "sha256:00"}) {
		t.Errorf("serialUUID is not a function of the digest")
	}
	if len(a) != 36 || a[14] != '5' {
		t.Errorf("serialUUID = %q, want a version-5 UUID", a)
	}
}

func TestLicenseExpression(t *testing.T) {
	for _, tt := range []struct {
		in   []string
		want string
	}{
		{[]string{"MIT"}, "MIT"},
		{[]string{"BSD-3-Clause OR Apache-2.0"}, "BSD-3-Clause OR Apache-2.0"},
		{[]string{"MIT", "Apache-2.0 OR BSD-2-Clause"}, "MIT AND (Apache-2.0 OR BSD-2-Clause)"},
		{[]string{"BSD License"}, ""},
		{[]string{"GPL-2.0-or-later WITH Classpath-exception-2.0"}, "GPL-2.0-or-later WITH Classpath-exception-2.0"},
		{[]string{"mit"}, "MIT"},
		{[]string{"(MIT OR apache-2.0) and BSD-3-Clause"}, "(MIT OR Apache-2.0) AND BSD-3-Clause"},
		{[]string{"GPL-2.0+"}, "GPL-2.0+"},
		{[]string{"custom"}, ""},
		{[]string{"MIT OR"}, ""},
		{[]string{"(MIT"}, ""},
		{[]string{"MIT)"}, ""},
		{[]string{"MIT Apache-2.0"}, ""},
		{[]string{"MIT", "custom"}, ""},
		{nil, ""},
	} {
		if got := licenseExpression(tt.in); got != tt.want {
			t.Errorf("licenseExpression(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEmptyInventoryValidates(t *testing.T) {
	inv := &inventory.Inventory{Packages: []inventory.Package{}}
	for f, schema := range map[string]string{FormatSPDXJSON: sbomtest.SPDX23, FormatCycloneDXJSON: sbomtest.CycloneDX16} {
		var buf bytes.Buffer
		if err := Encode(&buf, f, inv, Source{Name: "oci-archive:x.tar"}, WithCreated(testCreated)); err != nil {
			t.Fatal(err)
		}
		if err := sbomtest.Validate(schema, buf.Bytes()); err != nil {
			t.Errorf("%s of an empty inventory: %v\n%s", f, err, buf.Bytes())
		}
	}
}

func TestUnknownFormat(t *testing.T) {
	if err := Encode(&bytes.Buffer{}, "xml", testInventory(), testSource); err == nil {
		t.Error("Encode(xml) succeeded")
	}
}

func TestImagePURL(t *testing.T) {
	for _, tt := range []struct {
		src  Source
		want string
	}{
		{testSource, "pkg:oci/app@sha256:3f1b8d3c3a4e0b1b2c7d1e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b?repository_url=registry.example.com%2Fteam%2Fapp"},
		{Source{Name: "oci-archive:/tmp/My.tar", Digest: "sha256:ab"}, "pkg:oci/my.tar@sha256:ab"},
		{Source{Name: "127.0.0.1:5000/app@sha256:ab", Digest: "sha256:ab"}, "pkg:oci/app@sha256:ab?repository_url=127.0.0.1:5000%2Fapp"},
		{Source{Name: "x"}, ""},
	} {
		if got := imagePURL(tt.src); got != tt.want {
			t.Errorf("imagePURL(%+v) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

// TestSchemasReject makes sure the schema check is not vacuous.
func TestSchemasReject(t *testing.T) {
	for _, tt := range []struct{ schema, doc string }{
		{sbomtest.SPDX23, `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT"}`},
		{sbomtest.CycloneDX16, `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"no-such-type","name":"x"}]}`},
		{sbomtest.CycloneDX16, `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{"type":"library","name":"x","licenses":[{"license":{"id":"Not-A-License"}}]}]}`},
	} {
		if err := sbomtest.Validate(tt.schema, []byte(tt.doc)); err == nil {
			t.Errorf("Validate(%s, %s) = nil, want an error", tt.schema, tt.doc)
		}
	}
}
