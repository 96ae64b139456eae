package policy

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/sbom"
	"github.com/pyimg/pyimg/sign"
	"github.com/pyimg/pyimg/sign/predicate"
	"github.com/pyimg/pyimg/vuln"
)

func setup(t *testing.T) (ref string, key *ecdsa.PrivateKey) {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	ref = strings.TrimPrefix(srv.URL, "http://") + "/app:1"
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := name.ParseReference(ref)
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return ref, key
}

var inv = &inventory.Inventory{Packages: []inventory.Package{
	{Ecosystem: "Debian", Name: "openssl", Version: "3.0.15", PURL: "pkg:deb/debian/openssl@3.0.15"},
	{Ecosystem: "PyPI", Name: "flask", Version: "3.0.0", PURL: "pkg:pypi/flask@3.0.0"},
}}

func fixedInventory(i *inventory.Inventory) Option {
	return WithInventory(func(context.Context, string) (*inventory.Inventory, error) { return i, nil })
}

func statuses(r *Report) map[string]string {
	out := map[string]string{}
	for _, c := range r.Checks {
		out[c.Name] = c.Status + ": " + c.Message + " " + strings.Join(c.Details, "; ")
	}
	return out
}

func TestVerifyPolicy(t *testing.T) {
	ctx := context.Background()
	ref, key := setup(t)
	pub := &key.PublicKey

	// Nothing signed yet.
	rep, err := Verify(ctx, ref, pub, WithRequire("sbom"), fixedInventory(inv))
	if err != nil {
		t.Fatal(err)
	}
	st := statuses(rep)
	if rep.Passed || !strings.HasPrefix(st["signature"], "fail: ") || !strings.HasPrefix(st["attestation:sbom"], "fail") {
		t.Fatalf("unsigned image: %v", st)
	}

	if _, err := sign.SignImage(ctx, ref, key); err != nil {
		t.Fatal(err)
	}
	cdx, err := predicate.SBOM(predicate.TypeCycloneDX, inv, sbom.Source{Name: ref})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sign.Attest(ctx, ref, key, predicate.TypeCycloneDX, cdx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	scan, err := predicate.Scan(predicate.ScanInput{
		DBBuilt: now.Add(-72 * time.Hour), Finished: now.Add(-time.Hour), Packages: 2,
		Matches: []vuln.Match{{ID: "CVE-2099-9", Package: vuln.PackageRef{Name: "openssl"}, InstalledVersion: "3.0.15", Severity: vuln.SeverityHigh}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sign.Attest(ctx, ref, key, predicate.TypeVuln, scan); err != nil {
		t.Fatal(err)
	}
	clock := WithClock(func() time.Time { return now })

	for _, tc := range []struct {
		name   string
		opts   []Option
		passed bool
		want   map[string]string // check -> status prefix and substring
	}{
		{"all pass", []Option{WithRequire("sbom", "scan"), WithMaxScanAge(7 * 24 * time.Hour), fixedInventory(inv)}, true,
			map[string]string{"signature": "pass", "attestation:sbom": "pass", "sbom-matches-image": "pass", "attestation:scan": "pass", "scan-age": "pass: vulnerability database built 3.0d ago (2026-11-27T12:00:00Z), limit 7.0d"}},
		{"old scan", []Option{WithRequire("scan"), WithMaxScanAge(48 * time.Hour), fixedInventory(inv)}, false,
			map[string]string{"scan-age": "fail: vulnerability database built 3.0d ago (2026-11-27T12:00:00Z), limit 2.0d"}},
		{"gate trips", []Option{WithRequire("scan"), WithFailOn(vuln.SeverityHigh), fixedInventory(inv)}, false,
			map[string]string{"scan-findings": "fail: 1 attested finding(s) at or above high high CVE-2099-9 in openssl 3.0.15"}},
		{"gate holds", []Option{WithRequire("scan"), WithFailOn(vuln.SeverityCritical), fixedInventory(inv)}, true,
			map[string]string{"scan-findings": "pass"}},
		{"image differs from SBOM", []Option{WithRequire("sbom"), fixedInventory(&inventory.Inventory{Packages: inv.Packages[:1]})}, false,
			map[string]string{"sbom-matches-image": "fail: the attested SBOM differs from the image: 0 package(s) in the image are missing from it, 1 listed are not in the image not in the image: pypi/flask@3.0.0"}},
		{"missing provenance", []Option{WithRequire("provenance"), fixedInventory(inv)}, false,
			map[string]string{"attestation:provenance": "fail: no provenance attestation"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Verify(ctx, ref, pub, append(tc.opts, clock)...)
			if err != nil {
				t.Fatal(err)
			}
			st := statuses(rep)
			if rep.Passed != tc.passed {
				t.Errorf("Passed = %v, want %v: %v", rep.Passed, tc.passed, st)
			}
			for check, want := range tc.want {
				if !strings.HasPrefix(st[check], want) {
					t.Errorf("%s = %q, want prefix %q", check, st[check], want)
				}
			}
		})
	}

	if _, err := Verify(ctx, ref, pub, WithRequire("sboms")); !errors.Is(err, ErrRequirement) {
		t.Errorf("Verify(--require sboms) = %v, want ErrRequirement", err)
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "36h": 36 * time.Hour, "1d12h": 36 * time.Hour, "0": 0, "": 0, "90m": 90 * time.Minute} {
		if got, err := ParseAge(in); err != nil || got != want {
			t.Errorf("ParseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"7x", "d", "-1d", "1.5d", "-3h"} {
		if _, err := ParseAge(bad); err == nil {
			t.Errorf("ParseAge(%q) succeeded", bad)
		}
	}
}
