package osv

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// MaxRecordSize bounds one JSON record; the largest real OSV records are a
// few hundred KiB.
const MaxRecordSize = 16 << 20

// ReadPath calls fn for every record in path: an OSV JSON file, a zip of
// them (such as OSV's all.zip) or a directory tree of them. Files whose
// names do not end in .json are skipped inside zips and directories. A
// malformed record stops the read with an *Error naming the file (and the
// zip member).
func ReadPath(ctx context.Context, path string, fn func(*Record) error) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if st.IsDir() {
		return readDir(ctx, path, fn)
	}
	if isZip(path) {
		return ReadZip(ctx, path, fn)
	}
	return readFile(path, fn)
}

func isZip(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil {
		return strings.HasSuffix(strings.ToLower(path), ".zip")
	}
	return string(magic[:]) == "PK\x03\x04" || string(magic[:]) == "PK\x05\x06" || strings.HasSuffix(strings.ToLower(path), ".zip")
}

func readFile(path string, fn func(*Record) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxRecordSize+1))
	if err != nil {
		return &Error{File: path, Err: err}
	}
	if len(data) > MaxRecordSize {
		return &Error{File: path, Err: fmt.Errorf("%w: larger than %d bytes", ErrInvalid, MaxRecordSize)}
	}
	rec, err := Parse(data)
	if err != nil {
		return &Error{File: path, Err: err}
	}
	return fn(rec)
}

func readDir(ctx context.Context, dir string, fn func(*Record) error) error {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(strings.ToLower(d.Name()), ".json") {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, p := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := readFile(p, fn); err != nil {
			return err
		}
	}
	return nil
}

// ReadZip calls fn for every .json member of the zip file at path. Members
// are decompressed one at a time; the archive is never held in memory.
func ReadZip(ctx context.Context, path string, fn func(*Record) error) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return &Error{File: path, Err: fmt.Errorf("%w: reading zip: %v", ErrInvalid, err)}
	}
	defer zr.Close()
	buf := make([]byte, 0, 64<<10)
	for _, zf := range zr.File {
		if err := ctx.Err(); err != nil {
			return err
		}
		if zf.FileInfo().IsDir() || !strings.HasSuffix(strings.ToLower(zf.Name), ".json") {
			continue
		}
		if zf.UncompressedSize64 > MaxRecordSize {
			return &Error{File: path, Member: zf.Name, Err: fmt.Errorf("%w: larger than %d bytes", ErrInvalid, MaxRecordSize)}
		}
		buf, err = readMember(zf, buf[:0])
		if err != nil {
			return &Error{File: path, Member: zf.Name, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
		}
		rec, err := Parse(buf)
		if err != nil {
			return &Error{File: path, Member: zf.Name, Err: err}
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	return nil
}

func readMember(zf *zip.File, buf []byte) ([]byte, error) {
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	w := sliceWriter{buf}
	n, err := io.Copy(&w, io.LimitReader(rc, MaxRecordSize+1))
	if err != nil {
		return nil, err
	}
	if n > MaxRecordSize {
		return nil, errors.New("member larger than its header says")
	}
	return w.b, nil
}

type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}
