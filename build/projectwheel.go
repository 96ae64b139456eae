package build

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyimg/pyimg/pydist"
)

// maxProjectBytes bounds the source files read for a project built from
// its directory.
const maxProjectBytes = 512 << 20

// sourceWheel builds, in memory, the wheel of a pure-Python project in src
// or flat layout from its pyproject.toml: its package (or module) and a
// dist-info with METADATA, WHEEL, entry_points.txt and RECORD. It returns
// the wheel's bytes and file name.
func sourceWheel(dir string, meta pyprojectMeta) ([]byte, string, error) {
	pyproject := filepath.Join(dir, "pyproject.toml")
	if meta.Name == "" {
		return nil, "", &InputError{File: pyproject, Err: errors.New("[project] name is missing: build needs it, or a --project-wheel")}
	}
	for _, d := range meta.Dynamic {
		if d == "version" {
			return nil, "", &InputError{File: pyproject, Err: errors.New("[project] version is dynamic: build the project's wheel and pass it with --project-wheel")}
		}
	}
	if meta.Version == "" {
		return nil, "", &InputError{File: pyproject, Err: errors.New("[project] version is missing: build needs it, or a --project-wheel")}
	}
	mod := strings.ReplaceAll(pydist.NormalizeName(meta.Name), "-", "_")
	var files map[string][]byte
	var err error
	var found string
	for _, cand := range []string{filepath.Join("src", mod), mod} {
		p := filepath.Join(dir, cand)
		if st, serr := os.Stat(filepath.Join(p, "__init__.py")); serr == nil && st.Mode().IsRegular() {
			files, err = readPackage(p, mod)
			found = cand
			break
		}
		if st, serr := os.Stat(p + ".py"); serr == nil && st.Mode().IsRegular() {
			var b []byte
			b, err = os.ReadFile(p + ".py")
			files = map[string][]byte{mod + ".py": b}
			found = cand + ".py"
			break
		}
	}
	if err != nil {
		return nil, "", err
	}
	if found == "" {
		return nil, "", &InputError{File: pyproject, Err: fmt.Errorf("no package for project %q: looked for src/%s/__init__.py, %s/__init__.py, src/%s.py and %s.py; for another layout pass the project's wheel with --project-wheel", meta.Name, mod, mod, mod, mod)}
	}
	distName := strings.ReplaceAll(pydist.NormalizeName(meta.Name), "-", "_")
	distInfo := distName + "-" + meta.Version + ".dist-info"
	files[distInfo+"/METADATA"] = metadata(meta)
	files[distInfo+"/WHEEL"] = []byte("Wheel-Version: 1.0\nGenerator: pyimg\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
	if ep := entryPoints(meta); ep != nil {
		files[distInfo+"/entry_points.txt"] = ep
	}
	b, err := zipWheel(files, distInfo)
	if err != nil {
		return nil, "", fmt.Errorf("writing the project's wheel: %w", err)
	}
	return b, distName + "-" + meta.Version + "-py3-none-any.whl", nil
}

// readPackage reads the files of a package directory, refusing anything
// that is not pure Python source or data.
func readPackage(root, mod string) (map[string][]byte, error) {
	files := map[string][]byte{}
	var total int64
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == "__pycache__" || (p != root && strings.HasPrefix(name, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(name, ".pyc") || strings.HasPrefix(name, ".") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = mod + "/" + filepath.ToSlash(rel)
		switch path.Ext(name) {
		case ".c", ".cc", ".cpp", ".pyx", ".pxd", ".so", ".pyd", ".rs":
			return &InputError{File: p, Err: errors.New("the project is not pure Python: build its wheel and pass it with --project-wheel")}
		}
		if !d.Type().IsRegular() {
			return &InputError{File: p, Err: errors.New("not a regular file (links are not copied into the project layer)")}
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if total += int64(len(b)); total > maxProjectBytes {
			return &InputError{File: root, Err: fmt.Errorf("package is larger than %d MiB", maxProjectBytes>>20)}
		}
		files[rel] = b
		return nil
	})
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, err
		}
		return nil, fmt.Errorf("reading package %s: %w", root, err)
	}
	return files, nil
}

// metadata writes core metadata 2.1 from [project].
func metadata(m pyprojectMeta) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", m.Name, m.Version)
	if m.Description != "" {
		fmt.Fprintf(&b, "Summary: %s\n", strings.ReplaceAll(m.Description, "\n", " "))
	}
	if m.RequiresPython != "" {
		fmt.Fprintf(&b, "Requires-Python: %s\n", m.RequiresPython)
	}
	for _, d := range m.Dependencies {
		fmt.Fprintf(&b, "Requires-Dist: %s\n", d)
	}
	return b.Bytes()
}

// entryPoints writes entry_points.txt from [project.scripts] and
// [project.gui-scripts], or nil when there are none.
func entryPoints(m pyprojectMeta) []byte {
	if len(m.Scripts) == 0 && len(m.GUIScripts) == 0 {
		return nil
	}
	var b bytes.Buffer
	for _, g := range []struct {
		name string
		eps  map[string]string
	}{{"console_scripts", m.Scripts}, {"gui_scripts", m.GUIScripts}} {
		if len(g.eps) == 0 {
			continue
		}
		fmt.Fprintf(&b, "[%s]\n", g.name)
		names := make([]string, 0, len(g.eps))
		for n := range g.eps {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(&b, "%s = %s\n", n, g.eps[n])
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

// zipWheel zips files (sorted) with a RECORD in distInfo.
func zipWheel(files map[string][]byte, distInfo string) ([]byte, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf, record bytes.Buffer
	zw := zip.NewWriter(&buf)
	write := func(n string, b []byte) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate})
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	for _, n := range names {
		if err := write(n, files[n]); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(files[n])
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", csvQuote(n), base64.RawURLEncoding.EncodeToString(sum[:]), len(files[n]))
	}
	fmt.Fprintf(&record, "%s/RECORD,,\n", distInfo)
	if err := write(distInfo+"/RECORD", record.Bytes()); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func csvQuote(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
