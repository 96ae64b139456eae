// Package osvtest helps tests build OSV data sets on disk.
package osvtest

import (
	"archive/zip"
	"os"
	"sort"
	"testing"
)

// WriteZip writes a zip at path with the given members (name → content), in
// name order as OSV's all.zip archives are, and returns path.
func WriteZip(t testing.TB, path string, members map[string]string) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	names := make([]string, 0, len(members))
	for name := range members {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(members[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}
