package build

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/image"
)

// TestPushReusesBaseLayers pushes to the registry the base comes from: the
// base's layers are not uploaded again (go-containerregistry's in-process
// registry shares blobs across repositories, so it answers the existence
// check; a registry that does not gets a cross-repository mount request,
// since the base layers are remote layers of the base's repository).
func TestPushReusesBaseLayers(t *testing.T) {
	var mu sync.Mutex
	var reqs []string
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
		mu.Unlock()
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")

	f := newFixture(t)
	local, err := image.Open(context.Background(), f.base)
	if err != nil {
		t.Fatal(err)
	}
	baseRef, _ := name.ParseReference(host+"/base/python:3.11", name.Insecure)
	if err := remote.Write(baseRef, local.Image); err != nil {
		t.Fatal(err)
	}
	baseLayers, _ := local.Image.Layers()
	baseDigest, _ := baseLayers[0].Digest()
	mu.Lock()
	reqs = nil
	mu.Unlock()

	res, err := Run(context.Background(), f.project, WithBase(host+"/base/python:3.11"), WithCacheDir(f.cache),
		WithImageOptions(image.WithInsecure(true)), WithPush(host+"/team/app:1", true),
		WithResolver(func(context.Context, *target.Target) (Resolver, error) { return dirResolver(f.wheels), nil }))
	if err != nil {
		t.Fatal(err)
	}
	if res.Reference != host+"/team/app@"+res.Digest {
		t.Errorf("reference = %s", res.Reference)
	}
	var checked bool
	for _, r := range reqs {
		if strings.HasPrefix(r, "HEAD /v2/team/app/blobs/"+baseDigest.String()) || strings.Contains(r, "mount="+strings.ReplaceAll(baseDigest.String(), ":", "%3A")) {
			checked = true
		}
		if (strings.HasPrefix(r, "PUT ") || strings.HasPrefix(r, "PATCH ")) && strings.Contains(r, baseDigest.Hex) {
			t.Errorf("base layer uploaded: %s", r)
		}
	}
	if !checked {
		t.Errorf("base layer %s neither checked nor mounted; requests:\n%s", baseDigest, strings.Join(reqs, "\n"))
	}
}
