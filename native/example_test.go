package native_test

import (
	"fmt"

	"github.com/pyimg/pyimg/native"
)

// The embedded index names the package that ships a soname in each
// release it knows.
func ExampleIndexLookup() {
	for _, p := range native.IndexLookup("libpq.so.5") {
		fmt.Println(p.Source, p.Manager, p.Package)
	}
	// Output:
	// index:debian-bookworm apt libpq5
	// index:debian-trixie apt libpq5
	// index:alpine apk libpq
}
