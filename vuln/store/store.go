// Package store keeps OSV records in an embedded bbolt database indexed by
// (ecosystem base, normalized package name), so the advisories for one
// installed package are a single prefix scan. Databases are built whole in a
// temporary file next to the live one and renamed over it only when
// complete: a failed or interrupted import leaves the previous database
// usable.
package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/pyimg/pyimg/pydist"
	"github.com/pyimg/pyimg/vuln/osv"
)

// FileName is the database file name inside the cache directory.
const FileName = "osv.db"

// schemaVersion changes when the bucket layout changes; older files are
// rejected with ErrSchema and must be rebuilt with db update or db import.
const schemaVersion = "2"

var (
	bucketMeta    = []byte("meta")
	bucketIndex   = []byte("index")
	bucketRecords = []byte("records")

	keySchema  = []byte("schema")
	keyBuilt   = []byte("built")
	keySources = []byte("sources")
	keyCounts  = []byte("counts")
	keyTotal   = []byte("total")
)

// ErrNoDatabase is returned by Open when no database exists at the path.
var ErrNoDatabase = errors.New("no vulnerability database (run 'pyimg db update' or 'pyimg db import PATH')")

// ErrSchema is returned by Open for a database written by an incompatible
// version of pyimg.
var ErrSchema = errors.New("vulnerability database has an unsupported layout (run 'pyimg db update' again)")

// DefaultPath returns where the database lives: $PYIMG_DB, else
// $XDG_CACHE_HOME/pyimg/osv.db, else ~/.cache/pyimg/osv.db. getenv reads the
// environment (os.Getenv in production).
func DefaultPath(getenv func(string) string) (string, error) {
	if p := getenv("PYIMG_DB"); p != "" {
		return p, nil
	}
	if d := getenv("XDG_CACHE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "pyimg", FileName), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the cache directory: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".cache", "pyimg", FileName), nil
}

// NormalizeName returns the index form of a package name in an ecosystem
// (given with or without its release suffix): PEP 503 for PyPI, lower case
// otherwise.
func NormalizeName(ecosystem, name string) string {
	if osv.EcosystemBase(ecosystem) == "PyPI" {
		return pydist.NormalizeName(name)
	}
	return strings.ToLower(strings.TrimSpace(name))
}

func indexPrefix(base, name string) []byte {
	return []byte(base + "\x00" + NormalizeName(base, name) + "\x00")
}

// DB is an open, read-only vulnerability database. It is safe for
// concurrent use.
type DB struct {
	path string
	db   *bolt.DB
}

// Open opens the database at path read-only.
func Open(path string) (d *DB, err error) {
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrNoDatabase)
	}
	if err != nil {
		return nil, fmt.Errorf("opening vulnerability database %s: %w", path, err)
	}
	if err := checkFile(path, fi); err != nil {
		return nil, err
	}
	var b *bolt.DB
	defer func() {
		if err != nil && b != nil {
			b.Close()
		}
	}()
	defer guard(path, &err)
	defer faultsPanic()()
	b, err = bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		if isBoltCorruption(err) {
			return nil, &CorruptError{Path: path, Detail: err.Error()}
		}
		return nil, fmt.Errorf("opening vulnerability database %s: %w", path, err)
	}
	d = &DB{path: path, db: b}
	err = b.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if m == nil || tx.Bucket(bucketIndex) == nil || tx.Bucket(bucketRecords) == nil || string(m.Get(keySchema)) != schemaVersion {
			return fmt.Errorf("%s: %w", path, ErrSchema)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Close releases the database file.
func (d *DB) Close() error { return d.db.Close() }

// Path returns the database file path.
func (d *DB) Path() string { return d.path }

// Lookup returns the advisories about package name in the ecosystem base
// ("Debian", "Alpine", "PyPI"). Each record keeps only its affected entries
// for that package, without dates, details and references; withdrawn
// records are never stored.
func (d *DB) Lookup(ecosystemBase, name string) (_ []*osv.Record, err error) {
	defer guard(d.path, &err)
	defer faultsPanic()()
	prefix := indexPrefix(ecosystemBase, name)
	var out []*osv.Record
	err = d.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketIndex).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			r, err := decodeRecord(v)
			if err != nil {
				return &CorruptError{Path: d.path, Detail: fmt.Sprintf("decoding record %q: %v", k[len(prefix):], err)}
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("looking up %s/%s: %w", ecosystemBase, name, err)
	}
	return out, nil
}

// Status describes a database.
type Status struct {
	Path string `json:"path"`
	// Built is when the database was last written by update or import.
	Built time.Time `json:"built"`
	// Sources maps where records came from (URL or path) to the ecosystems
	// loaded from there.
	Sources []string `json:"sources"`
	// Counts is the number of records per ecosystem base.
	Counts map[string]int `json:"counts"`
	// Records is the number of stored (not withdrawn) records.
	Records int   `json:"records"`
	Size    int64 `json:"size"`
}

// Status reports the database's age, sources and counts.
func (d *DB) Status() (_ Status, err error) {
	defer guard(d.path, &err)
	defer faultsPanic()()
	st := Status{Path: d.path, Counts: map[string]int{}}
	if fi, err := os.Stat(d.path); err == nil {
		st.Size = fi.Size()
	}
	err = d.db.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if err := st.Built.UnmarshalText(m.Get(keyBuilt)); err != nil {
			return fmt.Errorf("reading build time: %w", err)
		}
		if v := m.Get(keySources); v != nil {
			if err := json.Unmarshal(v, &st.Sources); err != nil {
				return fmt.Errorf("reading sources: %w", err)
			}
		}
		if v := m.Get(keyCounts); v != nil {
			if err := json.Unmarshal(v, &st.Counts); err != nil {
				return fmt.Errorf("reading counts: %w", err)
			}
		}
		// The total is stored: counting the records bucket would read every
		// page of the file.
		if v := m.Get(keyTotal); v != nil {
			if err := json.Unmarshal(v, &st.Records); err != nil {
				return fmt.Errorf("reading record count: %w", err)
			}
		}
		return nil
	})
	return st, err
}
