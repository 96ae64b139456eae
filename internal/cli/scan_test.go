package cli

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// osvRecord renders an OSV record in the real schema.
func osvRecord(id, eco, name, fixed string, aliases []string, extra string) string {
	events := `[{"introduced": "0"}]`
	if fixed != "" {
		events = fmt.Sprintf(`[{"introduced": "0"}, {"fixed": %q}]`, fixed)
	}
	al, _ := json.Marshal(aliases)
	return fmt.Sprintf(`{"schema_version": "1.6.0", "id": %q, "modified": "2026-11-01T00:00:00Z", "published": "2026-10-01T00:00:00Z", "aliases": %s, "summary": "%s in %s"%s,
  "affected": [{"package": {"ecosystem": %q, "name": %q}, "ranges": [{"type": "ECOSYSTEM", "events": %s}]}]}`, id, al, id, name, extra, eco, name, events)
}

func writeOSVZip(t *testing.T, path string, recs ...string) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, r := range recs {
		var head struct{ ID string }
		if err := json.Unmarshal([]byte(r), &head); err != nil {
			t.Fatalf("bad test record: %v\n%s", err, r)
		}
		w, _ := zw.Create(head.ID + ".json")
		w.Write([]byte(r))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// scanData is the advisories the scan tests expect (or expect not) to hit.
func scanData(t *testing.T, dir string) string {
	return writeOSVZip(t, filepath.Join(dir, "all.zip"),
		osvRecord("DSA-5001-1", "Debian:12", "openssl", "3.0.15-1~deb12u1", []string{"CVE-2024-0001"}, ""),
		osvRecord("DEBIAN-CVE-2024-0001", "Debian:12", "openssl", "3.0.15-1~deb12u1", []string{"CVE-2024-0001"}, `, "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]`),
		osvRecord("DSA-5002-1", "Debian:12", "openssl", "3.0.11-1~deb12u1", []string{"CVE-2023-0002"}, ""), // fixed below installed
		osvRecord("DEBIAN-CVE-2024-0003", "Debian:12", "glibc", "", []string{"CVE-2024-0003"}, ""),         // unfixed, unknown severity
		osvRecord("DSA-5004-1", "Debian:11", "glibc", "2.31-13+deb11u12", nil, ""),                         // other release
		osvRecord("PYSEC-2026-1", "PyPI", "requests", "2.32.0", []string{"CVE-2026-0004", "GHSA-aaaa-bbbb-cccc"}, ""),
		osvRecord("GHSA-aaaa-bbbb-cccc", "PyPI", "requests", "2.32.0", []string{"CVE-2026-0004"}, `, "database_specific": {"severity": "MODERATE"}`),
		osvRecord("PYSEC-2026-2", "PyPI", "pip", "99.0", []string{"CVE-2026-0005"}, `, "database_specific": {"severity": "HIGH"}`), // dpkg-owned pip: must not match
		osvRecord("GHSA-gone-gone-gone", "PyPI", "requests", "9.0", nil, `, "withdrawn": "2026-11-02T00:00:00Z"`),
	)
}

const scanStatus = `Package: libssl3
Status: install ok installed
Architecture: amd64
Source: openssl
Version: 3.0.14-1~deb12u2

Package: libc6
Status: install ok installed
Architecture: amd64
Source: glibc
Version: 2.36-9+deb12u9

Package: python3-pip
Status: install ok installed
Architecture: all
Source: python-pip
Version: 23.0.1+dfsg-1
`

// scanImage writes a Debian 12 image with libssl3 (openssl), libc6
// (glibc), Debian's python3-pip and a venv with requests 2.31.0.
func scanImage(t *testing.T) string {
	t.Helper()
	pipDist := "usr/lib/python3/dist-packages/pip-23.0.1.dist-info/"
	l0 := layerOf(t,
		tarFile{name: "etc/os-release", body: "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n"},
		tarFile{name: "var/lib/dpkg/status", body: scanStatus},
		tarFile{name: "var/lib/dpkg/info/python3-pip.list", body: "/usr/lib/python3/dist-packages/pip-23.0.1.dist-info\n/" + pipDist + "METADATA\n"},
		tarFile{name: "var/lib/dpkg/info/libssl3:amd64.list", body: "/usr/lib/x86_64-linux-gnu/libssl.so.3\n"},
		tarFile{name: "var/lib/dpkg/info/libc6:amd64.list", body: "/usr/lib/x86_64-linux-gnu/libc.so.6\n"},
		tarFile{name: pipDist + "METADATA", body: "Metadata-Version: 2.1\nName: pip\nVersion: 23.0.1\n"},
		tarFile{name: "usr/bin/python3.11", size: 100, mode: 0o755},
	)
	site := "opt/venv/lib/python3.11/site-packages/"
	l1 := layerOf(t,
		tarFile{name: "opt/venv/pyvenv.cfg", body: "home = /usr/bin\nversion = 3.11.2\n"},
		tarFile{name: site + "requests-2.31.0.dist-info/METADATA", body: "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n"},
		tarFile{name: site + "requests-2.31.0.dist-info/RECORD", body: "requests/__init__.py,,\n"},
		tarFile{name: site + "requests/__init__.py", body: "\n"},
	)
	return ociLayoutOf(t, l0, l1)
}

// importDB builds a database from the scan data and returns its path.
func importDB(t *testing.T, opts ...runOpt) string {
	t.Helper()
	dir := t.TempDir()
	db := filepath.Join(dir, "osv.db")
	r := run(t, opts, "db", "import", "--db", db, scanData(t, dir))
	if r.code != 0 {
		t.Fatalf("db import: %d %s", r.code, r.stderr)
	}
	return db
}

type scanOut struct {
	Target   string `json:"target"`
	Packages int    `json:"packages"`
	Database struct {
		Stale  bool           `json:"stale"`
		Counts map[string]int `json:"counts"`
	} `json:"database"`
	Matches []struct {
		ID         string   `json:"id"`
		Aliases    []string `json:"aliases"`
		Advisories []string `json:"advisories"`
		Package    struct {
			Name, Version, Ecosystem, PURL string
			SourceName                     string `json:"source_name"`
		} `json:"package"`
		Installed string `json:"installed_version"`
		Fixed     string `json:"fixed_version"`
		Severity  string `json:"severity"`
	} `json:"matches"`
	Ignored []struct {
		Reason string `json:"reason"`
	} `json:"ignored"`
	Expired []struct {
		ID string `json:"id"`
	} `json:"expired_ignores"`
	Summary map[string]int `json:"summary"`
}

func decodeScan(t *testing.T, r result) scanOut {
	t.Helper()
	var out scanOut
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("scan JSON: %v\n%s\nstderr: %s", err, r.stdout, r.stderr)
	}
	return out
}

