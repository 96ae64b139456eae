// Package registrytest seeds registries with small images under
// python-style tags, and serves go-containerregistry's in-process registry
// with fault injection, for tests of registry-facing code.
package registrytest

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Image is one image to push under one or more tags.
type Image struct {
	// Tags are the tags it is pushed under; the first is its name.
	Tags []string
	// Python is the PYTHON_VERSION in its config.
	Python string
	// Created is the config's created time.
	Created time.Time
	// Index pushes a two-platform index (linux/amd64, linux/arm64)
	// instead of a single image.
	Index bool
}

// PythonImages returns a typical set of python images around now: two
// patches of 3.12 slim bookworm (the newest 10 days old), 3.12 slim trixie,
// 3.13 slim trixie (an index), 3.12 alpine, and the shared tags pointing
// at the newest of each.
func PythonImages(now time.Time) []Image {
	day := 24 * time.Hour
	return []Image{
		{Tags: []string{"3.12.5-slim-bookworm"}, Python: "3.12.5", Created: now.Add(-90 * day)},
		{Tags: []string{"3.12.6-slim-bookworm", "3.12-slim-bookworm"}, Python: "3.12.6", Created: now.Add(-10 * day)},
		{Tags: []string{"3.12.6-slim-trixie", "3.12-slim-trixie", "3.12-slim", "3.12.6-slim"}, Python: "3.12.6", Created: now.Add(-10 * day)},
		{Tags: []string{"3.12.5-slim-trixie"}, Python: "3.12.5", Created: now.Add(-90 * day)},
		{Tags: []string{"3.13.1-slim-trixie", "3.13-slim-trixie", "3.13-slim", "3-slim", "slim"}, Python: "3.13.1", Created: now.Add(-40 * day), Index: true},
		{Tags: []string{"3.13.1-trixie", "3.13-trixie", "3.13", "3", "latest"}, Python: "3.13.1", Created: now.Add(-40 * day)},
		{Tags: []string{"3.12.6-alpine3.22", "3.12-alpine3.22", "3.12-alpine"}, Python: "3.12.6", Created: now.Add(-10 * day)},
		{Tags: []string{"3.8.20-slim-bookworm", "3.8-slim-bookworm"}, Python: "3.8.20", Created: now.Add(-400 * day)},
	}
}

func build(im Image, seed int) (remote.Taggable, error) {
	mk := func(arch string) (v1.Image, error) {
		img, err := random.Image(64+int64(seed), 1)
		if err != nil {
			return nil, err
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return nil, err
		}
		cf = cf.DeepCopy()
		cf.OS, cf.Architecture = "linux", arch
		cf.Created = v1.Time{Time: im.Created}
		cf.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "PYTHON_VERSION=" + im.Python}
		return mutate.ConfigFile(img, cf)
	}
	if !im.Index {
		return mk("amd64")
	}
	var adds []mutate.IndexAddendum
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := mk(arch)
		if err != nil {
			return nil, err
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	return mutate.AppendManifests(empty.Index, adds...), nil
}

// Push writes images to repo ("127.0.0.1:5000/library/python") over plain
// HTTP and returns the digest of every tag.
func Push(ctx context.Context, repo string, images []Image, opts ...remote.Option) (map[string]string, error) {
	rp, err := name.NewRepository(repo, name.Insecure)
	if err != nil {
		return nil, err
	}
	opts = append([]remote.Option{remote.WithContext(ctx)}, opts...)
	digests := map[string]string{}
	for i, im := range images {
		t, err := build(im, i)
		if err != nil {
			return nil, fmt.Errorf("building %s: %w", im.Tags[0], err)
		}
		for _, tag := range im.Tags {
			ref := rp.Tag(tag)
			switch x := t.(type) {
			case v1.ImageIndex:
				err = remote.WriteIndex(ref, x, opts...)
			case v1.Image:
				err = remote.Write(ref, x, opts...)
			}
			if err != nil {
				return nil, fmt.Errorf("pushing %s: %w", ref, err)
			}
			d, err := remote.Head(ref, opts...)
			if err != nil {
				return nil, err
			}
			digests[tag] = d.Digest.String()
		}
	}
	return digests, nil
}

// Faults wraps a registry handler with switchable failures. The zero value
// passes every request through.
type Faults struct {
	mu       sync.Mutex
	fail     string // path substring answered with 500
	corrupt  bool   // serve manifests with a changed body
	pageSize int    // paginate tag lists with Link headers
}

// Fail500 makes requests whose path contains substr fail with HTTP 500
// ("" turns it off; "/v2/" fails everything).
func (f *Faults) Fail500(substr string) { f.mu.Lock(); f.fail = substr; f.mu.Unlock() }

// CorruptManifests makes manifest GETs return a body that no longer
// matches the Docker-Content-Digest header.
func (f *Faults) CorruptManifests(on bool) { f.mu.Lock(); f.corrupt = on; f.mu.Unlock() }

// Paginate makes tag lists come in pages of n with a Link header to the
// next page, as the distribution registry does (0 turns it off).
func (f *Faults) Paginate(n int) { f.mu.Lock(); f.pageSize = n; f.mu.Unlock() }

// Wrap returns h with the faults applied.
func (f *Faults) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		fail, corrupt, page := f.fail, f.corrupt, f.pageSize
		f.mu.Unlock()
		switch {
		case fail != "" && strings.Contains(r.URL.Path, fail):
			http.Error(w, `{"errors":[{"code":"UNKNOWN","message":"injected failure"}]}`, http.StatusInternalServerError)
		case corrupt && r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/manifests/"):
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			body := append(rec.Body.Bytes(), ' ')
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.Code)
			w.Write(body)
		case page > 0 && strings.HasSuffix(r.URL.Path, "/tags/list"):
			q := r.URL.Query()
			if q.Get("n") == "" {
				q.Set("n", strconv.Itoa(page))
				r.URL.RawQuery = q.Encode()
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			var n int
			if n, _ = strconv.Atoi(q.Get("n")); n > 0 {
				if last, ok := lastTag(rec.Body.String(), n); ok {
					next := url.URL{Path: r.URL.Path, RawQuery: url.Values{"n": {strconv.Itoa(n)}, "last": {last}}.Encode()}
					w.Header().Set("Link", fmt.Sprintf(`<%s>; rel="next"`, next.String()))
				}
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(rec.Body.Bytes())
		default:
			h.ServeHTTP(w, r)
		}
	})
}

// lastTag returns the last tag of a tags/list body when the page is full.
func lastTag(body string, n int) (string, bool) {
	i := strings.Index(body, `"tags":[`)
	if i < 0 {
		return "", false
	}
	list := strings.TrimSuffix(strings.TrimSpace(body[i+len(`"tags":[`):]), "]}")
	parts := strings.Split(list, ",")
	if len(parts) < n || list == "" {
		return "", false
	}
	return strings.Trim(parts[len(parts)-1], `"`), true
}

// Server starts go-containerregistry's in-process registry behind faults
// (which may be nil) and returns its "127.0.0.1:PORT" host. It is closed
// when the test ends.
func Server(t testing.TB, faults *Faults) string {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(nopLogger()))
	if faults != nil {
		h = faults.Wrap(h)
	}
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

func nopLogger() *log.Logger { return log.New(io.Discard, "", 0) }
