package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
)

const signPassword = "e2e-password"

// runPyimgEnv runs pyimg like runPyimg, in dir, with extra environment.
func runPyimgEnv(t *testing.T, dir string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	skipShort(t)
	if pyimgErr != nil {
		t.Fatal("pyimg binary unavailable; see the error printed before the tests ran")
	}
	return runTool(t, dir, pyimgBin, env, args...)
}

func runTool(t *testing.T, dir, bin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	c := exec.CommandContext(ctx, bin, args...)
	c.Stdout, c.Stderr, c.Dir = &out, &errb, dir
	c.Env = append(append(os.Environ(), "NO_COLOR=1"), env...)
	start := time.Now()
	err := c.Run()
	t.Logf("%s %s: %s", filepath.Base(bin), strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("running %s %v: %v", bin, args, err)
	}
	return out.String(), errb.String(), code
}

type verifyReport struct {
	Digest string `json:"digest"`
	Passed bool   `json:"passed"`
	Checks []struct {
		Name    string   `json:"name"`
		Status  string   `json:"status"`
		Message string   `json:"message"`
		Details []string `json:"details"`
	} `json:"checks"`
}

func (r verifyReport) status(name string) string {
	for _, c := range r.Checks {
		if c.Name == name {
			return c.Status + ": " + c.Message + " " + strings.Join(c.Details, "; ")
		}
	}
	return "absent"
}

