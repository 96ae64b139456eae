// Package dsse reads, writes, signs and verifies DSSE envelopes (Dead Simple
// Signing Envelope, secure-systems-lab/dsse v1.0): a payload, its type and
// signatures over the pre-authentication encoding (PAE) of both, as in-toto
// attestations and cosign store them.
package dsse

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
)

// MediaType is the media type of a DSSE envelope stored as an OCI layer.
const MediaType = "application/vnd.dsse.envelope.v1+json"

// PayloadTypeInToto is the payload type of an in-toto statement.
const PayloadTypeInToto = "application/vnd.in-toto+json"

// MaxEnvelopeSize bounds the envelopes Parse accepts (16 MiB): an SBOM of
// a large image fits many times over.
const MaxEnvelopeSize = 16 << 20

// Sentinel errors, checked with errors.Is.
var (
	// ErrMalformed means the bytes are not a well-formed envelope.
	ErrMalformed = errors.New("malformed DSSE envelope")
	// ErrNoValidSignature means no signature of the envelope verifies with
	// the given key.
	ErrNoValidSignature = errors.New("no DSSE signature verifies with the key")
)

// Envelope is a DSSE envelope. Payload holds the decoded payload bytes;
// the JSON form carries them base64-encoded.
type Envelope struct {
	PayloadType string
	Payload     []byte
	Signatures  []Signature
}

// Signature is one signature of an envelope.
type Signature struct {
	// KeyID is an optional hint naming the key; cosign leaves it empty.
	KeyID string `json:"keyid"`
	// Sig is the raw signature (ASN.1 DER for ECDSA).
	Sig []byte `json:"sig"`
}

type wireEnvelope struct {
	PayloadType string          `json:"payloadType"`
	Payload     string          `json:"payload"`
	Signatures  []wireSignature `json:"signatures"`
}

type wireSignature struct {
	KeyID string `json:"keyid"`
	Sig   string `json:"sig"`
}

// PAE is the pre-authentication encoding of DSSE v1: what is signed.
func PAE(payloadType string, payload []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(payloadType) + len(payload) + 32)
	b.WriteString("DSSEv1 ")
	b.WriteString(strconv.Itoa(len(payloadType)))
	b.WriteByte(' ')
	b.WriteString(payloadType)
	b.WriteByte(' ')
	b.WriteString(strconv.Itoa(len(payload)))
	b.WriteByte(' ')
	b.Write(payload)
	return b.Bytes()
}

// Sign returns an envelope holding payload, signed by signer over the PAE
// with SHA-256 (ECDSA signatures are ASN.1 DER, as cosign writes them).
func Sign(signer crypto.Signer, payloadType string, payload []byte) (*Envelope, error) {
	sum := sha256.Sum256(PAE(payloadType, payload))
	sig, err := signer.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("signing DSSE envelope: %w", err)
	}
	return &Envelope{PayloadType: payloadType, Payload: payload, Signatures: []Signature{{Sig: sig}}}, nil
}

// MarshalJSON encodes the envelope in its standard JSON form.
func (e *Envelope) MarshalJSON() ([]byte, error) {
	w := wireEnvelope{PayloadType: e.PayloadType, Payload: base64.StdEncoding.EncodeToString(e.Payload), Signatures: []wireSignature{}}
	for _, s := range e.Signatures {
		w.Signatures = append(w.Signatures, wireSignature{KeyID: s.KeyID, Sig: base64.StdEncoding.EncodeToString(s.Sig)})
	}
	return json.Marshal(w)
}

// Parse decodes an envelope from its JSON form. Payload and signatures are
// base64 (standard or URL-safe alphabet, padded or not, as the DSSE
// specification allows); an envelope without payload type or signatures
// is malformed.
func Parse(data []byte) (*Envelope, error) {
	if len(data) > MaxEnvelopeSize {
		return nil, fmt.Errorf("%w: %d bytes, more than the %d allowed", ErrMalformed, len(data), MaxEnvelopeSize)
	}
	var w wireEnvelope
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if w.PayloadType == "" {
		return nil, fmt.Errorf("%w: no payloadType", ErrMalformed)
	}
	if len(w.Signatures) == 0 {
		return nil, fmt.Errorf("%w: no signatures", ErrMalformed)
	}
	payload, err := decodeB64(w.Payload)
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %v", ErrMalformed, err)
	}
	e := &Envelope{PayloadType: w.PayloadType, Payload: payload}
	for i, s := range w.Signatures {
		sig, err := decodeB64(s.Sig)
		if err != nil || len(sig) == 0 {
			return nil, fmt.Errorf("%w: signature %d: not base64 or empty", ErrMalformed, i)
		}
		e.Signatures = append(e.Signatures, Signature{KeyID: s.KeyID, Sig: sig})
	}
	return e, nil
}

// Verify checks that at least one signature of the envelope verifies with
// pub over the PAE of its payload type and payload (ECDSA with SHA-256).
func (e *Envelope) Verify(pub *ecdsa.PublicKey) error {
	sum := sha256.Sum256(PAE(e.PayloadType, e.Payload))
	for _, s := range e.Signatures {
		if ecdsa.VerifyASN1(pub, sum[:], s.Sig) {
			return nil
		}
	}
	return ErrNoValidSignature
}

// decodeB64 accepts the four base64 variants the DSSE specification
// allows readers to accept.
func decodeB64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}
