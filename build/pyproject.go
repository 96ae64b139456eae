package build

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the [tool.pyimg.build] table of pyproject.toml. Options given
// to Run override it.
type Config struct {
	// Base is the base image reference.
	Base string `toml:"base"`
	// Include lists files and directories, relative to the project, copied
	// into the working directory in the last layer.
	Include []string `toml:"include"`
	// Entrypoint overrides the console script chosen as entrypoint.
	Entrypoint []string `toml:"entrypoint"`
	// Ports are exposed ports ("8000", "8000/tcp").
	Ports []string `toml:"ports"`
	// WorkingDir is the image's working directory (default /app).
	WorkingDir string `toml:"workdir"`
	// User is the numeric user (default 65532).
	User string `toml:"user"`
	// Env adds "KEY=value" variables.
	Env []string `toml:"env"`
}

// pyprojectMeta is what build reads of pyproject.toml's [project].
type pyprojectMeta struct {
	Name           string            `toml:"name"`
	Version        string            `toml:"version"`
	Description    string            `toml:"description"`
	RequiresPython string            `toml:"requires-python"`
	Dependencies   []string          `toml:"dependencies"`
	Scripts        map[string]string `toml:"scripts"`
	GUIScripts     map[string]string `toml:"gui-scripts"`
	Dynamic        []string          `toml:"dynamic"`
}

type pyprojectFile struct {
	Project pyprojectMeta `toml:"project"`
	Tool    struct {
		Pyimg struct {
			Build Config `toml:"build"`
		} `toml:"pyimg"`
	} `toml:"tool"`
}

// readPyproject reads dir/pyproject.toml; a missing file gives zero values.
func readPyproject(dir string) (*pyprojectFile, bool, error) {
	file := filepath.Join(dir, "pyproject.toml")
	b, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return &pyprojectFile{}, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading %s: %w", file, err)
	}
	var p pyprojectFile
	if _, err := toml.Decode(string(b), &p); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, false, &InputError{File: file, Line: pe.Position.Line, Err: errors.New(pe.Message)}
		}
		return nil, false, &InputError{File: file, Err: err}
	}
	for _, inc := range p.Tool.Pyimg.Build.Include {
		if inc == "" || filepath.IsAbs(inc) || strings.HasPrefix(filepath.Clean(inc), "..") {
			return nil, false, &InputError{File: file, Err: fmt.Errorf("[tool.pyimg.build] include %q must be a path inside the project", inc)}
		}
	}
	return &p, true, nil
}
