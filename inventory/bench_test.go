package inventory

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/layers"
)

// BenchmarkInventory lists a synthetic image of 1,000 dpkg packages with
// file lists and 1,000 Python distributions of 20 files each (about 45,000
// entries).
func BenchmarkInventory(b *testing.B) {
	var status strings.Builder
	var files []tf
	for i := range 1000 {
		fmt.Fprintf(&status, "Package: pkg%d\nStatus: install ok installed\nArchitecture: amd64\nSource: src%d (1.%d-1)\nVersion: 1.%d-1+b1\nDescription: package %d\n long description\n\n", i, i/4, i, i, i)
		var list strings.Builder
		for j := range 20 {
			fmt.Fprintf(&list, "/usr/share/pkg%d/file%d\n", i, j)
			files = append(files, tf{name: fmt.Sprintf("usr/share/pkg%d/file%d", i, j), body: "x"})
		}
		files = append(files, tf{name: fmt.Sprintf("var/lib/dpkg/info/pkg%d.list", i), body: list.String()})
	}
	files = append(files, tf{name: "var/lib/dpkg/status", body: status.String()})
	site := "opt/venv/lib/python3.12/site-packages/"
	for i := range 1000 {
		di := fmt.Sprintf("%sdist%d-1.0.dist-info/", site, i)
		var record strings.Builder
		for j := range 20 {
			p := fmt.Sprintf("dist%d/mod%d.py", i, j)
			fmt.Fprintf(&record, "%s,sha256=abc,100\n", p)
			files = append(files, tf{name: site + p, body: "pass\n"})
		}
		files = append(files,
			tf{name: di + "METADATA", body: fmt.Sprintf("Metadata-Version: 2.1\nName: Dist%d\nVersion: 1.0\nLicense: MIT\n", i)},
			tf{name: di + "RECORD", body: record.String()},
		)
	}
	img := testImage(b, nil, testLayer(b, files...))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		inv, err := Image(context.Background(), img, WithWalkOptions(layers.WithConcurrency(1)))
		if err != nil {
			b.Fatal(err)
		}
		if len(inv.Packages) != 2000 {
			b.Fatalf("%d packages, want 2000", len(inv.Packages))
		}
	}
}
