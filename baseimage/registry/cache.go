package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// Cache keeps registry answers on disk: tag lists and tag digests for a
// time to live, immutable facts (configs by digest) until removed. A nil
// *Cache caches nothing. Unreadable or corrupt entries are misses, and
// failures to write are ignored: the cache only ever saves requests.
type Cache struct {
	dir string
	ttl time.Duration
	now func() time.Time
}

// NewCache returns a cache in dir whose mutable entries live for ttl,
// measured by now (time.Now when nil). A ttl of zero or less disables the
// mutable entries.
func NewCache(dir string, ttl time.Duration, now func() time.Time) *Cache {
	if now == nil {
		now = time.Now
	}
	return &Cache{dir: dir, ttl: ttl, now: now}
}

// DefaultCacheDir returns $XDG_CACHE_HOME/pyimg, else $HOME/.cache/pyimg,
// reading variables through getenv; "" when neither is set.
func DefaultCacheDir(getenv func(string) string) string {
	if d := getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "pyimg")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".cache", "pyimg")
	}
	return ""
}

type cacheEntry struct {
	Key     string          `json:"key"`
	Stored  time.Time       `json:"stored"`
	Payload json.RawMessage `json:"payload"`
}

func (c *Cache) path(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.dir, "registry", hex.EncodeToString(sum[:16])+".json")
}

// get loads key into v; expires says whether the entry is subject to the TTL.
func (c *Cache) get(key string, expires bool, v any) bool {
	if c == nil || c.dir == "" || (expires && c.ttl <= 0) {
		return false
	}
	b, err := os.ReadFile(c.path(key))
	if err != nil {
		return false
	}
	var e cacheEntry
	if json.Unmarshal(b, &e) != nil || e.Key != key {
		return false
	}
	if expires {
		age := c.now().Sub(e.Stored)
		if age < 0 || age > c.ttl {
			return false
		}
	}
	return json.Unmarshal(e.Payload, v) == nil
}

// put stores v under key, atomically.
func (c *Cache) put(key string, v any) {
	if c == nil || c.dir == "" {
		return
	}
	payload, err := json.Marshal(v)
	if err != nil {
		return
	}
	b, err := json.Marshal(cacheEntry{Key: key, Stored: c.now().UTC(), Payload: payload})
	if err != nil {
		return
	}
	p := c.path(key)
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".entry-*")
	if err != nil {
		return
	}
	_, werr := f.Write(b)
	if cerr := f.Close(); werr != nil || cerr != nil {
		os.Remove(f.Name())
		return
	}
	if os.Rename(f.Name(), p) != nil {
		os.Remove(f.Name())
	}
}
