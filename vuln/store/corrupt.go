package store

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime/debug"

	bolterrors "go.etcd.io/bbolt/errors"
)

// ErrCorrupt matches a *CorruptError: the database file is damaged.
var ErrCorrupt = errors.New("vulnerability database is damaged")

// CorruptError reports a damaged database file: truncated, zero-length,
// overwritten, or with pages bbolt refuses or panics on.
type CorruptError struct {
	Path   string
	Detail string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("vulnerability database %s is damaged (%s); rebuild it with 'pyimg db update' (or 'pyimg db import PATH')", e.Path, e.Detail)
}

// Is reports whether target is ErrCorrupt.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// minFileSize is the smallest valid bbolt file: two meta pages, a freelist
// page and a root leaf, of at least 512 bytes each.
const minFileSize = 4 * 512

// checkFile refuses what is not a database file before bbolt maps it.
func checkFile(path string, fi fs.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return &CorruptError{Path: path, Detail: "not a regular file"}
	}
	if fi.Size() < minFileSize {
		return &CorruptError{Path: path, Detail: fmt.Sprintf("%d bytes is too small for a database", fi.Size())}
	}
	return nil
}

// guard turns a panic of bbolt on a damaged file, or a fault on a mapped
// page of a file truncated under it, into a CorruptError in *errp. Defer it
// first in every function that reads the file.
func guard(path string, errp *error) {
	if r := recover(); r != nil {
		*errp = &CorruptError{Path: path, Detail: fmt.Sprint(r)}
	}
}

// faultsPanic makes a memory fault on the mapped file a recoverable panic
// for the calling goroutine; call the returned func to restore.
func faultsPanic() func() {
	old := debug.SetPanicOnFault(true)
	return func() { debug.SetPanicOnFault(old) }
}

func isBoltCorruption(err error) bool {
	return errors.Is(err, bolterrors.ErrInvalid) || errors.Is(err, bolterrors.ErrChecksum) ||
		errors.Is(err, bolterrors.ErrVersionMismatch) || errors.Is(err, bolterrors.ErrInvalidMapping)
}
