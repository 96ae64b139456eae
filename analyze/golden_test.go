package analyze

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// TestGolden pins the whole Result of the Python test image as JSON, the
// shape the CLI prints. Run with -update after an intended change.
func TestGolden(t *testing.T) {
	cfg := &v1.ConfigFile{Config: v1.Config{Env: []string{"PYTHON_VERSION=3.12.1", "API_TOKEN=abcd1234efgh"}}}
	res := feed(t, cfg, pythonLayers()...)
	got, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "python.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("Result JSON differs from %s; run go test ./analyze -run TestGolden -update and review the diff.\ngot:\n%s", golden, got)
	}
}
