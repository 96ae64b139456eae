package sign

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

const digestA = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"

func TestNewPayloadIsCosignsFormat(t *testing.T) {
	d, _ := v1.NewHash(digestA)
	got, err := NewPayload("registry.example.com/app", d, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The exact bytes cosign's payload.Cosign marshals for the same input.
	want := `{"critical":{"identity":{"docker-reference":"registry.example.com/app"},"image":{"docker-manifest-digest":"` + digestA + `"},"type":"cosign container image signature"},"optional":null}`
	if string(got) != want {
		t.Fatalf("NewPayload =\n%s\nwant\n%s", got, want)
	}
	p, err := ParsePayload(got)
	if err != nil || p.Critical.Image.DockerManifestDigest != digestA {
		t.Fatalf("ParsePayload = %+v, %v", p, err)
	}
}

func TestParsePayloadErrors(t *testing.T) {
	ok := `{"critical":{"identity":{"docker-reference":"r"},"image":{"docker-manifest-digest":"` + digestA + `"},"type":"cosign container image signature"},"optional":null}`
	for _, tc := range []struct{ name, in, want string }{
		{"not json", "nope", "malformed"},
		{"other type", strings.Replace(ok, "cosign container image signature", "atomic container signature", 1), "type"},
		{"bad digest", strings.Replace(ok, digestA, "sha256:xyz", 1), "not a sha256 digest"},
		{"sha512", strings.Replace(ok, digestA, "sha512:"+strings.Repeat("a", 128), 1), "not a sha256 digest"},
		{"trailing", ok + `{}`, "after the JSON"},
		{"huge", `{"optional":"` + strings.Repeat("a", MaxPayloadSize) + `"}`, "more than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParsePayload([]byte(tc.in))
			if !errors.Is(err, ErrPayload) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("ParsePayload = %v, want ErrPayload mentioning %q", err, tc.want)
			}
		})
	}
}

func TestStatementRoundTrip(t *testing.T) {
	d, _ := v1.NewHash(digestA)
	b, err := NewStatement("r/app", d, "https://cyclonedx.org/bom", json.RawMessage(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	st, err := ParseStatement(b)
	if err != nil {
		t.Fatal(err)
	}
	if st.Type != StatementV01 || !st.HasSubject(d) || string(st.Predicate) != `{"a":1}` {
		t.Fatalf("statement = %+v", st)
	}
	other, _ := v1.NewHash("sha256:" + strings.Repeat("0", 64))
	if st.HasSubject(other) {
		t.Fatal("HasSubject(other digest) = true")
	}
	if _, err := NewStatement("r", d, "t", json.RawMessage(`{`)); !errors.Is(err, ErrStatement) {
		t.Fatalf("NewStatement(invalid predicate) = %v", err)
	}
	for _, bad := range []string{`{}`, `{"_type":"https://in-toto.io/Statement/v1"}`, `{"_type":"https://in-toto.io/Statement/v1","predicateType":"x"}`} {
		if _, err := ParseStatement([]byte(bad)); !errors.Is(err, ErrStatement) {
			t.Errorf("ParseStatement(%s) = %v, want ErrStatement", bad, err)
		}
	}
}

func FuzzParsePayload(f *testing.F) {
	d, _ := v1.NewHash(digestA)
	good, _ := NewPayload("registry.example.com/app", d, map[string]any{"k": "v"})
	f.Add(good)
	f.Add([]byte(`{"critical":{"type":"cosign container image signature","image":{"docker-manifest-digest":"sha256:"}}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePayload(data)
		if err != nil {
			return
		}
		if p.Critical.Type != SimpleSigningType {
			t.Fatalf("accepted type %q", p.Critical.Type)
		}
		h, err := v1.NewHash(p.Critical.Image.DockerManifestDigest)
		if err != nil || h.Algorithm != "sha256" {
			t.Fatalf("accepted digest %q", p.Critical.Image.DockerManifestDigest)
		}
	})
}

func FuzzParseStatement(f *testing.F) {
	d, _ := v1.NewHash(digestA)
	good, _ := NewStatement("r/app", d, "https://slsa.dev/provenance/v1", json.RawMessage(`{}`))
	f.Add(good)
	f.Add([]byte(`{"_type":"https://in-toto.io/Statement/v1","predicateType":"p","subject":[{"digest":null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseStatement(data)
		if err != nil {
			return
		}
		if st.PredicateType == "" || len(st.Subject) == 0 {
			t.Fatalf("accepted %q", data)
		}
		_ = st.HasSubject(d)
		_ = st.SubjectDigests()
	})
}
