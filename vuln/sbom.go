package vuln

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/pyimg/pyimg/inventory"
)

// ErrNotSBOM is returned by ReadSBOM for JSON that is neither CycloneDX nor
// SPDX.
var ErrNotSBOM = errors.New("not a CycloneDX or SPDX JSON document")

// maxSBOM bounds the SBOM read into memory.
const maxSBOM = 256 << 20

// ReadSBOM reads the package URLs of a CycloneDX JSON (components, nested
// too) or SPDX JSON (packages' purl external references) document into an
// inventory. deb, apk and pypi purls become Debian, Alpine and PyPI
// packages; the distro qualifier gives the release and the upstream
// qualifier (name or name@version) the source package. The facts pyimg's
// own SBOMs record beside the purl are read too: CycloneDX properties
// pyimg:source:name, pyimg:source:version, pyimg:os-owned, pyimg:location
// and pyimg:layer; SPDX sourceInfo "built from source package NAME VERSION"
// and the comment "installed by the OS package manager".
func ReadSBOM(r io.Reader) (*inventory.Inventory, error) {
	// The document is walked token by token and each component or package
	// is decoded on its own: memory follows the packages found, not the
	// size of the document (2.5M components took 3.3 GB decoded whole).
	lr := &io.LimitedReader{R: r, N: maxSBOM + 1}
	dec := json.NewDecoder(lr)
	notSBOM := func(err error) error {
		if lr.N <= 0 {
			return fmt.Errorf("SBOM larger than %d bytes", maxSBOM)
		}
		return fmt.Errorf("%w: %v", ErrNotSBOM, err)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		if err == nil {
			err = fmt.Errorf("the document is not a JSON object")
		}
		return nil, notSBOM(err)
	}
	var bomFormat, spdxVersion string
	cdx, spdx := newSBOMInventory(), newSBOMInventory()
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, notSBOM(err)
		}
		key, _ := tok.(string)
		switch key {
		case "bomFormat":
			err = dec.Decode(&bomFormat)
		case "spdxVersion":
			err = dec.Decode(&spdxVersion)
		case "components":
			err = eachElement(dec, func() error {
				var c cdxComponent
				if err := dec.Decode(&c); err != nil {
					return err
				}
				cdx.walk([]cdxComponent{c})
				return nil
			})
		case "packages":
			err = eachElement(dec, func() error {
				var p spdxPackage
				if err := dec.Decode(&p); err != nil {
					return err
				}
				spdx.spdxPackage(p)
				return nil
			})
		default:
			err = skipValue(dec)
		}
		if err != nil {
			return nil, notSBOM(fmt.Errorf("%s: %w", key, err))
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, notSBOM(err)
	}
	switch {
	case bomFormat == "CycloneDX":
		return cdx.inv, nil
	case strings.HasPrefix(spdxVersion, "SPDX-"):
		return spdx.inv, nil
	}
	return nil, ErrNotSBOM
}

