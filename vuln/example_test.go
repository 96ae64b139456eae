package vuln_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/vuln"
	"github.com/pyimg/pyimg/vuln/store"
)

// Build a database from OSV records and match an inventory against it.
func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	path := filepath.Join(dir, "osv.db")
	if _, err := store.Build(ctx, path, []store.Input{{Path: "osv/testdata"}}); err != nil {
		fmt.Println(err)
		return
	}
	db, err := store.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	inv := &inventory.Inventory{Packages: []inventory.Package{
		{Ecosystem: inventory.EcosystemPyPI, Name: "requests", Version: "2.30.0"},
		{Ecosystem: inventory.EcosystemPyPI, Name: "pip", Version: "23.0.1", OSOwned: true}, // Debian's: not PyPI's
	}}
	res, err := vuln.MatchInventory(ctx, inv, db)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range res.Matches {
		fmt.Println(m.ID, m.Package.Name, m.InstalledVersion, "fixed in", m.FixedVersion, m.Aliases)
	}
	// Output: CVE-2023-32681 requests 2.30.0 fixed in 2.31.0 [GHSA-j8r2-6x86-q33q PYSEC-2023-74]
}
