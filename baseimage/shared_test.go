package baseimage

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// sharedData returns the path of a file in the project's shared data folder
// (PYIMG_SHARED_DATA, else ../../shared/data from this package), skipping
// the test when it is absent.
func sharedData(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv("PYIMG_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s not available (set PYIMG_SHARED_DATA): %v", p, err)
	}
	return p
}

// day parses a YYYY-MM-DD test date.
func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}
