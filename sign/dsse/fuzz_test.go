package dsse

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"testing"
)

func FuzzParse(f *testing.F) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	env, err := Sign(key, PayloadTypeInToto, []byte(`{"_type":"https://in-toto.io/Statement/v0.1"}`))
	if err != nil {
		f.Fatal(err)
	}
	raw, _ := json.Marshal(env)
	f.Add(raw)
	f.Add([]byte(`{"payloadType":"t","payload":"e30","signatures":[{"sig":"_-8"}]}`))
	f.Add([]byte(`{"payloadType":"","signatures":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Parse(data)
		if err != nil {
			return
		}
		if e.PayloadType == "" || len(e.Signatures) == 0 {
			t.Fatalf("Parse accepted an envelope without type or signatures: %q", data)
		}
		// A parsed envelope re-encodes and parses to the same content.
		again, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		e2, err := Parse(again)
		if err != nil {
			t.Fatalf("re-parse: %v", err)
		}
		if string(e2.Payload) != string(e.Payload) || e2.PayloadType != e.PayloadType || len(e2.Signatures) != len(e.Signatures) {
			t.Fatalf("round trip changed the envelope")
		}
		// Nothing verifies with an unrelated key (and nothing panics).
		if e.Verify(&key.PublicKey) == nil && string(e.Payload) != string(env.Payload) {
			t.Fatalf("a forged envelope verified")
		}
	})
}
