package e2e

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
)

// dpkgEntry is one installed package of a dpkg status file.
type dpkgEntry struct {
	Package, Version, Source, SourceVersion string
}

// imageDpkgStatus reads /var/lib/dpkg/status from the final filesystem of
// the image in an OCI layout with archive/tar (not pyimg) and returns the
// installed packages.
func imageDpkgStatus(t *testing.T, layoutDir string) []dpkgEntry {
	t.Helper()
	status := finalDpkgStatus(t, layoutDir)
	var out []dpkgEntry
	for _, stanza := range strings.Split(string(status), "\n\n") {
		e, installed := dpkgEntry{}, false
		for _, line := range strings.Split(stanza, "\n") {
			k, v, _ := strings.Cut(line, ": ")
			switch k {
			case "Package":
				e.Package = v
			case "Version":
				e.Version = v
			case "Source":
				name, ver, _ := strings.Cut(v, " (")
				e.Source, e.SourceVersion = name, strings.TrimSuffix(ver, ")")
			case "Status":
				installed = strings.HasSuffix(v, " installed")
			}
		}
		if !installed || e.Package == "" {
			continue
		}
		if e.Source == "" {
			e.Source = e.Package
		}
		if e.SourceVersion == "" {
			e.SourceVersion = e.Version
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		t.Fatal("no installed packages in the image's dpkg status")
	}
	return out
}

// bySource returns the binary packages built from a source package and the
// source version (they share one in a consistent image).
func bySource(t *testing.T, pkgs []dpkgEntry, source string) ([]string, string) {
	t.Helper()
	var names []string
	version := ""
	for _, p := range pkgs {
		if p.Source == source {
			names = append(names, p.Package)
			version = p.SourceVersion
		}
	}
	if len(names) == 0 {
		t.Fatalf("no package built from %s in the fixture", source)
	}
	sort.Strings(names)
	return names, version
}

func osvJSON(id, eco, name string, events []map[string]string, aliases []string, extra map[string]any) []byte {
	rec := map[string]any{
		"schema_version": "1.6.0",
		"id":             id,
		"modified":       "2026-11-01T00:00:00Z",
		"published":      "2026-10-01T00:00:00Z",
		"summary":        id + " (pyimg e2e test advisory)",
		"affected": []any{map[string]any{
			"package": map[string]string{"ecosystem": eco, "name": name},
			"ranges":  []any{map[string]any{"type": "ECOSYSTEM", "events": events}},
		}},
	}
	if len(aliases) > 0 {
		rec["aliases"] = aliases
	}
	for k, v := range extra {
		rec[k] = v
	}
	b, _ := json.Marshal(rec)
	return b
}

func fixedAt(v string) []map[string]string {
	return []map[string]string{{"introduced": "0"}, {"fixed": v}}
}

var everAffected = []map[string]string{{"introduced": "0"}}

// osvServer serves <Ecosystem>/all.zip archives of the given records.
func osvServer(t *testing.T, records map[string][][]byte) *httptest.Server {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for eco, recs := range records {
		p := filepath.Join(dir, eco+".zip")
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		for i, r := range recs {
			w, err := zw.Create(fmt.Sprintf("%s-%d.json", eco, i))
			if err != nil {
				t.Fatal(err)
			}
			w.Write(r)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		files["/"+eco+"/all.zip"] = p
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, p)
	}))
	t.Cleanup(srv.Close)
	return srv
}

type scanMatch struct {
	ID         string   `json:"id"`
	Aliases    []string `json:"aliases"`
	Advisories []string `json:"advisories"`
	Package    struct {
		Name       string `json:"name"`
		Version    string `json:"version"`
		Ecosystem  string `json:"ecosystem"`
		PURL       string `json:"purl"`
		SourceName string `json:"source_name"`
		Location   string `json:"location"`
	} `json:"package"`
	Installed string `json:"installed_version"`
	Fixed     string `json:"fixed_version"`
	Severity  string `json:"severity"`
}

