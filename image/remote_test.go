package image

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// fastRetry keeps retry tests quick.
var fastRetry = WithRetryBackoff(remote.Backoff{Duration: time.Millisecond, Factor: 1, Steps: 4})

// newRegistry starts an in-process registry behind wrap (if not nil) and
// returns its host:port.
func newRegistry(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

func push(t *testing.T, ref string, img v1.Image) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img); err != nil {
		t.Fatal(err)
	}
}

func pushIndex(t *testing.T, ref string, idx v1.ImageIndex) {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRegistryImage(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	img := testImage(t, 3, DefaultPlatform)
	push(t, host+"/test/app:v1", img)
	d := mustDigest(t, img)

	for _, ref := range []string{
		host + "/test/app:v1",
		host + "/test/app@" + d.String(),
		host + "/test/app:v1@" + d.String(),
		"docker://" + host + "/test/app:v1",
	} {
		t.Run(ref, func(t *testing.T) {
			t.Parallel()
			got, err := Open(context.Background(), ref, WithKeychain(anonKeychain{}))
			if err != nil {
				t.Fatalf("Open(%q) = %v", ref, err)
			}
			if got.Digest != d || got.IndexDigest != nil || got.Transport != TransportRegistry {
				t.Errorf("Open(%q) = digest %s, index %v, transport %q; want %s, nil, %q", ref, got.Digest, got.IndexDigest, got.Transport, d, TransportRegistry)
			}
			if platformString(got.Platform) != "linux/amd64" {
				t.Errorf("Platform = %s, want linux/amd64 (from config)", platformString(got.Platform))
			}
			ls, err := got.Layers()
			if err != nil {
				t.Fatal(err)
			}
			if len(ls) != 3 || ls[0].CreatedBy != "RUN step 0" || ls[2].CreatedBy != "RUN step 2" {
				t.Errorf("Layers() = %+v, want 3 layers with RUN step 0..2", ls)
			}
			if err := readAllLayers(got); err != nil {
				t.Errorf("reading layers: %v", err)
			}
		})
	}
}

func TestOpenRegistryNotFound(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	_, err := Open(context.Background(), host+"/test/missing:v1", WithKeychain(anonKeychain{}), fastRetry)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("Open(missing) = %v, want ErrNotFound", err)
	}
}

func TestOpenRegistryIndex(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	idx := testIndex(t,
		v1.Platform{OS: "linux", Architecture: "arm", Variant: "v6"},
		v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"},
		v1.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"},
		v1.Platform{OS: "linux", Architecture: "amd64"},
	)
	pushIndex(t, host+"/test/multi:v1", idx)
	idxDigest := mustDigest(t, idx)
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		platform string
		want     int // index of the expected manifest
	}{
		{"", 3},
		{"linux/amd64", 3},
		{"linux/arm64", 2},
		{"linux/arm64/v8", 2},
		{"linux/arm", 1},
		{"linux/arm/v6", 0},
	} {
		t.Run(tc.platform, func(t *testing.T) {
			t.Parallel()
			opts := []Option{WithKeychain(anonKeychain{})}
			if tc.platform != "" {
				p, err := ParsePlatform(tc.platform)
				if err != nil {
					t.Fatal(err)
				}
				opts = append(opts, WithPlatform(p))
			}
			got, err := Open(context.Background(), host+"/test/multi:v1", opts...)
			if err != nil {
				t.Fatalf("Open = %v", err)
			}
			want := im.Manifests[tc.want]
			if got.Digest != want.Digest || got.IndexDigest == nil || *got.IndexDigest != idxDigest {
				t.Errorf("Open(platform %q) = %s from %v, want %s from %s", tc.platform, got.Digest, got.IndexDigest, want.Digest, idxDigest)
			}
			if !got.Platform.Equals(*want.Platform) {
				t.Errorf("Platform = %v, want %v", got.Platform, want.Platform)
			}
			if got.Config.Architecture != want.Platform.Architecture {
				t.Errorf("Config.Architecture = %q, want %q", got.Config.Architecture, want.Platform.Architecture)
			}
		})
	}

	t.Run("no match", func(t *testing.T) {
		t.Parallel()
		_, err := Open(context.Background(), host+"/test/multi:v1", WithKeychain(anonKeychain{}),
			WithPlatform(v1.Platform{OS: "linux", Architecture: "s390x"}))
		var pe *PlatformError
		if !errors.As(err, &pe) || !errors.Is(err, ErrNotFound) {
			t.Fatalf("Open(s390x) = %v, want a PlatformError", err)
		}
		for _, p := range []string{"linux/amd64", "linux/arm64/v8", "linux/arm/v7", idxDigest.String()} {
			if !strings.Contains(err.Error(), p) {
				t.Errorf("error %q does not mention %s", err, p)
			}
		}
	})
}

