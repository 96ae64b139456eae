package pypi

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pyimg/pyimg/internal/indextest"
	"github.com/pyimg/pyimg/internal/wheeltest"
)

// indexDir builds wheels for two projects and an sdist into a directory.
func indexDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, s := range []wheeltest.Spec{
		{Name: "demo", Version: "1.0", RequiresPython: ">=3.8", Files: map[string]string{"demo/__init__.py": "V = 1\n"}},
		{Name: "demo", Version: "1.1", RequiresPython: ">=3.9", Tag: "py2.py3-none-any", Files: map[string]string{"demo/__init__.py": "V = 2\n"}},
		{Name: "Other.Pkg", Version: "2.0", Files: map[string]string{"other_pkg.py": ""}},
	} {
		if _, err := wheeltest.Pure(dir, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "demo-1.1.tar.gz"), []byte("sdist"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func startIndex(t *testing.T, dir string, opts ...indextest.Option) *indextest.Server {
	t.Helper()
	srv, err := indextest.New(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func newClient(t *testing.T, opts ...ClientOption) *Client {
	t.Helper()
	c, err := NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func summary(p *ProjectPage) string {
	var s []string
	for _, f := range p.Files {
		s = append(s, f.Filename+" "+f.RequiresPython+" "+f.SHA256()[:12])
	}
	return strings.Join(s, "\n")
}

func TestClientJSONAndHTMLAgree(t *testing.T) {
	ctx := context.Background()
	dir := indexDir(t)
	js := startIndex(t, dir, indextest.WithCoreMetadata())
	ht := startIndex(t, dir, indextest.WithOnly(indextest.HTMLOnly), indextest.WithCoreMetadata())
	pj, err := newClient(t, WithIndexURL(js.IndexURL()), WithCacheDir(t.TempDir())).Project(ctx, "Demo")
	if err != nil {
		t.Fatal(err)
	}
	ph, err := newClient(t, WithIndexURL(ht.IndexURL()), WithCacheDir(t.TempDir())).Project(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if len(pj.Files) != 3 || summary(pj) != summary(ph) {
		t.Errorf("JSON page:\n%s\nHTML page:\n%s", summary(pj), summary(ph))
	}
	for _, r := range js.Requests() {
		if r.ContentType != indextest.MediaJSON {
			t.Errorf("JSON client got %s for %s", r.ContentType, r.Path)
		}
	}
	f, ok := pj.File("demo-1.1-py2.py3-none-any.whl")
	if !ok || f.RequiresPython != ">=3.9" || !f.CoreMetadata || f.CoreMetadataHashes["sha256"] == "" || f.URL != js.FileURL(f.Filename) {
		t.Errorf("file = %+v", f)
	}
	fh, _ := ph.File(f.Filename)
	if fh.URL != ht.FileURL(f.Filename) || !fh.CoreMetadata {
		t.Errorf("HTML file = %+v", fh)
	}
	if w := pj.Wheels(); len(w) != 2 {
		t.Errorf("Wheels() = %v", w)
	}
}

func TestClientCacheAndOffline(t *testing.T) {
	ctx := context.Background()
	srv := startIndex(t, indexDir(t))
	cache := t.TempDir()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	c := newClient(t, WithIndexURL(srv.IndexURL()), WithCacheDir(cache), WithClock(clock))
	if _, err := c.Project(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Project(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("within the TTL: %d requests, want 1", n)
	}
	now = now.Add(11 * time.Minute)
	srv.ResetRequests()
	if _, err := c.Project(ctx, "demo"); err != nil {
		t.Fatal(err)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || reqs[0].Status != 304 || reqs[0].IfNoneMatch == "" {
		t.Errorf("after the TTL: requests %+v, want one 304 revalidation", reqs)
	}
	// A project the index does not have is cached as absent too.
	if _, err := c.Project(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing project: %v", err)
	}

	// Offline: the cache answers, nothing is requested.
	srv.ResetRequests()
	off := newClient(t, WithIndexURL(srv.IndexURL()), WithCacheDir(cache), WithOffline(true))
	p, err := off.Project(ctx, "demo")
	if err != nil || len(p.Files) != 3 {
		t.Fatalf("offline: %v %v", p, err)
	}
	if _, err := off.Project(ctx, "nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("offline missing project: %v", err)
	}
	_, err = off.Project(ctx, "other-pkg")
	if !errors.Is(err, ErrOffline) || !strings.Contains(err.Error(), "offline") || !strings.Contains(err.Error(), "not in the cache") {
		t.Errorf("offline uncached: %v", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("offline client made %d requests", n)
	}
	// Download then offline download from the cache.
	f, _ := p.File("demo-1.0-py3-none-any.whl")
	if _, err := off.Download(ctx, f, ""); !errors.Is(err, ErrOffline) {
		t.Errorf("offline download of an uncached file: %v", err)
	}
	path, err := c.Download(ctx, f, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := hashFile(path); got != f.SHA256() {
		t.Errorf("downloaded hash %s, want %s", got, f.SHA256())
	}
	if p2, err := off.Download(ctx, f, f.SHA256()); err != nil || p2 != path {
		t.Errorf("offline download from cache: %s %v", p2, err)
	}
	// A tampered cache entry is not served.
	if err := os.WriteFile(path, []byte("tampered"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := off.Download(ctx, f, ""); !errors.Is(err, ErrOffline) {
		t.Errorf("tampered cache served offline: %v", err)
	}
	if _, err := c.Download(ctx, f, ""); err != nil {
		t.Errorf("refetch after tampering: %v", err)
	}
}

func TestClientNoValidatorsRefetches(t *testing.T) {
	srv := startIndex(t, indexDir(t), indextest.WithoutETag())
	c := newClient(t, WithIndexURL(srv.IndexURL()), WithCacheDir(t.TempDir()), WithTTL(0))
	for range 2 {
		if _, err := c.Project(context.Background(), "demo"); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range srv.Requests() {
		if r.Status != 200 || r.IfNoneMatch != "" {
			t.Errorf("request %+v", r)
		}
	}
}

func TestClientHashMismatch(t *testing.T) {
	ctx := context.Background()
	srv := startIndex(t, indexDir(t))
	c := newClient(t, WithIndexURL(srv.IndexURL()), WithCacheDir(t.TempDir()))
	p, err := c.Project(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := p.File("demo-1.0-py3-none-any.whl")
	lock := strings.Repeat("a", 64)
	if _, err := c.Download(ctx, f, lock); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("lock hash differing from the index: %v", err)
	}
	f.Hashes = map[string]string{"sha256": lock} // index lies about the content
	if _, err := c.Download(ctx, f, ""); !errors.Is(err, ErrHashMismatch) || !strings.Contains(err.Error(), "want "+lock) {
		t.Errorf("content differing from the hash: %v", err)
	}
	f.Hashes = nil
	if _, err := c.Download(ctx, f, ""); err == nil || !strings.Contains(err.Error(), "no sha256") {
		t.Errorf("no hash: %v", err)
	}
}

func TestClientAuthRedaction(t *testing.T) {
	ctx := context.Background()
	dir := indexDir(t)
	srv := startIndex(t, dir, indextest.WithBasicAuth("alice", "hunter2-secret"))
	cache := t.TempDir()
	good := newClient(t, WithIndexURL(srv.IndexURL()), WithCacheDir(cache))
	p, err := good.Project(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := good.Download(ctx, p.Files[0], ""); err != nil {
		t.Errorf("download with index credentials: %v", err)
	}
	for _, f := range p.Files {
		if strings.Contains(f.URL+f.Index, "hunter2") || strings.Contains(f.URL+f.Index, "alice") {
			t.Errorf("file carries credentials: %+v", f)
		}
	}
	wrong := strings.Replace(srv.IndexURL(), "hunter2-secret", "wrong-secret", 1)
	_, err = newClient(t, WithIndexURL(wrong), WithCacheDir(t.TempDir())).Project(ctx, "demo")
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("wrong credentials: %v", err)
	}
	srv.Close()
	_, err2 := newClient(t, WithIndexURL(wrong), WithCacheDir(t.TempDir())).Project(ctx, "demo")
	_, err3 := NewClient(WithIndexURL("ftp://bob:hunter2-secret@host/"))
	for _, e := range []error{err, err2, err3} {
		if e == nil {
			t.Fatal("expected an error")
		}
		if m := e.Error(); strings.Contains(m, "secret") || strings.Contains(m, "alice") || strings.Contains(m, "bob") {
			t.Errorf("error leaks credentials: %s", m)
		}
	}
	// Cache files hold no credentials either.
	filepath.Walk(cache, func(path string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().IsRegular() {
			b, _ := os.ReadFile(path)
			if strings.Contains(string(b), "hunter2") {
				t.Errorf("cache file %s holds the password", path)
			}
		}
		return nil
	})
}

func TestClientExtraIndexAndLimits(t *testing.T) {
	ctx := context.Background()
	a := startIndex(t, indexDir(t))
	bdir := t.TempDir()
	if _, err := wheeltest.Pure(bdir, wheeltest.Spec{Name: "demo", Version: "9.0"}); err != nil {
		t.Fatal(err)
	}
	b := startIndex(t, bdir)
	c := newClient(t, WithIndexURL(a.IndexURL()), WithExtraIndexURLs(b.IndexURL()), WithCacheDir(t.TempDir()))
	p, err := c.Project(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Files) != 4 || p.Files[3].Filename != "demo-9.0-py3-none-any.whl" || p.Files[3].Index != b.IndexURL() || p.Files[0].Index != a.IndexURL() {
		t.Errorf("merged page = %+v", p.Files)
	}
	// Only the extra index has it.
	if _, err := wheeltest.Pure(bdir, wheeltest.Spec{Name: "only-b", Version: "1"}); err != nil {
		t.Fatal(err)
	}
	if p, err := c.Project(ctx, "only_b"); err != nil || len(p.Files) != 1 {
		t.Errorf("extra-only project: %v %v", p, err)
	}
	small := newClient(t, WithIndexURL(a.IndexURL()), WithCacheDir(t.TempDir()), WithMaxPageSize(100))
	if _, err := small.Project(ctx, "demo"); err == nil || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Errorf("page bound: %v", err)
	}
	if _, err := c.Project(ctx, "../etc"); err == nil {
		t.Error("invalid project name accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := newClient(t, WithIndexURL(a.IndexURL()), WithCacheDir(t.TempDir())).Project(cctx, "demo"); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: %v", err)
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://user:pw@host/simple/":  "https://***@host/simple/",
		"https://token@host/simple/":    "https://***@host/simple/",
		"https://host/simple/":          "https://host/simple/",
		"https://us%er:p@w@host/x":      "https://***@host/x",
		"http://a:b@[::1]:8080/simple/": "http://***@[::1]:8080/simple/",
		"h ttp://x:y@host/%zz":          "h ttp://***@host/%zz",
	} {
		if got := RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	idx, extra := IndexURLsFromEnv(func(k string) string {
		return map[string]string{"PIP_INDEX_URL": " https://a/simple ", "PIP_EXTRA_INDEX_URL": "https://b/ https://c/"}[k]
	})
	if idx != "https://a/simple" || strings.Join(extra, ",") != "https://b/,https://c/" {
		t.Errorf("IndexURLsFromEnv = %q %q", idx, extra)
	}
}

func TestClientMetadata(t *testing.T) {
	ctx := context.Background()
	srv := startIndex(t, indexDir(t), indextest.WithCoreMetadata(), indextest.WithBasicAuth("u", "p"))
	cache := t.TempDir()
	c := newClient(t, WithIndexURL(srv.IndexURL()), WithCacheDir(cache))
	p, err := c.Project(ctx, "demo")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := p.File("demo-1.1-py2.py3-none-any.whl")
	meta, err := c.Metadata(ctx, f)
	if err != nil || !strings.Contains(string(meta), "Requires-Python: >=3.9") {
		t.Fatalf("Metadata = %q, %v", meta, err)
	}
	off := newClient(t, WithIndexURL(srv.IndexURL()), WithCacheDir(cache), WithOffline(true))
	if m2, err := off.Metadata(ctx, f); err != nil || string(m2) != string(meta) {
		t.Errorf("offline metadata: %v", err)
	}
	bad := f
	bad.CoreMetadataHashes = map[string]string{"sha256": strings.Repeat("b", 64)}
	if _, err := c.Metadata(ctx, bad); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("metadata hash mismatch: %v", err)
	}
	sd, _ := p.File("demo-1.1.tar.gz")
	if _, err := c.Metadata(ctx, sd); err == nil {
		t.Error("metadata of an sdist without core metadata")
	}
}

func TestClientRetriesTransientErrors(t *testing.T) {
	dir := indexDir(t)
	idx, err := indextest.New(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	var calls atomic.Int32
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		proxy := httputil.NewSingleHostReverseProxy(mustURL(idx.URL))
		proxy.ServeHTTP(w, r)
	}))
	defer flaky.Close()
	c := newClient(t, WithIndexURL(flaky.URL+"/simple/"), WithCacheDir(t.TempDir()))
	if _, err := c.Project(context.Background(), "demo"); err != nil {
		t.Fatalf("after two 503s: %v", err)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down", http.StatusBadGateway)
	}))
	defer down.Close()
	_, err = newClient(t, WithIndexURL(down.URL+"/simple/"), WithCacheDir(t.TempDir())).Project(context.Background(), "demo")
	if err == nil || !strings.Contains(err.Error(), "HTTP 502") {
		t.Errorf("persistent 502: %v", err)
	}
}

func TestClientRefusesLyingIndex(t *testing.T) {
	lie := strings.Repeat("c", 64)
	srv := startIndex(t, indexDir(t), indextest.WithHashOverride("demo-1.0-py3-none-any.whl", lie))
	c := newClient(t, WithIndexURL(srv.IndexURL()), WithCacheDir(t.TempDir()))
	p, err := c.Project(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	f, _ := p.File("demo-1.0-py3-none-any.whl")
	path, err := c.Download(context.Background(), f, "")
	if !errors.Is(err, ErrHashMismatch) || path != "" {
		t.Fatalf("Download from a lying index = %q, %v", path, err)
	}
	if _, statErr := os.Stat(c.filePath(lie, f.Filename)); statErr == nil {
		t.Error("the mismatching file was left in the cache")
	}
}
