package generate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrExists means a file Write would replace exists and overwriting was
// not allowed.
var ErrExists = errors.New("file exists")

// Output file names.
const (
	DockerfileName   = "Dockerfile"
	DockerignoreName = ".dockerignore"
)

// Write puts the Dockerfile and .dockerignore into dir, each through a
// temporary file renamed into place. Unless force is set it refuses (with
// ErrExists, before writing anything) when either file exists.
func Write(dir string, f Files, force bool) ([]string, error) {
	files := []struct {
		name string
		data []byte
	}{{DockerfileName, f.Dockerfile}, {DockerignoreName, f.Dockerignore}}
	if !force {
		for _, x := range files {
			p := filepath.Join(dir, x.name)
			if _, err := os.Lstat(p); err == nil {
				return nil, fmt.Errorf("%w: %s (use --force to replace it)", ErrExists, p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("checking %s: %w", p, err)
			}
		}
	}
	var written []string
	for _, x := range files {
		p := filepath.Join(dir, x.name)
		if err := writeAtomic(p, x.data); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}

// writeAtomic writes data to path through a temporary file in the same
// directory, synced and renamed into place.
func writeAtomic(path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
