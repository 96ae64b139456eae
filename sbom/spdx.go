package sbom

import (
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"
	"time"

	spdxjson "github.com/spdx/tools-golang/json"
	"github.com/spdx/tools-golang/spdx/v2/common"
	spdx "github.com/spdx/tools-golang/spdx/v2/v2_3"

	"github.com/pyimg/pyimg/inventory"
)

const (
	noAssertion = "NOASSERTION"
	imageID     = "Image"
	namespace   = "https://github.com/pyimg/pyimg/spdx/"
)

// SPDX returns the SPDX 2.3 document of inv: the document DESCRIBES the
// image, the image CONTAINS every package, and a Python distribution
// CONTAINS the native libraries vendored in it.
func SPDX(inv *inventory.Inventory, src Source, opts ...Option) *spdx.Document {
	o := newOptions(opts)
	name := imageName(src)
	doc := &spdx.Document{
		SPDXVersion:       spdx.Version,
		DataLicense:       spdx.DataLicense,
		SPDXIdentifier:    common.ElementID("DOCUMENT"),
		DocumentName:      name,
		DocumentNamespace: namespace + url.PathEscape(name) + "-" + digestHex(src),
		CreationInfo: &spdx.CreationInfo{
			Creators: []common.Creator{
				{CreatorType: "Organization", Creator: "pyimg"},
				{CreatorType: "Tool", Creator: "pyimg-" + o.toolVersion},
			},
			Created: o.created.Format(time.RFC3339),
		},
	}
	img := &spdx.Package{
		PackageName:             name,
		PackageSPDXIdentifier:   imageID,
		PackageVersion:          src.Digest,
		PackageDownloadLocation: noAssertion,
		PrimaryPackagePurpose:   "CONTAINER",
		PackageLicenseConcluded: noAssertion,
		PackageLicenseDeclared:  noAssertion,
		PackageCopyrightText:    noAssertion,
		PackageSourceInfo:       "image " + src.Name,
	}
	if p := imagePURL(src); p != "" {
		img.PackageExternalReferences = append(img.PackageExternalReferences, &spdx.PackageExternalReference{
			Category: common.CategoryPackageManager, RefType: common.TypePackageManagerPURL, Locator: p,
		})
	}
	if d := inv.Distro; d.ID != "" {
		img.PackageComment = fmt.Sprintf("operating system: %s %s", d.ID, d.VersionID)
		if d.Libc != "" {
			img.PackageComment += fmt.Sprintf("; libc: %s %s", d.Libc, d.LibcVersion)
		}
	}
	doc.Packages = append(doc.Packages, img)
	doc.Relationships = append(doc.Relationships, relationship("DOCUMENT", imageID, common.TypeRelationshipDescribe))

	comps := components(inv)
	byPURL := map[string]string{}
	for _, c := range comps {
		if c.pkg.Ecosystem == inventory.EcosystemPyPI {
			if _, dup := byPURL[c.pkg.PURL]; !dup {
				byPURL[c.pkg.PURL] = c.id
			}
		}
	}
	parentOf := parents(comps)
	for _, c := range comps {
		doc.Packages = append(doc.Packages, spdxPackage(c))
		parent := imageID
		if id, ok := parentOf[c.id]; ok {
			parent = id
		} else if id := byPURL[c.pkg.Parent]; c.pkg.Parent != "" && id != "" {
			parent = id
		}
		doc.Relationships = append(doc.Relationships, relationship(parent, c.id, common.TypeRelationshipContains))
	}
	return doc
}

// parents maps the ID of each vendored library to the ID of the
// distribution that ships it: the one with the Parent purl in the same
// site directory.
func parents(comps []component) map[string]string {
	byPURL := map[string][]component{}
	for _, c := range comps {
		byPURL[c.pkg.PURL] = append(byPURL[c.pkg.PURL], c)
	}
	out := map[string]string{}
	for _, c := range comps {
		if c.pkg.Parent == "" {
			continue
		}
		for _, d := range byPURL[c.pkg.Parent] {
			if isUnder(c.pkg.Location, d.pkg.Location) {
				out[c.id] = d.id
				break
			}
		}
	}
	return out
}

// isUnder reports whether a vendored library at lib sits next to the
// distribution's metadata directory dist (same site directory).
func isUnder(lib, dist string) bool {
	return path.Dir(path.Dir(lib)) == path.Dir(dist)
}

func relationship(a, b, typ string) *spdx.Relationship {
	return &spdx.Relationship{
		RefA:         common.MakeDocElementID("", a),
		RefB:         common.MakeDocElementID("", b),
		Relationship: typ,
	}
}

func spdxPackage(c component) *spdx.Package {
	p := c.pkg
	sp := &spdx.Package{
		PackageName:             p.Name,
		PackageSPDXIdentifier:   common.ElementID(c.id),
		PackageVersion:          p.Version,
		PackageDownloadLocation: noAssertion,
		PackageLicenseConcluded: noAssertion,
		PackageLicenseDeclared:  noAssertion,
		PackageCopyrightText:    noAssertion,
		PrimaryPackagePurpose:   "LIBRARY",
		PackageSourceInfo:       fmt.Sprintf("found at %s (layer %d)", p.Location, p.Layer),
	}
	if p.Ecosystem == inventory.EcosystemGeneric && p.CPE != "" {
		sp.PrimaryPackagePurpose = "APPLICATION"
	}
	if p.SourceName != "" && (p.SourceName != p.Name || p.SourceVersion != p.Version) {
		sp.PackageSourceInfo += fmt.Sprintf("; built from source package %s %s", p.SourceName, p.SourceVersion)
	}
	if p.OSOwned {
		sp.PackageComment = "installed by the OS package manager"
	}
	if l := licenseExpression(p.Licenses); l != "" {
		sp.PackageLicenseDeclared = l
	} else if len(p.Licenses) > 0 {
		sp.PackageLicenseComments = "declared: " + strings.Join(p.Licenses, "; ")
	}
	if p.PURL != "" {
		sp.PackageExternalReferences = append(sp.PackageExternalReferences, &spdx.PackageExternalReference{
			Category: common.CategoryPackageManager, RefType: common.TypePackageManagerPURL, Locator: p.PURL,
		})
	}
	if p.CPE != "" {
		sp.PackageExternalReferences = append(sp.PackageExternalReferences, &spdx.PackageExternalReference{
			Category: common.CategorySecurity, RefType: common.TypeSecurityCPE23Type, Locator: p.CPE,
		})
	}
	return sp
}

// WriteSPDX writes the SPDX 2.3 JSON document of inv to w.
func WriteSPDX(w io.Writer, inv *inventory.Inventory, src Source, opts ...Option) error {
	if err := spdxjson.Write(SPDX(inv, src, opts...), w, spdxjson.Indent("  "), spdxjson.EscapeHTML(false)); err != nil {
		return fmt.Errorf("writing SPDX: %w", err)
	}
	return nil
}
