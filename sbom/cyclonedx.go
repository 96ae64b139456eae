package sbom

import (
	"fmt"
	"io"
	"strconv"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/pyimg/pyimg/inventory"
)

// CycloneDX returns the CycloneDX 1.6 BOM of inv. The image is the
// metadata component; packages are components of it, and the native
// libraries vendored in a Python distribution are nested components of that
// distribution. An operating-system component names the distro.
func CycloneDX(inv *inventory.Inventory, src Source, opts ...Option) *cdx.BOM {
	o := newOptions(opts)
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.SerialNumber = "urn:uuid:" + serialUUID(src)
	image := cdx.Component{
		BOMRef:     imageID,
		Type:       cdx.ComponentTypeContainer,
		Name:       imageName(src),
		Version:    src.Digest,
		PackageURL: imagePURL(src),
	}
	var imgProps []cdx.Property
	if src.Name != "" {
		imgProps = append(imgProps, cdx.Property{Name: "pyimg:image:reference", Value: src.Name})
	}
	if src.Platform != "" {
		imgProps = append(imgProps, cdx.Property{Name: "pyimg:image:platform", Value: src.Platform})
	}
	if len(imgProps) > 0 {
		image.Properties = &imgProps
	}
	bom.Metadata = &cdx.Metadata{
		Timestamp: o.created.Format(time.RFC3339),
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type:    cdx.ComponentTypeApplication,
			Name:    "pyimg",
			Version: o.toolVersion,
		}}},
		Component: &image,
	}

	comps := components(inv)
	var top []cdx.Component
	children := map[string][]cdx.Component{} // parent bom-ref -> vendored
	parentRef := parents(comps)              // child bom-ref -> parent bom-ref
	for _, c := range comps {
		if p, ok := parentRef[c.id]; ok {
			children[p] = append(children[p], cdxComponent(c))
		}
	}
	var deps []string
	if d := inv.Distro; d.ID != "" {
		os := cdx.Component{
			BOMRef:  "os-" + d.ID + "-" + d.VersionID,
			Type:    cdx.ComponentTypeOS,
			Name:    d.ID,
			Version: d.VersionID,
		}
		if d.PrettyName != "" {
			os.Description = d.PrettyName
		}
		var props []cdx.Property
		if d.Libc != "" {
			props = append(props, cdx.Property{Name: "pyimg:libc", Value: d.Libc})
		}
		if d.LibcVersion != "" {
			props = append(props, cdx.Property{Name: "pyimg:libc:version", Value: d.LibcVersion})
		}
		if len(props) > 0 {
			os.Properties = &props
		}
		top = append(top, os)
		deps = append(deps, os.BOMRef)
	}
	for _, c := range comps {
		if _, ok := parentRef[c.id]; ok {
			continue
		}
		cc := cdxComponent(c)
		if kids := children[c.id]; len(kids) > 0 {
			cc.Components = &kids
		}
		top = append(top, cc)
		deps = append(deps, c.id)
	}
	bom.Components = &top
	bom.Dependencies = &[]cdx.Dependency{{Ref: imageID, Dependencies: &deps}}
	return bom
}

func cdxComponent(c component) cdx.Component {
	p := c.pkg
	cc := cdx.Component{
		BOMRef:     c.id,
		Type:       cdx.ComponentTypeLibrary,
		Name:       p.Name,
		Version:    p.Version,
		PackageURL: p.PURL,
		CPE:        p.CPE,
	}
	if p.Ecosystem == inventory.EcosystemGeneric && p.CPE != "" {
		cc.Type = cdx.ComponentTypeApplication
	}
	if len(p.Licenses) > 0 {
		var ls cdx.Licenses
		if e := licenseExpression(p.Licenses); e != "" {
			ls = cdx.Licenses{{Expression: e}}
		} else {
			for _, l := range p.Licenses {
				ls = append(ls, cdx.LicenseChoice{License: &cdx.License{Name: l}})
			}
		}
		cc.Licenses = &ls
	}
	props := []cdx.Property{
		{Name: "pyimg:location", Value: p.Location},
		{Name: "pyimg:layer", Value: strconv.Itoa(p.Layer)},
	}
	if p.SourceName != "" {
		props = append(props, cdx.Property{Name: "pyimg:source:name", Value: p.SourceName})
	}
	if p.SourceVersion != "" {
		props = append(props, cdx.Property{Name: "pyimg:source:version", Value: p.SourceVersion})
	}
	if p.Arch != "" {
		props = append(props, cdx.Property{Name: "pyimg:arch", Value: p.Arch})
	}
	if p.OSOwned {
		props = append(props, cdx.Property{Name: "pyimg:os-owned", Value: "true"})
	}
	if p.Interpreter != "" {
		props = append(props, cdx.Property{Name: "pyimg:python:interpreter", Value: p.Interpreter})
	}
	if p.PythonVersion != "" {
		props = append(props, cdx.Property{Name: "pyimg:python:version", Value: p.PythonVersion})
	}
	cc.Properties = &props
	return cc
}

// WriteCycloneDX writes the CycloneDX 1.6 JSON BOM of inv to w.
func WriteCycloneDX(w io.Writer, inv *inventory.Inventory, src Source, opts ...Option) error {
	enc := cdx.NewBOMEncoder(w, cdx.BOMFileFormatJSON).SetPretty(true).SetEscapeHTML(false)
	if err := enc.EncodeVersion(CycloneDX(inv, src, opts...), cdx.SpecVersion1_6); err != nil {
		return fmt.Errorf("writing CycloneDX: %w", err)
	}
	return nil
}
