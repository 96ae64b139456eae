package sign

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
)

// testRegistry starts an in-process registry and pushes one random image
// to REPO:1, returning the reference and its digest.
func testRegistry(t *testing.T, referrers bool) (host string) {
	t.Helper()
	srv := httptest.NewServer(registry.New(registry.WithReferrersSupport(referrers), registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func pushRandom(t *testing.T, ref string) v1.Hash {
	t.Helper()
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return d
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSignVerify(t *testing.T) {
	ctx := context.Background()
	host := testRegistry(t, false)
	ref := host + "/team/app:1"
	d := pushRandom(t, ref)
	key := newKey(t)

	res, err := SignImage(ctx, ref, key)
	if err != nil {
		t.Fatalf("SignImage = %v", err)
	}
	if res.Target.Digest != d || !strings.HasSuffix(res.Tag, ":sha256-"+d.Hex+".sig") {
		t.Fatalf("SignImage = %+v, want tag sha256-%s.sig", res, d.Hex)
	}
	// The stored manifest has cosign's shape.
	sigImg, err := remote.Image(mustTag(t, res.Tag))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := sigImg.Manifest()
	if m.MediaType != "application/vnd.oci.image.manifest.v1+json" || m.Config.MediaType != "application/vnd.oci.image.config.v1+json" || len(m.Layers) != 1 {
		t.Fatalf("signature manifest = %+v", m)
	}
	l := m.Layers[0]
	if l.MediaType != SimpleSigningMediaType || l.Annotations[SignatureAnnotation] == "" {
		t.Fatalf("signature layer = %+v", l)
	}
	layer, _ := sigImg.LayerByDigest(l.Digest)
	rc, _ := layer.Compressed()
	var p Payload
	if err := json.NewDecoder(rc).Decode(&p); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	if p.Critical.Identity.DockerReference != host+"/team/app" || p.Critical.Image.DockerManifestDigest != d.String() || p.Critical.Type != SimpleSigningType {
		t.Fatalf("payload = %+v", p)
	}

	// Signing again with the same key appends a second signature.
	if _, err := SignImage(ctx, ref, key); err != nil {
		t.Fatal(err)
	}
	v, err := Verify(ctx, ref, &key.PublicKey)
	if err != nil {
		t.Fatalf("Verify = %v", err)
	}
	if err := v.CheckSignature(); err != nil || len(v.Signatures) != 2 {
		t.Fatalf("CheckSignature = %v with %d signatures, want 2 valid", err, len(v.Signatures))
	}
	// Another key does not verify.
	v, err = Verify(ctx, ref, &newKey(t).PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CheckSignature(); !errors.Is(err, ErrNoSignature) || !strings.Contains(err.Error(), "does not verify with the key") {
		t.Fatalf("CheckSignature(other key) = %v", err)
	}
}

func TestVerifyRetaggedImage(t *testing.T) {
	ctx := context.Background()
	host := testRegistry(t, false)
	ref := host + "/app:1"
	signed := pushRandom(t, ref)
	key := newKey(t)
	if _, err := SignImage(ctx, ref, key); err != nil {
		t.Fatal(err)
	}
	other := pushRandom(t, ref) // the tag now names another image
	v, err := Verify(ctx, ref, &key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	err = v.CheckSignature()
	if !errors.Is(err, ErrNoSignature) || !strings.Contains(err.Error(), "digest mismatch") ||
		!strings.Contains(err.Error(), signed.String()) || !strings.Contains(err.Error(), other.String()) {
		t.Fatalf("CheckSignature = %v, want a digest mismatch naming %s and %s", err, other, signed)
	}
}

func TestVerifyCopiedSignature(t *testing.T) {
	// A signature manifest copied to another digest's tag names the
	// digest it was made for.
	ctx := context.Background()
	host := testRegistry(t, false)
	a := pushRandom(t, host+"/app:a")
	b := pushRandom(t, host+"/app:b")
	key := newKey(t)
	res, err := SignImage(ctx, host+"/app:a", key)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(mustTag(t, res.Tag))
	if err != nil {
		t.Fatal(err)
	}
	repo, _ := name.NewRepository(host + "/app")
	if err := remote.Write(SignatureTag(repo, b), img); err != nil {
		t.Fatal(err)
	}
	v, err := Verify(ctx, host+"/app:b", &key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	err = v.CheckSignature()
	if err == nil || !strings.Contains(err.Error(), "the signature is for "+a.String()+", the image is "+b.String()) {
		t.Fatalf("CheckSignature = %v", err)
	}
}

func TestVerifyTamperedPayload(t *testing.T) {
	ctx := context.Background()
	host := testRegistry(t, false)
	ref := host + "/app:1"
	d := pushRandom(t, ref)
	key := newKey(t)
	res, err := SignImage(ctx, ref, key)
	if err != nil {
		t.Fatal(err)
	}
	// Replace the payload layer, keeping the signature annotation.
	img, _ := remote.Image(mustTag(t, res.Tag))
	m, _ := img.Manifest()
	payload := []byte(strings.Replace(`{"critical":{"identity":{"docker-reference":"x"},"image":{"docker-manifest-digest":"D"},"type":"cosign container image signature"},"optional":{"evil":"yes"}}`, "D", d.String(), 1))
	base := mutate.MediaType(mutate.ConfigMediaType(empty.Image, "application/vnd.oci.image.config.v1+json"), "application/vnd.oci.image.manifest.v1+json")
	tampered, err := mutate.Append(base, mutate.Addendum{Layer: static.NewLayer(payload, SimpleSigningMediaType), Annotations: m.Layers[0].Annotations})
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(mustTag(t, res.Tag), tampered); err != nil {
		t.Fatal(err)
	}
	v, err := Verify(ctx, ref, &key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CheckSignature(); err == nil || !strings.Contains(err.Error(), "tampered") {
		t.Fatalf("CheckSignature = %v, want a tampered-payload failure", err)
	}
}

func TestAttestVerify(t *testing.T) {
	for _, referrers := range []bool{false, true} {
		t.Run(map[bool]string{false: "tags", true: "referrers"}[referrers], func(t *testing.T) {
			ctx := context.Background()
			host := testRegistry(t, referrers)
			ref := host + "/app:1"
			d := pushRandom(t, ref)
			key := newKey(t)
			res, err := Attest(ctx, ref, key, "https://cyclonedx.org/bom", json.RawMessage(`{"bomFormat":"CycloneDX"}`), WithReferrers(referrers))
			if err != nil {
				t.Fatalf("Attest = %v", err)
			}
			if !strings.HasSuffix(res.Tag, ":sha256-"+d.Hex+".att") || (res.Referrer != nil) != referrers {
				t.Fatalf("Attest = %+v", res)
			}
			att, _ := remote.Image(mustTag(t, res.Tag))
			m, _ := att.Manifest()
			if len(m.Layers) != 1 || m.Layers[0].MediaType != "application/vnd.dsse.envelope.v1+json" || m.Layers[0].Annotations[PredicateTypeAnnotation] != "https://cyclonedx.org/bom" {
				t.Fatalf("attestation manifest = %+v", m)
			}
			if referrers {
				repo, _ := name.NewRepository(host + "/app")
				idx, err := remote.Referrers(repo.Digest(d.String()))
				if err != nil {
					t.Fatal(err)
				}
				im, _ := idx.IndexManifest()
				if len(im.Manifests) != 1 {
					t.Fatalf("referrers = %+v", im.Manifests)
				}
				rm, err := remote.Image(repo.Digest(im.Manifests[0].Digest.String()))
				if err != nil {
					t.Fatal(err)
				}
				if m, _ := rm.Manifest(); m.ArtifactType != AttestationArtifactType || m.Subject == nil || m.Subject.Digest != d {
					t.Fatalf("referrer manifest = %+v", m)
				}
			}
			v, err := Verify(ctx, ref, &key.PublicKey, WithReferrers(referrers))
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if referrers {
				want = 2 // the tag copy and the referrer
			}
			got := v.AttestationsOf("https://cyclonedx.org/bom")
			if len(got) != want || got[0].Statement.Type != StatementV01 || !got[0].Statement.HasSubject(d) {
				t.Fatalf("AttestationsOf = %+v, want %d; rejected %v", got, want, v.Rejected)
			}
			if n := len(v.AttestationsOf("https://spdx.dev/Document")); n != 0 {
				t.Fatalf("AttestationsOf(spdx) = %d, want 0", n)
			}
		})
	}
}

func TestResolveRejectsLocalTransports(t *testing.T) {
	_, err := Resolve(context.Background(), "oci-archive:app.tar")
	if err == nil || !strings.Contains(err.Error(), "registry reference") {
		t.Fatalf("Resolve(oci-archive) = %v", err)
	}
}

func TestRegistryErrorsAreMarked(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	host := strings.TrimPrefix(srv.URL, "http://")
	srv.Close()
	_, err := SignImage(context.Background(), host+"/app:1", newKey(t))
	if !errors.Is(err, ErrRegistry) {
		t.Fatalf("SignImage(closed registry) = %v, want ErrRegistry", err)
	}
}

func mustTag(t *testing.T, s string) name.Tag {
	t.Helper()
	tag, err := name.NewTag(s)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}
