package vuln

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/vuln/osv"
)

// memSource is a Source over records in memory, indexed as the store does.
type memSource map[string][]*osv.Record

func (m memSource) Lookup(base, name string) ([]*osv.Record, error) {
	return m[base+"/"+normalize(base, name)], nil
}

func newSource(recs ...*osv.Record) memSource {
	m := memSource{}
	for _, r := range recs {
		seen := map[string]bool{}
		for _, a := range r.Affected {
			k := osv.EcosystemBase(a.Package.Ecosystem) + "/" + normalize(osv.EcosystemBase(a.Package.Ecosystem), a.Package.Name)
			if !seen[k] {
				seen[k] = true
				m[k] = append(m[k], r)
			}
		}
	}
	return m
}

// adv builds a record with one affected package and one ECOSYSTEM range
// given as alternating kinds and versions: "introduced", "0", "fixed", "2".
func adv(id, eco, name string, events ...string) *osv.Record {
	r := &osv.Record{ID: id, Modified: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	var evs []osv.Event
	for i := 0; i+1 < len(events); i += 2 {
		var e osv.Event
		switch events[i] {
		case "introduced":
			e.Introduced = events[i+1]
		case "fixed":
			e.Fixed = events[i+1]
		case "last_affected":
			e.LastAffected = events[i+1]
		case "limit":
			e.Limit = events[i+1]
		}
		evs = append(evs, e)
	}
	a := osv.Affected{Package: osv.Package{Ecosystem: eco, Name: name}}
	if len(evs) > 0 {
		a.Ranges = []osv.Range{{Type: osv.RangeEcosystem, Events: evs}}
	}
	r.Affected = []osv.Affected{a}
	return r
}

func with(r *osv.Record, f func(*osv.Record)) *osv.Record { f(r); return r }

func deb(name, version, source, sourceVersion string) inventory.Package {
	return inventory.Package{Ecosystem: inventory.EcosystemDebian, Name: name, Version: version, SourceName: source, SourceVersion: sourceVersion}
}

func apk(name, version, origin string) inventory.Package {
	return inventory.Package{Ecosystem: inventory.EcosystemAlpine, Name: name, Version: version, SourceName: origin, SourceVersion: version}
}

func pypi(name, version string) inventory.Package {
	return inventory.Package{Ecosystem: inventory.EcosystemPyPI, Name: name, Version: version}
}

var (
	bookworm = inventory.Distro{ID: "debian", VersionID: "12", Codename: "bookworm"}
	alpine   = inventory.Distro{ID: "alpine", VersionID: "3.20.3"}
)

func TestMatchVersions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		distro    inventory.Distro
		pkg       inventory.Package
		rec       *osv.Record
		want      bool
		wantFixed string
	}{
		// Debian (dpkg ordering), keyed by source package.
		{"deb below fix", bookworm, deb("libssl3", "3.0.14-1~deb12u2", "openssl", "3.0.14-1~deb12u2"), adv("DSA-1", "Debian:12", "openssl", "introduced", "0", "fixed", "3.0.15-1~deb12u1"), true, "3.0.15-1~deb12u1"},
		{"deb at fix", bookworm, deb("libssl3", "3.0.15-1~deb12u1", "openssl", "3.0.15-1~deb12u1"), adv("DSA-1", "Debian:12", "openssl", "introduced", "0", "fixed", "3.0.15-1~deb12u1"), false, ""},
		{"deb tilde sorts before", bookworm, deb("openssl", "3.0.15-1~deb12u1", "", ""), adv("DSA-1", "Debian:12", "openssl", "introduced", "0", "fixed", "3.0.15-1"), true, "3.0.15-1"},
		{"deb epoch beats upstream", bookworm, deb("perl", "1:5.36.0-7", "", ""), adv("DSA-1", "Debian:12", "perl", "introduced", "0", "fixed", "5.40.0-1"), false, ""},
		{"deb epoch in fix", bookworm, deb("perl", "5.40.0-1", "", ""), adv("DSA-1", "Debian:12", "perl", "introduced", "0", "fixed", "1:5.36.0-8"), true, "1:5.36.0-8"},
		{"deb +dfsg below", bookworm, deb("libxml2", "2.9.14+dfsg-1.3~deb12u1", "", ""), adv("DSA-1", "Debian:12", "libxml2", "introduced", "0", "fixed", "2.9.14+dfsg-1.3~deb12u2"), true, "2.9.14+dfsg-1.3~deb12u2"},
		{"deb +dfsg above", bookworm, deb("libxml2", "2.9.14+dfsg-1.3", "", ""), adv("DSA-1", "Debian:12", "libxml2", "introduced", "0", "fixed", "2.9.14+dfsg-1.3~deb12u2"), false, ""},
		{"deb other release", bookworm, deb("openssl", "3.0.14-1", "", ""), adv("DSA-1", "Debian:11", "openssl", "introduced", "0", "fixed", "3.0.15-1"), false, ""},
		{"deb no release in record", bookworm, deb("openssl", "3.0.14-1", "", ""), adv("DSA-1", "Debian", "openssl", "introduced", "0", "fixed", "3.0.15-1"), true, "3.0.15-1"},
		{"deb unfixed", bookworm, deb("libc6", "2.36-9+deb12u9", "glibc", "2.36-9+deb12u9"), adv("DEBIAN-CVE-1", "Debian:12", "glibc", "introduced", "0"), true, ""},
		{"deb binary-name fallback", bookworm, deb("libfoo1", "1.0-1", "foo", "1.0-1"), adv("DSA-1", "Debian:12", "libfoo1", "introduced", "0", "fixed", "1.0-2"), true, "1.0-2"},
		{"deb source version used", bookworm, deb("libfoo1", "1.0-1+b1", "foo", "1.0-1"), adv("DSA-1", "Debian:12", "foo", "introduced", "0", "fixed", "1.0-1+deb12u1"), true, "1.0-1+deb12u1"},
		{"deb last_affected equal", bookworm, deb("zlib1g", "1:1.2.13.dfsg-1", "zlib", "1:1.2.13.dfsg-1"), adv("X-1", "Debian:12", "zlib", "introduced", "0", "last_affected", "1:1.2.13.dfsg-1"), true, ""},
		{"deb last_affected above", bookworm, deb("zlib1g", "1:1.2.13.dfsg-2", "zlib", "1:1.2.13.dfsg-2"), adv("X-1", "Debian:12", "zlib", "introduced", "0", "last_affected", "1:1.2.13.dfsg-1"), false, ""},
		{"deb introduced above", bookworm, deb("curl", "7.88.1-10", "", ""), adv("X-1", "Debian:12", "curl", "introduced", "8.0.0-1", "fixed", "8.5.0-1"), false, ""},
		{"deb limit", bookworm, deb("curl", "7.88.1-10", "", ""), adv("X-1", "Debian:12", "curl", "introduced", "0", "limit", "7.0-1"), false, ""},
		{"deb second range", bookworm, deb("curl", "8.1-1", "", ""), adv("X-1", "Debian:12", "curl", "introduced", "0", "fixed", "7.0-1", "introduced", "8.0-1", "fixed", "8.2-1"), true, "8.2-1"},
		{"deb between ranges", bookworm, deb("curl", "7.5-1", "", ""), adv("X-1", "Debian:12", "curl", "introduced", "0", "fixed", "7.0-1", "introduced", "8.0-1", "fixed", "8.2-1"), false, ""},
		{"deb withdrawn", bookworm, deb("openssl", "3.0.14-1", "", ""), with(adv("DSA-1", "Debian:12", "openssl", "introduced", "0", "fixed", "3.0.15-1"), func(r *osv.Record) { w := time.Now(); r.Withdrawn = &w }), false, ""},
		// Alpine (apk ordering), keyed by origin.
		{"apk -r0 below -r1", alpine, apk("libcrypto3", "3.3.2-r0", "openssl"), adv("ALPINE-1", "Alpine:v3.20", "openssl", "introduced", "0", "fixed", "3.3.2-r1"), true, "3.3.2-r1"},
		{"apk -r1 fixed", alpine, apk("libcrypto3", "3.3.2-r1", "openssl"), adv("ALPINE-1", "Alpine:v3.20", "openssl", "introduced", "0", "fixed", "3.3.2-r1"), false, ""},
		{"apk _rc before release", alpine, apk("busybox", "1.36.1_rc1-r0", "busybox"), adv("ALPINE-1", "Alpine:v3.20", "busybox", "introduced", "0", "fixed", "1.36.1-r0"), true, "1.36.1-r0"},
		{"apk _p after release", alpine, apk("busybox", "1.36.1_p1-r0", "busybox"), adv("ALPINE-1", "Alpine:v3.20", "busybox", "introduced", "0", "fixed", "1.36.1-r0"), false, ""},
		{"apk other branch", alpine, apk("busybox", "1.36.1-r0", "busybox"), adv("ALPINE-1", "Alpine:v3.19", "busybox", "introduced", "0", "fixed", "1.36.1-r5"), false, ""},
		// PyPI (PEP 440), PEP 503 names.
		{"pypi rc below", bookworm, pypi("requests", "2.31.0rc1"), adv("PYSEC-1", "PyPI", "requests", "introduced", "0", "fixed", "2.31.0"), true, "2.31.0"},
		{"pypi post above", bookworm, pypi("requests", "2.31.0.post1"), adv("PYSEC-1", "PyPI", "requests", "introduced", "0", "fixed", "2.31.0"), false, ""},
		{"pypi dev below pre", bookworm, pypi("requests", "2.31.0.dev3"), adv("PYSEC-1", "PyPI", "requests", "introduced", "2.31.0a1", "fixed", "2.31.0"), false, ""},
		{"pypi dev in range", bookworm, pypi("requests", "2.31.0a1.dev3"), adv("PYSEC-1", "PyPI", "requests", "introduced", "2.30", "fixed", "2.31.0"), true, "2.31.0"},
		{"pypi local version", bookworm, pypi("torch", "2.3.0+cpu"), adv("PYSEC-1", "PyPI", "torch", "introduced", "0", "fixed", "2.3.1"), true, "2.3.1"},
		{"pypi local above", bookworm, pypi("torch", "2.3.1+cpu"), adv("PYSEC-1", "PyPI", "torch", "introduced", "0", "fixed", "2.3.1"), false, ""},
		{"pypi normalized name", bookworm, pypi("zope-interface", "5.0"), adv("PYSEC-1", "PyPI", "Zope.Interface", "introduced", "0", "fixed", "5.1"), true, "5.1"},
		{"pypi 1.0 equals 1.0.0", bookworm, pypi("a", "1.0"), with(adv("PYSEC-1", "PyPI", "a"), func(r *osv.Record) { r.Affected[0].Versions = []string{"1.0.0"} }), true, ""},
		{"pypi versions list", bookworm, pypi("a", "1.5"), with(adv("PYSEC-1", "PyPI", "a"), func(r *osv.Record) { r.Affected[0].Versions = []string{"1.4", "1.5"} }), true, ""},
		{"pypi versions list miss", bookworm, pypi("a", "1.6"), with(adv("PYSEC-1", "PyPI", "a"), func(r *osv.Record) { r.Affected[0].Versions = []string{"1.4", "1.5"} }), false, ""},
		{"pypi semver range", bookworm, pypi("b", "1.2.3"), with(adv("GHSA-1", "PyPI", "b", "introduced", "1.0.0", "fixed", "1.2.4"), func(r *osv.Record) { r.Affected[0].Ranges[0].Type = osv.RangeSemver }), true, "1.2.4"},
		{"pypi git range ignored", bookworm, pypi("b", "1.2.3"), with(adv("GHSA-1", "PyPI", "b", "introduced", "0", "fixed", "abc123"), func(r *osv.Record) { r.Affected[0].Ranges[0].Type = osv.RangeGit }), false, ""},
		{"pypi os-owned skipped", bookworm, func() inventory.Package { p := pypi("pip", "23.0.1"); p.OSOwned = true; return p }(), adv("PYSEC-1", "PyPI", "pip", "introduced", "0", "fixed", "23.3"), false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := &inventory.Inventory{Distro: tc.distro, Packages: []inventory.Package{tc.pkg}}
			res, err := MatchInventory(context.Background(), inv, newSource(tc.rec))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Skipped) > 0 {
				t.Fatalf("skipped: %v", res.Skipped)
			}
			if got := len(res.Matches) == 1; got != tc.want {
				t.Fatalf("match %s %s against %s = %v, want %v", tc.pkg.Name, tc.pkg.Version, tc.rec.ID, res.Matches, tc.want)
			}
			if tc.want && res.Matches[0].FixedVersion != tc.wantFixed {
				t.Errorf("fixed version = %q, want %q", res.Matches[0].FixedVersion, tc.wantFixed)
			}
		})
	}
}

