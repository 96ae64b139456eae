package vuln

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
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
	data, err := io.ReadAll(io.LimitReader(r, maxSBOM+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSBOM {
		return nil, fmt.Errorf("SBOM larger than %d bytes", maxSBOM)
	}
	var doc struct {
		BOMFormat   string          `json:"bomFormat"`
		SPDXVersion string          `json:"spdxVersion"`
		Components  []cdxComponent  `json:"components"`
		Metadata    json.RawMessage `json:"metadata"`
		Packages    []struct {
			SourceInfo   string `json:"sourceInfo"`
			Comment      string `json:"comment"`
			ExternalRefs []struct {
				Category string `json:"referenceCategory"`
				Type     string `json:"referenceType"`
				Locator  string `json:"referenceLocator"`
			} `json:"externalRefs"`
		} `json:"packages"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(data), &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotSBOM, err)
	}
	inv := &inventory.Inventory{}
	seen := map[string]bool{}
	add := func(purl string, f sbomFacts) {
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
		key := purl + "\x00" + pkg.Location + "\x00" + strconv.FormatBool(pkg.OSOwned)
		if !seen[key] {
			seen[key] = true
			inv.Packages = append(inv.Packages, pkg)
		}
	}
	switch {
	case doc.BOMFormat == "CycloneDX":
		var walk func([]cdxComponent)
		walk = func(cs []cdxComponent) {
			for _, c := range cs {
				if c.PURL != "" {
					add(c.PURL, c.facts())
				}
				walk(c.Components)
			}
		}
		walk(doc.Components)
	case strings.HasPrefix(doc.SPDXVersion, "SPDX-"):
		for _, p := range doc.Packages {
			f := sbomFacts{osOwned: strings.Contains(p.Comment, "installed by the OS package manager")}
			if m := spdxSource.FindStringSubmatch(p.SourceInfo); m != nil {
				f.sourceName, f.sourceVersion = m[1], m[2]
			}
			for _, ref := range p.ExternalRefs {
				if strings.EqualFold(ref.Type, "purl") {
					add(ref.Locator, f)
				}
			}
		}
	default:
		return nil, ErrNotSBOM
	}
	return inv, nil
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