func matchLines(out scanOut) []string {
	var got []string
	for _, m := range out.Matches {
		got = append(got, fmt.Sprintf("%s %s %s %s->%s %s", m.ID, m.Package.Ecosystem, m.Package.Name, m.Installed, m.Fixed, m.Severity))
	}
	slices.Sort(got)
	return got
}

func TestScanImage(t *testing.T) {
	t.Parallel()
	db := importDB(t)
	ref := scanImage(t)
	r := run(t, nil, "scan", "--db", db, "--format", "json", ref)
	if r.code != 0 {
		t.Fatalf("scan: exit %d: %s", r.code, r.stderr)
	}
	out := decodeScan(t, r)
	want := []string{
		"CVE-2024-0001 Debian libssl3 3.0.14-1~deb12u2->3.0.15-1~deb12u1 critical",
		"CVE-2024-0003 Debian libc6 2.36-9+deb12u9-> unknown",
		"CVE-2026-0004 PyPI requests 2.31.0->2.32.0 medium",
	}
	if got := matchLines(out); !slices.Equal(got, want) {
		t.Errorf("matches:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, m := range out.Matches {
		if m.ID == "CVE-2024-0001" && (!slices.Equal(m.Advisories, []string{"DEBIAN-CVE-2024-0001", "DSA-5001-1"}) || m.Package.SourceName != "openssl" || !strings.HasPrefix(m.Package.PURL, "pkg:deb/debian/libssl3@")) {
			t.Errorf("openssl match = %+v", m)
		}
		if m.ID == "CVE-2026-0004" && !slices.Equal(m.Aliases, []string{"GHSA-aaaa-bbbb-cccc", "PYSEC-2026-1"}) {
			t.Errorf("requests aliases = %v", m.Aliases)
		}
	}
	if out.Summary["critical"] != 1 || out.Summary["medium"] != 1 || out.Summary["unknown"] != 1 {
		t.Errorf("summary = %v", out.Summary)
	}
	if !strings.Contains(r.stderr, "vulnerability database "+db+": built 2026-11-22") || strings.Contains(r.stderr, "warning") {
		t.Errorf("stderr = %q, want the database age and no warning", r.stderr)
	}
}

func TestScanFlags(t *testing.T) {
	t.Parallel()
	db := importDB(t)
	ref := scanImage(t)
	for _, tc := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{"--severity", "high"}, 0, []string{"CVE-2024-0001"}},
		{[]string{"--ignore-unfixed"}, 0, []string{"CVE-2024-0001", "CVE-2026-0004"}},
		{[]string{"--fail-on", "critical"}, 1, []string{"CVE-2024-0001", "CVE-2024-0003", "CVE-2026-0004"}},
		{[]string{"--fail-on", "critical", "--severity", "medium", "--ignore-unfixed"}, 1, []string{"CVE-2024-0001", "CVE-2026-0004"}},
		{[]string{"--fail-on", "high", "--severity", "medium", "--ignore-file", writeFile(t, t.TempDir(), ".pyimg-ignore.yaml", "ignore:\n  - {id: DSA-5001-1, package: openssl, reason: not reachable}\n")}, 0, []string{"CVE-2026-0004"}},
		{[]string{"--fail-on", "unknown"}, 1, []string{"CVE-2024-0001", "CVE-2024-0003", "CVE-2026-0004"}},
		{[]string{"--fail-on", "none"}, 0, []string{"CVE-2024-0001", "CVE-2024-0003", "CVE-2026-0004"}},
		{[]string{"--fail-on", "severe"}, 2, nil},
		{[]string{"--severity", "bad"}, 2, nil},
		{[]string{"--format", "xml"}, 2, nil},
	} {
		r := run(t, nil, append([]string{"scan", "--db", db, "--format", "json", ref}, tc.args...)...)
		if r.code != tc.code {
			t.Errorf("scan %v: exit %d, want %d: %s", tc.args, r.code, tc.code, r.stderr)
			continue
		}
		if tc.code == 2 {
			continue
		}
		var ids []string
		for _, m := range decodeScan(t, r).Matches {
			ids = append(ids, m.ID)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, tc.want) {
			t.Errorf("scan %v: ids %v, want %v", tc.args, ids, tc.want)
		}
	}
}

