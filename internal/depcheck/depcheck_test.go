// Package depcheck fences the dependency direction of pyimg's packages
// (sources → models → analyses → report; nothing imports the CLI), in the
// spirit of go-containerregistry's depcheck test.
package depcheck

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/pyimg/pyimg/"

// forbidden maps a package (or prefix ending in "/...") to packages it must
// never depend on, directly or transitively.
var forbidden = map[string][]string{
	"report":             {"dockerfile", "lint", "baseimage", "image", "layers", "analyze", "internal/cli", "github.com/spf13/cobra"},
	"dockerfile":         {"lint", "image", "layers", "analyze", "internal/cli", "github.com/google/go-containerregistry/pkg/v1/remote", "github.com/spf13/cobra"},
	"lint/...":           {"image", "layers", "analyze", "internal/cli", "github.com/google/go-containerregistry/pkg/v1/remote", "github.com/spf13/cobra"},
	"baseimage":          {"dockerfile", "lint", "image", "layers", "analyze", "internal/cli", "github.com/spf13/cobra"},
	"layers":             {"image", "analyze", "lint", "dockerfile", "baseimage", "internal/cli", "github.com/google/go-containerregistry/pkg/v1/remote", "github.com/spf13/cobra"},
	"image":              {"layers", "analyze", "lint", "dockerfile", "internal/cli", "github.com/spf13/cobra"},
	"analyze":            {"image", "lint", "dockerfile", "internal/cli", "github.com/google/go-containerregistry/pkg/v1/remote", "github.com/spf13/cobra"},
	"inventory/...":      {"image", "analyze", "lint", "dockerfile", "sbom", "vuln", "internal/cli", "github.com/google/go-containerregistry/pkg/v1/remote", "github.com/spf13/cobra"},
	"sbom/...":           {"image", "analyze", "lint", "vuln", "internal/cli", "github.com/spf13/cobra"},
	"native":             {"image", "analyze", "lint", "dockerfile", "sbom", "vuln", "internal/cli", "github.com/google/go-containerregistry/pkg/v1/remote", "github.com/spf13/cobra"},
	"vuln/...":           {"image", "analyze", "lint", "dockerfile", "internal/cli", "github.com/spf13/cobra"},
	"project":            {"dockerfile", "lint", "baseimage", "image", "layers", "analyze", "check", "internal/cli", "github.com/spf13/cobra"},
	"check":              {"image", "layers", "analyze", "inventory", "vuln", "internal/cli", "github.com/google/go-containerregistry/pkg/v1/remote", "github.com/spf13/cobra"},
	"internal/cli":       {"github.com/docker/docker", "github.com/moby/buildkit/frontend/dockerfile/dockerfile2llb", "github.com/moby/buildkit/client"},
	"build/...":          {"analyze", "lint", "dockerfile", "internal/cli", "github.com/spf13/cobra"},
	"build/wheelinstall": {"image", "layers", "github.com/google/go-containerregistry", "net/http"},

	// wheel compatibility and its test support
	"pypi/...":           {"image", "layers", "analyze", "lint", "dockerfile", "inventory", "sbom", "vuln", "report", "internal/cli", "github.com/spf13/cobra", "github.com/google/go-containerregistry"},
	"internal/wheeltest": {"image", "layers", "analyze", "lint", "dockerfile", "pypi", "internal/cli", "github.com/spf13/cobra"},
	"internal/indextest": {"image", "layers", "analyze", "lint", "dockerfile", "pypi", "internal/cli", "github.com/spf13/cobra"},

	// hostile-input guards
	"internal/tomlguard": {"image", "layers", "analyze", "lint", "dockerfile", "internal/cli", "github.com/spf13/cobra"},
	"internal/safefile":  {"image", "layers", "analyze", "lint", "dockerfile", "internal/cli", "github.com/spf13/cobra"},
	"generate":           {"image", "layers", "analyze", "lint", "internal/cli", "github.com/google/go-containerregistry/pkg/v1/remote", "github.com/spf13/cobra"},
	"sign":               {"layers", "inventory", "sbom", "vuln", "analyze", "lint", "dockerfile", "internal/cli", "github.com/spf13/cobra"},
	"sign/dsse":          {"image", "sign", "github.com/google/go-containerregistry", "internal/cli", "github.com/spf13/cobra"},
	"sign/...":           {"analyze", "lint", "dockerfile", "baseimage", "internal/cli", "github.com/spf13/cobra"},
}

// Nothing but the CLI's own tree and main may import these.
var cliOnly = []string{mod + "internal/cli", "github.com/spf13/cobra"}

func TestDependencyDirection(t *testing.T) {
	cmd := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, mod+"...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	deps := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 {
			deps[f[0]] = f[1:]
		}
	}
	if len(deps) < 3 {
		t.Fatalf("go list found only %d packages; the check would be vacuous", len(deps))
	}
	checked := 0
	for pkg, ds := range deps {
		rel := strings.TrimPrefix(pkg, mod)
		for pattern, bad := range forbidden {
			if !matches(rel, pattern) {
				continue
			}
			checked++
			for _, d := range ds {
				for _, b := range bad {
					full := b
					if !strings.Contains(b, ".") {
						full = mod + b
					}
					if d == full || strings.HasPrefix(d, full+"/") {
						t.Errorf("%s depends on %s (forbidden: %s must not depend on %s)", pkg, d, pattern, b)
					}
				}
			}
		}
		if rel == "cmd/pyimg" || strings.HasPrefix(rel, "internal/cli") || strings.HasPrefix(rel, "e2e") {
			continue
		}
		for _, d := range ds {
			for _, c := range cliOnly {
				if d == c || strings.HasPrefix(d, c+"/") {
					t.Errorf("%s depends on %s: only cmd/pyimg and internal/cli may", pkg, d)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no package matched a rule; the fence checks nothing")
	}
}

func matches(rel, pattern string) bool {
	if p, ok := strings.CutSuffix(pattern, "/..."); ok {
		return rel == p || strings.HasPrefix(rel, p+"/")
	}
	return rel == pattern
}
