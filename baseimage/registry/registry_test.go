package registry_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pyimg/pyimg/baseimage/registry"
	"github.com/pyimg/pyimg/baseimage/registrytest"
)

var regNow = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// seeded starts an in-process registry with registrytest.PythonImages and
// returns the repository, the digests by tag and the faults switch.
func seeded(t *testing.T) (string, map[string]string, *registrytest.Faults) {
	t.Helper()
	faults := &registrytest.Faults{}
	host := registrytest.Server(t, faults)
	repo := host + "/library/python"
	digests, err := registrytest.Push(context.Background(), repo, registrytest.PythonImages(regNow))
	if err != nil {
		t.Fatal(err)
	}
	return repo, digests, faults
}

func newReg(opts ...registry.Option) *registry.Client {
	return registry.New(append([]registry.Option{registry.WithInsecure(true), registry.WithKeychain(nil), registry.WithRetry(remote.Backoff{Steps: 1})}, opts...)...)
}

func TestRegistryTagsPaginated(t *testing.T) {
	repo, digests, faults := seeded(t)
	faults.Paginate(3)
	tags, err := newReg().Tags(context.Background(), repo)
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != len(digests) {
		t.Errorf("Tags(%s) = %d tags %v, want %d (pagination followed)", repo, len(tags), tags, len(digests))
	}
	for tag := range digests {
		if !slices.Contains(tags, tag) {
			t.Errorf("Tags(%s) lacks %s", repo, tag)
		}
	}
}

func TestRegistryResolveAndInfo(t *testing.T) {
	repo, digests, _ := seeded(t)
	reg := newReg()
	ctx := context.Background()
	res, err := reg.Resolve(ctx, repo, "3.13-slim")
	if err != nil {
		t.Fatal(err)
	}
	if res.Digest != digests["3.13-slim"] || len(res.Platforms) != 2 {
		t.Errorf("Resolve(3.13-slim) = %s with %d platforms, want %s with 2", res.Digest, len(res.Platforms), digests["3.13-slim"])
	}
	arm, ok := res.PlatformDigest("linux/arm64")
	if !ok || arm == res.Digest {
		t.Errorf("PlatformDigest(linux/arm64) = %s, %v; want a per-platform digest", arm, ok)
	}
	info, err := reg.Info(ctx, repo, res.Digest)
	if err != nil {
		t.Fatal(err)
	}
	if info.PythonVersion != "3.13.1" || !info.Created.Equal(regNow.Add(-40*24*time.Hour)) {
		t.Errorf("Info(3.13-slim) = %+v, want python 3.13.1 created 40 days before %s", info, regNow)
	}
}

func TestRegistryFaults(t *testing.T) {
	repo, _, faults := seeded(t)
	ctx := context.Background()
	faults.Fail500("/manifests/")
	_, err := newReg().Resolve(ctx, repo, "3.12-slim")
	if !errors.Is(err, registry.ErrRegistry) || !strings.Contains(err.Error(), "500") {
		t.Errorf("Resolve with HTTP 500 = %v, want a registry error mentioning 500", err)
	}
	faults.Fail500("")
	faults.CorruptManifests(true)
	_, err = newReg().Resolve(ctx, repo, "3.12-slim")
	if !errors.Is(err, registry.ErrRegistry) || !strings.Contains(err.Error(), "hashes to") {
		t.Errorf("Resolve of a corrupt manifest = %v, want a digest mismatch error", err)
	}
}

func TestRegistryCache(t *testing.T) {
	repo, digests, faults := seeded(t)
	ctx := context.Background()
	clock := regNow
	cache := registry.NewCache(t.TempDir(), time.Hour, func() time.Time { return clock })
	reg := newReg(registry.WithCache(cache))
	if _, err := reg.Resolve(ctx, repo, "3.12-slim"); err != nil {
		t.Fatal(err)
	}
	faults.Fail500("/v2/")
	res, err := reg.Resolve(ctx, repo, "3.12-slim")
	if err != nil || res.Digest != digests["3.12-slim"] {
		t.Errorf("Resolve from cache = %s, %v; want %s", res.Digest, err, digests["3.12-slim"])
	}
	clock = clock.Add(2 * time.Hour)
	if _, err := reg.Resolve(ctx, repo, "3.12-slim"); err == nil {
		t.Errorf("Resolve after the TTL did not go to the (failing) registry")
	}
}

func TestPin(t *testing.T) {
	repo, digests, _ := seeded(t)
	ctx := context.Background()
	tests := []struct {
		name string
		req  registry.PinRequest
		tag  string
	}{
		{"shared tag to its exact tag", registry.PinRequest{Tag: "3.12-slim"}, "3.12.6-slim-trixie"},
		{"OS kept", registry.PinRequest{Tag: "3.12-slim-bookworm"}, "3.12.6-slim-bookworm"},
		{"exact stays without update", registry.PinRequest{Tag: "3.12.5-slim-bookworm"}, "3.12.5-slim-bookworm"},
		{"update to newest patch, same OS", registry.PinRequest{Tag: "3.12.5-slim-bookworm", Update: true}, "3.12.6-slim-bookworm"},
		{"min-age skips young patch", registry.PinRequest{Tag: "3.12.5-slim-bookworm", Update: true, MinAge: 30 * 24 * time.Hour, Now: regNow}, "3.12.5-slim-bookworm"},
		{"min-age allows aged patch", registry.PinRequest{Tag: "3.12.5-slim-bookworm", Update: true, MinAge: 7 * 24 * time.Hour, Now: regNow}, "3.12.6-slim-bookworm"},
		{"alpine stays alpine", registry.PinRequest{Tag: "3.12-alpine"}, "3.12.6-alpine3.22"},
		{"major only", registry.PinRequest{Tag: "3-slim"}, "3.13.1-slim-trixie"},
		{"not a version tag", registry.PinRequest{Tag: "latest"}, "latest"},
		{"OS change allowed", registry.PinRequest{Tag: "3.12.5-slim-bookworm", Update: true, AllowOSChange: true}, "3.12.6-slim-trixie"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Repo = repo
			got, err := registry.Pin(ctx, newReg(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if got.Tag != tc.tag || got.Digest != digests[tc.tag] {
				t.Errorf("Pin(%+v) = %s@%s (notes %q), want %s@%s", tc.req, got.Tag, got.Digest, got.Notes, tc.tag, digests[tc.tag])
			}
		})
	}
	got, err := registry.Pin(ctx, newReg(), registry.PinRequest{Repo: repo, Tag: "3.13-slim", Platform: "linux/arm64"})
	if err != nil || got.Tag != "3.13.1-slim-trixie" || got.Digest == digests["3.13-slim"] {
		t.Errorf("Pin(3.13-slim, linux/arm64) = %+v, %v; want the arm64 image's digest", got, err)
	}
}
