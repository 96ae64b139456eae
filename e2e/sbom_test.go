package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
	"github.com/pyimg/pyimg/pydist"
	"github.com/pyimg/pyimg/sbom/sbomtest"
)

// cdxComponent is the part of a CycloneDX component the tests read.
type cdxComponent struct {
	Type       string         `json:"type"`
	Name       string         `json:"name"`
	Version    string         `json:"version"`
	PURL       string         `json:"purl"`
	Components []cdxComponent `json:"components"`
	Properties []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"properties"`
}

func (c cdxComponent) prop(name string) string {
	for _, p := range c.Properties {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// sbomCDX runs `pyimg sbom -f cyclonedx-json` and returns the raw document
// and its top-level components.
func sbomCDX(t *testing.T, ref string, flags ...string) ([]byte, []cdxComponent) {
	t.Helper()
	args := append([]string{"sbom", "--format", "cyclonedx-json", "--timestamp", "2026-01-01T00:00:00Z"}, flags...)
	out, stderr, code := runPyimg(t, append(args, ref)...)
	if code != 0 {
		t.Fatalf("pyimg sbom %s: exit %d\n%s", ref, code, stderr)
	}
	var bom struct {
		Components []cdxComponent `json:"components"`
	}
	if err := json.Unmarshal([]byte(out), &bom); err != nil {
		t.Fatalf("decoding CycloneDX: %v", err)
	}
	return []byte(out), bom.Components
}

// TestSbomDpkgMatchesDpkgQuery checks the Debian packages pyimg lists against
// dpkg itself: the count `dpkg-query -W` gave inside the image at build
// time, and, when dpkg-query exists on the host, the exact name, version and
// architecture it reads from the image's status file.
func TestSbomDpkgMatchesDpkgQuery(t *testing.T) {
	set := fixtures(t)
	for _, name := range []string{fx.Wasted, fx.Secret} {
		t.Run(name, func(t *testing.T) {
			img := set.Images[name]
			_, comps := sbomCDX(t, set.Ref(name, fx.OCIArchive))
			var got []string
			for _, c := range comps {
				if strings.HasPrefix(c.PURL, "pkg:deb/") {
					got = append(got, c.Name+":"+c.prop("pyimg:arch")+"="+c.Version)
				}
			}
			sort.Strings(got)
			if img.DpkgPackages == 0 || len(got) != img.DpkgPackages {
				t.Errorf("%d Debian packages, dpkg-query -W in the image listed %d", len(got), img.DpkgPackages)
			}
			if _, err := exec.LookPath("dpkg-query"); err != nil {
				t.Logf("no dpkg-query on the host; compared counts only")
				return
			}
			want := hostDpkgQuery(t, set.Path(name, fx.OCILayout))
			if !slices.Equal(got, want) {
				t.Errorf("Debian packages differ from dpkg-query --admindir:\n got %d: %v\nwant %d: %v", len(got), got, len(want), want)
			}
		})
	}
}

// hostDpkgQuery extracts /var/lib/dpkg/status from the image's final
// filesystem (the last layer that writes it) with archive/tar, and lists the
// installed packages with the host's dpkg-query.
func hostDpkgQuery(t *testing.T, layoutDir string) []string {
	t.Helper()
	status := finalDpkgStatus(t, layoutDir)
	admin := t.TempDir()
	for _, d := range []string{"info", "updates"} {
		if err := os.Mkdir(filepath.Join(admin, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(admin, "status"), status, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("dpkg-query", "--admindir="+admin, "-W", "-f=${db:Status-Status} ${Package}:${Architecture}=${Version}\n").Output()
	if err != nil {
		t.Fatalf("dpkg-query: %v", err)
	}
	var pkgs []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if st, p, ok := strings.Cut(l, " "); ok && st == "installed" {
			pkgs = append(pkgs, p)
		}
	}
	sort.Strings(pkgs)
	return pkgs
}

// TestSbomVenv checks the Python distributions of the wasted image's venv
// against `pip list --local` run in it, and that Debian's own Python
// packages are marked as the OS's.
func TestSbomVenv(t *testing.T) {
	set := fixtures(t)
	img := set.Images[fx.Wasted]
	_, comps := sbomCDX(t, set.Ref(fx.Wasted, fx.OCIArchive))
	var venv []string
	osOwned := 0
	for _, c := range comps {
		if !strings.HasPrefix(c.PURL, "pkg:pypi/") {
			continue
		}
		loc := c.prop("pyimg:location")
		switch {
		case strings.HasPrefix(loc, img.Package.SitePackages+"/"):
			venv = append(venv, c.Name+"=="+c.Version)
			if c.prop("pyimg:os-owned") != "" {
				t.Errorf("%s in the venv is marked as the OS's", c.Name)
			}
			if c.prop("pyimg:python:interpreter") == "" {
				t.Errorf("%s has no interpreter", c.Name)
			}
		case strings.HasPrefix(loc, "/usr/lib/python3/dist-packages/"):
			if c.prop("pyimg:os-owned") != "true" {
				t.Errorf("%s in %s is not marked as dpkg's", c.Name, loc)
			}
			osOwned++
		}
	}
	var want []string
	for _, p := range img.PipPackages {
		want = append(want, pydist.NormalizeName(p.Name)+"=="+p.Version)
	}
	sort.Strings(venv)
	sort.Strings(want)
	if !slices.Equal(venv, want) {
		t.Errorf("venv distributions = %v, pip list --local = %v", venv, want)
	}
	if osOwned == 0 {
		t.Errorf("no dpkg-owned Python distribution in /usr/lib/python3/dist-packages (python3-pip is installed)")
	}
}

// TestSbomSchemas validates both document formats of every fixture against
// the official schemas, and checks that the transports agree.
func TestSbomSchemas(t *testing.T) {
	set := fixtures(t)
	for _, name := range fx.Names {
		t.Run(name, func(t *testing.T) {
			ref := set.Ref(name, fx.OCIArchive)
			doc, comps := sbomCDX(t, ref)
			if err := sbomtest.Validate(sbomtest.CycloneDX16, doc); err != nil {
				t.Errorf("CycloneDX: %v", err)
			}
			out, stderr, code := runPyimg(t, "sbom", "--format", "spdx-json", ref)
			if code != 0 {
				t.Fatalf("spdx-json: exit %d\n%s", code, stderr)
			}
			if err := sbomtest.Validate(sbomtest.SPDX23, []byte(out)); err != nil {
				t.Errorf("SPDX: %v", err)
			}
			_, other := sbomCDX(t, set.Ref(name, fx.DockerArchive))
			if a, b := purls(comps), purls(other); !slices.Equal(a, b) {
				t.Errorf("oci-archive and docker-archive list different packages:\n%v\n%v", a, b)
			}
		})
	}
}

func purls(cs []cdxComponent) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.PURL+" "+c.prop("pyimg:location"))
		out = append(out, purls(c.Components)...)
	}
	sort.Strings(out)
	return out
}

// TestSbomTable checks the default format names the OS and the packages.
func TestSbomTable(t *testing.T) {
	set := fixtures(t)
	out, stderr, code := runPyimg(t, "sbom", set.Ref(fx.Wasted, fx.OCIArchive))
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"Debian GNU/Linux 12 (bookworm)", "glibc 2.36", "libc6", "pyimg-e2e-hello", "tini"} {
		if !bytes.Contains([]byte(out), []byte(want)) {
			t.Errorf("table lacks %q", want)
		}
	}
}