func TestMatchMergesAliases(t *testing.T) {
	t.Parallel()
	dsa := adv("DSA-5678-1", "Debian:12", "openssl", "introduced", "0", "fixed", "3.0.15-1~deb12u1")
	dsa.Aliases = []string{"CVE-2024-5535"}
	dcve := adv("DEBIAN-CVE-2024-5535", "Debian:12", "openssl", "introduced", "0", "fixed", "3.0.15-1~deb12u1")
	dcve.Upstream = []string{"CVE-2024-5535"}
	dcve.Aliases = []string{"CVE-2024-5535"}
	other := adv("DSA-9999-1", "Debian:12", "openssl", "introduced", "0", "fixed", "3.0.16-1~deb12u1")
	other.Aliases = []string{"CVE-2024-9143"}
	pysec := adv("PYSEC-2023-74", "PyPI", "requests", "introduced", "2.3.0", "fixed", "2.31.0")
	pysec.Aliases = []string{"CVE-2023-32681", "GHSA-j8r2-6x86-q33q"}
	ghsa := adv("GHSA-j8r2-6x86-q33q", "PyPI", "requests", "introduced", "2.3.0", "fixed", "2.31.0")
	ghsa.Aliases = []string{"CVE-2023-32681"}
	ghsa.DatabaseSpecific = json.RawMessage(`{"severity": "MODERATE"}`)
	inv := &inventory.Inventory{Distro: bookworm, Packages: []inventory.Package{
		deb("libssl3", "3.0.14-1~deb12u2", "openssl", "3.0.14-1~deb12u2"),
		pypi("requests", "2.30.0"),
	}}
	res, err := MatchInventory(context.Background(), inv, newSource(dsa, dcve, other, pysec, ghsa))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range res.Matches {
		got = append(got, fmt.Sprintf("%s %s %s fixed=%s sev=%s adv=%v", m.Package.Name, m.ID, strings.Join(m.Aliases, ","), m.FixedVersion, m.Severity, m.Advisories))
	}
	want := []string{
		"requests CVE-2023-32681 GHSA-j8r2-6x86-q33q,PYSEC-2023-74 fixed=2.31.0 sev=medium adv=[GHSA-j8r2-6x86-q33q PYSEC-2023-74]",
		"libssl3 CVE-2024-5535 DEBIAN-CVE-2024-5535,DSA-5678-1 fixed=3.0.15-1~deb12u1 sev=unknown adv=[DEBIAN-CVE-2024-5535 DSA-5678-1]",
		"libssl3 CVE-2024-9143 DSA-9999-1 fixed=3.0.16-1~deb12u1 sev=unknown adv=[DSA-9999-1]",
	}
	if !slices.Equal(got, want) {
		t.Errorf("matches:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Matches[1].Package.SourceName != "openssl" {
		t.Errorf("source name not reported: %+v", res.Matches[1].Package)
	}
}

func TestMatchSkipsUnknownRelease(t *testing.T) {
	t.Parallel()
	inv := &inventory.Inventory{Packages: []inventory.Package{
		deb("openssl", "3.0.14-1", "", ""),
		{Ecosystem: inventory.EcosystemDebian, Name: "zlib1g", Version: "1:1.2.13.dfsg-1", PURL: "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12"},
		{Ecosystem: inventory.EcosystemGeneric, Name: "python", Version: "3.12.7"},
	}}
	res, err := MatchInventory(context.Background(), inv, newSource(adv("X-1", "Debian:12", "zlib1g", "introduced", "0")))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Skipped) != 1 || !strings.Contains(res.Skipped[0], "openssl") {
		t.Errorf("skipped = %v, want openssl (no release known)", res.Skipped)
	}
	if len(res.Matches) != 1 || res.Matches[0].Ecosystem != "Debian:12" {
		t.Errorf("matches = %+v, want zlib1g via the purl's distro", res.Matches)
	}
}

