package pypi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyimg/pyimg/pydist"
)

// DefaultIndexURL is PyPI's simple index.
const DefaultIndexURL = "https://pypi.org/simple/"

var (
	// ErrOffline is wrapped by errors of a client in offline mode that
	// needs something its cache does not hold.
	ErrOffline = errors.New("offline")
	// ErrNotFound is wrapped when no index lists the project.
	ErrNotFound = errors.New("not found on any index")
	// ErrHashMismatch is wrapped when a downloaded file does not have the
	// hash the index or the lock gives for it.
	ErrHashMismatch = errors.New("hash mismatch")
	// errNotOnIndex: one index has no such project (404).
	errNotOnIndex = errors.New("not on this index")
)

// index is one configured index: its URL without credentials, and the credentials.
type index struct {
	url     *url.URL
	user    *url.Userinfo
	display string // redacted
}

// Client reads simple repositories (PEP 691 JSON, PEP 503 HTML fallback)
// through an on-disk cache. It is safe for concurrent use.
type Client struct {
	indexes  []index
	http     *http.Client
	cacheDir string
	offline  bool
	ttl      time.Duration
	maxPage  int64
	maxFile  int64
	timeout  time.Duration
	log      *slog.Logger
	now      func() time.Time
	ua       string
}

type clientConfig struct {
	index    string
	extra    []string
	c        Client
	cacheSet bool
}

// ClientOption configures a Client.
type ClientOption func(*clientConfig)

// WithIndexURL sets the primary index (pip's --index-url / PIP_INDEX_URL);
// default DefaultIndexURL. Credentials may be given in the URL
// (https://user:password@host/simple/); they are sent as basic auth and
// never appear in errors or logs.
func WithIndexURL(u string) ClientOption { return func(c *clientConfig) { c.index = u } }

// WithExtraIndexURLs adds indexes consulted after the primary one (pip's
// --extra-index-url); their files are merged into one list.
func WithExtraIndexURLs(u ...string) ClientOption {
	return func(c *clientConfig) { c.extra = append(c.extra, u...) }
}

// WithHTTPClient sets the HTTP client (default: a client with a 30 s
// response-header timeout that sends no credentials across hosts).
func WithHTTPClient(h *http.Client) ClientOption { return func(c *clientConfig) { c.c.http = h } }

// WithCacheDir sets the cache directory (default DefaultCacheDir()).
func WithCacheDir(dir string) ClientOption {
	return func(c *clientConfig) { c.c.cacheDir, c.cacheSet = dir, true }
}

// WithOffline makes the client use only its cache: anything not cached is
// an error wrapping ErrOffline that says so.
func WithOffline(offline bool) ClientOption { return func(c *clientConfig) { c.c.offline = offline } }

// WithTTL sets how long a cached index page is used without asking the
// index again (default 10 minutes). After that the page is revalidated with
// If-None-Match / If-Modified-Since when the index gave an ETag or
// Last-Modified, else fetched again. Zero revalidates every time.
func WithTTL(d time.Duration) ClientOption { return func(c *clientConfig) { c.c.ttl = d } }

// WithMaxPageSize bounds index pages (default 64 MiB).
func WithMaxPageSize(n int64) ClientOption { return func(c *clientConfig) { c.c.maxPage = n } }

// WithMaxFileSize bounds downloads (default 2 GiB).
func WithMaxFileSize(n int64) ClientOption { return func(c *clientConfig) { c.c.maxFile = n } }

// WithRequestTimeout bounds each page request (default 60 s); downloads are
// bounded only by the caller's context.
func WithRequestTimeout(d time.Duration) ClientOption {
	return func(c *clientConfig) { c.c.timeout = d }
}

// WithLogger sets where debug logs go (default: discarded). Logged URLs are redacted.
func WithLogger(l *slog.Logger) ClientOption { return func(c *clientConfig) { c.c.log = l } }

// WithClock sets the clock used for cache ages (tests).
func WithClock(now func() time.Time) ClientOption { return func(c *clientConfig) { c.c.now = now } }

// WithUserAgent sets the User-Agent header (default "pyimg").
func WithUserAgent(ua string) ClientOption { return func(c *clientConfig) { c.c.ua = ua } }

// DefaultCacheDir returns $XDG_CACHE_HOME/pyimg/index, else
// ~/.cache/pyimg/index.
func DefaultCacheDir() (string, error) {
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "pyimg", "index"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the index cache directory: %w", err)
	}
	return filepath.Join(home, ".cache", "pyimg", "index"), nil
}

// NewClient returns a client for the configured indexes.
func NewClient(opts ...ClientOption) (*Client, error) {
	cfg := clientConfig{c: Client{ttl: 10 * time.Minute, maxPage: 64 << 20, maxFile: 2 << 30, timeout: 60 * time.Second, ua: "pyimg"}}
	for _, o := range opts {
		o(&cfg)
	}
	c := cfg.c
	if c.http == nil {
		c.http = &http.Client{Transport: &http.Transport{Proxy: http.ProxyFromEnvironment, ResponseHeaderTimeout: 30 * time.Second, TLSHandshakeTimeout: 15 * time.Second}}
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if !cfg.cacheSet {
		dir, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		c.cacheDir = dir
	}
	if c.cacheDir == "" {
		return nil, errors.New("index client: empty cache directory")
	}
	primary := cfg.index
	if primary == "" {
		primary = DefaultIndexURL
	}
	for _, raw := range append([]string{primary}, cfg.extra...) {
		ix, err := parseIndex(raw)
		if err != nil {
			return nil, err
		}
		c.indexes = append(c.indexes, ix)
	}
	return &c, nil
}

func parseIndex(raw string) (index, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return index{}, fmt.Errorf("index URL %q: want an http or https URL", RedactURL(raw))
	}
	ix := index{user: u.User}
	u.User = nil
	u.Fragment, u.RawFragment = "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	ix.url = u
	ix.display = u.String()
	return ix, nil
}

