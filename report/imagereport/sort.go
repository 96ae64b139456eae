package imagereport

import (
	"cmp"
	"slices"

	"github.com/pyimg/pyimg/analyze"
)

// sortPackages orders packages biggest first, then by name.
func sortPackages(ps []analyze.PythonPackage) {
	slices.SortStableFunc(ps, func(a, b analyze.PythonPackage) int {
		return cmp.Or(cmp.Compare(b.SizeBytes, a.SizeBytes), cmp.Compare(a.Name, b.Name))
	})
}
