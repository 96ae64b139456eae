package indextest

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pyimg/pyimg/pydist"
)

// dist is one file of the index.
type dist struct {
	Filename       string
	Project        string // normalized
	Version        string
	Size           int64
	ModTime        time.Time
	SHA256         string
	RequiresPython string
	Metadata       []byte // wheel METADATA; nil for sdists or unreadable wheels
}

// fileCache remembers hashes and metadata per (name, size, mtime).
type fileCache struct {
	mu sync.Mutex
	m  map[string]dist
}

func newFileCache() *fileCache { return &fileCache{m: map[string]dist{}} }

// projectOf returns the normalized project and version of a distribution
// file name, or ok=false for files that are neither wheels nor sdists.
func projectOf(name string) (project, version string, ok bool) {
	if base, found := strings.CutSuffix(name, ".whl"); found {
		p := strings.Split(base, "-")
		if len(p) != 5 && len(p) != 6 {
			return "", "", false
		}
		return pydist.NormalizeName(p[0]), p[1], true
	}
	for _, ext := range []string{".tar.gz", ".zip", ".tar.bz2", ".tgz"} {
		if base, found := strings.CutSuffix(name, ext); found {
			i := strings.LastIndexByte(base, '-')
			if i <= 0 || i == len(base)-1 {
				return "", "", false
			}
			return pydist.NormalizeName(base[:i]), base[i+1:], true
		}
	}
	return "", "", false
}

// scan lists the distribution files of dir, sorted by file name.
func (c *fileCache) scan(dir string) ([]dist, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading index directory: %w", err)
	}
	var out []dist
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		project, version, ok := projectOf(e.Name())
		if !ok {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("reading index directory: %w", err)
		}
		key := fmt.Sprintf("%s\x00%d\x00%d", e.Name(), info.Size(), info.ModTime().UnixNano())
		c.mu.Lock()
		d, ok := c.m[key]
		c.mu.Unlock()
		if !ok {
			d, err = describe(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			d.Filename, d.Project, d.Version, d.Size, d.ModTime = e.Name(), project, version, info.Size(), info.ModTime()
			c.mu.Lock()
			c.m[key] = d
			c.mu.Unlock()
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Filename < out[j].Filename })
	return out, nil
}

func describe(path string) (dist, error) {
	f, err := os.Open(path)
	if err != nil {
		return dist{}, fmt.Errorf("hashing %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return dist{}, fmt.Errorf("hashing %s: %w", path, err)
	}
	d := dist{SHA256: hex.EncodeToString(h.Sum(nil))}
	if strings.HasSuffix(path, ".whl") {
		d.Metadata = wheelMetadata(path)
		d.RequiresPython = header(d.Metadata, "Requires-Python")
	}
	return d, nil
}

// wheelMetadata returns the top-level *.dist-info/METADATA of a wheel, or
// nil when the wheel has none or cannot be read (a test may serve broken
// wheels on purpose).
func wheelMetadata(path string) []byte {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil
	}
	defer zr.Close()
	for _, f := range zr.File {
		dir, file, ok := strings.Cut(f.Name, "/")
		if !ok || file != "METADATA" || !strings.HasSuffix(dir, ".dist-info") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil
		}
		b, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		rc.Close()
		if err != nil {
			return nil
		}
		return b
	}
	return nil
}

// header returns the first value of an RFC 822 style header of METADATA.
func header(meta []byte, name string) string {
	sc := bufio.NewScanner(bytes.NewReader(meta))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.EqualFold(strings.TrimSpace(k), name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// AddDebianWheels copies the wheels Debian ships in /usr/share/python-wheels
// (python3-pip-whl, python3-setuptools-whl, python3-wheel-whl) into dir and
// returns their file names. It fails when there are none.
func AddDebianWheels(dir string) ([]string, error) {
	return AddWheelsFrom(DebianWheelsDir, dir)
}

// DebianWheelsDir is where Debian's *-whl packages install their wheels.
const DebianWheelsDir = "/usr/share/python-wheels"

// AddWheelsFrom copies every *.whl of src into dir and returns their names.
func AddWheelsFrom(src, dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(src, "*.whl"))
	if err != nil {
		return nil, fmt.Errorf("listing wheels in %s: %w", src, err)
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no wheels in %s (install python3-pip-whl python3-setuptools-whl python3-wheel-whl)", src)
	}
	var names []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("copying wheel: %w", err)
		}
		name := filepath.Base(p)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return nil, fmt.Errorf("copying wheel: %w", err)
		}
		names = append(names, name)
	}
	return names, nil
}