// The real OSV records shared by the project, when present.
func TestMatchSharedExamples(t *testing.T) {
	t.Parallel()
	dir := "osv/testdata"
	var recs []*osv.Record
	if err := osv.ReadPath(context.Background(), dir, func(r *osv.Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if shared := "../../shared/data/osv-examples"; dirExists(shared) {
		n := len(recs)
		osv.ReadPath(context.Background(), filepath.Join(shared, "DSA-3029-1.json"), func(r *osv.Record) error { recs = append(recs, r); return nil })
		if len(recs) != n+1 {
			t.Errorf("shared example not read")
		}
	}
	src := newSource(recs...)
	wheezy := inventory.Distro{ID: "debian", VersionID: "7"}
	for _, tc := range []struct {
		pkg   inventory.Package
		want  string
		fixed string
	}{
		{deb("nginx-full", "1.2.1-2.2+wheezy2", "nginx", "1.2.1-2.2+wheezy2"), "CVE-2014-3616", "1.2.1-2.2+wheezy3"},
		{deb("nginx-full", "1.2.1-2.2+wheezy3", "nginx", "1.2.1-2.2+wheezy3"), "", ""},
		{pypi("requests", "2.30.0"), "CVE-2023-32681", "2.31.0"},
		{pypi("Requests", "2.3.0"), "CVE-2023-32681", "2.31.0"},
		{pypi("requests", "2.31.0"), "", ""},
		{pypi("requests", "2.2.1"), "", ""},
	} {
		res, err := MatchInventory(context.Background(), &inventory.Inventory{Distro: wheezy, Packages: []inventory.Package{tc.pkg}}, src)
		if err != nil {
			t.Fatal(err)
		}
		got, fixed := "", ""
		if len(res.Matches) > 0 {
			got, fixed = res.Matches[0].ID, res.Matches[0].FixedVersion
		}
		if len(res.Matches) > 1 || got != tc.want || fixed != tc.fixed {
			t.Errorf("%s %s: matches %+v, want %q fixed %q", tc.pkg.Name, tc.pkg.Version, res.Matches, tc.want, tc.fixed)
		}
	}
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

func TestMatchWarnsUnparsableFixed(t *testing.T) {
	t.Parallel()
	inv := &inventory.Inventory{Packages: []inventory.Package{pypi("requests", "2.31.0"), pypi("flask", "3.0.0")}}
	src := newSource(
		adv("GHSA-bad", "PyPI", "requests", "introduced", "0", "fixed", "not a version!"),
		adv("GHSA-good", "PyPI", "flask", "introduced", "0", "fixed", "2.0"),
	)
	res, err := MatchInventory(context.Background(), inv, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "GHSA-bad") || !strings.Contains(res.Warnings[0], `fixed version "not a version!"`) {
		t.Errorf("warnings = %q, want one naming GHSA-bad and its fixed version", res.Warnings)
	}
}

func TestValidVersion(t *testing.T) {
	for _, tc := range []struct {
		v, base string
		want    bool
	}{
		{"2.31.0", "PyPI", true}, {"1.0rc1.post2.dev3+local.7", "PyPI", true}, {"1!2.0", "PyPI", true},
		{"not a version!", "PyPI", false}, {"1..2", "PyPI", false}, {"", "PyPI", false},
		{"3.0.15-1~deb12u1", "Debian", true}, {"1:1.2.13.dfsg-1", "Debian", true},
		{"zzzz", "Debian", false}, {"3.0 1", "Debian", false},
		{"3.3.2-r0", "Alpine", true}, {"1.2.3_rc1-r2", "Alpine", true}, {"abc", "Alpine", false},
	} {
		if got := validVersion(tc.v, tc.base); got != tc.want {
			t.Errorf("validVersion(%q, %s) = %v, want %v", tc.v, tc.base, got, tc.want)
		}
	}
}
