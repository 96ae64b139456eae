package sbom

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/pyimg/pyimg/inventory"
)

// WriteTable writes inv as an aligned table: one line per package with its
// name, version, type and where it was found.
func WriteTable(w io.Writer, inv *inventory.Inventory, src Source) error {
	d := inv.Distro
	if src.Name != "" {
		fmt.Fprintf(w, "Image:  %s", src.Name)
		if src.Digest != "" {
			fmt.Fprintf(w, " (%s)", src.Digest)
		}
		fmt.Fprintln(w)
	}
	if d.ID != "" {
		fmt.Fprintf(w, "OS:     %s", d.PrettyName)
		if d.PrettyName == "" {
			fmt.Fprintf(w, "%s %s", d.ID, d.VersionID)
		}
		if d.Libc != "" {
			fmt.Fprintf(w, ", %s %s", d.Libc, d.LibcVersion)
		}
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVERSION\tTYPE\tLOCATION")
	for _, c := range components(inv) {
		p := c.pkg
		typ := p.Ecosystem
		switch {
		case p.OSOwned:
			typ += " (os)"
		case p.Parent != "":
			typ += " (vendored)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, p.Version, typ, p.Location)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("writing table: %w", err)
	}
	_, err := fmt.Fprintf(w, "%d packages\n", len(inv.Packages))
	return err
}
