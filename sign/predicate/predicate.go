// Package predicate builds and reads the in-toto predicates pyimg attests:
// an SBOM (CycloneDX or SPDX, computed from the image's packages), a
// vulnerability scan (cosign's vuln predicate, with the database date) and
// SLSA v1 build provenance. It also compares an attested SBOM with the
// packages an image actually holds.
package predicate

import (
	"fmt"
	"strings"
)

// Predicate type URIs, the ones cosign attest --type uses for the same
// content, so `cosign verify-attestation --type …` finds them.
const (
	// TypeCycloneDX is a CycloneDX JSON BOM (cosign --type cyclonedx).
	TypeCycloneDX = "https://cyclonedx.org/bom"
	// TypeSPDX is an SPDX JSON document (cosign --type spdxjson).
	TypeSPDX = "https://spdx.dev/Document"
	// TypeVuln is cosign's vulnerability scan predicate (cosign --type vuln).
	TypeVuln = "https://cosign.sigstore.dev/attestation/vuln/v1"
	// TypeSLSAProvenance1 is SLSA provenance v1 (cosign --type slsaprovenance1).
	TypeSLSAProvenance1 = "https://slsa.dev/provenance/v1"
)

// Kinds pyimg attests, as given to `pyimg attest --type`.
const (
	KindCycloneDX  = "cyclonedx"
	KindSPDX       = "spdx"
	KindScan       = "scan"
	KindProvenance = "provenance"
)

// Kinds lists the attestation kinds in the order help text shows them.
var Kinds = []string{KindCycloneDX, KindSPDX, KindScan, KindProvenance}

// TypeOf returns the predicate type URI of a kind.
func TypeOf(kind string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(kind)) {
	case KindCycloneDX:
		return TypeCycloneDX, nil
	case KindSPDX, "spdxjson":
		return TypeSPDX, nil
	case KindScan, "vuln":
		return TypeVuln, nil
	case KindProvenance, "slsaprovenance1":
		return TypeSLSAProvenance1, nil
	}
	return "", fmt.Errorf("unknown attestation type %q: want one of %s", kind, strings.Join(Kinds, ", "))
}

// Requirements pyimg verify accepts in --require, and the predicate types
// that satisfy each.
var Requirements = map[string][]string{
	"sbom":       {TypeCycloneDX, TypeSPDX},
	"scan":       {TypeVuln},
	"provenance": {TypeSLSAProvenance1},
}
