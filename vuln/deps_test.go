package vuln

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies fences what vuln links: from osv-scalibr only its
// semantic package (the rest pulls in scanners and plugins by the dozen),
// and nothing that opens images or belongs to the CLI; matching works on an
// inventory, whatever produced it (layers comes in only as the inventory
// visitor's interface).
func TestDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/pyimg/pyimg/vuln/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list found %d packages; the check would be vacuous", len(deps))
	}
	for _, d := range deps {
		switch {
		case strings.HasPrefix(d, "github.com/google/osv-scalibr/") && d != "github.com/google/osv-scalibr/semantic":
			t.Errorf("vuln depends on %s: import only osv-scalibr/semantic", d)
		case d == "github.com/pyimg/pyimg/image", d == "github.com/pyimg/pyimg/analyze",
			strings.HasPrefix(d, "github.com/pyimg/pyimg/internal/cli"), strings.HasPrefix(d, "github.com/spf13/cobra"),
			strings.HasPrefix(d, "github.com/google/go-containerregistry/pkg/v1/remote"):
			t.Errorf("vuln depends on %s", d)
		}
	}
}
