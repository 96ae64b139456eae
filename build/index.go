package build

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/pyimg/pyimg/pypi"
)

// openIndex creates the index client, sharing pypi's page and file cache.
func (r *resolver) openIndex(context.Context) error {
	opts := []pypi.ClientOption{pypi.WithIndexURL(r.s.IndexURL)}
	if r.s.UserAgent != "" {
		opts = append(opts, pypi.WithUserAgent(r.s.UserAgent))
	}
	if r.s.CacheDir != "" {
		opts = append(opts, pypi.WithCacheDir(filepath.Join(r.s.CacheDir, "index")))
	}
	c, err := pypi.NewClient(opts...)
	if err != nil {
		return &InputError{File: "--index-url", Err: err}
	}
	r.index = c
	return nil
}

// fromIndex picks the best compatible wheel of req on the index whose
// listed or downloaded hash the lock allows, and downloads it. It returns
// what it saw when nothing fits.
func (r *resolver) fromIndex(ctx context.Context, req Requirement) (*Wheel, []string, error) {
	page, err := r.index.Project(ctx, req.Name)
	if errors.Is(err, pypi.ErrNotFound) {
		return nil, []string{fmt.Sprintf("%s is not on %s", req.Name, r.s.IndexURL)}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("looking up %s on the index: %w", req.Name, err)
	}
	var wheels []pypi.Wheel
	var seen []string
	var mismatch *HashError
	for _, w := range page.Wheels() {
		if sameVersion(w.Version, req.Version) {
			wheels = append(wheels, w)
		}
	}
	for _, f := range page.Files {
		if sd, err := pypi.ParseSdistFilename(f.Filename); err == nil && sameVersion(sd.Version, req.Version) {
			seen = append(seen, f.Filename+" on the index: source distribution only (build it into a wheel)")
		}
	}
	for _, c := range r.ranker.Select(wheels) {
		f, ok := page.File(c.Wheel.Filename)
		if !ok {
			continue
		}
		want := f.SHA256()
		if want == "" {
			// No hash listed: take each hash the lock allows in turn.
			for _, h := range req.Hashes {
				p, err := r.index.Download(ctx, f, h[len("sha256:"):])
				if err == nil {
					return &Wheel{Name: req.Name, Version: req.Version, File: f.Filename, SHA256: h[len("sha256:"):], URL: f.URL, Path: p}, nil, nil
				}
				if !errors.Is(err, pypi.ErrHashMismatch) {
					return nil, nil, err
				}
			}
			seen = append(seen, f.Filename+" on the index: content matches no hash of the lock")
			continue
		}
		if !containsHash(req.Hashes, want) {
			if mismatch == nil {
				mismatch = &HashError{File: f.URL, Got: want, Want: req.Hashes}
			}
			continue
		}
		p, err := r.index.Download(ctx, f, want)
		if err != nil {
			return nil, nil, err
		}
		return &Wheel{Name: req.Name, Version: req.Version, File: f.Filename, SHA256: want, URL: f.URL, Path: p}, nil, nil
	}
	for _, w := range wheels {
		if _, ok := r.ranker.Rank(w); !ok {
			seen = append(seen, w.Filename+" on the index: "+r.why(w))
		}
	}
	if mismatch != nil {
		return nil, nil, mismatch
	}
	return nil, seen, nil
}
