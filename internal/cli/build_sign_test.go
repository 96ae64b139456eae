package cli

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/sign"
	"github.com/pyimg/pyimg/sign/policy"
	"github.com/pyimg/pyimg/sign/predicate"
)

// signingKey writes an encrypted key pair (password "pw") and returns the
// private key's path and the public key.
func signingKey(t *testing.T) (string, *sign.KeyPair) {
	t.Helper()
	kp, err := sign.GenerateKeyPair([]byte("pw"))
	if err != nil {
		t.Fatal(err)
	}
	keyPath, _, err := kp.WriteFiles(filepath.Join(t.TempDir(), "cosign"), false)
	if err != nil {
		t.Fatal(err)
	}
	return keyPath, kp
}

func TestBuildSignAttest(t *testing.T) {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	keyPath, kp := signingKey(t)
	pub, err := sign.LoadPublicKey(kp.PublicPEM)
	if err != nil {
		t.Fatal(err)
	}
	base, wheels, proj := buildProject(t, "")

	r := run(t, []runOpt{withEnv("COSIGN_PASSWORD", "pw"), withEnv("SOURCE_DATE_EPOCH", "1700000000")},
		"build", "--base", base, "--wheelhouse", wheels, "--cache-dir", t.TempDir(), "--push", host+"/team/app:1", "--insecure",
		"--sign", "--key", keyPath, "--attest", "provenance,cyclonedx", "--format", "json", proj)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "attestations,digest,layers,packages,reference,signed" {
		t.Errorf("JSON keys = %v", keys)
	}
	var res struct {
		Digest, Reference string
		Signed            bool
		Attestations      []map[string]string
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatal(err)
	}
	wantAtt := []map[string]string{
		{"type": "provenance", "predicate_type": predicate.TypeSLSAProvenance1},
		{"type": "cyclonedx", "predicate_type": predicate.TypeCycloneDX},
	}
	if !res.Signed || len(res.Attestations) != 2 || res.Attestations[0]["type"] != wantAtt[0]["type"] ||
		res.Attestations[0]["predicate_type"] != wantAtt[0]["predicate_type"] || res.Attestations[1]["predicate_type"] != wantAtt[1]["predicate_type"] {
		t.Errorf("signed %v, attestations %v", res.Signed, res.Attestations)
	}
	if res.Reference != host+"/team/app@"+res.Digest {
		t.Fatalf("reference = %s", res.Reference)
	}

	// The tag, not only the digest, names the signed image.
	ctx := context.Background()
	v, err := sign.Verify(ctx, host+"/team/app:1", pub, sign.WithInsecure(true))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CheckSignature(); err != nil {
		t.Fatalf("signature: %v (rejected %v)", err, v.Rejected)
	}
	if v.Target.Digest.String() != res.Digest || len(v.Signatures) != 1 || v.Signatures[0].Payload.Critical.Image.DockerManifestDigest != res.Digest {
		t.Errorf("verified %s with %d signatures, built %s", v.Target.Digest, len(v.Signatures), res.Digest)
	}
	var prov *predicate.Provenance
	for _, a := range v.Attestations {
		if a.Statement.PredicateType == predicate.TypeSLSAProvenance1 {
			if prov, err = predicate.ParseProvenance(a.Statement.Predicate); err != nil {
				t.Fatal(err)
			}
			if a.Statement.Subject[0].Digest["sha256"] != strings.TrimPrefix(res.Digest, "sha256:") {
				t.Errorf("provenance subject %v, image %s", a.Statement.Subject, res.Digest)
			}
		}
	}
	if prov == nil {
		t.Fatalf("no provenance attestation verified: %d attestations, rejected %v", len(v.Attestations), v.Rejected)
	}

	// The provenance names the base by digest, the lock and every wheel
	// by their sha256.
	baseImg, err := image.Open(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	lockSum := hexSum(t, filepath.Join(proj, "requirements.txt"))
	wheelSum := hexSum(t, filepath.Join(wheels, "dep-1.0-py3-none-any.whl"))
	deps := map[string]string{}
	for _, d := range prov.BuildDefinition.ResolvedDependencies {
		deps[d.Name] = d.Digest["sha256"]
	}
	for name, want := range map[string]string{
		"base-image":               baseImg.Digest.Hex,
		"requirements.txt":         lockSum,
		"dep-1.0-py3-none-any.whl": wheelSum,
	} {
		if deps[name] != want {
			t.Errorf("provenance %s = %q, want %s (all: %v)", name, deps[name], want, deps)
		}
	}
	if len(deps) != 3 {
		t.Errorf("provenance lists %d inputs, want 3: %v", len(deps), deps)
	}
	if prov.BuildDefinition.ExternalParameters["sourceDateEpoch"] != float64(1700000000) {
		t.Errorf("external parameters = %v", prov.BuildDefinition.ExternalParameters)
	}

	// pyimg verify's policy: signature, provenance and an SBOM matching
	// the image's packages.
	rep, err := policy.Verify(ctx, res.Reference, pub, policy.WithRequire("provenance", "sbom"),
		policy.WithSignOptions(sign.WithInsecure(true)), policy.WithImageOptions(image.WithInsecure(true)))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed {
		t.Errorf("policy failed: %+v", rep.Checks)
	}

	// Without --sign and --attest the JSON keeps its fields.
	r = run(t, nil, "build", "--base", base, "--wheelhouse", wheels, "--cache-dir", t.TempDir(), "--push", host+"/team/app:2",
		"--format", "json", proj)
	if r.code != 0 || strings.Contains(r.stdout, `"signed"`) || strings.Contains(r.stdout, `"attestations"`) {
		t.Errorf("build without signing: exit %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}
	// --attest alone attaches the attestation and does not claim a signature.
	r = run(t, []runOpt{withEnv("PYIMG_KEY_PASSWORD", "pw")}, "build", "--base", base, "--wheelhouse", wheels, "--cache-dir", t.TempDir(),
		"--push", host+"/team/app:3", "--key", keyPath, "--attest", "spdx", "--format", "json", proj)
	if r.code != 0 || strings.Contains(r.stdout, `"signed"`) || !strings.Contains(r.stdout, `"predicate_type": "`+predicate.TypeSPDX+`"`) {
		t.Errorf("build --attest spdx: exit %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}

	// Text output: the digest on stdout, what was signed on stderr.
	r = run(t, []runOpt{withEnv("PYIMG_KEY_PASSWORD", "pw")}, "build", "--base", base, "--wheelhouse", wheels, "--cache-dir", t.TempDir(),
		"--push", host+"/team/app:5", "--sign", "--key", keyPath, "--attest", "provenance", proj)
	if d := strings.TrimSpace(r.stdout); r.code != 0 || !strings.HasPrefix(d, "sha256:") || strings.Count(r.stdout, "\n") != 1 ||
		!strings.Contains(r.stderr, "signed "+host+"/team/app@"+d+"\n") || !strings.Contains(r.stderr, "attested provenance for "+host+"/team/app@"+d+"\n") {
		t.Errorf("build --sign text: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	// A scan attestation from the local database, which pyimg verify
	// accepts as recent.
	db := importDB(t)
	r = run(t, []runOpt{withEnv("PYIMG_KEY_PASSWORD", "pw")}, "build", "--base", base, "--wheelhouse", wheels, "--cache-dir", t.TempDir(),
		"--push", host+"/team/app:4", "--sign", "--key", keyPath, "--attest", "scan", "--db", db, "--format", "json", proj)
	if r.code != 0 || !strings.Contains(r.stdout, `"predicate_type": "`+predicate.TypeVuln+`"`) || !strings.Contains(r.stderr, "scanned 3 packages") {
		t.Fatalf("build --attest scan: exit %d, stdout %s, stderr %s", r.code, r.stdout, r.stderr)
	}
	rep, err = policy.Verify(ctx, host+"/team/app:4", pub, policy.WithRequire("scan"), policy.WithSignOptions(sign.WithInsecure(true)))
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Passed {
		t.Errorf("policy with a scan failed: %+v", rep.Checks)
	}
}

// hexSum is the hex sha256 of a file.
func hexSum(t *testing.T, path string) string {
	t.Helper()
	s := fileSum(t, path)
	return hex.EncodeToString(s[:])
}

// TestBuildSignFlagErrors checks that bad signing flags exit 2 before
// anything is built or pushed.
func TestBuildSignFlagErrors(t *testing.T) {
	keyPath, _ := signingKey(t)
	base, wheels, proj := buildProject(t, "")
	out := filepath.Join(t.TempDir(), "img.tar")
	common := []string{"build", "--base", base, "--wheelhouse", wheels, "--cache-dir", t.TempDir(), proj}
	pw := withEnv("PYIMG_KEY_PASSWORD", "pw")
	for _, tc := range []struct {
		name string
		opts []runOpt
		args []string
		want string
	}{
		{"sign without key", []runOpt{pw}, []string{"--push", "127.0.0.1:1/app:1", "--sign"}, "--sign needs --key"},
		{"sign without push", []runOpt{pw}, []string{"--output", "oci-archive:" + out, "--sign", "--key", keyPath}, "--sign needs --push"},
		{"attest without key", []runOpt{pw}, []string{"--push", "127.0.0.1:1/app:1", "--attest", "provenance"}, "--attest needs --key"},
		{"attest without push", []runOpt{pw}, []string{"--output", "oci-archive:" + out, "--attest", "provenance", "--key", keyPath}, "--attest needs --push"},
		{"attest scan without database", []runOpt{pw}, []string{"--push", "127.0.0.1:1/app:1", "--key", keyPath, "--attest", "provenance,scan", "--db", filepath.Join(t.TempDir(), "none.db")}, "no vulnerability database"},
		{"db without scan", []runOpt{pw}, []string{"--push", "127.0.0.1:1/app:1", "--key", keyPath, "--attest", "provenance", "--db", "osv.db"}, "--db is for --attest scan"},
		{"db alone", []runOpt{pw}, []string{"--push", "127.0.0.1:1/app:1", "--db", "osv.db"}, "--db is for --attest scan"},
		{"attest unknown", []runOpt{pw}, []string{"--push", "127.0.0.1:1/app:1", "--key", keyPath, "--attest", "slsa"}, `unknown attestation type "slsa"`},
		{"attest empty", []runOpt{pw}, []string{"--push", "127.0.0.1:1/app:1", "--key", keyPath, "--attest", ","}, "no attestation type"},
		{"key alone", []runOpt{pw}, []string{"--push", "127.0.0.1:1/app:1", "--key", keyPath}, "--key is for --sign or --attest"},
		{"wrong password", []runOpt{withEnv("PYIMG_KEY_PASSWORD", "nope")}, []string{"--push", "127.0.0.1:1/app:1", "--sign", "--key", keyPath}, "wrong password"},
		{"missing key", []runOpt{pw}, []string{"--push", "127.0.0.1:1/app:1", "--sign", "--key", keyPath + ".none"}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{}, common...), tc.args...)
			r := run(t, tc.opts, args...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, tc.want) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", r.code, r.stderr, ExitUsage, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Fatal("output written despite the flag error")
			}
		})
	}
}

// TestBuildSignFailureAfterPush: a registry that takes the image but not
// its signature gives exit 3 naming the pushed digest.
func TestBuildSignFailureAfterPush(t *testing.T) {
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/sha256-") {
			http.Error(w, "signatures refused", http.StatusForbidden)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	keyPath, _ := signingKey(t)
	base, wheels, proj := buildProject(t, "")

	r := run(t, []runOpt{withEnv("PYIMG_KEY_PASSWORD", "pw")}, "build", "--base", base, "--wheelhouse", wheels, "--cache-dir", t.TempDir(),
		"--push", host+"/team/app:1", "--sign", "--key", keyPath, proj)
	if r.code != ExitRuntime || !strings.Contains(r.stderr, "image pushed as "+host+"/team/app@sha256:") || !strings.Contains(r.stderr, "but not signed") {
		t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
	}
	// The image itself was pushed.
	if _, err := image.Open(context.Background(), host+"/team/app:1", image.WithInsecure(true)); err != nil {
		t.Errorf("pushed image: %v", err)
	}
}
