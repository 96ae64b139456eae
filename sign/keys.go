package sign

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/secure-systems-lab/go-securesystemslib/encrypted"

	"github.com/pyimg/pyimg/internal/atomicfile"
)

// PEM block types of keys, as cosign writes and reads them.
const (
	// PEMEncryptedSigstore is the block type cosign (v2 and later) and
	// pyimg write for a private key encrypted with scrypt and NaCl
	// secretbox.
	PEMEncryptedSigstore = "ENCRYPTED SIGSTORE PRIVATE KEY"
	// PEMEncryptedCosign is the same format under the name cosign v1 used.
	PEMEncryptedCosign = "ENCRYPTED COSIGN PRIVATE KEY"
	// PEMPublicKey is the block type of a PKIX public key.
	PEMPublicKey = "PUBLIC KEY"
)

// Key errors, checked with errors.Is. Their messages never include key
// material.
var (
	// ErrWrongPassword means the password does not decrypt the key.
	ErrWrongPassword = errors.New("wrong password for the private key")
	// ErrKeyType means the key is not an ECDSA P-256 key.
	ErrKeyType = errors.New("unsupported key type: want an ECDSA P-256 key (cosign generate-key-pair)")
	// ErrKeyFormat means the bytes are not a PEM key pyimg or cosign reads.
	ErrKeyFormat = errors.New("not a cosign key")
)

// KeyPair is an encoded key pair as cosign's generate-key-pair writes it.
type KeyPair struct {
	// PrivatePEM is the encrypted private key (PEMEncryptedSigstore).
	PrivatePEM []byte
	// PublicPEM is the PKIX public key (PEMPublicKey).
	PublicPEM []byte
}

// GenerateKeyPair makes a new ECDSA P-256 key pair; the private key is
// encrypted with password (scrypt N=65536, r=8, p=1 and NaCl secretbox, as
// cosign 2 writes it; keys with cosign 1's N=32768 load too). An empty
// password is allowed, as with cosign.
func GenerateKeyPair(password []byte) (*KeyPair, error) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating key: %w", err)
	}
	return EncodeKeyPair(priv, password)
}

// EncodeKeyPair encodes priv as an encrypted private key and its public
// key, in cosign's formats.
func EncodeKeyPair(priv *ecdsa.PrivateKey, password []byte) (*KeyPair, error) {
	if priv.Curve != elliptic.P256() {
		return nil, ErrKeyType
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("encoding private key: %w", err)
	}
	box, err := encrypted.Encrypt(der, password)
	if err != nil {
		return nil, fmt.Errorf("encrypting private key: %w", err)
	}
	pub, err := EncodePublicKey(&priv.PublicKey)
	if err != nil {
		return nil, err
	}
	return &KeyPair{
		PrivatePEM: pem.EncodeToMemory(&pem.Block{Type: PEMEncryptedSigstore, Bytes: box}),
		PublicPEM:  pub,
	}, nil
}

// EncodePublicKey encodes pub as a PKIX "PUBLIC KEY" PEM block.
func EncodePublicKey(pub *ecdsa.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("encoding public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: PEMPublicKey, Bytes: der}), nil
}

// LoadPrivateKey decodes a private key: cosign's encrypted format (either
// block name) decrypted with password, or an unencrypted PKCS #8 ("PRIVATE
// KEY") or SEC 1 ("EC PRIVATE KEY") block. The key must be ECDSA P-256.
func LoadPrivateKey(data, password []byte) (*ecdsa.PrivateKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrKeyFormat)
	}
	var (
		key crypto.PrivateKey
		err error
	)
	switch block.Type {
	case PEMEncryptedSigstore, PEMEncryptedCosign:
		der, derr := encrypted.Decrypt(block.Bytes, password)
		if derr != nil {
			if strings.Contains(derr.Error(), "decryption failed") {
				return nil, ErrWrongPassword
			}
			return nil, fmt.Errorf("%w: encrypted key: %v", ErrKeyFormat, derr)
		}
		key, err = x509.ParsePKCS8PrivateKey(der)
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case PEMPublicKey:
		return nil, fmt.Errorf("%w: this is a public key; signing needs the private key (cosign.key)", ErrKeyFormat)
	default:
		return nil, fmt.Errorf("%w: PEM block %q", ErrKeyFormat, block.Type)
	}
	if err != nil {
		if strings.Contains(err.Error(), "unknown") || strings.Contains(err.Error(), "unsupported") {
			return nil, ErrKeyType
		}
		return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
	}
	ec, ok := key.(*ecdsa.PrivateKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w (got %s)", ErrKeyType, keyKind(key))
	}
	return ec, nil
}

// LoadPublicKey decodes a PKIX "PUBLIC KEY" PEM block holding an ECDSA
// P-256 key.
func LoadPublicKey(data []byte) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrKeyFormat)
	}
	if block.Type != PEMPublicKey {
		if strings.Contains(block.Type, "PRIVATE") {
			return nil, fmt.Errorf("%w: this is a private key; verification needs the public key (cosign.pub)", ErrKeyFormat)
		}
		return nil, fmt.Errorf("%w: PEM block %q, want %q", ErrKeyFormat, block.Type, PEMPublicKey)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKeyFormat, err)
	}
	ec, ok := key.(*ecdsa.PublicKey)
	if !ok || ec.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w (got %s)", ErrKeyType, keyKind(key))
	}
	return ec, nil
}

// KeyID is a short fingerprint of a public key: the first 16 hex digits
// of the SHA-256 of its DER encoding. It identifies a key in output
// without revealing anything that matters.
func KeyID(pub *ecdsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "unknown"
	}
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:8])
}

// SamePublicKey reports whether a and b are the same key.
func SamePublicKey(a, b *ecdsa.PublicKey) bool {
	da, err1 := x509.MarshalPKIXPublicKey(a)
	db, err2 := x509.MarshalPKIXPublicKey(b)
	return err1 == nil && err2 == nil && bytes.Equal(da, db)
}

func keyKind(k any) string {
	switch k := k.(type) {
	case *ecdsa.PrivateKey:
		return "ECDSA " + k.Curve.Params().Name
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	default:
		return strings.TrimPrefix(fmt.Sprintf("%T", k), "*")
	}
}

// WriteFiles writes the key pair to PREFIX.key (mode 0600) and PREFIX.pub
// (0644), each atomically. Existing files are kept, and an error returned,
// unless overwrite is set.
func (kp *KeyPair) WriteFiles(prefix string, overwrite bool) (keyPath, pubPath string, err error) {
	keyPath, pubPath = prefix+".key", prefix+".pub"
	if !overwrite {
		for _, p := range []string{keyPath, pubPath} {
			if _, err := os.Lstat(p); err == nil {
				return "", "", fmt.Errorf("%s exists: %w", p, fs.ErrExist)
			}
		}
	}
	if err := atomicfile.WriteFile(keyPath, kp.PrivatePEM, 0o600); err != nil {
		return "", "", err
	}
	if err := atomicfile.WriteFile(pubPath, kp.PublicPEM, 0o644); err != nil {
		return "", "", err
	}
	return keyPath, pubPath, nil
}
