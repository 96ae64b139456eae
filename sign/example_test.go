package sign_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pyimg/pyimg/sign"
	"github.com/pyimg/pyimg/sign/predicate"
)

// Sign an image after a build, attach its provenance, and verify both.
func Example() {
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	ref := strings.TrimPrefix(srv.URL, "http://") + "/app:1"
	img, _ := random.Image(64, 1)
	r, _ := name.ParseReference(ref)
	if err := remote.Write(r, img); err != nil {
		log.Fatal(err)
	}

	kp, _ := sign.GenerateKeyPair([]byte("password"))
	key, _ := sign.LoadPrivateKey(kp.PrivatePEM, []byte("password"))
	pub, _ := sign.LoadPublicKey(kp.PublicPEM)

	ctx := context.Background()
	if _, err := sign.SignImage(ctx, ref, key); err != nil {
		log.Fatal(err)
	}
	prov, err := predicate.NewProvenance(predicate.ProvenanceInput{
		BaseImage:  "docker.io/library/python:3.12-slim",
		BaseDigest: "sha256:" + strings.Repeat("0", 64),
		LockFile:   "uv.lock", LockSHA256: strings.Repeat("1", 64),
		Wheels: []predicate.Wheel{{Name: "flask-3.0.0-py3-none-any.whl", SHA256: strings.Repeat("2", 64)}},
	})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := sign.Attest(ctx, ref, key, predicate.TypeSLSAProvenance1, json.RawMessage(prov)); err != nil {
		log.Fatal(err)
	}

	v, err := sign.Verify(ctx, ref, pub)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("signature:", v.CheckSignature() == nil)
	fmt.Println("provenance attestations:", len(v.AttestationsOf(predicate.TypeSLSAProvenance1)))
	// Output:
	// signature: true
	// provenance attestations: 1
}
