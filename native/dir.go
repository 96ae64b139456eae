package native

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/pyimg/pyimg/layers"
)

// ErrNotDir is returned by Dir when the path is not a directory.
var ErrNotDir = errors.New("not a directory")

// Dir computes the report of a local directory: a root filesystem (it has
// etc or usr) or a virtual environment or prefix (it has pyvenv.cfg, or
// neither etc nor usr; then sonames not found inside it are listed as
// External, not Missing). The
// directory is read as a single layer: entries come from os.Lstat, symlinks
// are recorded and resolved inside the directory, never followed on the
// host, so nothing outside the root is read.
func Dir(ctx context.Context, root string, opts ...Option) (*Result, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("reading directory %s: %w", root, err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("reading directory %s: %w", root, ErrNotDir)
	}
	label := root
	// The root itself may be a symlink (a venv linked into place); what is
	// below it is never followed.
	if root, err = filepath.EvalSymlinks(root); err != nil {
		return nil, fmt.Errorf("reading directory %s: %w", label, err)
	}
	venv := true
	for _, d := range []string{"etc", "usr"} {
		if _, err := os.Lstat(filepath.Join(root, d)); err == nil {
			venv = false
		}
	}
	if _, err := os.Lstat(filepath.Join(root, "pyvenv.cfg")); err == nil {
		venv = true
	}
	// A venv or prefix keeps its own absolute path, so site-packages and
	// lib-dynload are recognised and $ORIGIN expands as it will in the
	// image; a root filesystem is mounted at "/".
	mount := "/"
	if venv {
		abs, err := filepath.Abs(root)
		if err != nil {
			return nil, fmt.Errorf("reading directory %s: %w", root, err)
		}
		mount = filepath.ToSlash(abs)
	}
	opts = append([]Option{WithLabel(label)}, opts...)
	v := New(nil, opts...)
	lv := v.VisitLayer(layers.Layer{Index: 0})
	var stats layers.Stats
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("walking %s: %w", p, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return fmt.Errorf("walking %s: %w", p, err)
		}
		if rel == "." {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		e := &layers.Entry{Path: path.Join(mount, filepath.ToSlash(rel)), Name: filepath.ToSlash(rel), Mode: info.Mode().Perm(), ModTime: info.ModTime()}
		switch m := info.Mode(); {
		case m.IsRegular():
			e.Type, e.Size = layers.TypeFile, info.Size()
		case m.IsDir():
			e.Type = layers.TypeDir
		case m&fs.ModeSymlink != 0:
			e.Type = layers.TypeSymlink
			if e.Linkname, err = os.Readlink(p); err != nil {
				return fmt.Errorf("reading link %s: %w", p, err)
			}
		default:
			return nil // devices, fifos, sockets carry nothing for us
		}
		stats.Entries++
		var content []byte
		if want := lv.Want(e); want > 0 && e.Type == layers.TypeFile {
			if content, err = readPrefix(p, min(want, e.Size)); err != nil {
				return err
			}
		}
		return lv.Entry(e, content)
	})
	if err != nil {
		return nil, fmt.Errorf("reading directory %s: %w", root, err)
	}
	if err := lv.Done(stats); err != nil {
		return nil, err
	}
	ls, err := v.orderedLayers()
	if err != nil {
		return nil, err
	}
	inv, err := v.inv.Result()
	if err != nil {
		return nil, err
	}
	res := build(stack(ls), input{inv: inv, label: v.opts.label, venv: venv})
	res.Truncated = v.truncated
	return res, nil
}

func readPrefix(p string, n int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, n))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	return b, nil
}
