package pypi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// pageEntry is a cached index answer: a page or a 404.
type pageEntry struct {
	URL          string    `json:"url"`
	FinalURL     string    `json:"final_url,omitempty"`
	Status       int       `json:"status"`
	Fetched      time.Time `json:"fetched"`
	ContentType  string    `json:"content_type,omitempty"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Body         []byte    `json:"body,omitempty"`
}

func (e *pageEntry) result() (*pageEntry, error) {
	if e.Status == http.StatusNotFound {
		return nil, errNotOnIndex
	}
	return e, nil
}

// pagePath is where the page for key (a URL without credentials) is cached.
func (c *Client) pagePath(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.cacheDir, "pages", hex.EncodeToString(sum[:])+".json")
}

// loadPage returns the cached entry for key; a missing or unreadable entry
// is a miss.
func (c *Client) loadPage(key string) (*pageEntry, error) {
	b, err := os.ReadFile(c.pagePath(key))
	if err != nil {
		return nil, err
	}
	var e pageEntry
	if err := json.Unmarshal(b, &e); err != nil || e.URL != key {
		c.log.Debug("ignoring unreadable cache entry", "url", key)
		return nil, fmt.Errorf("cache entry for %s unreadable", key)
	}
	return &e, nil
}

// storePage caches e; failures only cost a later refetch, so they are logged.
func (c *Client) storePage(key string, e *pageEntry) {
	b, err := json.Marshal(e)
	if err == nil {
		err = writeAtomic(c.pagePath(key), func(w io.Writer) error { _, err := w.Write(b); return err })
	}
	if err != nil {
		c.log.Debug("caching index page failed", "url", key, "error", err)
	}
}

// writeAtomic writes a file through a temporary file in the same directory
// and renames it into place.
func writeAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating cache directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("creating cache file: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing cache file: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("writing cache file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing cache file: %w", err)
	}
	return nil
}

var hexRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// filePath is where a file with the given sha256 is cached.
func (c *Client) filePath(sha, filename string) string {
	return filepath.Join(c.cacheDir, "files", "sha256", sha[:2], sha, filename)
}

// Download returns the path of f in the file cache, downloading it when
// missing. The file's sha256 must be known (f.Hashes["sha256"], or
// wantSHA256 when the lock gives it; when both are given they must agree)
// and the content is verified against it, also when taken from the cache.
// The returned file must not be modified.
func (c *Client) Download(ctx context.Context, f File, wantSHA256 string) (string, error) {
	want := strings.ToLower(wantSHA256)
	if idx := f.SHA256(); idx != "" {
		if want != "" && idx != want {
			return "", fmt.Errorf("downloading %s: %w: the index lists sha256 %s, the lock wants %s", f.Filename, ErrHashMismatch, idx, want)
		}
		want = idx
	}
	if !hexRe.MatchString(want) {
		return "", fmt.Errorf("downloading %s: no sha256 known for it (the index gave none and no lock hash was passed)", f.Filename)
	}
	if f.Filename == "" || strings.ContainsAny(f.Filename, "/\\") || f.Filename == "." || f.Filename == ".." {
		return "", fmt.Errorf("downloading: invalid file name %q", f.Filename)
	}
	path := c.filePath(want, f.Filename)
	if got, err := hashFile(path); err == nil {
		if got == want {
			c.log.Debug("file from cache", "file", f.Filename)
			return path, nil
		}
		c.log.Debug("cached file corrupt, fetching again", "file", f.Filename)
	}
	if c.offline {
		return "", fmt.Errorf("%w: %s (sha256 %s) is not in the cache (%s); run once without --offline", ErrOffline, f.Filename, want, c.cacheDir)
	}
	u, err := url.Parse(f.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("downloading %s: unsupported URL %q", f.Filename, RedactURL(f.URL))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.URL, nil)
	if err != nil {
		return "", fmt.Errorf("downloading %s: %w", f.Filename, redactErr(err))
	}
	req.URL.User = nil
	req.Header.Set("User-Agent", c.ua)
	for _, ix := range c.indexes {
		setAuth(req, ix)
	}
	resp, err := c.do(req)
	if err != nil {
		return "", fmt.Errorf("downloading %s: %w", f.Filename, redactErr(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("downloading %s from %s: HTTP %d", f.Filename, RedactURL(f.URL), resp.StatusCode)
	}
	err = writeAtomic(path, func(w io.Writer) error {
		h := sha256.New()
		n, err := io.Copy(io.MultiWriter(w, h), io.LimitReader(resp.Body, c.maxFile+1))
		if err != nil {
			return fmt.Errorf("downloading %s: %w", f.Filename, redactErr(err))
		}
		if n > c.maxFile {
			return fmt.Errorf("downloading %s: larger than %d bytes", f.Filename, c.maxFile)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			return fmt.Errorf("downloading %s: %w: got sha256 %s, want %s", f.Filename, ErrHashMismatch, got, want)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return path, nil
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
