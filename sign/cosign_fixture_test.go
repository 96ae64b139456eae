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
// `cosign attest --type slsaprovenance1` (…att).

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
