package pypi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// maxMetadata bounds a core metadata file (PEP 658).
const maxMetadata = 8 << 20

// Metadata returns the core metadata (METADATA) of a wheel the index
// serves separately (PEP 658/714: f.CoreMetadata), verified against the
// hash the index gave for it and cached by that hash. Without it, callers
// must download the wheel.
func (c *Client) Metadata(ctx context.Context, f File) ([]byte, error) {
	if !f.CoreMetadata {
		return nil, fmt.Errorf("metadata of %s: the index does not serve it separately", f.Filename)
	}
	if f.Filename == "" || strings.ContainsAny(f.Filename, "/\\") || f.Filename == "." || f.Filename == ".." {
		return nil, fmt.Errorf("metadata: invalid file name %q", f.Filename)
	}
	want := f.CoreMetadataHashes["sha256"]
	if !hexRe.MatchString(want) {
		return nil, fmt.Errorf("metadata of %s: the index gives no sha256 for it", f.Filename)
	}
	path := c.filePath(want, f.Filename+".metadata")
	if b, err := os.ReadFile(path); err == nil {
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) == want {
			return b, nil
		}
	}
	if c.offline {
		return nil, fmt.Errorf("%w: metadata of %s is not in the cache (%s); run once without --offline", ErrOffline, f.Filename, c.cacheDir)
	}
	u, err := url.Parse(f.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("metadata of %s: unsupported URL %q", f.Filename, RedactURL(f.URL))
	}
	u.User = nil
	u.Path += ".metadata"
	u.RawPath = ""
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", f.Filename, redactErr(err))
	}
	req.Header.Set("User-Agent", c.ua)
	for _, ix := range c.indexes {
		setAuth(req, ix)
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", f.Filename, redactErr(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("metadata of %s: HTTP %d", f.Filename, resp.StatusCode)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxMetadata+1))
	if err != nil {
		return nil, fmt.Errorf("metadata of %s: %w", f.Filename, redactErr(err))
	}
	if len(b) > maxMetadata {
		return nil, fmt.Errorf("metadata of %s: larger than %d bytes", f.Filename, maxMetadata)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != want {
		return nil, fmt.Errorf("metadata of %s: %w: got sha256 %s, want %s", f.Filename, ErrHashMismatch, hex.EncodeToString(sum[:]), want)
	}
	if err := writeAtomic(path, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
		c.log.Debug("caching metadata failed", "file", f.Filename, "error", err)
	}
	return b, nil
}
