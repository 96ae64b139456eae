package vuln

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
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
// qualifier (name or name@version) the source package.
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
	var purls []string
	switch {
	case doc.BOMFormat == "CycloneDX":
		var walk func([]cdxComponent)
		walk = func(cs []cdxComponent) {
			for _, c := range cs {
				if c.PURL != "" {
					purls = append(purls, c.PURL)
				}
				walk(c.Components)
			}
		}
		walk(doc.Components)
	case strings.HasPrefix(doc.SPDXVersion, "SPDX-"):
		for _, p := range doc.Packages {
			for _, ref := range p.ExternalRefs {
				if strings.EqualFold(ref.Type, "purl") {
					purls = append(purls, ref.Locator)
				}
			}
		}
	default:
		return nil, ErrNotSBOM
	}
	inv := &inventory.Inventory{}
	seen := map[string]bool{}
	for _, s := range purls {
		if seen[s] {
			continue
		}
		seen[s] = true
		p, err := ParsePURL(s)
		if err != nil {
			continue // a purl we cannot read is not one we can match
		}
		if pkg, ok := p.Package(); ok {
			inv.Packages = append(inv.Packages, pkg)
		}
	}
	return inv, nil
}

type cdxComponent struct {
	PURL       string         `json:"purl"`
	Components []cdxComponent `json:"components"`
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
		return pkg, true
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
