package build

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/pydist"
	"github.com/pyimg/pyimg/pypi"
)

// Sources are where wheels come from: wheelhouse directories (find-links),
// searched first, then a package index.
type Sources struct {
	Wheelhouses []string
	// IndexURL is a PEP 691 / PEP 503 simple index ("" for none).
	IndexURL string
	// AllowLinuxTag accepts linux_<arch> wheels.
	AllowLinuxTag bool
	// CacheDir holds downloaded wheels and index pages ("" for the default).
	CacheDir string
	// Insecure allows plain HTTP to the index.
	Insecure bool
	// UserAgent is sent to the index.
	UserAgent string
}

// PypiTarget converts a base image's target to the wheel-compatibility
// target of package pypi.
func PypiTarget(t *target.Target) pypi.Target {
	return pypi.Target{
		PythonVersion:  t.PythonVersion,
		Implementation: t.Implementation,
		Libc:           pypi.Libc(t.Libc),
		LibcVersion:    t.LibcVersion,
		Arch:           t.Arch,
		FreeThreaded:   strings.HasSuffix(t.ABI, "t"),
	}
}

// NewResolverFactory returns the ResolverFactory for s: wheels are ranked
// for the target's compatible tags as pip ranks them.
func NewResolverFactory(s Sources) ResolverFactory {
	return func(ctx context.Context, t *target.Target) (Resolver, error) {
		if len(s.Wheelhouses) == 0 && s.IndexURL == "" {
			return nil, &InputError{File: "--wheelhouse", Err: fmt.Errorf("no wheel source: pass --wheelhouse DIR or --index-url URL")}
		}
		tags, err := pypi.CompatibleTags(PypiTarget(t))
		if err != nil {
			return nil, fmt.Errorf("computing the tags of %s: %w", t, err)
		}
		var opts []pypi.SelectOption
		if s.AllowLinuxTag {
			opts = append(opts, pypi.AllowLinuxTag())
		}
		r := &resolver{s: s, tags: tags, ranker: pypi.NewRanker(tags, opts...), byProject: map[string][]localFile{}}
		for _, dir := range s.Wheelhouses {
			if err := r.scan(dir); err != nil {
				return nil, err
			}
		}
		if s.IndexURL != "" {
			if err := r.openIndex(ctx); err != nil {
				return nil, err
			}
		}
		return r, nil
	}
}

type localFile struct {
	path  string
	wheel *pypi.Wheel // nil for an sdist
	name  string
}

type resolver struct {
	s         Sources
	tags      []pypi.Tag
	ranker    *pypi.Ranker
	byProject map[string][]localFile
	index     *pypi.Client
}

// scan lists the wheels and sdists of a wheelhouse directory.
func (r *resolver) scan(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return &InputError{File: dir, Err: fmt.Errorf("reading wheelhouse: %w", err)}
	}
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() {
			continue
		}
		p := filepath.Join(dir, n)
		if strings.HasSuffix(n, ".whl") {
			w, err := pypi.ParseWheelFilename(n)
			if err != nil {
				continue // not a wheel name pip would accept either
			}
			r.byProject[w.Project] = append(r.byProject[w.Project], localFile{path: p, wheel: &w, name: n})
			continue
		}
		if sd, err := pypi.ParseSdistFilename(n); err == nil {
			proj := pydist.NormalizeName(sd.Name)
			r.byProject[proj] = append(r.byProject[proj], localFile{path: p, name: n})
		}
	}
	return nil
}

// sameVersion compares versions as written in a lock and in a file name,
// where "-" is escaped as "_".
func sameVersion(a, b string) bool {
	norm := func(v string) string { return strings.ToLower(strings.ReplaceAll(v, "_", "-")) }
	return norm(a) == norm(b)
}

func (r *resolver) topTags(n int) []string {
	out := make([]string, 0, n)
	for _, t := range r.tags {
		if len(out) == n {
			break
		}
		out = append(out, t.String())
	}
	return out
}

// Resolve picks the best compatible wheel for req whose hash the lock
// lists: from the wheelhouses first, then the index.
func (r *resolver) Resolve(ctx context.Context, req Requirement) (*Wheel, error) {
	proj := pydist.NormalizeName(req.Name)
	var wheels []pypi.Wheel
	paths := map[string]string{}
	var seen []string
	for _, f := range r.byProject[proj] {
		if f.wheel == nil {
			seen = append(seen, f.name+": source distribution (build it into a wheel)")
			continue
		}
		if !sameVersion(f.wheel.Version, req.Version) {
			continue
		}
		wheels = append(wheels, *f.wheel)
		paths[f.wheel.Filename] = f.path
	}
	cands := r.ranker.Select(wheels)
	var mismatch *HashError
	for _, c := range cands {
		p := paths[c.Wheel.Filename]
		sum, err := fileSHA256(p)
		if err != nil {
			return nil, fmt.Errorf("reading wheel %s: %w", p, err)
		}
		w := &Wheel{Name: req.Name, Version: req.Version, File: c.Wheel.Filename, SHA256: sum, URL: p, Path: p}
		if containsHash(req.Hashes, sum) {
			return w, nil
		}
		if mismatch == nil {
			mismatch = &HashError{File: p, Got: sum, Want: req.Hashes}
		}
	}
	for _, w := range wheels {
		if _, ok := r.ranker.Rank(w); !ok {
			seen = append(seen, w.Filename+": "+r.why(w))
		}
	}
	if r.index != nil {
		w, idxSeen, err := r.fromIndex(ctx, req)
		if err != nil || w != nil {
			return w, err
		}
		seen = append(seen, idxSeen...)
	}
	if mismatch != nil {
		return nil, mismatch
	}
	sort.Strings(seen)
	if len(seen) == 0 {
		where := strings.Join(r.s.Wheelhouses, ", ")
		if r.s.IndexURL != "" {
			where = strings.TrimPrefix(where+", "+r.s.IndexURL, ", ")
		}
		seen = append(seen, "no file of "+req.Name+" "+req.Version+" in "+where)
	}
	return nil, &NoWheelError{Name: req.Name, Version: req.Version, Tags: r.topTags(4), Seen: seen}
}

// why explains why a wheel does not fit the target.
func (r *resolver) why(w pypi.Wheel) string {
	if !r.s.AllowLinuxTag {
		linux := false
		for _, t := range w.Tags {
			linux = linux || strings.HasPrefix(t.Platform, "linux_")
		}
		if linux {
			if _, ok := pypi.NewRanker(r.tags, pypi.AllowLinuxTag()).Rank(w); ok {
				return "tags " + w.TagSet + " are for one machine's own builds: pass --allow-linux-tag if it was built against this base"
			}
		}
	}
	return "tags " + w.TagSet + " do not match the target"
}
