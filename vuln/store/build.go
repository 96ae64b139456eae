package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/pyimg/pyimg/vuln/osv"
)

// Input is one source of OSV records for Build: a JSON file, a zip or a
// directory at Path, recorded in the database's sources as Origin (a URL
// for downloads; Path when empty).
type Input struct {
	Path   string
	Origin string
}

// Stats counts what a build did.
type Stats struct {
	// Records is the number of records read and stored.
	Records int
	// Withdrawn is the number of withdrawn records skipped.
	Withdrawn int
	// Replaced is the number of stored records a newer import replaced.
	Replaced int
	// Total is the number of records in the finished database.
	Total int
}

type buildOptions struct {
	merge bool
	now   func() time.Time
	batch int
}

// BuildOption configures Build.
type BuildOption func(*buildOptions)

// WithMerge keeps the records of the existing database and adds the inputs
// to them (a record with the same id is replaced). Without it the new
// database holds only the inputs.
func WithMerge(merge bool) BuildOption { return func(o *buildOptions) { o.merge = merge } }

// WithClock sets the clock that stamps the build time.
func WithClock(now func() time.Time) BuildOption { return func(o *buildOptions) { o.now = now } }

// Build writes a database at path from inputs. It builds a new file in the
// same directory and renames it over path only when every input was read
// without error, so a failed build leaves the previous database untouched.
func Build(ctx context.Context, path string, inputs []Input, opts ...BuildOption) (Stats, error) {
	o := buildOptions{now: time.Now, batch: 5000}
	for _, opt := range opts {
		opt(&o)
	}
	var st Stats
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return st, fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return st, fmt.Errorf("creating temporary database: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmpPath)
		}
	}()
	var sources []string
	if o.merge {
		if sources, err = copyExisting(path, tmpPath); err != nil {
			return st, err
		}
	} else if err := os.Remove(tmpPath); err != nil {
		return st, err
	}
	db, err := bolt.Open(tmpPath, 0o644, &bolt.Options{NoSync: true, NoFreelistSync: true})
	if err != nil {
		return st, fmt.Errorf("creating temporary database: %w", err)
	}
	w := &writer{db: db, st: &st, batch: o.batch}
	err = w.init()
	for _, in := range inputs {
		if err != nil {
			break
		}
		err = osv.ReadPath(ctx, in.Path, w.add)
		origin := in.Origin
		if origin == "" {
			origin = in.Path
		}
		if !slices.Contains(sources, origin) {
			sources = append(sources, origin)
		}
	}
	if err == nil {
		err = w.flush()
	}
	if err == nil {
		err = w.finish(o.now(), sources)
	}
	var compacted string
	if err == nil {
		compacted, err = compact(db, dir, path)
	}
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		if compacted != "" {
			os.Remove(compacted)
		}
		return st, err
	}
	os.Remove(tmpPath)
	tmpPath = compacted
	if err := os.Rename(tmpPath, path); err != nil {
		return st, fmt.Errorf("replacing %s: %w", path, err)
	}
	ok = true
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return st, nil
}

// compact copies db in key order into a new file beside path with full
// pages: about half the size of the randomly inserted original, so lookups
// touch fewer pages. It returns the new file's path.
func compact(db *bolt.DB, dir, path string) (string, error) {
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("creating temporary database: %w", err)
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	dst, err := bolt.Open(name, 0o644, &bolt.Options{NoSync: true, NoFreelistSync: true})
	if err != nil {
		return "", fmt.Errorf("creating temporary database: %w", err)
	}
	err = bolt.Compact(dst, db, 64<<20)
	if err == nil {
		err = dst.Sync()
	}
	if cerr := dst.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("compacting the database: %w", err)
	}
	return name, nil
}

// copyExisting copies the database at path, if any, to tmp and returns its
// sources.
func copyExisting(path, tmp string) ([]string, error) {
	old, err := Open(path)
	if errors.Is(err, ErrNoDatabase) {
		return nil, os.Remove(tmp)
	}
	if err != nil {
		return nil, err
	}
	defer old.Close()
	st, err := old.Status()
	if err != nil {
		return nil, err
	}
	err = old.db.View(func(tx *bolt.Tx) error { return tx.CopyFile(tmp, 0o644) })
	if err != nil {
		return nil, fmt.Errorf("copying %s: %w", path, err)
	}
	return st.Sources, nil
}

// recordMeta is the value of the records bucket: the ecosystems a record
// covers and its index keys, so a newer import can replace it.
type recordMeta struct {
	Modified   time.Time `json:"m"`
	Ecosystems []string  `json:"e"`
	Keys       []string  `json:"k"`
}