// Indexes returns the configured index URLs, credentials removed.
func (c *Client) Indexes() []string {
	out := make([]string, len(c.indexes))
	for i, ix := range c.indexes {
		out[i] = ix.display
	}
	return out
}

// Project returns the files every index lists for the project (primary
// index first). It fails with ErrNotFound when no index knows the project,
// and with ErrOffline in offline mode when a page is not cached.
func (c *Client) Project(ctx context.Context, name string) (*ProjectPage, error) {
	project := pydist.NormalizeName(name)
	if project == "" || !nameRe.MatchString(strings.ReplaceAll(project, "-", "_")) {
		return nil, fmt.Errorf("project name %q is not valid", name)
	}
	page := &ProjectPage{Project: project}
	found := false
	for _, ix := range c.indexes {
		p, err := c.projectOn(ctx, ix, project)
		if errors.Is(err, errNotOnIndex) {
			continue
		}
		if err != nil {
			return nil, err
		}
		found = true
		for _, f := range p.Files {
			f.Index = ix.display
			page.Files = append(page.Files, f)
		}
	}
	if !found {
		return nil, fmt.Errorf("project %s: %w (%s)", project, ErrNotFound, strings.Join(c.Indexes(), ", "))
	}
	return page, nil
}

func (c *Client) projectOn(ctx context.Context, ix index, project string) (*ProjectPage, error) {
	u := ix.url.ResolveReference(&url.URL{Path: project + "/"})
	e, err := c.page(ctx, ix, u)
	if err != nil {
		return nil, err
	}
	base, err := url.Parse(e.FinalURL)
	if err != nil {
		base = u
	}
	mt, _, _ := mime.ParseMediaType(e.ContentType)
	var p *ProjectPage
	switch mt {
	case MediaJSON:
		p, err = ParseProjectJSON(e.Body, base)
	case MediaHTMLv1, MediaHTML:
		p, err = ParseProjectHTML(e.Body, base)
	default:
		return nil, fmt.Errorf("index page %s: unexpected content type %q", u, e.ContentType)
	}
	if err != nil {
		return nil, fmt.Errorf("index page %s: %w", u, err)
	}
	return p, nil
}

// page returns the index page at u from the cache or the index.
func (c *Client) page(ctx context.Context, ix index, u *url.URL) (*pageEntry, error) {
	key := u.String()
	cached, _ := c.loadPage(key)
	if c.offline {
		if cached == nil {
			return nil, fmt.Errorf("%w: index page %s is not in the cache (%s); run once without --offline", ErrOffline, key, c.cacheDir)
		}
		c.log.Debug("index page from cache (offline)", "url", key)
		return cached.result()
	}
	if cached != nil && c.ttl > 0 && c.now().Sub(cached.Fetched) < c.ttl {
		c.log.Debug("index page from cache", "url", key, "age", c.now().Sub(cached.Fetched))
		return cached.result()
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, key, nil)
	if err != nil {
		return nil, fmt.Errorf("requesting index page %s: %w", key, err)
	}
	req.Header.Set("Accept", acceptHeader)
	req.Header.Set("User-Agent", c.ua)
	if cached != nil && cached.Status == http.StatusOK {
		if cached.ETag != "" {
			req.Header.Set("If-None-Match", cached.ETag)
		}
		if cached.LastModified != "" {
			req.Header.Set("If-Modified-Since", cached.LastModified)
		}
	}
	setAuth(req, ix)
	resp, err := c.do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching index page %s: %w", key, redactErr(err))
	}
	defer resp.Body.Close()
	c.log.Debug("index page fetched", "url", key, "status", resp.StatusCode)
	switch {
	case resp.StatusCode == http.StatusNotModified && cached != nil:
		cached.Fetched = c.now()
		c.storePage(key, cached)
		return cached.result()
	case resp.StatusCode == http.StatusNotFound:
		e := &pageEntry{URL: key, Status: http.StatusNotFound, Fetched: c.now()}
		c.storePage(key, e)
		return e.result()
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return nil, fmt.Errorf("fetching index page %s: HTTP %d: the index refused the credentials (give them in the index URL as https://user:password@host/…)", key, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("fetching index page %s: HTTP %d", key, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxPage+1))
	if err != nil {
		return nil, fmt.Errorf("reading index page %s: %w", key, redactErr(err))
	}
	if int64(len(body)) > c.maxPage {
		return nil, fmt.Errorf("reading index page %s: larger than %d bytes", key, c.maxPage)
	}
	final := resp.Request.URL
	final.User = nil
	e := &pageEntry{
		URL: key, FinalURL: final.String(), Status: http.StatusOK, Fetched: c.now(),
		ContentType: resp.Header.Get("Content-Type"), ETag: resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"), Body: body,
	}
	c.storePage(key, e)
	return e.result()
}

// setAuth adds the index's credentials to a request for the index's host.
func setAuth(req *http.Request, ix index) {
	if ix.user == nil || req.URL.Scheme != ix.url.Scheme || req.URL.Host != ix.url.Host {
		return
	}
	pw, _ := ix.user.Password()
	req.SetBasicAuth(ix.user.Username(), pw)
}

// redactErr rewrites URL errors so that no credentials leak through them.
func redactErr(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s %s: %w", ue.Op, RedactURL(ue.URL), ue.Err)
	}
	return err
}
