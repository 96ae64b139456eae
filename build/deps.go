package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/build/layer"
	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/build/wheelinstall"
	"github.com/pyimg/pyimg/native"
	"github.com/pyimg/pyimg/pydist"
)

// layerFormat versions the dependency layer's layout: bump it when what
// the same wheels produce changes, so cached layers are not reused.
const layerFormat = "pyimg-deps-1"

// Wheel is one wheel chosen for a locked requirement: the inputs that a
// provenance attestation records.
type Wheel struct {
	// Name and Version are the locked requirement's.
	Name    string `json:"name"`
	Version string `json:"version"`
	// File is the wheel's file name.
	File string `json:"file"`
	// SHA256 is the hex digest of the wheel file, checked against the lock.
	SHA256 string `json:"sha256"`
	// URL is where the wheel came from: an index URL or a file path.
	URL string `json:"url"`
	// Path is the local file read.
	Path string `json:"-"`
}

// Dist is an installed distribution.
type Dist struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// ConsoleScripts are its console_scripts names, sorted.
	ConsoleScripts []string `json:"console_scripts,omitempty"`
}

// builtLayer is one layer written for the image.
type builtLayer struct {
	Kind    string // "dependencies", "project", "include"
	Written *layer.Written
	File    string
	Dists   []Dist
	Cached  bool
}

type depsCacheEntry struct {
	Written *layer.Written `json:"written"`
	Dists   []Dist         `json:"dists"`
}

// depsKey is the dependency layer's cache key: a pure function of the
// wheels, the target, the venv prefix and the modification time.
func depsKey(wheels []Wheel, t *target.Target, prefix string, mtime time.Time) string {
	h := sha256.New()
	tj, _ := json.Marshal(t)
	fmt.Fprintf(h, "%s\n%s\n%s\n%d\n", layerFormat, tj, prefix, mtime.Unix())
	ws := append([]Wheel(nil), wheels...)
	sort.Slice(ws, func(i, j int) bool { return ws[i].File < ws[j].File })
	for _, w := range ws {
		fmt.Fprintf(h, "%s %s\n", w.File, w.SHA256)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// dependencyLayer installs wheels into the venv and writes the layer, or
// reuses the layer cached under the same key.
func dependencyLayer(ctx context.Context, base v1.Image, baseName string, wheels []Wheel, t *target.Target, prefix string, mtime time.Time, cacheDir string) (*builtLayer, error) {
	key := depsKey(wheels, t, prefix, mtime)
	blobs := filepath.Join(cacheDir, "layers")
	index := filepath.Join(cacheDir, "deps", key+".json")
	if b, err := os.ReadFile(index); err == nil {
		var e depsCacheEntry
		if json.Unmarshal(b, &e) == nil && e.Written != nil {
			file := layer.Path(blobs, e.Written.Digest)
			if st, err := os.Stat(file); err == nil && st.Size() == e.Written.Size {
				return &builtLayer{Kind: "dependencies", Written: e.Written, File: file, Dists: e.Dists, Cached: true}, nil
			}
		}
	}
	entries := venvEntries(prefix, t)
	var dists []Dist
	var elves []native.File
	owner := map[string]string{}
	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	for _, w := range wheels {
		f, err := os.Open(w.Path)
		if err != nil {
			return nil, fmt.Errorf("opening wheel %s: %w", w.File, err)
		}
		closers = append(closers, f)
		st, err := f.Stat()
		if err != nil {
			return nil, fmt.Errorf("reading wheel %s: %w", w.File, err)
		}
		// Contents are verified against RECORD as the layer writer reads
		// them: one decompression per file; a mismatch fails the write.
		res, err := wheelinstall.Install(f, st.Size(), w.File,
			wheelinstall.WithPrefix(prefix), wheelinstall.WithPythonVersion(t.PythonVersion), wheelinstall.WithVerifyOnRead())
		if err != nil {
			return nil, err
		}
		if pydist.NormalizeName(res.Name) != pydist.NormalizeName(w.Name) {
			return nil, &wheelinstall.Error{Wheel: w.File, Err: fmt.Errorf("%w: it installs %s, the lock asks for %s", wheelinstall.ErrInvalid, res.Name, w.Name)}
		}
		for _, file := range res.Files {
			if prev, dup := owner[file.Path]; dup {
				return nil, &wheelinstall.Error{Wheel: w.File, Err: fmt.Errorf("%w: %s is also installed by %s", wheelinstall.ErrInvalid, file.Path, prev)}
			}
			owner[file.Path] = w.File
		}
		entries = append(entries, installedEntries(res.Files)...)
		dists = append(dists, distOf(res))
		nf, err := nativeFiles(res)
		if err != nil {
			return nil, err
		}
		elves = append(elves, nf...)
	}
	if err := checkNative(ctx, base, baseName, elves); err != nil {
		return nil, err
	}
	written, file, err := layer.WriteFile(blobs, entries, layer.WithModTime(mtime))
	if err != nil {
		return nil, fmt.Errorf("writing the dependency layer: %w", err)
	}
	b, err := json.Marshal(depsCacheEntry{Written: written, Dists: dists})
	if err == nil {
		err = writeFileAtomic(index, b)
	}
	if err != nil {
		return nil, fmt.Errorf("recording the dependency layer in the cache: %w", err)
	}
	return &builtLayer{Kind: "dependencies", Written: written, File: file, Dists: dists}, nil
}

func distOf(res *wheelinstall.Result) Dist {
	d := Dist{Name: res.Name, Version: res.Version}
	for n := range res.ConsoleScripts {
		d.ConsoleScripts = append(d.ConsoleScripts, n)
	}
	sort.Strings(d.ConsoleScripts)
	return d
}

// writeFileAtomic writes b to file through a temporary file in its
// directory.
func writeFileAtomic(file string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
