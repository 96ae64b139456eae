package pypi

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/pyimg/pyimg/pydist"
)

// Wheelhouse is a local directory of distribution files used like pip's
// --find-links: it lists a project's wheels and sdists with their sha256
// (computed once per file) and hands out verified paths. It implements
// Lister, so CheckFeasibility and wheel choice work the same on it as on
// an index.
type Wheelhouse struct {
	dir string

	mu     sync.Mutex
	hashes map[string]string // "name\x00size\x00mtime" -> sha256
}

// NewWheelhouse returns a Wheelhouse over dir, which must exist.
func NewWheelhouse(dir string) (*Wheelhouse, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("wheelhouse %s: %w", dir, err)
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("wheelhouse: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("wheelhouse %s: not a directory", dir)
	}
	return &Wheelhouse{dir: abs, hashes: map[string]string{}}, nil
}

// Project lists the wheelhouse's files of the project (any spelling), sorted
// by name, with file:// URLs; ErrNotFound when there are none.
func (w *Wheelhouse) Project(ctx context.Context, name string) (*ProjectPage, error) {
	project := pydist.NormalizeName(name)
	ents, err := os.ReadDir(w.dir)
	if err != nil {
		return nil, fmt.Errorf("reading wheelhouse: %w", err)
	}
	page := &ProjectPage{Project: project, Files: []File{}}
	for _, e := range ents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !e.Type().IsRegular() {
			continue
		}
		fn := e.Name()
		if wh, err := ParseWheelFilename(fn); err == nil {
			if wh.Project != project {
				continue
			}
		} else if _, ok := SdistFor(fn, project); !ok {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("reading wheelhouse: %w", err)
		}
		sum, err := w.hash(fn, info)
		if err != nil {
			return nil, err
		}
		u := url.URL{Scheme: "file", Path: filepath.Join(w.dir, fn)}
		page.Files = append(page.Files, File{Filename: fn, URL: u.String(), Hashes: map[string]string{"sha256": sum}, Size: info.Size(), Index: "file://" + w.dir})
	}
	if len(page.Files) == 0 {
		return nil, fmt.Errorf("project %s: %w (wheelhouse %s)", project, ErrNotFound, w.dir)
	}
	sort.Slice(page.Files, func(i, j int) bool { return page.Files[i].Filename < page.Files[j].Filename })
	return page, nil
}

func (w *Wheelhouse) hash(fn string, info os.FileInfo) (string, error) {
	key := fmt.Sprintf("%s\x00%d\x00%d", fn, info.Size(), info.ModTime().UnixNano())
	w.mu.Lock()
	sum, ok := w.hashes[key]
	w.mu.Unlock()
	if ok {
		return sum, nil
	}
	sum, err := hashFile(filepath.Join(w.dir, fn))
	if err != nil {
		return "", fmt.Errorf("hashing wheelhouse file %s: %w", fn, err)
	}
	w.mu.Lock()
	w.hashes[key] = sum
	w.mu.Unlock()
	return sum, nil
}

// Path returns the local path of a file the wheelhouse listed, after
// checking that its content still has the listed sha256 and, when given,
// the lock's wantSHA256.
func (w *Wheelhouse) Path(f File, wantSHA256 string) (string, error) {
	if f.Filename == "" || strings.ContainsAny(f.Filename, "/\\") || f.Filename == "." || f.Filename == ".." {
		return "", fmt.Errorf("wheelhouse: invalid file name %q", f.Filename)
	}
	want := strings.ToLower(wantSHA256)
	if listed := f.SHA256(); listed != "" {
		if want != "" && listed != want {
			return "", fmt.Errorf("wheelhouse file %s: %w: listed sha256 %s, the lock wants %s", f.Filename, ErrHashMismatch, listed, want)
		}
		want = listed
	}
	p := filepath.Join(w.dir, f.Filename)
	got, err := hashFile(p)
	if err != nil {
		return "", fmt.Errorf("wheelhouse file %s: %w", f.Filename, err)
	}
	if want != "" && got != want {
		return "", fmt.Errorf("wheelhouse file %s: %w: got sha256 %s, want %s", f.Filename, ErrHashMismatch, got, want)
	}
	return p, nil
}