func TestScanIgnoreExpiry(t *testing.T) {
	t.Parallel()
	db := importDB(t)
	dir := t.TempDir()
	ign := writeFile(t, dir, "pyproject.toml", `[tool.pyimg.scan]
ignore = [
  {id = "CVE-2024-0003", reason = "glibc fix pending upstream", expires = "2027-01-01"},
  {id = "GHSA-aaaa-bbbb-cccc", reason = "proxy unused", expires = "2026-11-01"},
]
`)
	r := run(t, nil, "scan", "--db", db, "--format", "json", "--ignore-file", ign, scanImage(t))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	out := decodeScan(t, r)
	if len(out.Ignored) != 1 || out.Ignored[0].Reason != "glibc fix pending upstream" {
		t.Errorf("ignored = %+v", out.Ignored)
	}
	if len(out.Expired) != 1 || out.Expired[0].ID != "GHSA-aaaa-bbbb-cccc" || !strings.Contains(r.stderr, "GHSA-aaaa-bbbb-cccc") || !strings.Contains(r.stderr, "expired on 2026-11-01") {
		t.Errorf("expired = %+v, stderr %q", out.Expired, r.stderr)
	}
	if len(out.Matches) != 2 {
		t.Errorf("matches = %v, want openssl and requests (expired ignore no longer applies)", matchLines(out))
	}
	bad := writeFile(t, dir, "bad.yaml", "ignore:\n  - id: CVE-1\n")
	if r := run(t, nil, "scan", "--db", db, "--ignore-file", bad, scanImage(t)); r.code != 2 || !strings.Contains(r.stderr, "bad.yaml") || !strings.Contains(r.stderr, "missing reason") {
		t.Errorf("bad ignore file: exit %d, %q", r.code, r.stderr)
	}
}

