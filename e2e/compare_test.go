package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
)

// comparison is the part of `pyimg compare --format json` the tests read.
type comparison struct {
	Images []struct {
		Reference       string   `json:"reference"`
		SizeBytes       int64    `json:"size_bytes"`
		CompressedBytes int64    `json:"compressed_bytes"`
		Layers          int      `json:"layers"`
		OSPackages      int      `json:"os_packages"`
		PythonPackages  int      `json:"python_packages"`
		Shell           bool     `json:"shell"`
		Shells          []string `json:"shells"`
		User            string   `json:"user"`
		WastedBytes     int64    `json:"wasted_bytes"`
		CVEs            *struct {
			Total int `json:"total"`
		} `json:"cves"`
		Delta *struct {
			SizeBytes      int64 `json:"size_bytes"`
			Layers         int   `json:"layers"`
			OSPackages     int   `json:"os_packages"`
			PythonPackages int   `json:"python_packages"`
			WastedBytes    int64 `json:"wasted_bytes"`
		} `json:"delta"`
	} `json:"images"`
	Baseline     int `json:"baseline"`
	PackageDiffs []struct {
		Removed []struct {
			Name string `json:"name"`
		} `json:"removed"`
	} `json:"package_diffs"`
}

// compareArgs names the three fixtures in three transports: the full-style
// image with a venv (wasted), the one with planted secrets and a non-root
// user, and the distroless-style one.
func compareArgs(t *testing.T) (*fx.Set, []string) {
	set := fixtures(t)
	return set, []string{
		set.Ref(fx.Wasted, fx.OCIArchive),
		set.Ref(fx.Secret, fx.DockerArchive),
		set.Ref(fx.Distroless, fx.OCILayout),
	}
}

// TestCompareMatchesGroundTruth checks every count of the comparison
// against what dpkg-query, pip, skopeo and dive said when the fixtures were
// built, and the deltas against the differences of those facts.
func TestCompareMatchesGroundTruth(t *testing.T) {
	set, refs := compareArgs(t)
	args := append([]string{"compare", "--format", "json", "--packages", "--db", filepath.Join(t.TempDir(), "none.db"), "--baseline", "2"}, refs...)
	_, stderr, code := runPyimg(t, args...)
	if code != 2 || !strings.Contains(stderr, "none.db") {
		t.Errorf("compare with a missing --db: exit %d, want 2 naming the file\n%s", code, stderr)
	}
	args = append([]string{"compare", "--format", "json", "--packages", "--baseline", "2"}, refs...)
	t.Setenv("PYIMG_DB", filepath.Join(t.TempDir(), "osv.db")) // no database: cves must be null
	stdout, stderr, code := runPyimg(t, args...)
	if code != 0 {
		t.Fatalf("pyimg %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	if !strings.Contains(stderr, "CVE counts not shown") {
		t.Errorf("compare without a database does not say so on stderr:\n%s", stderr)
	}
	var c comparison
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatalf("decoding: %v\n%.2000s", err, stdout)
	}
	if len(c.Images) != 3 || c.Baseline != 1 {
		t.Fatalf("images = %d, baseline = %d; want 3 in argument order, baseline 1 (--baseline 2)", len(c.Images), c.Baseline)
	}
	transports := []string{fx.OCIArchive, fx.DockerArchive, fx.OCILayout}
	base := set.Images[fx.Secret]
	for i, name := range fx.Names {
		got, truth := c.Images[i], set.Images[name]
		if got.Reference != refs[i] {
			t.Errorf("images[%d].reference = %q, want %q", i, got.Reference, refs[i])
		}
		if got.OSPackages != truth.DpkgPackages {
			t.Errorf("%s: os_packages = %d, dpkg-query -W lists %d", name, got.OSPackages, truth.DpkgPackages)
		}
		if got.PythonPackages != len(truth.PipPackages) {
			t.Errorf("%s: python_packages = %d, pip list --local lists %d", name, got.PythonPackages, len(truth.PipPackages))
		}
		if want := truth.ManifestLayers[transports[i]]; got.Layers != want {
			t.Errorf("%s: layers = %d, skopeo's manifest has %d", name, got.Layers, want)
		}
		if got.SizeBytes != truth.Dive.SizeBytes || got.WastedBytes != truth.Dive.InefficientBytes {
			t.Errorf("%s: size %d, wasted %d; dive says %d, %d", name, got.SizeBytes, got.WastedBytes, truth.Dive.SizeBytes, truth.Dive.InefficientBytes)
		}
		if transports[i] != fx.DockerArchive && got.CompressedBytes != truth.CompressedBytes {
			t.Errorf("%s: compressed_bytes = %d, the OCI manifest sums %d", name, got.CompressedBytes, truth.CompressedBytes)
		}
		if got.User != truth.ConfigUser || got.Shell != (len(truth.Shells) > 0) {
			t.Errorf("%s: user %q shell %v; config says %q, shells %v", name, got.User, got.Shell, truth.ConfigUser, truth.Shells)
		}
		if got.CVEs != nil {
			t.Errorf("%s: cves = %+v without a database, want null", name, got.CVEs)
		}
		if i == c.Baseline {
			if got.Delta != nil {
				t.Errorf("%s: the baseline has a delta", name)
			}
			continue
		}
		d := got.Delta
		if d == nil {
			t.Fatalf("%s: no delta", name)
		}
		if d.OSPackages != truth.DpkgPackages-base.DpkgPackages || d.Layers != truth.ManifestLayers[transports[i]]-base.ManifestLayers[fx.DockerArchive] ||
			d.SizeBytes != truth.Dive.SizeBytes-base.Dive.SizeBytes || d.PythonPackages != len(truth.PipPackages)-len(base.PipPackages) ||
			d.WastedBytes != truth.Dive.InefficientBytes-base.Dive.InefficientBytes {
			t.Errorf("%s: delta %+v does not equal the differences of the ground truth", name, *d)
		}
	}
	// The distroless image has no dpkg database: every package of the
	// baseline is removed.
	if len(c.PackageDiffs) != 2 || len(c.PackageDiffs[1].Removed) != base.DpkgPackages {
		t.Errorf("package diffs = %+v, want the distroless diff to remove all %d packages", c.PackageDiffs, base.DpkgPackages)
	}
}