type writer struct {
	db      *bolt.DB
	st      *Stats
	batch   int
	pending []*osv.Record
}

func (w *writer) init() error {
	return w.db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketMeta, bucketIndex, bucketRecords} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySchema, []byte(schemaVersion))
	})
}

func (w *writer) add(r *osv.Record) error {
	w.pending = append(w.pending, r)
	if len(w.pending) >= w.batch {
		return w.flush()
	}
	return nil
}

func (w *writer) flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	err := w.db.Update(func(tx *bolt.Tx) error {
		idx, recs := tx.Bucket(bucketIndex), tx.Bucket(bucketRecords)
		for _, r := range w.pending {
			if err := w.put(idx, recs, r); err != nil {
				return fmt.Errorf("storing %s: %w", r.ID, err)
			}
		}
		return nil
	})
	w.pending = w.pending[:0]
	return err
}

func (w *writer) put(idx, recs *bolt.Bucket, r *osv.Record) error {
	id := []byte(r.ID)
	if old := recs.Get(id); old != nil {
		var m recordMeta
		if err := json.Unmarshal(old, &m); err != nil {
			return err
		}
		for _, k := range m.Keys {
			if err := idx.Delete([]byte(k)); err != nil {
				return err
			}
		}
		if err := recs.Delete(id); err != nil {
			return err
		}
		w.st.Replaced++
	}
	if r.Withdrawn != nil {
		w.st.Withdrawn++
		return nil
	}
	w.st.Records++
	// Group affected entries per indexed package.
	type group struct {
		key      string
		affected []osv.Affected
	}
	var groups []*group
	byKey := map[string]*group{}
	var ecos []string
	for _, a := range r.Affected {
		if a.Package.Name == "" {
			continue
		}
		base := osv.EcosystemBase(a.Package.Ecosystem)
		if !slices.Contains(ecos, base) {
			ecos = append(ecos, base)
		}
		k := string(indexPrefix(base, a.Package.Name)) + r.ID
		g := byKey[k]
		if g == nil {
			g = &group{key: k}
			byKey[k] = g
			groups = append(groups, g)
		}
		g.affected = append(g.affected, a)
	}
	m := recordMeta{Modified: r.Modified, Ecosystems: ecos}
	for _, g := range groups {
		if err := idx.Put([]byte(g.key), encodeRecord(slimRecord(r, g.affected))); err != nil {
			return err
		}
		m.Keys = append(m.Keys, g.key)
	}
	v, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return recs.Put(id, v)
}

// maxSummary bounds the summary kept in the index when a record has only
// details (Debian's records).
const maxSummary = 200

// slimRecord is what the index keeps: everything matching and reporting
// need (ids, aliases, summary, severity, the package's affected entries),
// without dates, details and references, which only cost decoding time.
func slimRecord(r *osv.Record, affected []osv.Affected) *osv.Record {
	s := &osv.Record{
		ID:               r.ID,
		Aliases:          r.Aliases,
		Summary:          r.Summary,
		Severity:         r.Severity,
		Affected:         affected,
		DatabaseSpecific: r.DatabaseSpecific,
	}
	if s.Summary == "" {
		d := strings.TrimSpace(r.Details)
		if i := strings.IndexByte(d, '\n'); i >= 0 {
			d = d[:i]
		}
		if len(d) > maxSummary {
			d = d[:maxSummary] + "…"
		}
		s.Summary = d
	}
	return s
}

// finish records counts, sources and the build time.
func (w *writer) finish(built time.Time, sources []string) error {
	return w.db.Update(func(tx *bolt.Tx) error {
		counts := map[string]int{}
		total := 0
		err := tx.Bucket(bucketRecords).ForEach(func(_, v []byte) error {
			var m recordMeta
			if err := json.Unmarshal(v, &m); err != nil {
				return err
			}
			total++
			for _, e := range m.Ecosystems {
				counts[e]++
			}
			return nil
		})
		if err != nil {
			return err
		}
		w.st.Total = total
		sort.Strings(sources)
		meta := tx.Bucket(bucketMeta)
		bt, _ := built.UTC().MarshalText()
		cj, _ := json.Marshal(counts)
		sj, _ := json.Marshal(sources)
		tj, _ := json.Marshal(total)
		for k, v := range map[string][]byte{string(keyBuilt): bt, string(keyCounts): cj, string(keySources): sj, string(keyTotal): tj} {
			if err := meta.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	})
}
