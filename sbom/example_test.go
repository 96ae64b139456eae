package sbom_test

import (
	"os"
	"time"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/sbom"
)

func ExampleWriteTable() {
	inv := &inventory.Inventory{
		Distro: inventory.Distro{ID: "debian", VersionID: "12", PrettyName: "Debian GNU/Linux 12 (bookworm)", Libc: "glibc", LibcVersion: "2.36"},
		Packages: []inventory.Package{
			{Ecosystem: inventory.EcosystemPyPI, Name: "requests", Version: "2.32.3", PURL: inventory.PyPIPURL("requests", "2.32.3"), Location: "/opt/venv/lib/python3.12/site-packages/requests-2.32.3.dist-info"},
		},
	}
	_ = sbom.WriteTable(os.Stdout, inv, sbom.Source{Name: "app:1.0"})
	// Output:
	// Image:  app:1.0
	// OS:     Debian GNU/Linux 12 (bookworm), glibc 2.36
	// NAME      VERSION  TYPE  LOCATION
	// requests  2.32.3   PyPI  /opt/venv/lib/python3.12/site-packages/requests-2.32.3.dist-info
	// 1 packages
}

func ExampleEncode() {
	inv := &inventory.Inventory{Packages: []inventory.Package{}}
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// The same image and time always give the same bytes.
	_ = sbom.Encode(os.Stdout, sbom.FormatCycloneDXJSON, inv, sbom.Source{Name: "app:1.0", Digest: "sha256:ab"}, sbom.WithCreated(created))
}