// TestCompareHTMLInBrowser loads the compare and analyze pages in headless
// Chromium: no console error, the charts are there with the right number of
// elements once the browser has parsed them, and screenshots are kept for
// people to look at.
func TestCompareHTMLInBrowser(t *testing.T) {
	set, refs := compareArgs(t)
	browser := ""
	for _, b := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(b); err == nil {
			browser = p
			break
		}
	}
	if browser == "" {
		skipOrFail(t, "chromium not installed (scripts/install-test-deps.sh installs it)")
	}
	shots, err := fx.CacheRoot()
	if err != nil {
		t.Fatal(err)
	}
	shots = filepath.Join(shots, "screenshots")
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pages := map[string][]string{
		"compare": append([]string{"compare", "--format", "html"}, refs...),
		"analyze": {"analyze", "--format", "html", set.Ref(fx.Wasted, fx.OCIArchive)},
	}
	for name, args := range pages {
		t.Run(name, func(t *testing.T) {
			stdout, stderr, code := runPyimg(t, args...)
			if code != 0 && code != 1 {
				t.Fatalf("pyimg %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
			}
			page := filepath.Join(dir, name+".html")
			if err := os.WriteFile(page, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			dom, logs := runBrowser(t, browser, "--dump-dom", "file://"+page)
			for _, l := range strings.Split(logs, "\n") {
				if strings.Contains(l, ":CONSOLE") || strings.Contains(l, "Uncaught") || strings.Contains(l, "Failed to load resource") {
					t.Errorf("browser console: %s", l)
				}
			}
			charts := regexp.MustCompile(`<svg class="chart (\w+)" data-count="(\d+)"`).FindAllStringSubmatch(dom, -1)
			counts := map[string]int{}
			for _, m := range charts {
				n, _ := strconv.Atoi(m[2])
				counts[m[1]] += n
			}
			switch name {
			case "compare":
				// Two bars (uncompressed, compressed) and two package bars
				// per image, one waste bar per image.
				if counts["bars"] != 3*2+3*2+3 {
					t.Errorf("compare page: %d bars in the parsed DOM, want 15 (charts %v)", counts["bars"], charts)
				}
				if rows := strings.Count(dom, "<tr><td class=\"mono\">"); rows != 3 {
					t.Errorf("compare page: %d image rows, want 3", rows)
				}
			case "analyze":
				if want := set.Images[fx.Wasted].ManifestLayers[fx.OCIArchive] + len(analyze(t, fx.Wasted, fx.OCIArchive).PythonPackages); counts["bars"] != want {
					t.Errorf("analyze page: %d bars, want one per layer and per Python package (%d)", counts["bars"], want)
				}
				if counts["treemap"] < 5 {
					t.Errorf("analyze page: treemap with %d cells, want a real tree", counts["treemap"])
				}
				if !regexp.MustCompile(`<rect class="cell c\d wasted"`).MatchString(dom) {
					t.Errorf("analyze page: the 5 MB written then deleted is not marked as wasted in the treemap")
				}
			}
			// Every rect the page announced was parsed as SVG by the browser.
			if rects := strings.Count(dom, "<rect class=\"bar") + strings.Count(dom, "<rect class=\"cell") + strings.Count(dom, "<rect class=\"seg"); rects != counts["bars"]+counts["treemap"]+counts["stacked"] {
				t.Errorf("%s page: %d chart rects in the DOM, the charts announce %d", name, rects, counts["bars"]+counts["treemap"]+counts["stacked"])
			}
			shot := filepath.Join(shots, name+".png")
			runBrowser(t, browser, "--screenshot="+shot, "--window-size=1280,1800", "file://"+page)
			if st, err := os.Stat(shot); err != nil || st.Size() < 10_000 {
				t.Errorf("screenshot %s missing or blank (%v)", shot, err)
			} else {
				t.Logf("screenshot for people to look at: %s", shot)
			}
		})
	}
}

// runBrowser runs headless Chromium once and returns stdout and the log.
func runBrowser(t *testing.T, browser string, args ...string) (stdout, logs string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0", "--virtual-time-budget=2000"}
	c := exec.CommandContext(ctx, browser, append(base, args...)...)
	var out, errb strings.Builder
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", browser, strings.Join(args, " "), err, errb.String())
	}
	return out.String(), errb.String()
}
