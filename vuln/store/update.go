package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
)

// DefaultSource is the public OSV bucket; each ecosystem's records are at
// <DefaultSource>/<Ecosystem>/all.zip.
const DefaultSource = "https://osv-vulnerabilities.storage.googleapis.com"

// DefaultEcosystems are the ecosystems pyimg matches.
var DefaultEcosystems = []string{"Debian", "Alpine", "PyPI"}

// ErrDownload wraps every failure to fetch an archive (network, HTTP status).
var ErrDownload = errors.New("downloading vulnerability data")

type updateOptions struct {
	client     *http.Client
	ecosystems []string
	userAgent  string
	build      []BuildOption
}

// UpdateOption configures Update.
type UpdateOption func(*updateOptions)

// WithHTTPClient sets the HTTP client (default http.DefaultClient).
func WithHTTPClient(c *http.Client) UpdateOption { return func(o *updateOptions) { o.client = c } }

// WithEcosystems sets which ecosystems to download (default DefaultEcosystems).
func WithEcosystems(ecos ...string) UpdateOption {
	return func(o *updateOptions) { o.ecosystems = ecos }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) UpdateOption { return func(o *updateOptions) { o.userAgent = ua } }

// WithBuildOptions passes options to Build.
func WithBuildOptions(opts ...BuildOption) UpdateOption {
	return func(o *updateOptions) { o.build = append(o.build, opts...) }
}

// Update downloads <source>/<Ecosystem>/all.zip for each ecosystem into
// temporary files next to path and builds a new database from them alone.
// Any failure leaves the previous database in place.
func Update(ctx context.Context, path, source string, opts ...UpdateOption) (Stats, error) {
	o := updateOptions{client: http.DefaultClient, ecosystems: DefaultEcosystems, userAgent: "pyimg"}
	for _, opt := range opts {
		opt(&o)
	}
	if source == "" {
		source = DefaultSource
	}
	source = strings.TrimRight(source, "/")
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Stats{}, fmt.Errorf("creating %s: %w", dir, err)
	}
	var inputs []Input
	defer func() {
		for _, in := range inputs {
			os.Remove(in.Path)
		}
	}()
	for _, eco := range o.ecosystems {
		url := source + "/" + eco + "/all.zip"
		tmp, err := download(ctx, o, url, dir)
		if tmp != "" {
			inputs = append(inputs, Input{Path: tmp, Origin: url})
		}
		if err != nil {
			return Stats{}, err
		}
	}
	return Build(ctx, path, inputs, o.build...)
}

// download streams url into a temporary file in dir and returns its path.
func download(ctx context.Context, o updateOptions, url, dir string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("%w: %s: %v", ErrDownload, url, err)
	}
	req.Header.Set("User-Agent", o.userAgent)
	resp, err := o.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("%w: %v (is the network reachable? use 'pyimg db import' for offline data)", ErrDownload, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: %s: HTTP %s", ErrDownload, url, resp.Status)
	}
	f, err := os.CreateTemp(dir, ".download-*.zip")
	if err != nil {
		return "", fmt.Errorf("creating download file: %w", err)
	}
	_, err = io.Copy(f, resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if ctx.Err() != nil {
			return f.Name(), ctx.Err()
		}
		return f.Name(), fmt.Errorf("%w: %s: %v", ErrDownload, url, err)
	}
	return f.Name(), nil
}
