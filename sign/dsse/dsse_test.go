package dsse

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestPAE(t *testing.T) {
	// The example of the DSSE v1 protocol specification.
	got := string(PAE("http://example.com/HelloWorld", []byte("hello world")))
	want := "DSSEv1 29 http://example.com/HelloWorld 11 hello world"
	if got != want {
		t.Fatalf("PAE = %q, want %q", got, want)
	}
	if got := string(PAE("", nil)); got != "DSSEv1 0  0 " {
		t.Fatalf("PAE(empty) = %q", got)
	}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSignVerifyRoundTrip(t *testing.T) {
	key := newKey(t)
	env, err := Sign(key, PayloadTypeInToto, []byte(`{"_type":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(env)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(raw), `"payloadType":"application/vnd.in-toto+json"`) || !strings.Contains(string(raw), `"keyid":""`) {
		t.Fatalf("envelope JSON = %s", raw)
	}
	back, err := Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if err := back.Verify(&key.PublicKey); err != nil {
		t.Fatalf("Verify = %v, want nil", err)
	}
	if err := back.Verify(&newKey(t).PublicKey); !errors.Is(err, ErrNoValidSignature) {
		t.Fatalf("Verify(other key) = %v, want ErrNoValidSignature", err)
	}
	tampered := *back
	tampered.Payload = []byte(`{"_type":"y"}`)
	if err := tampered.Verify(&key.PublicKey); !errors.Is(err, ErrNoValidSignature) {
		t.Fatalf("Verify(tampered payload) = %v, want ErrNoValidSignature", err)
	}
	retyped := *back
	retyped.PayloadType = "text/plain"
	if err := retyped.Verify(&key.PublicKey); !errors.Is(err, ErrNoValidSignature) {
		t.Fatalf("Verify(changed payload type) = %v, want ErrNoValidSignature", err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not json", `nope`, "malformed"},
		{"no type", `{"payload":"e30=","signatures":[{"sig":"AA=="}]}`, "no payloadType"},
		{"no signatures", `{"payloadType":"a","payload":"e30=","signatures":[]}`, "no signatures"},
		{"bad payload", `{"payloadType":"a","payload":"!!","signatures":[{"sig":"AA=="}]}`, "payload"},
		{"empty sig", `{"payloadType":"a","payload":"e30=","signatures":[{"sig":""}]}`, "signature 0"},
		{"too big", `{"payloadType":"` + strings.Repeat("a", MaxEnvelopeSize) + `"}`, "more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse(%s) = %v, want ErrMalformed mentioning %q", tc.name, err, tc.want)
			}
		})
	}
}

func TestParseBase64Variants(t *testing.T) {
	// Readers must accept URL-safe and unpadded base64 (DSSE protocol).
	env, err := Parse([]byte(`{"payloadType":"t","payload":"e30","signatures":[{"sig":"_-8"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(env.Payload) != "{}" || len(env.Signatures[0].Sig) != 2 {
		t.Fatalf("Parse = %+v", env)
	}
}
