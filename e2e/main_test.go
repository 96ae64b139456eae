// Package e2e runs the pyimg binary as a user would against real images:
// a debootstrap'ed Debian rootfs turned into images by buildah, exported as
// oci-archive, docker-archive and oci layout, and pushed to a real
// docker-registry on 127.0.0.1. Facts asserted come from tools independent of
// pyimg and are recorded when the fixtures are built (internal/fixtures).
//
// The fixtures are built once (a few minutes; needs root and
// scripts/install-test-deps.sh) and cached under
// ${XDG_CACHE_HOME:-$HOME/.cache}/pyimg/e2e. Without the tools the tests skip,
// unless CI is set, where missing tools fail them. -short skips them too.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
	reg "github.com/pyimg/pyimg/e2e/internal/registry"
)

var (
	// pyimgBin is the binary built by TestMain; pyimgErr why it is missing.
	pyimgBin string
	pyimgErr error
	repoRoot string

	fixturesOnce sync.Once
	fixtureSet   *fx.Set
	fixturesErr  error

	registryOnce    sync.Once
	testRegistry    *reg.Registry
	registryDigests map[string]string // image name -> manifest digest
	registryErr     error
	registryDir     string
)

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "pyimg-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if !testing.Short() {
		pyimgBin, pyimgErr = buildPyimg(tmp)
		if pyimgErr != nil {
			fmt.Fprintf(os.Stderr, "e2e: %v\n", pyimgErr)
		}
	}
	code := m.Run()
	if testRegistry != nil {
		testRegistry.Close()
	}
	if registryDir != "" {
		os.RemoveAll(registryDir)
	}
	return code
}

// buildPyimg builds ./cmd/pyimg into dir once for the whole package, or
// uses the binary named by PYIMG_E2E_BIN (to test a release build).
func buildPyimg(dir string) (string, error) {
	td, err := fx.Testdata()
	if err != nil {
		return "", err
	}
	repoRoot = filepath.Dir(filepath.Dir(td))
	if bin := os.Getenv("PYIMG_E2E_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("PYIMG_E2E_BIN: %w", err)
		}
		fmt.Fprintf(os.Stderr, "e2e: using PYIMG_E2E_BIN=%s\n", abs)
		return abs, nil
	}
	bin := filepath.Join(dir, "pyimg")
	start := time.Now()
	c := exec.Command("go", "build", "-o", bin, "./cmd/pyimg")
	c.Dir = repoRoot
	if out, err := c.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/pyimg: %w\n%s", err, out)
	}
	fmt.Fprintf(os.Stderr, "e2e: built pyimg in %s\n", time.Since(start).Round(100*time.Millisecond))
	return bin, nil
}

// inCI reports whether missing tools must fail rather than skip the tests.
func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "0" && v != "false"
}

// skipOrFail skips the test with msg, or fails it in CI.
func skipOrFail(t *testing.T, msg string) {
	t.Helper()
	if inCI() {
		t.Fatalf("%s (CI is set, so this is a failure, not a skip)", msg)
	}
	t.Skip(msg)
}

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test; skipped with -short")
	}
}

// fixtures returns the fixture set, building it on first use in this
// process (or waiting for another process that is building it).
func fixtures(t *testing.T) *fx.Set {
	t.Helper()
	skipShort(t)
	fixturesOnce.Do(func() {
		start := time.Now()
		fixtureSet, fixturesErr = fx.Ensure(context.Background(), prefixWriter{"e2e: "})
		if fixturesErr == nil {
			fmt.Fprintf(os.Stderr, "e2e: fixtures %s ready in %s (%s)\n", fixtureSet.Version, time.Since(start).Round(100*time.Millisecond), fixtureSet.Dir)
		}
	})
	if errors.Is(fixturesErr, fx.ErrMissingTools) {
		skipOrFail(t, fixturesErr.Error())
	}
	if fixturesErr != nil {
		t.Fatalf("building fixtures: %v", fixturesErr)
	}
	return fixtureSet
}

// registry returns the host:port of a docker-registry holding every
// fixture image as pyimg-e2e/<name>:latest.
func registry(t *testing.T) string {
	t.Helper()
	set := fixtures(t)
	var missing []string
	for _, tool := range reg.Tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) > 0 {
		skipOrFail(t, fmt.Sprintf("registry tools missing: %v (run scripts/install-test-deps.sh as root)", missing))
	}
	registryOnce.Do(func() {
		ctx := context.Background()
		dir, err := os.MkdirTemp("", "pyimg-e2e-registry-")
		if err != nil {
			registryErr = err
			return
		}
		registryDir = dir
		// The registry lives until TestMain stops it, so its directory is
		// not a t.TempDir of whichever test started it.
		testRegistry, registryErr = reg.Start(ctx, dir)
		if registryErr != nil {
			return
		}
		registryDigests = map[string]string{}
		start := time.Now()
		for _, name := range fx.Names {
			d, err := testRegistry.Push(ctx, set.Ref(name, fx.OCIArchive), "pyimg-e2e/"+name+":latest")
			if err != nil {
				registryErr = err
				return
			}
			registryDigests[name] = d
		}
		fmt.Fprintf(os.Stderr, "e2e: registry on %s, fixtures pushed in %s\n", testRegistry.Host, time.Since(start).Round(100*time.Millisecond))
	})
	if registryErr != nil {
		t.Fatalf("starting the registry: %v", registryErr)
	}
	return testRegistry.Host
}

// registryDigest returns the digest the registry reported for an image.
func registryDigest(t *testing.T, name string) string {
	t.Helper()
	registry(t)
	return registryDigests[name]
}

// runPyimg runs the pyimg binary and returns its stdout, stderr and exit code.
func runPyimg(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	skipShort(t)
	if pyimgErr != nil {
		t.Fatal("pyimg binary unavailable; see the error printed before the tests ran")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	c := exec.CommandContext(ctx, pyimgBin, args...)
	c.Stdout, c.Stderr = &out, &errb
	c.Dir = t.TempDir()
	c.Env = append(os.Environ(), "NO_COLOR=1")
	start := time.Now()
	err := c.Run()
	t.Logf("pyimg %s: %s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("running pyimg %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

type prefixWriter struct{ prefix string }

func (p prefixWriter) Write(b []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if line != "" {
			fmt.Fprint(os.Stderr, p.prefix+line)
		}
	}
	return len(b), nil
}
