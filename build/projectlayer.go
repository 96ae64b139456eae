package build

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pyimg/pyimg/build/layer"
	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/build/wheelinstall"
)

// projectLayer installs the project (its wheel, or one built in memory from
// its sources) into the venv and writes the layer into cacheDir/layers.
func projectLayer(dir, projectWheel string, meta pyprojectMeta, t *target.Target, prefix, workdir string, mtime time.Time, cacheDir string) (*builtLayer, error) {
	var data []byte
	var name string
	if projectWheel != "" {
		b, err := os.ReadFile(projectWheel)
		if err != nil {
			return nil, &InputError{File: projectWheel, Err: fmt.Errorf("reading the project wheel: %w", err)}
		}
		data, name = b, filepath.Base(projectWheel)
	} else {
		var err error
		data, name, err = sourceWheel(dir, meta)
		if err != nil {
			return nil, err
		}
	}
	res, err := wheelinstall.Install(bytes.NewReader(data), int64(len(data)), name,
		wheelinstall.WithPrefix(prefix), wheelinstall.WithPythonVersion(t.PythonVersion))
	if err != nil {
		return nil, err
	}
	entries := installedEntries(res.Files)
	if workdir != "" && workdir != "/" {
		entries = append(entries, layer.Entry{Path: workdir, Type: layer.Dir})
	}
	written, file, err := layer.WriteFile(filepath.Join(cacheDir, "layers"), entries, layer.WithModTime(mtime))
	if err != nil {
		return nil, fmt.Errorf("writing the project layer: %w", err)
	}
	return &builtLayer{Kind: "project", Written: written, File: file, Dists: []Dist{distOf(res)}}, nil
}

// includeLayer copies the [tool.pyimg.build] include paths of dir into
// workdir, or returns nil when there are none.
func includeLayer(dir string, include []string, workdir string, mtime time.Time, cacheDir string) (*builtLayer, error) {
	if len(include) == 0 {
		return nil, nil
	}
	pyproject := filepath.Join(dir, "pyproject.toml")
	var entries []layer.Entry
	sorted := append([]string(nil), include...)
	sort.Strings(sorted)
	for _, inc := range sorted {
		rel := filepath.ToSlash(filepath.Clean(inc))
		src := filepath.Join(dir, filepath.FromSlash(rel))
		st, err := os.Lstat(src)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &InputError{File: pyproject, Err: fmt.Errorf("[tool.pyimg.build] include %q does not exist", inc)}
		}
		if err != nil {
			return nil, fmt.Errorf("reading include %s: %w", src, err)
		}
		dest := path.Join(workdir, rel)
		if !st.IsDir() {
			if !st.Mode().IsRegular() {
				return nil, &InputError{File: pyproject, Err: fmt.Errorf("[tool.pyimg.build] include %q is not a regular file or directory", inc)}
			}
			entries = append(entries, layer.Entry{Path: dest, Type: layer.File, Mode: st.Mode().Perm(), Size: st.Size(), Open: openFile(src)})
			continue
		}
		es, err := layer.FromDir(src, dest, func(rel string, d fs.DirEntry) bool {
			base := path.Base(rel)
			return base == "__pycache__" || base == ".git" || strings.HasSuffix(base, ".pyc")
		})
		if err != nil {
			return nil, err
		}
		entries = append(entries, es...)
	}
	entries = dedupeDirs(entries)
	written, file, err := layer.WriteFile(filepath.Join(cacheDir, "layers"), entries, layer.WithModTime(mtime))
	if err != nil {
		return nil, fmt.Errorf("writing the include layer: %w", err)
	}
	return &builtLayer{Kind: "include", Written: written, File: file}, nil
}

// dedupeDirs drops file entries listed twice by overlapping includes.
func dedupeDirs(es []layer.Entry) []layer.Entry {
	seen := map[string]bool{}
	out := es[:0]
	for _, e := range es {
		if seen[e.Path] {
			continue
		}
		seen[e.Path] = true
		out = append(out, e)
	}
	return out
}
