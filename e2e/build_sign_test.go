package e2e

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// cosignPath finds cosign on PATH or in $(go env GOPATH)/bin, where
// scripts/install-test-deps.sh installs it; "" when it is in neither.
func cosignPath() string {
	if p, err := exec.LookPath("cosign"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return ""
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "bin", "cosign")
	if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
		return p
	}
	return ""
}

// TestBuildSign builds the webapp, pushes it to the local docker-registry,
// signs it and attests its provenance, SBOM and scan in the same command;
// pyimg verify and the real cosign accept them, and the provenance names
// the base's digest (as skopeo reads it) and every wheel's sha256.
func TestBuildSign(t *testing.T) {
	base := buildBase(t)
	host := registry(t)
	if _, err := exec.LookPath("skopeo"); err != nil {
		skipOrFail(t, "skopeo not installed (run scripts/install-test-deps.sh as root)")
	}
	in := newBuildInputs(t)
	dir := t.TempDir()
	if out, stderr, code := runPyimgEnv(t, dir, []string{"COSIGN_PASSWORD=" + signPassword}, "key", "generate", "--output", "release"); code != 0 {
		t.Fatalf("key generate: exit %d\n%s%s", code, out, stderr)
	}
	// runBuild passes the test process's environment on.
	t.Setenv("COSIGN_PASSWORD", signPassword)
	ref := host + "/pyimg-e2e/build-sign:1"
	common := []string{"--base", base, "--index-url", in.index.IndexURL(), "--allow-linux-tag", "--format", "json"}

	// Flag errors exit 2 before anything is pushed.
	if _, stderr, code := runBuild(t, "022", "UTC", dir, append(common, "--push", ref, "--insecure", "--sign", in.project)...); code != 2 || !strings.Contains(stderr, "--sign needs --key") {
		t.Fatalf("build --sign without --key: exit %d\n%s", code, stderr)
	}
	if _, err := exec.Command("skopeo", "inspect", "--tls-verify=false", "docker://"+ref).CombinedOutput(); err == nil {
		t.Fatalf("%s exists after a flag error", ref)
	}

	db := signDB(t, dir)
	stdout, stderr, code := runBuild(t, "022", "UTC", dir, append(common, "--push", ref, "--insecure",
		"--sign", "--key", filepath.Join(dir, "release.key"), "--attest", "provenance,cyclonedx,scan", "--db", db, in.project)...)
	if code != 0 {
		t.Fatalf("build --sign --attest: exit %d\n%s", code, stderr)
	}
	var res struct {
		buildResult
		Signed       *bool `json:"signed"`
		Attestations []struct {
			Type          string `json:"type"`
			PredicateType string `json:"predicate_type"`
		} `json:"attestations"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("decoding %q: %v", stdout, err)
	}
	if res.Signed == nil || !*res.Signed || len(res.Attestations) != 3 || res.Attestations[0].PredicateType != "https://slsa.dev/provenance/v1" ||
		res.Attestations[1].PredicateType != "https://cyclonedx.org/bom" || res.Attestations[2].PredicateType != "https://cosign.sigstore.dev/attestation/vuln/v1" {
		t.Errorf("signed %v, attestations %+v", res.Signed, res.Attestations)
	}
	if got := skopeoInspectDigest(t, "docker://"+ref, "--tls-verify=false"); got != res.Digest {
		t.Fatalf("registry has %s at %s, build says %s", got, ref, res.Digest)
	}

	out, stderr, code := runPyimgEnv(t, dir, nil, "verify", "--key", "release.pub", "--require", "provenance,sbom,scan", "--format", "json", ref)
	var rep verifyReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 0 || !rep.Passed || rep.Digest != res.Digest {
		t.Fatalf("verify: exit %d %v %+v\n%s", code, err, rep, stderr)
	}
	for _, c := range []string{"signature", "attestation:provenance", "attestation:sbom", "sbom-matches-image", "attestation:scan", "scan-age"} {
		if s := rep.status(c); !strings.HasPrefix(s, "pass") {
			t.Errorf("check %s: %s", c, s)
		}
	}

	cosign := cosignPath()
	if cosign == "" {
		skipOrFail(t, "cosign not installed (scripts/install-test-deps.sh installs it)")
	}
	// No Rekor and no TUF: an empty trusted root keeps cosign offline.
	root := filepath.Join(dir, "trusted_root.json")
	if err := os.WriteFile(root, []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[],"certificateAuthorities":[],"ctlogs":[],"timestampAuthorities":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + dir, "TUF_ROOT=" + filepath.Join(dir, "tuf")}
	offline := []string{"--key", "release.pub", "--insecure-ignore-tlog=true", "--trusted-root", root}
	out, stderr, code = runTool(t, dir, cosign, env, append(append([]string{"verify"}, offline...), ref)...)
	if code != 0 || !strings.Contains(out, res.Digest) {
		t.Errorf("cosign verify: exit %d\n%s%s", code, out, stderr)
	}
	for _, typ := range []string{"cyclonedx", "vuln"} {
		out, stderr, code = runTool(t, dir, cosign, env, append(append([]string{"verify-attestation", "--type", typ}, offline...), ref)...)
		if code != 0 || !strings.Contains(out, "application/vnd.in-toto+json") {
			t.Errorf("cosign verify-attestation --type %s: exit %d\n%.400s%s", typ, code, out, stderr)
		}
	}
	out, stderr, code = runTool(t, dir, cosign, env, append(append([]string{"verify-attestation", "--type", "slsaprovenance1"}, offline...), ref)...)
	if code != 0 {
		t.Fatalf("cosign verify-attestation --type slsaprovenance1: exit %d\n%.400s%s", code, out, stderr)
	}
	deps := provenanceInputs(t, out)
	want := map[string]string{"base-image": strings.TrimPrefix(skopeoInspectDigest(t, base), "sha256:")}
	paths, _ := filepath.Glob(filepath.Join(in.wheels, "*.whl"))
	for _, p := range paths {
		if !strings.HasPrefix(filepath.Base(p), "pip-") { // pip is not in the lock
			want[filepath.Base(p)] = sha256File(t, p)
		}
	}
	want["requirements.txt"] = sha256File(t, filepath.Join(in.project, "requirements.txt"))
	for n, sum := range want {
		if deps[n] != sum {
			t.Errorf("provenance input %s = %q, want %s", n, deps[n], sum)
		}
	}
	if len(deps) != len(want) {
		t.Errorf("provenance lists %d inputs, want %d: %v", len(deps), len(want), deps)
	}
}

// provenanceInputs reads cosign verify-attestation's output (one DSSE
// envelope per line) and returns the resolved dependencies of the SLSA
// provenance, name → sha256.
func provenanceInputs(t *testing.T, out string) map[string]string {
	t.Helper()
	deps := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		var env struct {
			Payload string `json:"payload"`
		}
		if json.Unmarshal(sc.Bytes(), &env) != nil || env.Payload == "" {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(env.Payload)
		if err != nil {
			t.Fatalf("attestation payload: %v", err)
		}
		var st struct {
			PredicateType string `json:"predicateType"`
			Predicate     struct {
				BuildDefinition struct {
					ResolvedDependencies []struct {
						Name   string            `json:"name"`
						Digest map[string]string `json:"digest"`
					} `json:"resolvedDependencies"`
				} `json:"buildDefinition"`
			} `json:"predicate"`
		}
		if err := json.Unmarshal(raw, &st); err != nil {
			t.Fatalf("attestation statement: %v", err)
		}
		if st.PredicateType != "https://slsa.dev/provenance/v1" {
			continue
		}
		for _, d := range st.Predicate.BuildDefinition.ResolvedDependencies {
			deps[d.Name] = d.Digest["sha256"]
		}
	}
	if len(deps) == 0 {
		t.Fatalf("no provenance in cosign's output:\n%.600s", out)
	}
	return deps
}
