package generate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/pyimg/pyimg/internal/atomicfile"
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
		if err := atomicfile.WriteFile(p, x.data, 0o644); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}
