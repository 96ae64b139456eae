package sign

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// in-toto statement types.
const (
	// StatementV01 is the in-toto Statement v0.1 type, which cosign attest
	// writes.
	StatementV01 = "https://in-toto.io/Statement/v0.1"
	// StatementV1 is the in-toto Statement v1 type.
	StatementV1 = "https://in-toto.io/Statement/v1"
)

// ErrStatement means an attestation payload is not an in-toto statement.
var ErrStatement = errors.New("malformed in-toto statement")

// Statement is an in-toto statement: a predicate about subjects named by
// digest.
type Statement struct {
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Subject       []Subject       `json:"subject"`
	Predicate     json.RawMessage `json:"predicate"`
}

// Subject is one artifact a statement is about.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// NewStatement returns a statement (v0.1, as cosign attest writes) whose
// subject is the manifest digest of the image in repository repo.
func NewStatement(repo string, digest v1.Hash, predicateType string, predicate json.RawMessage) ([]byte, error) {
	if !json.Valid(predicate) {
		return nil, fmt.Errorf("%w: the %s predicate is not valid JSON", ErrStatement, predicateType)
	}
	st := Statement{
		Type:          StatementV01,
		PredicateType: predicateType,
		Subject:       []Subject{{Name: repo, Digest: map[string]string{digest.Algorithm: digest.Hex}}},
		Predicate:     predicate,
	}
	b, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("encoding in-toto statement: %w", err)
	}
	return b, nil
}

// ParseStatement decodes an in-toto statement (v0.1 or v1) and checks its
// shape: known type, a predicate type, at least one subject with a digest.
func ParseStatement(data []byte) (*Statement, error) {
	var st Statement
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStatement, err)
	}
	if st.Type != StatementV01 && st.Type != StatementV1 {
		return nil, fmt.Errorf("%w: _type %q", ErrStatement, st.Type)
	}
	if st.PredicateType == "" {
		return nil, fmt.Errorf("%w: no predicateType", ErrStatement)
	}
	if len(st.Subject) == 0 {
		return nil, fmt.Errorf("%w: no subject", ErrStatement)
	}
	return &st, nil
}

// HasSubject reports whether digest is one of the statement's subjects.
func (s *Statement) HasSubject(digest v1.Hash) bool {
	for _, sub := range s.Subject {
		if strings.EqualFold(sub.Digest[digest.Algorithm], digest.Hex) {
			return true
		}
	}
	return false
}

// SubjectDigests lists the subjects' digests as "alg:hex", for messages.
func (s *Statement) SubjectDigests() []string {
	var out []string
	for _, sub := range s.Subject {
		for alg, hex := range sub.Digest {
			out = append(out, alg+":"+hex)
		}
	}
	return out
}
