package build

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/pyimg/pyimg/build/layer"
	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/build/wheelinstall"
)

// venvEntries returns the skeleton of a virtual environment at prefix for
// the target's interpreter, as `python -m venv --without-pip` lays it out:
// pyvenv.cfg, bin/python* links to the base interpreter, an empty
// site-packages and the lib64 link.
func venvEntries(prefix string, t *target.Target) []layer.Entry {
	version := t.PythonFullVersion
	if version == "" {
		version = t.PythonVersion
	}
	cfg := fmt.Sprintf("home = %s\ninclude-system-site-packages = false\nversion = %s\nexecutable = %s\ncommand = %s -m venv --without-pip %s\n",
		path.Dir(t.Interpreter), version, t.Interpreter, t.Interpreter, prefix)
	xy := "python" + t.PythonVersion
	return []layer.Entry{
		bytesEntry(path.Join(prefix, "pyvenv.cfg"), []byte(cfg), 0o644),
		{Path: path.Join(prefix, "bin"), Type: layer.Dir},
		{Path: path.Join(prefix, "bin", "python"), Type: layer.Symlink, Linkname: t.Interpreter},
		{Path: path.Join(prefix, "bin", "python3"), Type: layer.Symlink, Linkname: "python"},
		{Path: path.Join(prefix, "bin", xy), Type: layer.Symlink, Linkname: "python"},
		{Path: path.Join(prefix, "include"), Type: layer.Dir},
		{Path: wheelinstall.SitePackages(prefix, t.PythonVersion), Type: layer.Dir},
		{Path: path.Join(prefix, "lib64"), Type: layer.Symlink, Linkname: "lib"},
	}
}

func bytesEntry(p string, b []byte, mode fs.FileMode) layer.Entry {
	return layer.Entry{Path: p, Type: layer.File, Mode: mode, Size: int64(len(b)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(b))), nil }}
}

// installedEntries turns installed wheel files into layer entries.
func installedEntries(files []*wheelinstall.File) []layer.Entry {
	out := make([]layer.Entry, 0, len(files))
	for _, f := range files {
		out = append(out, layer.Entry{Path: f.Path, Type: layer.File, Mode: f.Mode, Size: f.Size, Open: f.Open})
	}
	return out
}

func openFile(p string) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return os.Open(p) }
}
