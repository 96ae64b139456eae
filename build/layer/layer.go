// Package layer writes deterministic image layers: the same entries give
// the same bytes whatever the host, its umask, time zone or temporary
// directory. Entries are sorted by path with every parent directory present,
// owned by numeric uid and gid 0, with fixed modes (0755 for directories and
// executables, 0644 for other files), one modification time
// (SOURCE_DATE_EPOCH or a fixed epoch) and no access or change times; the
// tar is USTAR unless a name needs PAX, and the gzip stream has no name, a
// zero time and a fixed level.
package layer

import (
	"archive/tar"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
)

// Type is the kind of an entry.
type Type uint8

// Entry types.
const (
	File Type = iota
	Dir
	Symlink
)

// Entry is one file, directory or symbolic link of a layer.
type Entry struct {
	// Path is the absolute path in the image ("/opt/venv/bin/app").
	Path string
	Type Type
	// Mode's executable bits select 0755 over 0644 for files; other bits
	// are ignored.
	Mode fs.FileMode
	// Size is the content length of a file.
	Size int64
	// Linkname is a symbolic link's target.
	Linkname string
	// Open returns a file's content, which must be exactly Size bytes.
	Open func() (io.ReadCloser, error)
}

// EpochUnix is the modification time, in seconds since 1970, of every entry
// when no other is given: 1980-01-01T00:00:01Z, just after the earliest
// time a zip file (and so a wheel) can record, so that files copied out of
// the image can be zipped again.
const EpochUnix = 315532801

// Level is the gzip compression level of every layer.
const Level = 6

// ErrEntry means an entry is malformed: a relative or unclean path, two
// entries at one path, a file below a non-directory, content of the wrong
// size.
var ErrEntry = errors.New("invalid layer entry")

// Written describes a written layer.
type Written struct {
	// Digest is the sha256 of the compressed stream, Size its length.
	Digest string
	Size   int64
	// DiffID is the sha256 of the uncompressed tar, TarSize its length.
	DiffID  string
	TarSize int64
	// Entries counts the tar entries, directories included.
	Entries int
	// Bytes is the sum of the files' sizes.
	Bytes int64
}

// Option configures Write.
type Option func(*options)

type options struct {
	mtime time.Time
}

// WithModTime sets every entry's modification time (default EpochUnix). It is
// truncated to seconds.
func WithModTime(t time.Time) Option {
	return func(o *options) {
		if !t.IsZero() {
			o.mtime = t.UTC().Truncate(time.Second)
		}
	}
}

// Write writes the gzip-compressed tar of entries to w, adding missing
// parent directories and sorting by path.
func Write(w io.Writer, entries []Entry, opts ...Option) (*Written, error) {
	o := options{mtime: time.Unix(EpochUnix, 0).UTC()}
	for _, opt := range opts {
		opt(&o)
	}
	all, err := complete(entries)
	if err != nil {
		return nil, err
	}
	digest := sha256.New()
	cw := &countWriter{w: io.MultiWriter(w, digest)}
	gz, err := gzip.NewWriterLevel(cw, Level)
	if err != nil {
		return nil, fmt.Errorf("creating gzip writer: %w", err)
	}
	gz.ModTime = time.Unix(0, 0) // klauspost writes the zero Time's seconds otherwise
	diffID := sha256.New()
	tc := &countWriter{w: io.MultiWriter(gz, diffID)}
	tw := tar.NewWriter(tc)
	res := &Written{Entries: len(all)}
	for _, e := range all {
		if err := writeEntry(tw, e, o.mtime); err != nil {
			return nil, err
		}
		res.Bytes += e.Size
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("closing tar: %w", err)
	}
	if err := gz.Close(); err != nil {
		return nil, fmt.Errorf("closing gzip: %w", err)
	}
	res.Digest, res.DiffID, res.Size, res.TarSize = hexDigest(digest), hexDigest(diffID), cw.n, tc.n
	return res, nil
}

func hexDigest(h hash.Hash) string { return fmt.Sprintf("sha256:%x", h.Sum(nil)) }

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// complete checks entries, adds missing parent directories and sorts them.
func complete(entries []Entry) ([]Entry, error) {
	byPath := make(map[string]Entry, len(entries))
	for _, e := range entries {
		if e.Path == "/" || !strings.HasPrefix(e.Path, "/") || path.Clean(e.Path) != e.Path {
			return nil, fmt.Errorf("%w: path %q is not absolute and clean", ErrEntry, e.Path)
		}
		if prev, dup := byPath[e.Path]; dup {
			if prev.Type == Dir && e.Type == Dir {
				continue
			}
			return nil, fmt.Errorf("%w: two entries at %s", ErrEntry, e.Path)
		}
		byPath[e.Path] = e
	}
	for _, e := range entries {
		for d := path.Dir(e.Path); d != "/"; d = path.Dir(d) {
			p, ok := byPath[d]
			if ok && p.Type != Dir {
				return nil, fmt.Errorf("%w: %s is below %s, which is not a directory", ErrEntry, e.Path, d)
			}
			if ok {
				break
			}
			byPath[d] = Entry{Path: d, Type: Dir}
		}
	}
	out := make([]Entry, 0, len(byPath))
	for _, e := range byPath {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func writeEntry(tw *tar.Writer, e Entry, mtime time.Time) error {
	hdr := &tar.Header{
		Name:    strings.TrimPrefix(e.Path, "/"),
		ModTime: mtime,
		Mode:    0o644,
	}
	switch e.Type {
	case Dir:
		hdr.Typeflag, hdr.Mode, hdr.Name = tar.TypeDir, 0o755, hdr.Name+"/"
	case Symlink:
		hdr.Typeflag, hdr.Mode, hdr.Linkname = tar.TypeSymlink, 0o777, e.Linkname
	case File:
		hdr.Typeflag, hdr.Size = tar.TypeReg, e.Size
		if e.Mode&0o111 != 0 {
			hdr.Mode = 0o755
		}
	default:
		return fmt.Errorf("%w: %s has unknown type %d", ErrEntry, e.Path, e.Type)
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("writing tar header for %s: %w", e.Path, err)
	}
	if e.Type != File || e.Size == 0 && e.Open == nil {
		return nil
	}
	if e.Open == nil {
		return fmt.Errorf("%w: %s has no content", ErrEntry, e.Path)
	}
	rc, err := e.Open()
	if err != nil {
		return fmt.Errorf("opening %s: %w", e.Path, err)
	}
	defer rc.Close()
	n, err := io.Copy(tw, rc)
	if err != nil {
		if errors.Is(err, tar.ErrWriteTooLong) {
			return fmt.Errorf("%w: %s is longer than its size %d", ErrEntry, e.Path, e.Size)
		}
		return fmt.Errorf("copying %s: %w", e.Path, err)
	}
	if n != e.Size {
		return fmt.Errorf("%w: %s has %d bytes, its size says %d", ErrEntry, e.Path, n, e.Size)
	}
	return nil
}
