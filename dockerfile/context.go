package dockerfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Context is what a build sends to the builder: a directory, filtered by
// its ignore file. It is a value; build one with LoadContext or by hand in
// tests.
type Context struct {
	// Dir is the context directory.
	Dir string
	// IgnoreFile is the ignore file in effect ("" if none): either
	// <Dockerfile>.dockerignore next to the Dockerfile or .dockerignore in
	// Dir, as BuildKit picks it.
	IgnoreFile string
	// Ignore are the patterns of IgnoreFile.
	Ignore []string
	// DependencyFiles are the Python dependency files present at the top of
	// Dir (requirements*.txt, pyproject.toml, poetry.lock, uv.lock,
	// Pipfile, Pipfile.lock, setup.py, setup.cfg, pdm.lock), sorted.
	DependencyFiles []string
}

// LoadContext reads the build context dir for the Dockerfile at dockerfile
// (which may be "" or lie outside dir).
func LoadContext(dir, dockerfile string) (*Context, error) {
	c := &Context{Dir: dir}
	candidates := []string{filepath.Join(dir, ".dockerignore")}
	if dockerfile != "" {
		candidates = slices.Insert(candidates, 0, dockerfile+".dockerignore")
	}
	for _, p := range candidates {
		f, err := os.Open(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("opening ignore file: %w", err)
		}
		pats, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
		if _, err := patternmatcher.New(pats); err != nil {
			return nil, fmt.Errorf("reading %s: %w", p, err)
		}
		c.IgnoreFile, c.Ignore = p, pats
		break
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading build context: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() && IsDependencyFile(e.Name()) {
			c.DependencyFiles = append(c.DependencyFiles, e.Name())
		}
	}
	return c, nil
}

// IsDependencyFile reports whether a file name is a Python dependency or
// project file.
func IsDependencyFile(name string) bool {
	switch name {
	case "pyproject.toml", "poetry.lock", "uv.lock", "Pipfile", "Pipfile.lock",
		"setup.py", "setup.cfg", "pdm.lock":
		return true
	}
	return strings.HasPrefix(name, "requirements") && strings.HasSuffix(name, ".txt")
}

// HasIgnoreFile reports whether an ignore file applies.
func (c *Context) HasIgnoreFile() bool { return c != nil && c.IgnoreFile != "" }

// Excludes reports whether the ignore file keeps path (slash-separated,
// relative to Dir) out of the context. Invalid patterns exclude nothing.
func (c *Context) Excludes(path string) bool {
	if c == nil || len(c.Ignore) == 0 {
		return false
	}
	pm, err := patternmatcher.New(c.Ignore)
	if err != nil {
		return false
	}
	ok, err := pm.MatchesOrParentMatches(filepath.FromSlash(path))
	return err == nil && ok
}

// HasDependencyFile reports whether the named file is in DependencyFiles.
func (c *Context) HasDependencyFile(name string) bool {
	return c != nil && slices.Contains(c.DependencyFiles, name)
}
