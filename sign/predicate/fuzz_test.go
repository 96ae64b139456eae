package predicate

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pyimg/pyimg/sbom"
	"github.com/pyimg/pyimg/vuln"
)

// FuzzFromSBOM feeds attested SBOM predicates (untrusted: anyone with the
// key's signature may have written them) to the package-set reader.
func FuzzFromSBOM(f *testing.F) {
	for _, typ := range []string{TypeCycloneDX, TypeSPDX} {
		doc, err := SBOM(typ, testInventory(), sbom.Source{Name: "r/app:1"}, sbom.WithCreated(time.Unix(0, 0)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(doc))
	}
	f.Add([]byte(`{"bomFormat":"CycloneDX","components":[{"purl":"pkg:pypi/a@1","components":[{"purl":"pkg:"}]}]}`))
	f.Add([]byte(`{"spdxVersion":"SPDX-2.3","packages":[{"externalRefs":[{"referenceType":"purl","referenceLocator":"pkg:deb/debian/x@1"}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := FromSBOM(data)
		if err != nil {
			return
		}
		for k := range s {
			if k == "" {
				t.Fatal("empty package key")
			}
		}
		_ = Compare(s, PackageSet{})
	})
}

// FuzzParseScan feeds attested scan predicates to the reader verify uses.
func FuzzParseScan(f *testing.F) {
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	good, err := Scan(ScanInput{DBBuilt: now, Finished: now, Matches: []vuln.Match{{ID: "CVE-1", Severity: vuln.SeverityHigh}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(good))
	f.Add([]byte(`{"metadata":{"scanFinishedOn":"2026-01-01T00:00:00Z"},"scanner":{"db":{"version":"x"},"result":{"matches":[{"severity":"bogus"}]}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseScan(json.RawMessage(data))
		if err != nil {
			return
		}
		if s.Finished.IsZero() {
			t.Fatal("accepted a scan without a finish time")
		}
	})
}
