// Package safefile reads files a user names (Dockerfiles, configs, ignore
// files) without trusting them: a file is stat'ed first, anything but a
// regular file (a directory, a device such as /dev/zero, a FIFO, a socket)
// is refused, and the read goes through a size limit, so a symlink to
// /dev/zero or a huge sparse file costs nothing.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Errors matched with errors.Is.
var (
	// ErrNotRegular means the path names something other than a regular
	// file (after following symbolic links).
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge means the file is larger than the caller's limit.
	ErrTooLarge = errors.New("file too large")
)

// Read returns the content of the regular file at path, at most limit
// bytes. Errors name the path; a missing file matches fs.ErrNotExist.
func Read(path string, limit int64) ([]byte, error) {
	// Stat before opening: opening a FIFO blocks until a writer comes.
	if err := Check(path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	return ReadOpen(f, path, limit)
}

// ReadOpen is Read for a file the caller opened (named path in errors).
func ReadOpen(f *os.File, path string, limit int64) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("reading %s: it is %s: %w", path, describe(fi.Mode()), ErrNotRegular)
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("reading %s: %d bytes is over the limit of %d bytes: %w", path, fi.Size(), limit, ErrTooLarge)
	}
	// The file may grow between Stat and the read.
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("reading %s: over the limit of %d bytes: %w", path, limit, ErrTooLarge)
	}
	return b, nil
}

// Check reports an error when path does not name a regular file; a
// missing file matches fs.ErrNotExist.
func Check(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("reading %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("reading %s: it is %s: %w", path, describe(fi.Mode()), ErrNotRegular)
	}
	return nil
}

func describe(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a block device"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return "not a regular file"
}