// signDB builds a vulnerability database with one critical advisory for
// the wasted fixture's openssl.
func signDB(t *testing.T, dir string) string {
	t.Helper()
	set := fixtures(t)
	_, sslVer := bySource(t, imageDpkgStatus(t, set.Path(fx.Wasted, fx.OCILayout)), "openssl")
	srv := osvServer(t, map[string][][]byte{
		"Debian": {osvJSON("DEBIAN-CVE-2099-0101", "Debian:12", "openssl", fixedAt(sslVer+"+e2e1"), []string{"CVE-2099-0101"},
			map[string]any{"severity": []any{map[string]string{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}})},
		"PyPI":   {osvJSON("PYSEC-2099-101", "PyPI", "no-such-distribution", everAffected, nil, nil)},
		"Alpine": {osvJSON("ALPINE-CVE-2099-0101", "Alpine:v3.20", "openssl", everAffected, nil, nil)},
	})
	db := filepath.Join(dir, "osv.db")
	if _, stderr, code := runPyimgEnv(t, dir, nil, "db", "update", "--db", db, "--source", srv.URL); code != 0 {
		t.Fatalf("db update: exit %d\n%s", code, stderr)
	}
	return db
}

// TestSignAttestVerify signs a fixture image in the real registry, attests
// its SBOM and scan, verifies, then moves the tag, tampers with the
// signature and asks for a missing attestation.
func TestSignAttestVerify(t *testing.T) {
	host := registry(t)
	set := fixtures(t)
	ctx := context.Background()
	dir := t.TempDir()
	env := []string{"COSIGN_PASSWORD=" + signPassword}
	ref := host + "/sign-e2e/app:1"
	digest, err := testRegistry.Push(ctx, set.Ref(fx.Wasted, fx.OCIArchive), "sign-e2e/app:1")
	if err != nil {
		t.Fatal(err)
	}

	out, stderr, code := runPyimgEnv(t, dir, env, "key", "generate", "--output", "release")
	if code != 0 || !strings.Contains(out, "release.key") {
		t.Fatalf("key generate: exit %d\n%s%s", code, out, stderr)
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, "release.key"))
	if err != nil || !bytes.HasPrefix(keyPEM, []byte("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----")) {
		t.Fatalf("release.key: %v %.50s", err, keyPEM)
	}
	if strings.Contains(out+stderr, string(keyPEM[40:80])) {
		t.Fatal("key generate printed key material")
	}

	// Wrong password: a clear error, exit 2.
	_, stderr, code = runPyimgEnv(t, dir, []string{"COSIGN_PASSWORD=nope"}, "sign", "--key", "release.key", ref)
	if code != 2 || !strings.Contains(stderr, "wrong password") {
		t.Fatalf("sign with a wrong password: exit %d, %q", code, stderr)
	}
	// The public key given to sign: exit 2.
	if _, stderr, code = runPyimgEnv(t, dir, env, "sign", "--key", "release.pub", ref); code != 2 || !strings.Contains(stderr, "public key") {
		t.Fatalf("sign with the public key: exit %d, %q", code, stderr)
	}

	if out, stderr, code = runPyimgEnv(t, dir, env, "sign", "--key", "release.key", ref); code != 0 || !strings.Contains(out, digest) {
		t.Fatalf("sign: exit %d\n%s%s", code, out, stderr)
	}
	if out, stderr, code = runPyimgEnv(t, dir, env, "attest", "--key", "release.key", "--type", "cyclonedx", ref); code != 0 {
		t.Fatalf("attest cyclonedx: exit %d\n%s%s", code, out, stderr)
	}
	db := signDB(t, dir)
	if out, stderr, code = runPyimgEnv(t, dir, env, "attest", "--key", "release.key", "--type", "scan", "--db", db, ref); code != 0 {
		t.Fatalf("attest scan: exit %d\n%s%s", code, out, stderr)
	}

	verify := func(t *testing.T, args ...string) (verifyReport, string, int) {
		t.Helper()
		out, stderr, code := runPyimgEnv(t, dir, nil, append([]string{"verify", "--key", "release.pub", "--format", "json"}, args...)...)
		var rep verifyReport
		if code <= 1 {
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("verify JSON: %v\n%s", err, out)
			}
		}
		return rep, stderr, code
	}

	rep, stderr, code := verify(t, "--require", "sbom,scan", "--max-scan-age", "7d", ref)
	if code != 0 || !rep.Passed || rep.Digest != digest {
		t.Fatalf("verify: exit %d %+v\n%s", code, rep, stderr)
	}
	for _, c := range []string{"signature", "attestation:sbom", "sbom-matches-image", "attestation:scan", "scan-age"} {
		if s := rep.status(c); !strings.HasPrefix(s, "pass") {
			t.Errorf("check %s: %s", c, s)
		}
	}
	// The attested scan holds the critical openssl advisory: the gate trips.
	rep, _, code = verify(t, "--require", "scan", "--fail-on", "high", ref)
	if code != 1 || !strings.Contains(rep.status("scan-findings"), "CVE-2099-0101") {
		t.Errorf("verify --fail-on high: exit %d, scan-findings %s", code, rep.status("scan-findings"))
	}
	// An old scan fails the age check.
	time.Sleep(2 * time.Second)
	rep, _, code = verify(t, "--require", "scan", "--max-scan-age", "1s", ref)
	if code != 1 || !strings.HasPrefix(rep.status("scan-age"), "fail") {
		t.Errorf("verify --max-scan-age 1s: exit %d, scan-age %s", code, rep.status("scan-age"))
	}
	// A missing attestation with --require fails.
	rep, _, code = verify(t, "--require", "provenance", ref)
	if code != 1 || !strings.HasPrefix(rep.status("attestation:provenance"), "fail") {
		t.Errorf("verify --require provenance: exit %d, %s", code, rep.status("attestation:provenance"))
	}
	// Text output: one line per check.
	out, _, code = runPyimgEnv(t, dir, nil, "verify", "--key", "release.pub", "--require", "sbom", ref)
	if code != 0 || !strings.Contains(out, "PASS  signature") || !strings.Contains(out, "PASS  sbom-matches-image") {
		t.Errorf("verify text: exit %d\n%s", code, out)
	}

	if !t.Run("interop", func(t *testing.T) { testCosignInterop(t, dir, ref, digest) }) {
		t.Log("cosign interoperability failed")
	}

	// Tamper with the signature layer: same signature, changed payload.
	repo, _ := name.NewRepository(host + "/sign-e2e/app")
	sigTag := repo.Tag("sha256-" + strings.TrimPrefix(digest, "sha256:") + ".sig")
	sigImg, err := remote.Image(sigTag)
	if err != nil {
		t.Fatal(err)
	}
	m, err := sigImg.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := sigImg.LayerByDigest(m.Layers[0].Digest)
	rc, _ := orig.Compressed()
	var payload bytes.Buffer
	payload.ReadFrom(rc)
	rc.Close()
	forged := strings.Replace(payload.String(), `"optional":null`, `"optional":{"approved":"yes"}`, 1)
	base := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	tampered, err := mutate.Append(base, mutate.Addendum{Layer: static.NewLayer([]byte(forged), "application/vnd.dev.cosign.simplesigning.v1+json"), Annotations: m.Layers[0].Annotations})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(sigTag, tampered); err != nil {
		t.Fatal(err)
	}
	rep, _, code = verify(t, ref)
	if code != 1 || !strings.Contains(rep.status("signature"), "tampered") {
		t.Errorf("verify after tampering: exit %d, signature %s", code, rep.status("signature"))
	}
	if err := remote.Write(sigTag, sigImg); err != nil { // restore
		t.Fatal(err)
	}
	if rep, _, code = verify(t, ref); code != 0 {
		t.Errorf("verify after restoring the signature: exit %d %+v", code, rep)
	}

	// Another image pushed to the same name: the digest no longer matches.
	other, err := testRegistry.Push(ctx, set.Ref(fx.Secret, fx.OCIArchive), "sign-e2e/app:1")
	if err != nil {
		t.Fatal(err)
	}
	rep, _, code = verify(t, ref)
	msg := rep.status("signature")
	if code != 1 || !strings.Contains(msg, "digest mismatch") || !strings.Contains(msg, other) || !strings.Contains(msg, digest) {
		t.Errorf("verify after retagging: exit %d, signature %s (want a digest mismatch naming %s and %s)", code, msg, other, digest)
	}

	// Bad input: a key of another kind, exit 2.
	if err := os.WriteFile(filepath.Join(dir, "junk.pub"), []byte("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code = runPyimgEnv(t, dir, nil, "verify", "--key", "junk.pub", ref); code != 2 || !strings.Contains(stderr, "junk.pub") {
		t.Errorf("verify with a junk key: exit %d %q", code, stderr)
	}
}