// failFirst fails the first n requests with status.
func failFirst(n int64, status int, count *atomic.Int64) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if count.Add(1) <= n {
				http.Error(w, "injected failure", status)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

func TestOpenRegistryRetries(t *testing.T) {
	t.Parallel()
	var count atomic.Int64
	host := newRegistry(t, failFirst(0, 0, &count))
	push(t, host+"/test/app:v1", testImage(t, 1, DefaultPlatform))

	for _, tc := range []struct {
		name    string
		fail    int64
		status  int
		wantErr bool
	}{
		{"two 500s", 2, http.StatusInternalServerError, false},
		{"503 then ok", 1, http.StatusServiceUnavailable, false},
		{"too many 502s", 100, http.StatusBadGateway, true},
		{"404 is not retried", 1, http.StatusNotFound, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int64
			// A proxy in front of the shared registry injects the failures.
			target := "http://" + host
			proxy := httptest.NewServer(failFirst(tc.fail, tc.status, &n)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				req, _ := http.NewRequestWithContext(r.Context(), r.Method, target+r.URL.RequestURI(), r.Body)
				req.Header = r.Header.Clone()
				resp, err := http.DefaultTransport.RoundTrip(req)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadGateway)
					return
				}
				defer resp.Body.Close()
				for k, v := range resp.Header {
					w.Header()[k] = v
				}
				w.WriteHeader(resp.StatusCode)
				io.Copy(w, resp.Body)
			})))
			defer proxy.Close()
			ref := strings.TrimPrefix(proxy.URL, "http://") + "/test/app:v1"
			img, err := Open(context.Background(), ref, WithKeychain(anonKeychain{}), fastRetry)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Open with %d×%d = nil error, want one", tc.fail, tc.status)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open with %d×%d = %v, want success after retries", tc.fail, tc.status, err)
			}
			if err := readAllLayers(img); err != nil {
				t.Fatal(err)
			}
			if got := n.Load(); got <= tc.fail {
				t.Errorf("requests = %d, want more than the %d failed ones", got, tc.fail)
			}
		})
	}
}

// basicAuth requires user:pass on every request.
func basicAuth(user, pass string) func(http.Handler) http.Handler {
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, p, ok := r.BasicAuth()
			if !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

// TestOpenRegistryAuth uses the default keychain with a docker config in a
// temporary DOCKER_CONFIG; it cannot run in parallel (t.Setenv).
func TestOpenRegistryAuth(t *testing.T) {
	const user, pass = "alice", "s3cr3t-Passw0rd"
	host := newRegistry(t, basicAuth(user, pass))
	img := testImage(t, 1, DefaultPlatform)
	ref, err := name.ParseReference(host + "/private/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithAuthFromKeychain(staticKeychain{user, pass})); err != nil {
		t.Fatal(err)
	}

	writeConfig := func(u, p string) {
		dir := t.TempDir()
		auth := base64.StdEncoding.EncodeToString([]byte(u + ":" + p))
		cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, host, auth)
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("DOCKER_CONFIG", dir)
		t.Setenv("HOME", t.TempDir())
	}

	writeConfig(user, pass)
	got, err := Open(context.Background(), host+"/private/app:v1")
	if err != nil {
		t.Fatalf("Open with docker config = %v", err)
	}
	if got.Digest != mustDigest(t, img) {
		t.Errorf("Digest = %s, want %s", got.Digest, mustDigest(t, img))
	}
	if err := readAllLayers(got); err != nil {
		t.Fatal(err)
	}

	const wrong = "wr0ng-Passw0rd"
	writeConfig(user, wrong)
	_, err = Open(context.Background(), host+"/private/app:v1", fastRetry)
	if err == nil {
		t.Fatal("Open with a wrong password = nil error")
	}
	enc := base64.StdEncoding.EncodeToString([]byte(user + ":" + wrong))
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), enc) {
		t.Errorf("error leaks the credentials: %v", err)
	}
}