// TestScanFixture updates the database over HTTP from a test OSV data set
// written for the wasted fixture's real packages, scans the image and
// expects exactly the advisories that apply: none for versions already
// fixed, other Debian releases, withdrawn records, or Python distributions
// dpkg installed.
func TestScanFixture(t *testing.T) {
	set := fixtures(t)
	img := set.Images[fx.Wasted]
	pkgs := imageDpkgStatus(t, set.Path(fx.Wasted, fx.OCILayout))
	sslBins, sslVer := bySource(t, pkgs, "openssl")
	libcBins, libcVer := bySource(t, pkgs, "glibc")
	wheelBins, _ := bySource(t, pkgs, "wheel")
	if !slices.Contains(wheelBins, "python3-wheel") {
		t.Fatalf("fixture lacks Debian's python3-wheel (have %v)", wheelBins)
	}
	if !slices.ContainsFunc(img.PipPackages, func(p fx.PipPackage) bool { return p.Name == "pip" }) {
		t.Fatalf("fixture venv lacks pip: %v", img.PipPackages)
	}
	hello := img.Package

	srv := osvServer(t, map[string][][]byte{
		"Debian": {
			// Fixed above the installed openssl: every openssl binary matches.
			osvJSON("DSA-9901-1", "Debian:12", "openssl", fixedAt(sslVer+"+e2e1"), []string{"CVE-2099-0001"}, nil),
			osvJSON("DEBIAN-CVE-2099-0001", "Debian:12", "openssl", fixedAt(sslVer+"+e2e1"), []string{"CVE-2099-0001"},
				map[string]any{"severity": []any{map[string]string{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}}),
			// Fixed below the installed openssl: no match.
			osvJSON("DSA-9902-1", "Debian:12", "openssl", fixedAt("1.1.1n-0+deb10u1"), []string{"CVE-2099-0002"}, nil),
			// No fix yet for glibc, no severity: unknown, unfixed.
			osvJSON("DEBIAN-CVE-2099-0003", "Debian:12", "glibc", everAffected, []string{"CVE-2099-0003"}, nil),
			// Another Debian release: no match.
			osvJSON("DLA-9904-1", "Debian:11", "glibc", fixedAt(libcVer+"+e2e1"), []string{"CVE-2099-0004"}, nil),
		},
		"PyPI": {
			osvJSON("PYSEC-2099-1", "PyPI", hello.Name, fixedAt(hello.Version+".post1"), []string{"CVE-2099-0005", "GHSA-e2e1-e2e1-e2e1"}, nil),
			osvJSON("GHSA-e2e1-e2e1-e2e1", "PyPI", strings.ReplaceAll(hello.Name, "-", "_"), fixedAt(hello.Version+".post1"), []string{"CVE-2099-0005"},
				map[string]any{"database_specific": map[string]string{"severity": "HIGH"}}),
			// Debian's python3-wheel is dpkg's, not PyPI's: no match.
			osvJSON("PYSEC-2099-2", "PyPI", "wheel", everAffected, []string{"CVE-2099-0006"}, nil),
			// pip: the venv's copy (from ensurepip) matches; Debian's
			// python3-pip in /usr/lib/python3/dist-packages does not.
			osvJSON("PYSEC-2099-3", "PyPI", "pip", fixedAt("23.0.2"), []string{"CVE-2099-0007"}, nil),
			// Withdrawn: no match.
			osvJSON("PYSEC-2099-4", "PyPI", hello.Name, everAffected, nil, map[string]any{"withdrawn": "2026-11-02T00:00:00Z"}),
		},
		"Alpine": {
			osvJSON("ALPINE-CVE-2099-0008", "Alpine:v3.20", "openssl", everAffected, nil, nil),
		},
	})
	db := filepath.Join(t.TempDir(), "osv.db")
	out, stderr, code := runPyimg(t, "db", "update", "--db", db, "--source", srv.URL)
	if code != 0 {
		t.Fatalf("db update: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(out, "Alpine 1, Debian 5, PyPI 4") {
		t.Errorf("db update: %s", out)
	}

	out, stderr, code = runPyimg(t, "scan", "--db", db, "--format", "json", set.Ref(fx.Wasted, fx.OCIArchive))
	if code != 0 {
		t.Fatalf("scan: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "vulnerability database "+db) {
		t.Errorf("scan does not say which database and how old: %q", stderr)
	}
	var doc struct {
		Matches []scanMatch `json:"matches"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("scan JSON: %v", err)
	}
	var got []string
	for _, m := range doc.Matches {
		got = append(got, fmt.Sprintf("%s %s/%s %s->%s %s", m.ID, m.Package.Ecosystem, m.Package.Name, m.Installed, m.Fixed, m.Severity))
	}
	var want []string
	for _, b := range sslBins {
		want = append(want, fmt.Sprintf("CVE-2099-0001 Debian/%s %s->%s+e2e1 critical", b, sslVer, sslVer))
	}
	for _, b := range libcBins {
		want = append(want, fmt.Sprintf("CVE-2099-0003 Debian/%s %s-> unknown", b, libcVer))
	}
	want = append(want,
		fmt.Sprintf("CVE-2099-0005 PyPI/%s %s->%s.post1 high", hello.Name, hello.Version, hello.Version),
		"CVE-2099-0007 PyPI/pip 23.0.1->23.0.2 unknown",
	)
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Errorf("scan matches:\n%s\nwant exactly:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, m := range doc.Matches {
		switch m.ID {
		case "CVE-2099-0001":
			if !slices.Equal(m.Advisories, []string{"DEBIAN-CVE-2099-0001", "DSA-9901-1"}) || m.Package.SourceName != "openssl" && m.Package.Name != "openssl" {
				t.Errorf("openssl match not merged or not by source: %+v", m)
			}
			if !strings.HasPrefix(m.Package.PURL, "pkg:deb/debian/"+m.Package.Name+"@") || !strings.Contains(m.Package.PURL, "distro=debian-12") {
				t.Errorf("purl %q", m.Package.PURL)
			}
		case "CVE-2099-0005":
			if !slices.Equal(m.Aliases, []string{"GHSA-e2e1-e2e1-e2e1", "PYSEC-2099-1"}) || !strings.HasPrefix(m.Package.Location, hello.SitePackages) {
				t.Errorf("local package match: %+v", m)
			}
		case "CVE-2099-0007":
			if !strings.HasPrefix(m.Package.Location, hello.SitePackages) {
				t.Errorf("pip matched outside the venv (dpkg's copy?): %+v", m)
			}
		}
	}

	// Gates: --fail-on critical trips on openssl; hiding unfixed and
	// anything below high leaves openssl and the local package.
	_, _, code = runPyimg(t, "scan", "--db", db, "--fail-on", "critical", set.Ref(fx.Wasted, fx.OCIArchive))
	if code != 1 {
		t.Errorf("scan --fail-on critical: exit %d, want 1", code)
	}
	out, _, code = runPyimg(t, "scan", "--db", db, "--severity", "high", "--ignore-unfixed", "--format", "sarif", set.Ref(fx.Wasted, fx.OCILayout))
	if code != 0 || strings.Contains(out, "CVE-2099-0003") || strings.Contains(out, "CVE-2099-0007") || !strings.Contains(out, "CVE-2099-0001") || !strings.Contains(out, "CVE-2099-0005") {
		t.Errorf("scan --severity high --ignore-unfixed (sarif): exit %d\n%s", code, out)
	}

	// Scanning pyimg's own CycloneDX SBOM of the image finds the same
	// matches: the SBOM carries source packages and dpkg ownership.
	bom, _ := sbomCDX(t, set.Ref(fx.Wasted, fx.OCIArchive))
	bomPath := filepath.Join(t.TempDir(), "bom.cdx.json")
	if err := os.WriteFile(bomPath, bom, 0o644); err != nil {
		t.Fatal(err)
	}
	out, stderr, code = runPyimg(t, "scan", "--db", db, "--format", "json", bomPath)
	if code != 0 {
		t.Fatalf("scan SBOM: exit %d\n%s", code, stderr)
	}
	var fromBOM struct {
		Matches []scanMatch `json:"matches"`
	}
	if err := json.Unmarshal([]byte(out), &fromBOM); err != nil {
		t.Fatal(err)
	}
	var gotBOM []string
	for _, m := range fromBOM.Matches {
		gotBOM = append(gotBOM, fmt.Sprintf("%s %s/%s %s->%s %s", m.ID, m.Package.Ecosystem, m.Package.Name, m.Installed, m.Fixed, m.Severity))
	}
	sort.Strings(gotBOM)
	if !slices.Equal(gotBOM, want) {
		t.Errorf("SBOM scan matches:\n%s\nwant the image scan's:\n%s", strings.Join(gotBOM, "\n"), strings.Join(want, "\n"))
	}
}