// testCosignInterop checks pyimg's signature and attestations with the
// real cosign, and pyimg's verify on what cosign signs.
func testCosignInterop(t *testing.T, dir, ref, digest string) {
	cosign, err := exec.LookPath("cosign")
	if err != nil {
		skipOrFail(t, "cosign not installed (scripts/install-test-deps.sh installs it)")
	}
	// No Rekor and no TUF here: an empty trusted root keeps cosign offline.
	root := filepath.Join(dir, "trusted_root.json")
	if err := os.WriteFile(root, []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[],"certificateAuthorities":[],"ctlogs":[],"timestampAuthorities":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"COSIGN_PASSWORD=" + signPassword, "HOME=" + dir, "TUF_ROOT=" + filepath.Join(dir, "tuf")}
	offline := []string{"--key", "release.pub", "--insecure-ignore-tlog=true", "--trusted-root", root}

	out, stderr, code := runTool(t, dir, cosign, env, append(append([]string{"verify"}, offline...), ref)...)
	if code != 0 || !strings.Contains(out, digest) {
		t.Errorf("cosign verify of pyimg's signature: exit %d\n%s%s", code, out, stderr)
	}
	for _, typ := range []string{"cyclonedx", "vuln"} {
		out, stderr, code = runTool(t, dir, cosign, env, append(append([]string{"verify-attestation", "--type", typ}, offline...), ref)...)
		if code != 0 || !strings.Contains(out, "application/vnd.in-toto+json") {
			t.Errorf("cosign verify-attestation --type %s of pyimg's attestation: exit %d\n%.400s%s", typ, code, out, stderr)
		}
	}

	// cosign signs and attests another image; pyimg verifies.
	ctx := context.Background()
	set := fixtures(t)
	cref := strings.Replace(ref, "/app:1", "/by-cosign:1", 1)
	cdigest, err := testRegistry.Push(ctx, set.Ref(fx.Distroless, fx.OCIArchive), "sign-e2e/by-cosign:1")
	if err != nil {
		t.Fatal(err)
	}
	if _, stderr, code = runTool(t, dir, cosign, env, "sign", "--key", "release.key", "--tlog-upload=false", "-y", cref); code != 0 {
		t.Fatalf("cosign sign: exit %d\n%s", code, stderr)
	}
	sbomDoc, stderr, code := runPyimgEnv(t, dir, nil, "sbom", "--format", "spdx-json", cref)
	if code != 0 {
		t.Fatalf("pyimg sbom: exit %d\n%s", code, stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "sbom.spdx.json"), []byte(sbomDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code = runTool(t, dir, cosign, env, "attest", "--key", "release.key", "--tlog-upload=false", "-y", "--type", "spdxjson", "--predicate", "sbom.spdx.json", cref); code != 0 {
		t.Fatalf("cosign attest: exit %d\n%s", code, stderr)
	}
	out, stderr, code = runPyimgEnv(t, dir, nil, "verify", "--key", "release.pub", "--require", "sbom", cref)
	if code != 0 || !strings.Contains(out, cdigest) || !strings.Contains(out, "PASS  sbom-matches-image") {
		t.Errorf("pyimg verify of cosign's signature and attestation: exit %d\n%s%s", code, out, stderr)
	}

	// cosign's new bundle format (cosign 3's default): Sigstore bundles
	// attached as referrers (the referrers tag schema on docker-registry).
	bref := strings.Replace(ref, "/app:1", "/bundle:1", 1)
	bdigest, err := testRegistry.Push(ctx, set.Ref(fx.Distroless, fx.OCIArchive), "sign-e2e/bundle:1")
	if err != nil {
		t.Fatal(err)
	}
	if _, stderr, code = runTool(t, dir, cosign, env, "sign", "--key", "release.key", "--tlog-upload=false", "--new-bundle-format=true", "-y", bref); code != 0 {
		t.Fatalf("cosign sign --new-bundle-format: exit %d\n%s", code, stderr)
	}
	if _, stderr, code = runTool(t, dir, cosign, env, "attest", "--key", "release.key", "--tlog-upload=false", "--new-bundle-format=true", "-y", "--type", "spdxjson", "--predicate", "sbom.spdx.json", bref); code != 0 {
		t.Fatalf("cosign attest --new-bundle-format: exit %d\n%s", code, stderr)
	}
	out, stderr, code = runPyimgEnv(t, dir, nil, "verify", "--key", "release.pub", "--require", "sbom", bref)
	if code != 0 || !strings.Contains(out, bdigest) || !strings.Contains(out, "PASS  sbom-matches-image") {
		t.Errorf("pyimg verify of cosign's Sigstore bundles: exit %d\n%s%s", code, out, stderr)
	}

	// A signed SBOM of another image (wasted) attested for this one
	// (distroless): the comparison with the real packages fails and lists
	// the differences.
	other, stderr, code := runPyimgEnv(t, dir, nil, "sbom", "--format", "cyclonedx-json", ref)
	if code != 0 {
		t.Fatalf("pyimg sbom: exit %d\n%s", code, stderr)
	}
	if err := os.WriteFile(filepath.Join(dir, "other.cdx.json"), []byte(other), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code = runPyimgEnv(t, dir, env, "attest", "--key", "release.key", "--type", "cyclonedx", "--predicate", "other.cdx.json", cref); code != 0 {
		t.Fatalf("attest --predicate: exit %d\n%s", code, stderr)
	}
	out, _, code = runPyimgEnv(t, dir, nil, "verify", "--key", "release.pub", "--require", "sbom", cref)
	if code != 1 || !strings.Contains(out, "FAIL  sbom-matches-image") || !strings.Contains(out, "not in the image: deb/") {
		t.Errorf("verify with another image's SBOM: exit %d\n%s", code, out)
	}
}