// TestOpenRegistryInsecure reaches a plain-HTTP registry under a
// non-loopback name: only WithInsecure makes ggcr use HTTP for it.
func TestOpenRegistryInsecure(t *testing.T) {
	t.Parallel()
	host := newRegistry(t, nil)
	push(t, host+"/test/app:v1", testImage(t, 1, DefaultPlatform))
	_, port, _ := net.SplitHostPort(host)

	// Resolve registry.test to the test server, whatever the port asked.
	dialer := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return dialer.DialContext(ctx, network, "127.0.0.1:"+port)
	}}
	ref := "registry.test:" + port + "/test/app:v1"

	if _, err := Open(context.Background(), ref, WithTransport(tr), WithKeychain(anonKeychain{}), fastRetry); err == nil {
		t.Error("Open over HTTPS against a plain-HTTP registry = nil error, want one")
	}
	if _, err := Open(context.Background(), ref, WithTransport(tr), WithKeychain(anonKeychain{}), WithInsecure(true)); err != nil {
		t.Errorf("Open(%q, WithInsecure(true)) = %v", ref, err)
	}
	// 127.0.0.1 is spoken to over HTTP with or without the option.
	if _, err := Open(context.Background(), host+"/test/app:v1", WithKeychain(anonKeychain{}), WithInsecure(true)); err != nil {
		t.Errorf("Open(127.0.0.1, WithInsecure(true)) = %v", err)
	}
}

func TestOpenRegistryUserAgent(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var agents []string
	host := newRegistry(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			agents = append(agents, r.UserAgent())
			mu.Unlock()
			h.ServeHTTP(w, r)
		})
	})
	push(t, host+"/test/app:v1", testImage(t, 1, DefaultPlatform))
	mu.Lock()
	agents = nil
	mu.Unlock()
	if _, err := Open(context.Background(), host+"/test/app:v1", WithKeychain(anonKeychain{}), WithUserAgent("pyimg/1.2.3")); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(agents) == 0 {
		t.Fatal("no requests seen")
	}
	for _, a := range agents {
		if !strings.HasPrefix(a, "pyimg/1.2.3") {
			t.Errorf("User-Agent = %q, want pyimg/1.2.3 first", a)
		}
	}
}

func TestOpenRegistryCancel(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	host := newRegistry(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		})
	})
	defer close(release)

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := Open(ctx, host+"/test/app:v1", WithKeychain(anonKeychain{}))
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Open after cancel = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Open did not return after the context was canceled")
	}
}

// TestOpenRegistryCorruptBlob serves a layer whose bytes do not match its
// digest: ggcr's remote verifies blobs, and the error names the digest.
func TestOpenRegistryCorruptBlob(t *testing.T) {
	t.Parallel()
	img := testImage(t, 1, DefaultPlatform)
	ls, _ := img.Layers()
	bad := mustDigest(t, ls[0])
	host := newRegistry(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+bad.String()) {
				h.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			b := rec.Body.Bytes()
			if len(b) > 0 {
				b[len(b)-1] ^= 0xff
			}
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.Code)
			w.Write(b)
		})
	})
	push(t, host+"/test/app:v1", img)
	got, err := Open(context.Background(), host+"/test/app:v1", WithKeychain(anonKeychain{}), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	if err := readAllLayers(got); err == nil || !strings.Contains(err.Error(), bad.Hex) {
		t.Errorf("reading a corrupted registry blob = %v, want an error naming %s", err, bad)
	}
}