func TestScanTableAndSARIF(t *testing.T) {
	t.Parallel()
	db := importDB(t)
	ref := scanImage(t)
	r := run(t, nil, "scan", "--db", db, ref)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"PACKAGE", "libssl3 (openssl)", "3.0.15-1~deb12u1", "critical", "CVE-2024-0001", "DEBIAN-CVE-2024-0001, DSA-5001-1", "3 vulnerabilities in 3 of", "(1 critical, 1 medium, 1 unknown)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("table lacks %q:\n%s", want, r.stdout)
		}
	}
	r = run(t, nil, "scan", "--db", db, "--format", "sarif", ref)
	if r.code != 0 {
		t.Fatalf("sarif: exit %d: %s", r.code, r.stderr)
	}
	rep, err := sarif.FromString(r.stdout)
	if err != nil {
		t.Fatalf("SARIF does not parse: %v", err)
	}
	if err := rep.Validate(); err != nil {
		t.Errorf("SARIF invalid: %v", err)
	}
	res := rep.Runs[0].Results
	if len(res) != 3 {
		t.Fatalf("SARIF results = %d, want 3", len(res))
	}
	levels := map[string]string{}
	for _, x := range res {
		levels[*x.RuleID] = x.Level
	}
	if levels["CVE-2024-0001"] != "error" || levels["CVE-2026-0004"] != "warning" || levels["CVE-2024-0003"] != "note" {
		t.Errorf("SARIF levels = %v", levels)
	}
}