// eachElement calls f for every element of the array that comes next in
// dec (null is an empty array); f decodes the element.
func eachElement(dec *json.Decoder, f func() error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil
	}
	if tok != json.Delim('[') {
		return fmt.Errorf("want an array, got %v", tok)
	}
	for dec.More() {
		if err := f(); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// skipValue reads past the next value without keeping it.
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

type spdxPackage struct {
	SourceInfo   string `json:"sourceInfo"`
	Comment      string `json:"comment"`
	ExternalRefs []struct {
		Category string `json:"referenceCategory"`
		Type     string `json:"referenceType"`
		Locator  string `json:"referenceLocator"`
	} `json:"externalRefs"`
}

// sbomInventory collects the packages of one SBOM format.
type sbomInventory struct {
	inv *inventory.Inventory
	// seen holds hashes of the (purl, location, os-owned) keys added: a
	// million components cost 8 bytes each here, not a copy of the purl.
	seen map[uint64]bool
	seed maphash.Seed
}

func newSBOMInventory() *sbomInventory {
	return &sbomInventory{inv: &inventory.Inventory{}, seen: map[uint64]bool{}, seed: maphash.MakeSeed()}
}

func (s *sbomInventory) add(purl string, f sbomFacts) {
	p, err := ParsePURL(purl)
	if err != nil {
		return // a purl we cannot read is not one we can match
	}
	pkg, ok := p.Package()
	if !ok {
		return
	}
	if f.location != "" {
		pkg.Location, pkg.Layer = f.location, f.layer
	}
	if f.sourceName != "" {
		pkg.SourceName, pkg.SourceVersion = f.sourceName, cmpOr(f.sourceVersion, pkg.Version)
	}
	pkg.OSOwned = f.osOwned
	key := maphash.String(s.seed, purl+"\x00"+pkg.Location+"\x00"+strconv.FormatBool(pkg.OSOwned))
	if !s.seen[key] {
		s.seen[key] = true
		s.inv.Packages = append(s.inv.Packages, pkg)
	}
}

func (s *sbomInventory) walk(cs []cdxComponent) {
	for _, c := range cs {
		if c.PURL != "" {
			s.add(c.PURL, c.facts())
		}
		s.walk(c.Components)
	}
}

func (s *sbomInventory) spdxPackage(p spdxPackage) {
	f := sbomFacts{osOwned: strings.Contains(p.Comment, "installed by the OS package manager")}
	if m := spdxSource.FindStringSubmatch(p.SourceInfo); m != nil {
		f.sourceName, f.sourceVersion = m[1], m[2]
	}
	for _, ref := range p.ExternalRefs {
		if strings.EqualFold(ref.Type, "purl") {
			s.add(ref.Locator, f)
		}
	}
}

var spdxSource = regexp.MustCompile(`built from source package (\S+) (\S+)`)

// sbomFacts are what an SBOM says about a package beside its purl.
type sbomFacts struct {
	sourceName, sourceVersion string
	osOwned                   bool
	location                  string
	layer                     int
}

type cdxComponent struct {
	PURL       string         `json:"purl"`
	Components []cdxComponent `json:"components"`
	Properties []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"properties"`
}

func (c cdxComponent) facts() sbomFacts {
	var f sbomFacts
	for _, p := range c.Properties {
		switch p.Name {
		case "pyimg:source:name":
			f.sourceName = p.Value
		case "pyimg:source:version":
			f.sourceVersion = p.Value
		case "pyimg:os-owned":
			f.osOwned = p.Value == "true"
		case "pyimg:location":
			f.location = p.Value
		case "pyimg:layer":
			f.layer, _ = strconv.Atoi(p.Value)
		}
	}
	return f
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// PURL is a parsed package URL (https://github.com/package-url/purl-spec).
type PURL struct {
	Type, Namespace, Name, Version string
	Qualifiers                     url.Values
	Subpath                        string
	raw                            string
}

// ParsePURL parses "pkg:type/namespace/name@version?qualifiers#subpath".
func ParsePURL(s string) (PURL, error) {
	p := PURL{raw: s}
	rest, ok := strings.CutPrefix(s, "pkg:")
	if !ok {
		return p, fmt.Errorf("purl %q: missing pkg: scheme", s)
	}
	rest, p.Subpath, _ = strings.Cut(rest, "#")
	rest, qs, _ := strings.Cut(rest, "?")
	if qs != "" {
		q, err := url.ParseQuery(qs)
		if err != nil {
			return p, fmt.Errorf("purl %q: %w", s, err)
		}
		p.Qualifiers = q
	}
	if i := strings.LastIndexByte(rest, '@'); i >= 0 {
		v, err := url.PathUnescape(rest[i+1:])
		if err != nil {
			return p, fmt.Errorf("purl %q: %w", s, err)
		}
		p.Version, rest = v, rest[:i]
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	if len(parts) < 2 {
		return p, fmt.Errorf("purl %q: want type/name", s)
	}
	p.Type = strings.ToLower(parts[0])
	name, err := url.PathUnescape(parts[len(parts)-1])
	if err != nil {
		return p, fmt.Errorf("purl %q: %w", s, err)
	}
	p.Name = name
	ns := make([]string, 0, len(parts)-2)
	for _, seg := range parts[1 : len(parts)-1] {
		u, err := url.PathUnescape(seg)
		if err != nil {
			return p, fmt.Errorf("purl %q: %w", s, err)
		}
		ns = append(ns, u)
	}
	p.Namespace = strings.Join(ns, "/")
	if p.Name == "" {
		return p, fmt.Errorf("purl %q: empty name", s)
	}
	return p, nil
}

// Package converts a deb, apk or pypi purl to an inventory package; ok is
// false for other types and for purls without a version.
func (p PURL) Package() (inventory.Package, bool) {
	if p.Version == "" {
		return inventory.Package{}, false
	}
	pkg := inventory.Package{Name: p.Name, Version: p.Version, PURL: p.raw, Arch: p.Qualifiers.Get("arch"), Location: "sbom"}
	switch p.Type {
	case "deb":
		pkg.Ecosystem = inventory.EcosystemDebian
	case "apk":
		pkg.Ecosystem = inventory.EcosystemAlpine
	case "pypi":
		pkg.Ecosystem = inventory.EcosystemPyPI
		pkg.Name = normalize("PyPI", p.Name)
		return pkg, pkg.Name != "" // "pkg:pypi/.@1" names nothing
	default:
		return inventory.Package{}, false
	}
	if up := p.Qualifiers.Get("upstream"); up != "" {
		name, ver, _ := strings.Cut(up, "@")
		pkg.SourceName = name
		if ver != "" {
			pkg.SourceVersion = ver
		} else {
			pkg.SourceVersion = p.Version
		}
	}
	return pkg, true
}
