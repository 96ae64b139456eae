package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	sparse := filepath.Join(dir, "sparse")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(4 << 30); err != nil { // 4 GiB, no blocks
		t.Fatal(err)
	}
	f.Close()
	zero := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want error
		msg  string
	}{
		{small, nil, ""},
		{sparse, ErrTooLarge, "4294967296 bytes is over the limit of 1048576 bytes"},
		{zero, ErrNotRegular, "a character device"},
		{dir, ErrNotRegular, "a directory"},
		{fifo, ErrNotRegular, "a named pipe"},
		{filepath.Join(dir, "missing"), fs.ErrNotExist, "missing"},
	} {
		b, err := Read(tc.path, 1<<20)
		if tc.want == nil {
			if err != nil || string(b) != "hello" {
				t.Errorf("Read(%s) = %q, %v", tc.path, b, err)
			}
			continue
		}
		if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.path) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("Read(%s) = %v, want %v naming the path and %q", tc.path, err, tc.want, tc.msg)
		}
	}
}
