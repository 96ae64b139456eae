package sign

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// testdata/cosign holds what cosign v2.6.5 wrote for image
// 127.0.0.1:5917/fix (digest in image-digest.txt): its generate-key-pair
// output (password "pyimg-test"), the manifest and layer of
// `cosign sign --key cosign.key --tlog-upload=false` (…sig) and of
// `cosign attest --type slsaprovenance1` (…att), and the Sigstore bundles
// the same commands wrote with --new-bundle-format (cosign 3's default),
// attached as referrers (bundle-sign.json, bundle-attest.json).

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "cosign", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fixtureEntry(t *testing.T, kind string) entry {
	t.Helper()
	var m v1.Manifest
	if err := json.Unmarshal(readFixture(t, kind+"-manifest.json"), &m); err != nil {
		t.Fatal(err)
	}
	l := m.Layers[0]
	return entry{mediaType: l.MediaType, payload: readFixture(t, kind+"-layer.json"), annotations: l.Annotations, source: kind}
}

func TestCosignFixtures(t *testing.T) {
	priv, err := LoadPrivateKey(readFixture(t, "cosign.key"), []byte("pyimg-test"))
	if err != nil {
		t.Fatalf("LoadPrivateKey(cosign's key) = %v", err)
	}
	pub, err := LoadPublicKey(readFixture(t, "cosign.pub"))
	if err != nil {
		t.Fatal(err)
	}
	if !SamePublicKey(&priv.PublicKey, pub) {
		t.Fatal("cosign's key files do not match")
	}
	d, err := v1.NewHash(strings.TrimSpace(string(readFixture(t, "image-digest.txt"))))
	if err != nil {
		t.Fatal(err)
	}

	sig := fixtureEntry(t, "sig")
	if _, err := verifySignature(sig, pub, d); err != nil {
		t.Fatalf("cosign's signature does not verify: %v", err)
	}
	// pyimg writes the same payload bytes for the same image.
	ours, err := NewPayload("127.0.0.1:5917/fix", d, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(ours) != string(sig.payload) {
		t.Errorf("payload differs from cosign's:\n ours   %s\n cosign %s", ours, sig.payload)
	}
	other, _ := v1.NewHash("sha256:" + strings.Repeat("1", 64))
	if _, err := verifySignature(sig, pub, other); err == nil || !strings.Contains(err.Error(), "digest mismatch") {
		t.Errorf("verifySignature(other digest) = %v, want a digest mismatch", err)
	}
	tampered := sig
	tampered.payload = []byte(strings.Replace(string(sig.payload), `"optional":null`, `"optional":{"a":"b"}`, 1))
	if _, err := verifySignature(tampered, pub, d); err == nil {
		t.Error("a tampered payload verified")
	}

	att := fixtureEntry(t, "att")
	if att.mediaType != types.MediaType("application/vnd.dsse.envelope.v1+json") || att.annotations[PredicateTypeAnnotation] != "https://slsa.dev/provenance/v1" {
		t.Fatalf("fixture attestation layer = %+v", att)
	}
	st, err := verifyAttestation(att, pub, d)
	if err != nil {
		t.Fatalf("cosign's attestation does not verify: %v", err)
	}
	if st.Type != StatementV01 || st.PredicateType != "https://slsa.dev/provenance/v1" {
		t.Fatalf("statement = %+v", st)
	}
	if _, err := verifyAttestation(att, pub, other); err == nil || !strings.Contains(err.Error(), "subject mismatch") {
		t.Errorf("verifyAttestation(other digest) = %v, want a subject mismatch", err)
	}
	wrongKey, _ := GenerateKeyPair(nil)
	wk, _ := LoadPublicKey(wrongKey.PublicPEM)
	if _, err := verifyAttestation(att, wk, d); err == nil {
		t.Error("cosign's attestation verified with another key")
	}
}

func TestCosignBundleFixtures(t *testing.T) {
	pub, err := LoadPublicKey(readFixture(t, "cosign.pub"))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := v1.NewHash(strings.TrimSpace(string(readFixture(t, "image-digest.txt"))))
	other, _ := v1.NewHash("sha256:" + strings.Repeat("1", 64))
	for file, ptype := range map[string]string{"bundle-sign.json": BundleSignPredicateType, "bundle-attest.json": "https://slsa.dev/provenance/v1"} {
		e := entry{mediaType: BundleArtifactType, payload: readFixture(t, file)}
		st, err := verifyBundle(e, pub, d)
		if err != nil {
			t.Fatalf("%s does not verify: %v", file, err)
		}
		// cosign writes Statement v1 for signatures, v0.1 for attestations.
		if (st.Type != StatementV1 && st.Type != StatementV01) || st.PredicateType != ptype {
			t.Errorf("%s: statement %s %s", file, st.Type, st.PredicateType)
		}
		if _, err := verifyBundle(e, pub, other); err == nil || !strings.Contains(err.Error(), "subject mismatch") {
			t.Errorf("%s for another digest: %v", file, err)
		}
		tampered := e
		tampered.payload = []byte(strings.Replace(string(e.payload), `"payload":"ey`, `"payload":"eX`, 1))
		if _, err := verifyBundle(tampered, pub, d); err == nil {
			t.Errorf("%s tampered: verified", file)
		}
	}
	for _, bad := range []string{`{}`, `{"mediaType":"application/json"}`, `{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","messageSignature":{}}`, `[`} {
		if _, err := verifyBundle(entry{payload: []byte(bad)}, pub, d); err == nil {
			t.Errorf("verifyBundle(%s) succeeded", bad)
		}
	}
}

func BenchmarkVerifyCosignSignature(b *testing.B) {
	pub, err := LoadPublicKey(mustRead(b, "cosign.pub"))
	if err != nil {
		b.Fatal(err)
	}
	var m v1.Manifest
	if err := json.Unmarshal(mustRead(b, "sig-manifest.json"), &m); err != nil {
		b.Fatal(err)
	}
	e := entry{mediaType: m.Layers[0].MediaType, payload: mustRead(b, "sig-layer.json"), annotations: m.Layers[0].Annotations}
	d, _ := v1.NewHash(strings.TrimSpace(string(mustRead(b, "image-digest.txt"))))
	for b.Loop() {
		if _, err := verifySignature(e, pub, d); err != nil {
			b.Fatal(err)
		}
	}
}

func mustRead(b *testing.B, name string) []byte {
	data, err := os.ReadFile(filepath.Join("testdata", "cosign", name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}
