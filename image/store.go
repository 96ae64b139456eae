package image

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// store gives access to the files of an image layout or archive by
// slash-separated names relative to its root ("index.json",
// "blobs/sha256/…"). Files are reopened for every read, so a store holds no
// open descriptors and needs no closing.
type store interface {
	// open returns the file's content and size. A missing file is an error
	// matching fs.ErrNotExist.
	open(name string) (io.ReadCloser, int64, error)
	// String names the store in errors ("oci:DIR", "oci-archive:FILE").
	String() string
}

// dirStore is an OCI layout directory. Reads cannot escape it: names are
// resolved with os.Root, which refuses symlinks pointing outside.
type dirStore string

func (d dirStore) String() string { return "oci:" + string(d) }

func (d dirStore) open(name string) (io.ReadCloser, int64, error) {
	if fi, err := os.Stat(string(d)); err == nil && !fi.IsDir() {
		return nil, 0, fmt.Errorf("%s: %s is a file, not an OCI layout directory (a tar of one is oci-archive:%s, a docker save tar docker-archive:%s): %w",
			d, string(d), string(d), string(d), ErrInvalidImage)
	}
	root, err := os.OpenRoot(string(d))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, 0, fmt.Errorf("opening layout directory %s: %w: %w", string(d), err, ErrNotFound)
		}
		return nil, 0, fmt.Errorf("opening layout directory %s: %w", string(d), err)
	}
	defer root.Close()
	f, err := root.Open(name)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) && strings.Contains(err.Error(), "escapes") {
			// os.Root refuses a symlink or ".." leading out of the layout.
			return nil, 0, fmt.Errorf("%s: %s leads outside the layout directory: %w", d, name, ErrInvalidImage)
		}
		return nil, 0, fmt.Errorf("%s: %w", d, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("%s: %w", d, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, 0, fmt.Errorf("%s: %s is not a regular file: %w", d, name, ErrInvalidImage)
	}
	return f, fi.Size(), nil
}

// member is one entry of an indexed tar.
type member struct {
	offset, size int64
	typeflag     byte
	linkname     string
}

// tarStore serves the members of an uncompressed tar as sections of the
// file, from an index of member offsets built once.
type tarStore struct {
	transport string
	path      string
	fi        fs.FileInfo
	members   map[string]member
}

func (t *tarStore) String() string { return t.transport + ":" + t.path }

// maxMembers bounds the index of a hostile archive.
const maxMembers = 1 << 20

// indexTar reads the headers of the tar at p (seeking over content) and
// records where each member's data starts.
func indexTar(transport, p string) (*tarStore, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("opening %s archive: %w", transport, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("opening %s archive: %w", transport, err)
	}
	if fi.IsDir() {
		hint := ""
		if transport == TransportOCIArchive {
			hint = " (use oci:" + p + " for a layout directory)"
		}
		return nil, fmt.Errorf("%s:%s is a directory%s: %w", transport, p, hint, ErrInvalidImage)
	}
	t := &tarStore{transport: transport, path: p, fi: fi, members: map[string]member{}}

	var magic [4]byte
	n, _ := io.ReadFull(f, magic[:])
	switch {
	case n >= 2 && bytes.Equal(magic[:2], []byte{0x1f, 0x8b}):
		return nil, t.errorf("is gzip-compressed; %s needs an uncompressed tar (gunzip it first)", transport)
	case n == 4 && bytes.Equal(magic[:], []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return nil, t.errorf("is zstd-compressed; %s needs an uncompressed tar (unzstd it first)", transport)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("reading %s: %w", t, err)
	}

	tr := tar.NewReader(f)
	last := ""
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			switch {
			case last == "" && errors.Is(err, tar.ErrHeader):
				return nil, t.errorf("is not a tar archive")
			case errors.Is(err, io.ErrUnexpectedEOF):
				return nil, t.errorf("is truncated after member %q", last)
			case last == "":
				return nil, t.errorf("reading first tar header: %v", err)
			}
			return nil, t.errorf("reading tar header after member %q: %v", last, err)
		}
		off, err := f.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", t, err)
		}
		name, ok := cleanMember(hdr.Name)
		if !ok {
			return nil, t.errorf("member %q has an unsafe name", hdr.Name)
		}
		last = hdr.Name
		if hdr.Typeflag == tar.TypeDir || hdr.Typeflag == tar.TypeXGlobalHeader {
			continue
		}
		// Links, devices and fifos are recorded too, so that reading them
		// gives a clear error instead of "no such member".
		for k := range hdr.PAXRecords {
			if strings.HasPrefix(k, "GNU.sparse.") {
				return nil, t.errorf("member %q is a sparse file, which is not supported", hdr.Name)
			}
		}
		if hdr.Typeflag == tar.TypeReg && off+hdr.Size > fi.Size() {
			return nil, t.errorf("is truncated: member %q needs %d bytes at offset %d, file has %d", hdr.Name, hdr.Size, off, fi.Size())
		}
		if _, dup := t.members[name]; dup {
			return nil, t.errorf("member %q appears more than once", hdr.Name)
		}
		if len(t.members) >= maxMembers {
			return nil, t.errorf("has more than %d members", maxMembers)
		}
		t.members[name] = member{offset: off, size: hdr.Size, typeflag: hdr.Typeflag, linkname: hdr.Linkname}
	}
	if len(t.members) == 0 {
		return nil, t.errorf("is empty or not a tar archive")
	}
	return t, nil
}

func (t *tarStore) errorf(format string, args ...any) error {
	return fmt.Errorf("%s %s: %w", t, fmt.Sprintf(format, args...), ErrInvalidImage)
}

// cleanMember normalises a tar member name ("./blobs//x" → "blobs/x") and
// rejects absolute names and names that climb out with "..".
func cleanMember(n string) (string, bool) {
	if n == "" || strings.HasPrefix(n, "/") || strings.Contains(n, "\\") {
		return "", false
	}
	c := path.Clean(n)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", false
	}
	return c, true
}

func (t *tarStore) open(name string) (io.ReadCloser, int64, error) {
	m, ok := t.members[name]
	if !ok {
		return nil, 0, fmt.Errorf("%s has no member %s: %w", t, name, fs.ErrNotExist)
	}
	switch m.typeflag {
	case tar.TypeReg:
	case tar.TypeSymlink, tar.TypeLink:
		return nil, 0, t.errorf("member %s is a link to %q; links are not followed", name, m.linkname)
	default:
		return nil, 0, t.errorf("member %s is not a regular file (type %q)", name, m.typeflag)
	}
	f, err := os.Open(t.path)
	if err != nil {
		return nil, 0, fmt.Errorf("reopening %s: %w", t, err)
	}
	fi, err := f.Stat()
	if err != nil || !os.SameFile(fi, t.fi) || fi.Size() != t.fi.Size() {
		f.Close()
		return nil, 0, t.errorf("changed while it was being read")
	}
	return sectionReadCloser{io.NewSectionReader(f, m.offset, m.size), f}, m.size, nil
}

type sectionReadCloser struct {
	*io.SectionReader
	f *os.File
}

func (s sectionReadCloser) Close() error { return s.f.Close() }
