package build

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/sign/predicate"
)

func TestParseAttestKinds(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		err  string
	}{
		{"provenance", "provenance", ""},
		{" Provenance , cyclonedx,spdx,scan", "provenance,cyclonedx,spdx,scan", ""},
		{"spdx,spdx", "spdx", ""},
		{"sbom", "", `unknown attestation type "sbom"`},
		{"provenance,", "provenance", ""},
		{",", "", "no attestation type"},
		{"", "", "no attestation type"},
	} {
		got, err := ParseAttestKinds(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseAttestKinds(%q) = %v, %v; want error %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != tc.want {
			t.Errorf("ParseAttestKinds(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
}

// TestSigningChecked: a signing request that cannot succeed is an input
// error before anything is read or built.
func TestSigningChecked(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	scan := func(context.Context, *inventory.Inventory) (json.RawMessage, error) { return nil, nil }
	for _, tc := range []struct {
		name string
		opts []Option
		want string
	}{
		{"no key", []Option{WithPush("r.example/app:1", false), WithSigning(Signing{Sign: true})}, "private key"},
		{"no push", []Option{WithSigning(Signing{Key: key, Sign: true})}, "give --push"},
		{"nothing", []Option{WithPush("r.example/app:1", false), WithSigning(Signing{Key: key})}, "nothing to sign"},
		{"bad kind", []Option{WithPush("r.example/app:1", false), WithSigning(Signing{Key: key, Attest: []string{"slsa"}})}, "unknown attestation type"},
		{"scan without database", []Option{WithPush("r.example/app:1", false), WithSigning(Signing{Key: key, Attest: []string{"scan"}})}, "vulnerability database"},
		{"scan", []Option{WithPush("r.example/app:1", false), WithSigning(Signing{Key: key, Attest: []string{"scan"}, Scan: scan})}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A directory without pyproject.toml: a check that passes
			// goes on to fail reading the project.
			_, err := Run(context.Background(), t.TempDir(), tc.opts...)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("Run = %v, want an input error", err)
			}
			if tc.want == "" {
				if !strings.Contains(err.Error(), "pyproject.toml") {
					t.Fatalf("Run = %v, want the project read", err)
				}
				return
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Run = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestProvenanceInput: every input of the build is in the provenance by
// digest, the project wheel too.
func TestProvenanceInput(t *testing.T) {
	sum := func(c string) string { return strings.Repeat(c, 64) }
	p := Provenance{
		BaseName: "registry.example/python:3.12", BaseDigest: "sha256:" + sum("a"),
		LockFile: filepath.Join("proj", "uv.lock"), LockSHA256: sum("b"),
		Wheels: []Wheel{
			{Name: "alpha", Version: "1.0", File: "alpha-1.0-py3-none-any.whl", SHA256: sum("c"), URL: "https://files.example/alpha-1.0-py3-none-any.whl"},
			{Name: "beta", Version: "2.0", File: "beta-2.0-py3-none-any.whl", SHA256: sum("d"), URL: "wheels/beta-2.0-py3-none-any.whl"},
		},
		ProjectWheel:    &Wheel{File: "app-1.0-py3-none-any.whl", SHA256: sum("e")},
		Target:          &target.Target{},
		SourceDateEpoch: -1,
		Revision:        "0123456789abcdef0123456789abcdef01234567",
	}
	o := makeOptions([]Option{WithToolVersion("1.2.3")})
	raw, err := predicate.NewProvenance(o.provenanceInput(p))
	if err != nil {
		t.Fatal(err)
	}
	prov, err := predicate.ParseProvenance(raw)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range prov.BuildDefinition.ResolvedDependencies {
		got = append(got, d.Name+"="+d.Digest["sha256"][:1]+" "+d.URI)
	}
	want := []string{
		"base-image=a oci://registry.example/python:3.12@sha256:" + sum("a"),
		"uv.lock=b ",
		"alpha-1.0-py3-none-any.whl=c https://files.example/alpha-1.0-py3-none-any.whl",
		"beta-2.0-py3-none-any.whl=d wheels/beta-2.0-py3-none-any.whl",
		"app-1.0-py3-none-any.whl=e ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("resolved dependencies:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ext := prov.BuildDefinition.ExternalParameters
	if ext["revision"] != p.Revision || ext["projectWheel"] != "app-1.0-py3-none-any.whl" || ext["lockFile"] != "uv.lock" {
		t.Errorf("external parameters = %v", ext)
	}
	if _, ok := ext["sourceDateEpoch"]; ok {
		t.Errorf("sourceDateEpoch recorded without one: %v", ext)
	}
	if prov.RunDetails.Builder.Version["pyimg"] != "1.2.3" {
		t.Errorf("builder = %+v", prov.RunDetails.Builder)
	}
}
