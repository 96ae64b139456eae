package layer

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// WriteFile writes the layer of entries into dir as "<hex digest>.tar.gz",
// through a temporary file renamed into place, so that the directory never
// holds a partial layer. An existing file of that digest is kept.
func WriteFile(dir string, entries []Entry, opts ...Option) (*Written, string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, "", fmt.Errorf("creating layer directory: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".layer-*.tmp")
	if err != nil {
		return nil, "", fmt.Errorf("creating layer file: %w", err)
	}
	defer os.Remove(tmp.Name())
	w, err := Write(tmp, entries, opts...)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing layer file: %w", cerr)
	}
	if err != nil {
		return nil, "", err
	}
	final := Path(dir, w.Digest)
	if err := os.Rename(tmp.Name(), final); err != nil {
		return nil, "", fmt.Errorf("storing layer: %w", err)
	}
	return w, final, nil
}

// Path is where WriteFile stores the layer of digest ("sha256:…") in dir.
func Path(dir, digest string) string {
	return filepath.Join(dir, strings.TrimPrefix(digest, "sha256:")+".tar.gz")
}

// Open returns the stored layer at file, described by w, as a v1.Layer
// whose digests and size are known without reading it.
func Open(file string, w *Written) (v1.Layer, error) {
	d, err := v1.NewHash(w.Digest)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", file, err)
	}
	diff, err := v1.NewHash(w.DiffID)
	if err != nil {
		return nil, fmt.Errorf("layer %s: %w", file, err)
	}
	st, err := os.Stat(file)
	if err != nil {
		return nil, fmt.Errorf("opening layer: %w", err)
	}
	if st.Size() != w.Size {
		return nil, fmt.Errorf("layer %s has %d bytes, want %d", file, st.Size(), w.Size)
	}
	return partial.CompressedToLayer(&fileLayer{file: file, digest: d, diffID: diff, size: w.Size})
}

type fileLayer struct {
	file           string
	digest, diffID v1.Hash
	size           int64
}

func (l *fileLayer) Digest() (v1.Hash, error)            { return l.digest, nil }
func (l *fileLayer) DiffID() (v1.Hash, error)            { return l.diffID, nil }
func (l *fileLayer) Size() (int64, error)                { return l.size, nil }
func (l *fileLayer) MediaType() (types.MediaType, error) { return types.OCILayer, nil }
func (l *fileLayer) Compressed() (io.ReadCloser, error)  { return os.Open(l.file) }

// FromDir returns the entries for the files below root, placed under dest
// in the image, in the fixed modes of a layer whatever the host's umask:
// 0755 for directories and files with any executable bit, 0644 for other
// files. Symbolic links are kept as links; other special files are an
// error. skip, when not nil, is called with each slash-separated path
// relative to root and excludes it (and, for a directory, its contents)
// when it returns true.
func FromDir(root, dest string, skip func(rel string, d fs.DirEntry) bool) ([]Entry, error) {
	var out []Entry
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == "." {
			if dest != "/" {
				out = append(out, Entry{Path: dest, Type: Dir})
			}
			return nil
		}
		if skip != nil && skip(rel, d) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := dest + "/" + rel
		if dest == "/" {
			target = "/" + rel
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			out = append(out, Entry{Path: target, Type: Dir})
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			out = append(out, Entry{Path: target, Type: Symlink, Linkname: link})
		case d.Type().IsRegular():
			out = append(out, Entry{Path: target, Type: File, Mode: info.Mode().Perm(), Size: info.Size(),
				Open: func() (io.ReadCloser, error) { return os.Open(p) }})
		default:
			return fmt.Errorf("%s is a %v, not a file, directory or link", p, d.Type())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", root, err)
	}
	return out, nil
}
