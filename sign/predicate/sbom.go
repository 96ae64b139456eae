package predicate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/sbom"
	"github.com/pyimg/pyimg/vuln"
)

// SBOM encodes inv as the predicate of predicateType (TypeCycloneDX or
// TypeSPDX), the same document `pyimg sbom` writes.
func SBOM(predicateType string, inv *inventory.Inventory, src sbom.Source, opts ...sbom.Option) (json.RawMessage, error) {
	format := ""
	switch predicateType {
	case TypeCycloneDX:
		format = sbom.FormatCycloneDXJSON
	case TypeSPDX:
		format = sbom.FormatSPDXJSON
	default:
		return nil, fmt.Errorf("predicate type %q is not an SBOM", predicateType)
	}
	var buf bytes.Buffer
	if err := sbom.Encode(&buf, format, inv, src, opts...); err != nil {
		return nil, fmt.Errorf("encoding %s SBOM: %w", format, err)
	}
	return json.RawMessage(bytes.TrimSpace(buf.Bytes())), nil
}

// PackageSet is a set of packages keyed "type/name@version", from purls.
type PackageSet map[string]bool

// FromInventory returns the package set of an inventory.
func FromInventory(inv *inventory.Inventory) PackageSet {
	s := PackageSet{}
	for _, p := range inv.Packages {
		if k := purlKey(p.PURL); k != "" {
			s[k] = true
		}
	}
	return s
}

// FromSBOM returns the package set of a CycloneDX JSON document (every
// component's purl, nested ones too) or an SPDX JSON document (every
// package's purl external reference).
func FromSBOM(doc []byte) (PackageSet, error) {
	var d struct {
		BOMFormat   string         `json:"bomFormat"`
		SPDXVersion string         `json:"spdxVersion"`
		Components  []cdxComponent `json:"components"`
		Packages    []struct {
			ExternalRefs []struct {
				Type    string `json:"referenceType"`
				Locator string `json:"referenceLocator"`
			} `json:"externalRefs"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		return nil, fmt.Errorf("reading attested SBOM: %w", err)
	}
	s := PackageSet{}
	add := func(purl string) {
		if k := purlKey(purl); k != "" {
			s[k] = true
		}
	}
	switch {
	case d.BOMFormat == "CycloneDX":
		var walk func([]cdxComponent, int)
		walk = func(cs []cdxComponent, depth int) {
			if depth > 32 {
				return
			}
			for _, c := range cs {
				add(c.PURL)
				walk(c.Components, depth+1)
			}
		}
		walk(d.Components, 0)
	case strings.HasPrefix(d.SPDXVersion, "SPDX-"):
		for _, p := range d.Packages {
			for _, r := range p.ExternalRefs {
				if strings.EqualFold(r.Type, "purl") {
					add(r.Locator)
				}
			}
		}
	default:
		return nil, fmt.Errorf("reading attested SBOM: %w", vuln.ErrNotSBOM)
	}
	return s, nil
}

type cdxComponent struct {
	PURL       string         `json:"purl"`
	Components []cdxComponent `json:"components"`
}

// Listed are the purl types pyimg's inventory produces; only packages of
// these types can be checked against an image.
var Listed = map[string]bool{"deb": true, "apk": true, "pypi": true, "generic": true}

// Split returns the part of s whose purl types pyimg lists and the count of
// the rest by type (an SBOM from another tool may list Go modules or npm
// packages pyimg does not look for).
func (s PackageSet) Split() (listed PackageSet, other map[string]int) {
	listed, other = PackageSet{}, map[string]int{}
	for k := range s {
		typ, _, _ := strings.Cut(k, "/")
		if Listed[typ] {
			listed[k] = true
		} else {
			other[typ]++
		}
	}
	return listed, other
}

// Diff is how two package sets differ.
type Diff struct {
	// Missing are in the image but not in the attested SBOM.
	Missing []string `json:"missing"`
	// Extra are in the attested SBOM but not in the image.
	Extra []string `json:"extra"`
}

// Empty reports whether the sets were equal.
func (d Diff) Empty() bool { return len(d.Missing) == 0 && len(d.Extra) == 0 }

// Compare returns what actual has that attested lacks and the reverse.
func Compare(attested, actual PackageSet) Diff {
	d := Diff{Missing: []string{}, Extra: []string{}}
	for k := range actual {
		if !attested[k] {
			d.Missing = append(d.Missing, k)
		}
	}
	for k := range attested {
		if !actual[k] {
			d.Extra = append(d.Extra, k)
		}
	}
	sort.Strings(d.Missing)
	sort.Strings(d.Extra)
	return d
}

var pep503 = regexp.MustCompile(`[-_.]+`)

// purlKey reduces a purl to "type/name@version", names normalized the
// way each ecosystem compares them.
func purlKey(s string) string {
	p, err := vuln.ParsePURL(s)
	if err != nil || p.Name == "" {
		return ""
	}
	name := p.Name
	switch p.Type {
	case "oci", "docker":
		// The image itself (SPDX documents describe it as a package).
		return ""
	case "pypi":
		name = pep503.ReplaceAllString(strings.ToLower(name), "-")
	case "deb", "apk":
		name = strings.ToLower(name)
	}
	return p.Type + "/" + name + "@" + p.Version
}
