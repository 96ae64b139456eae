package pin

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// WriteFile replaces the file at path with data atomically: it writes a
// temporary file in the same directory with the original's mode, syncs it
// and renames it over the original. Temporary files of an earlier write
// that was killed are removed first. A symbolic link is followed, so the
// link stays and its target is replaced. On error the original is untouched.
func WriteFile(path string, data []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	fi, err := os.Stat(target)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	removeStale(dir, base, time.Now())
	tmp, err := os.CreateTemp(dir, "."+base+".pyimg-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	fail := func(err error) error {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(fi.Mode().Perm()); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// staleAfter is how old a temporary file must be to be taken for the
// leftover of a killed write rather than a concurrent one (which lasts
// milliseconds).
const staleAfter = time.Minute

// removeStale deletes the ".BASE.pyimg-*" temporary files in dir that a
// killed WriteFile left behind. Errors are ignored: it is housekeeping.
func removeStale(dir, base string, now time.Time) {
	matches, err := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".pyimg-*"))
	if err != nil {
		return
	}
	for _, m := range matches {
		fi, err := os.Lstat(m)
		if err != nil || !fi.Mode().IsRegular() || now.Sub(fi.ModTime()) < staleAfter {
			continue
		}
		os.Remove(m)
	}
}

// globEscape quotes the pattern characters of filepath.Match in s.
func globEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "[", `\[`).Replace(s)
}