func TestScanSBOM(t *testing.T) {
	t.Parallel()
	db := importDB(t)
	dir := t.TempDir()
	cdx := writeFile(t, dir, "bom.json", `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
  {"type": "library", "name": "libssl3", "purl": "pkg:deb/debian/libssl3@3.0.14-1~deb12u2?arch=amd64&distro=debian-12&upstream=openssl"},
  {"type": "library", "name": "requests", "purl": "pkg:pypi/requests@2.31.0"}]}`)
	spdx := writeFile(t, dir, "spdx.json", `{"spdxVersion": "SPDX-2.3", "packages": [
  {"name": "openssl", "externalRefs": [{"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": "pkg:deb/debian/openssl@3.0.14-1~deb12u2?arch=amd64&distro=debian-12"}]}]}`)
	for file, want := range map[string][]string{
		cdx:  {"CVE-2024-0001 Debian libssl3 3.0.14-1~deb12u2->3.0.15-1~deb12u1 critical", "CVE-2026-0004 PyPI requests 2.31.0->2.32.0 medium"},
		spdx: {"CVE-2024-0001 Debian openssl 3.0.14-1~deb12u2->3.0.15-1~deb12u1 critical"},
	} {
		r := run(t, nil, "scan", "--db", db, "--format", "json", file)
		if r.code != 0 {
			t.Fatalf("scan %s: exit %d: %s", file, r.code, r.stderr)
		}
		if got := matchLines(decodeScan(t, r)); !slices.Equal(got, want) {
			t.Errorf("scan %s:\n%s\nwant\n%s", filepath.Base(file), strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	notSBOM := writeFile(t, dir, "x.json", `{"hello": "world"}`)
	if r := run(t, nil, "scan", "--db", db, notSBOM); r.code != 2 || !strings.Contains(r.stderr, "not a CycloneDX or SPDX") {
		t.Errorf("scan of non-SBOM JSON: exit %d, %q", r.code, r.stderr)
	}
}

func TestScanDatabaseErrorsAndAge(t *testing.T) {
	t.Parallel()
	ref := scanImage(t)
	r := run(t, nil, "scan", "--db", filepath.Join(t.TempDir(), "none.db"), ref)
	if r.code != 2 || !strings.Contains(r.stderr, "pyimg db update") {
		t.Errorf("scan without a database: exit %d, %q", r.code, r.stderr)
	}
	old := func(e *Env) { e.Now = func() time.Time { return time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC) } }
	db := importDB(t, old)
	r = run(t, []runOpt{withEnv("PYIMG_DB", db)}, "scan", "--format", "json", ref)
	if r.code != 0 || !strings.Contains(r.stderr, "warning: the vulnerability database is 12 days old") || !decodeScan(t, r).Database.Stale {
		t.Errorf("stale database: exit %d, stderr %q", r.code, r.stderr)
	}
	if r := run(t, nil, "scan", "--db", db, "oci:"+filepath.Join(t.TempDir(), "missing")); r.code != 2 {
		t.Errorf("scan of a missing layout: exit %d, want 2: %s", r.code, r.stderr)
	}
}

func TestDBImportStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "cache", "osv.db")
	good := scanData(t, dir)
	r := run(t, nil, "db", "import", "--db", db, good)
	if r.code != 0 || !strings.Contains(r.stdout, "8 records stored (8 read, 1 withdrawn skipped, 0 replaced): Debian 5, PyPI 3") {
		t.Fatalf("db import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	corrupt := writeOSVZip(t, filepath.Join(dir, "corrupt.zip"), osvRecord("X-1", "PyPI", "x", "1", nil, ""), `{"id": "X-2", "modified": "2026-01-01T00:00:00Z", "affected": [{"package": {"name": "x"}}]}`)
	r = run(t, nil, "db", "import", "--db", db, corrupt)
	if r.code != 2 || !strings.Contains(r.stderr, "corrupt.zip: X-2.json") {
		t.Errorf("corrupt import: exit %d, %q", r.code, r.stderr)
	}
	r = run(t, nil, "db", "status", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, "records:  8 (Debian 5, PyPI 3)") || !strings.Contains(r.stdout, "built:    2026-11-22T00:00:00Z") || !strings.Contains(r.stdout, good) {
		t.Errorf("db status after failed import: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, []runOpt{withEnv("XDG_CACHE_HOME", filepath.Join(dir, "xdg"))}, "db", "import", good)
	if _, err := os.Stat(filepath.Join(dir, "xdg", "pyimg", "osv.db")); r.code != 0 || err != nil {
		t.Errorf("import to XDG_CACHE_HOME: exit %d %v %s", r.code, err, r.stderr)
	}
	late := func(e *Env) { e.Now = func() time.Time { return time.Date(2026, 12, 22, 0, 0, 0, 0, time.UTC) } }
	r = run(t, []runOpt{late}, "db", "status", "--db", db, "--format", "json")
	var st struct {
		Counts   map[string]int `json:"counts"`
		AgeHours float64        `json:"age_hours"`
		Stale    bool           `json:"stale"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || !st.Stale || st.AgeHours != 30*24 || st.Counts["PyPI"] != 3 {
		t.Errorf("db status json = %+v, %v: %s", st, err, r.stdout)
	}
	if r := run(t, nil, "db", "status", "--db", filepath.Join(dir, "none.db")); r.code != 2 {
		t.Errorf("status of a missing database: exit %d", r.code)
	}
	if r := run(t, nil, "db", "import", "--db", db, filepath.Join(dir, "missing.zip")); r.code != 2 {
		t.Errorf("import of a missing file: exit %d", r.code)
	}
}

func TestDBUpdate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zips := map[string]string{
		"/Debian/all.zip": writeOSVZip(t, filepath.Join(dir, "d.zip"), osvRecord("DSA-1-1", "Debian:12", "openssl", "3.0.15-1~deb12u1", nil, "")),
		"/Alpine/all.zip": writeOSVZip(t, filepath.Join(dir, "a.zip"), osvRecord("ALPINE-CVE-1", "Alpine:v3.20", "openssl", "3.3.2-r1", nil, "")),
		"/PyPI/all.zip":   writeOSVZip(t, filepath.Join(dir, "p.zip"), osvRecord("PYSEC-1", "PyPI", "requests", "2.32.0", nil, "")),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := zips[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, p)
	}))
	defer srv.Close()
	db := filepath.Join(dir, "osv.db")
	r := run(t, nil, "db", "update", "--db", db, "--source", srv.URL)
	if r.code != 0 || !strings.Contains(r.stdout, "Alpine 1, Debian 1, PyPI 1") {
		t.Fatalf("db update: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, []runOpt{withEnv("PYIMG_OSV_SOURCE", srv.URL+"/missing")}, "db", "update", "--db", db)
	if r.code != 3 || !strings.Contains(r.stderr, "404") {
		t.Errorf("update from a bad source: exit %d, %q", r.code, r.stderr)
	}
	srv.Close()
	r = run(t, nil, "db", "update", "--db", db, "--source", srv.URL)
	if r.code != 3 || !strings.Contains(r.stderr, "downloading vulnerability data") {
		t.Errorf("offline update: exit %d, %q", r.code, r.stderr)
	}
	r = run(t, nil, "db", "status", "--db", db)
	if r.code != 0 || !strings.Contains(r.stdout, srv.URL+"/PyPI/all.zip") {
		t.Errorf("status after failed updates: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, nil, "db", "update", "--db", db, "--ecosystem", "npm"); r.code != 2 {
		t.Errorf("--ecosystem npm: exit %d", r.code)
	}
}

func TestScanWarnsAboutMissingEcosystem(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "osv.db")
	z := writeOSVZip(t, filepath.Join(dir, "pypi.zip"), osvRecord("PYSEC-1", "PyPI", "requests", "2.32.0", nil, ""))
	if r := run(t, nil, "db", "import", "--db", db, z); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := run(t, nil, "scan", "--db", db, scanImage(t))
	if r.code != 0 || !strings.Contains(r.stderr, "warning: the database has no Debian records") || strings.Contains(r.stderr, "no PyPI records") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestScanSBOMWithoutRelease(t *testing.T) {
	t.Parallel()
	db := importDB(t)
	bom := writeFile(t, t.TempDir(), "bom.json", `{"bomFormat": "CycloneDX", "components": [
  {"purl": "pkg:deb/debian/libssl3@3.0.14-1~deb12u2?upstream=openssl"},
  {"purl": "pkg:pypi/requests@2.31.0"}]}`)
	r := run(t, nil, "scan", "--db", db, "--format", "json", bom)
	if r.code != 0 || !strings.Contains(r.stderr, "warning: 1 packages could not be matched, e.g. libssl3 3.0.14-1~deb12u2: unknown Debian release") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
	if got := matchLines(decodeScan(t, r)); len(got) != 1 || !strings.HasPrefix(got[0], "CVE-2026-0004 PyPI requests ") {
		t.Errorf("matches = %v", got)
	}
}

func TestScanWarnsWhenNoPackages(t *testing.T) {
	t.Parallel()
	db := importDB(t)
	ref := ociLayoutOf(t, layerOf(t, tarFile{name: "usr/bin/python3.11", size: 10, mode: 0o755}))
	r := run(t, nil, "scan", "--db", db, ref)
	if r.code != 0 || !strings.Contains(r.stderr, "warning: no packages found") || !strings.Contains(r.stdout, "0 vulnerabilities in 0 of 0 packages") {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
}
