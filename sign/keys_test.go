package sign

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

func TestKeyPairRoundTrip(t *testing.T) {
	kp, err := GenerateKeyPair([]byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(kp.PrivatePEM), "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----") {
		t.Fatalf("private key header: %.60s", kp.PrivatePEM)
	}
	block, _ := pem.Decode(kp.PrivatePEM)
	// The body is the JSON of go-securesystemslib's encrypted format, with
	// the scrypt parameters cosign writes.
	for _, want := range []string{`"kdf":{"name":"scrypt","params":{"N":65536,"r":8,"p":1}`, `"cipher":{"name":"nacl/secretbox"`} {
		if !strings.Contains(string(block.Bytes), want) {
			t.Errorf("encrypted key lacks %s: %s", want, block.Bytes)
		}
	}
	priv, err := LoadPrivateKey(kp.PrivatePEM, []byte("s3cret"))
	if err != nil {
		t.Fatalf("LoadPrivateKey = %v", err)
	}
	pub, err := LoadPublicKey(kp.PublicPEM)
	if err != nil {
		t.Fatalf("LoadPublicKey = %v", err)
	}
	if !SamePublicKey(&priv.PublicKey, pub) {
		t.Fatal("public key does not match the private key")
	}
	if _, err := LoadPrivateKey(kp.PrivatePEM, []byte("wrong")); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("LoadPrivateKey(wrong password) = %v, want ErrWrongPassword", err)
	}
	if _, err := LoadPrivateKey(kp.PublicPEM, nil); !errors.Is(err, ErrKeyFormat) || !strings.Contains(err.Error(), "public key") {
		t.Fatalf("LoadPrivateKey(public key) = %v", err)
	}
	if _, err := LoadPublicKey(kp.PrivatePEM); !errors.Is(err, ErrKeyFormat) || !strings.Contains(err.Error(), "private key") {
		t.Fatalf("LoadPublicKey(private key) = %v", err)
	}
	if len(KeyID(pub)) != 16 {
		t.Fatalf("KeyID = %q", KeyID(pub))
	}
}

func TestEmptyPasswordKey(t *testing.T) {
	kp, err := GenerateKeyPair(nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPrivateKey(kp.PrivatePEM, []byte{}); err != nil {
		t.Fatalf("LoadPrivateKey(empty password) = %v", err)
	}
}

func TestOtherKeyTypes(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]any{"rsa": rsaKey, "p384": p384} {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		pemBytes := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		if _, err := LoadPrivateKey(pemBytes, nil); !errors.Is(err, ErrKeyType) {
			t.Errorf("LoadPrivateKey(%s) = %v, want ErrKeyType", name, err)
		}
		pubDER, err := x509.MarshalPKIXPublicKey(k.(crypto.Signer).Public())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := LoadPublicKey(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})); !errors.Is(err, ErrKeyType) {
			t.Errorf("LoadPublicKey(%s) = %v, want ErrKeyType", name, err)
		}
	}
	if _, err := LoadPrivateKey([]byte("not pem"), nil); !errors.Is(err, ErrKeyFormat) {
		t.Errorf("LoadPrivateKey(garbage) = %v, want ErrKeyFormat", err)
	}
}

func BenchmarkLoadPrivateKey(b *testing.B) {
	kp, err := GenerateKeyPair([]byte("pw"))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := LoadPrivateKey(kp.PrivatePEM, []byte("pw")); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzLoadPublicKey(f *testing.F) {
	kp, err := GenerateKeyPair(nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(kp.PublicPEM)
	f.Add([]byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		pub, err := LoadPublicKey(data)
		if err != nil {
			return
		}
		if pub.Curve != elliptic.P256() {
			t.Fatalf("accepted a key on %s", pub.Curve.Params().Name)
		}
	})
}
