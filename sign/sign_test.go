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
	for _, tc := range []struct {
		name              string
		registrySupports  bool
		opts              []Option
		referrer, viaTags bool
	}{
		{"tags, registry without referrers API", false, nil, false, false},
		{"auto, registry with referrers API", true, nil, true, false},
		{"never, registry with referrers API", true, []Option{WithReferrers(false)}, false, false},
		{"forced, registry without referrers API", false, []Option{WithReferrers(true)}, true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			host := testRegistry(t, tc.registrySupports)
			ref := host + "/app:1"
			d := pushRandom(t, ref)
			key := newKey(t)
			res, err := Attest(ctx, ref, key, "https://cyclonedx.org/bom", json.RawMessage(`{"bomFormat":"CycloneDX"}`), tc.opts...)
			if err != nil {
				t.Fatalf("Attest = %v", err)
			}
			if !strings.HasSuffix(res.Tag, ":sha256-"+d.Hex+".att") || (res.Referrer != nil) != tc.referrer {
				t.Fatalf("Attest = %+v, want a referrer: %v", res, tc.referrer)
			}
			att, _ := remote.Image(mustTag(t, res.Tag))
			m, _ := att.Manifest()
			if len(m.Layers) != 1 || m.Layers[0].MediaType != "application/vnd.dsse.envelope.v1+json" || m.Layers[0].Annotations[PredicateTypeAnnotation] != "https://cyclonedx.org/bom" {
				t.Fatalf("attestation manifest = %+v", m)
			}
			repo, _ := name.NewRepository(host + "/app")
			if tc.referrer {
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
			// The referrers tag schema ("sha256-<hex>") is used only when
			// referrers are forced on a registry without the API.
			_, err = remote.Index(repo.Tag("sha256-" + d.Hex))
			if (err == nil) != tc.viaTags {
				t.Fatalf("referrers fallback tag: err %v, want it to exist: %v", err, tc.viaTags)
			}
			v, err := Verify(ctx, ref, &key.PublicKey, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if tc.referrer {
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

func TestSignIndexSignsTheIndexDigest(t *testing.T) {
	ctx := context.Background()
	host := testRegistry(t, false)
	idx, err := random.Index(128, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := name.ParseReference(host + "/multi:1")
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
	want, _ := idx.Digest()
	key := newKey(t)
	res, err := SignImage(ctx, r.String(), key)
	if err != nil {
		t.Fatal(err)
	}
	if res.Target.Digest != want {
		t.Fatalf("signed %s, want the index digest %s", res.Target.Digest, want)
	}
	v, err := Verify(ctx, host+"/multi@"+want.String(), &key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.CheckSignature(); err != nil {
		t.Fatalf("CheckSignature by digest = %v", err)
	}
}
