// Package wheeltest builds real wheel files for tests: pure-Python wheels
// with modules, console and GUI scripts, .data directories and
// Requires-Dist (Pure), C-extension wheels compiled with gcc against the
// host's Python headers (CExtension), and hostile wheels for negative tests
// (Corrupt). The wheels follow the binary distribution format (WHEEL,
// METADATA, entry_points.txt, RECORD with urlsafe-base64 sha256 digests and
// sizes) closely enough for pip to install them, and they are byte-for-byte
// deterministic for the same Spec.
package wheeltest

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Spec describes a wheel to build.
type Spec struct {
	// Name is the distribution name as written in METADATA (e.g. "Hello-World").
	Name string
	// Version is the distribution version.
	Version string
	// BuildTag is the optional build tag (must start with a digit).
	BuildTag string
	// Tag is the (possibly compressed) tag set of the file name, e.g.
	// "py2.py3-none-any". Empty means "py3-none-any" for Pure and the host
	// interpreter's tag for CExtension.
	Tag string
	// Files maps paths relative to the wheel root (purelib or platlib) to
	// their content, e.g. "hello/__init__.py".
	Files map[string]string
	// ConsoleScripts maps script names to "module:function" entry points.
	ConsoleScripts map[string]string
	// GUIScripts maps script names to "module:function" entry points.
	GUIScripts map[string]string
	// Scripts maps names to content under <name>-<version>.data/scripts/.
	// A content starting with "#!python" gets its shebang rewritten by installers.
	Scripts map[string]string
	// Data maps paths to content under <name>-<version>.data/data/.
	Data map[string]string
	// Headers maps paths to content under <name>-<version>.data/headers/.
	Headers map[string]string
	// Purelib and Platlib map paths to content under the .data/purelib and
	// .data/platlib directories.
	Purelib, Platlib map[string]string
	// RequiresDist lists PEP 508 requirements written as Requires-Dist.
	RequiresDist []string
	// RequiresPython is written as Requires-Python when set.
	RequiresPython string
	// Summary is written as Summary when set.
	Summary string
	// RootIsPlatlib writes "Root-Is-Purelib: false" (set by CExtension).
	RootIsPlatlib bool
}

// epoch is the modification time of every zip entry, so that wheels are
// reproducible. Zip cannot represent times before 1980.
var epoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

var escapeRe = regexp.MustCompile(`[-_.]+`)

// EscapeName returns the name as it appears in wheel file names and in the
// .dist-info directory: runs of "-", "_" and "." replaced by one "_".
func EscapeName(name string) string {
	return escapeRe.ReplaceAllString(name, "_")
}

// FileName returns the wheel file name for s with the given tag set.
func FileName(s Spec, tag string) string {
	parts := []string{EscapeName(s.Name), escapeVersion(s.Version)}
	if s.BuildTag != "" {
		parts = append(parts, s.BuildTag)
	}
	return strings.Join(parts, "-") + "-" + tag + ".whl"
}

func escapeVersion(v string) string { return strings.ReplaceAll(v, "-", "_") }

// DistInfo returns the .dist-info directory name of s.
func DistInfo(s Spec) string {
	return EscapeName(s.Name) + "-" + escapeVersion(s.Version) + ".dist-info"
}

// DataDir returns the .data directory name of s.
func DataDir(s Spec) string {
	return EscapeName(s.Name) + "-" + escapeVersion(s.Version) + ".data"
}

// RecordHash returns the RECORD hash field for b: "sha256=" followed by the
// urlsafe base64 digest without padding.
func RecordHash(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// Pure writes a pure-Python wheel for s into dir and returns its path.
func Pure(dir string, s Spec) (string, error) {
	if s.Tag == "" {
		s.Tag = "py3-none-any"
	}
	entries, err := Entries(s)
	if err != nil {
		return "", err
	}
	return Write(dir, FileName(s, s.Tag), entries)
}

// Entry is one file of a wheel archive.
type Entry struct {
	// Name is the path inside the archive.
	Name string
	// Data is the content.
	Data []byte
	// Mode is the file mode stored in the archive (0644 when zero). A mode
	// with os.ModeSymlink makes a symbolic link whose target is Data.
	Mode os.FileMode
}

// Entries returns the files of the wheel described by s, in archive order,
// ending with the dist-info files and RECORD (which lists every other entry
// with its hash and size).
func Entries(s Spec) ([]Entry, error) {
	if s.Name == "" || s.Version == "" {
		return nil, fmt.Errorf("wheeltest: spec needs a name and a version (got %q %q)", s.Name, s.Version)
	}
	if s.Tag == "" {
		s.Tag = "py3-none-any"
	}
	var out []Entry
	add := func(prefix string, m map[string]string, mode os.FileMode) {
		for _, k := range sortedKeys(m) {
			out = append(out, Entry{Name: prefix + k, Data: []byte(m[k]), Mode: mode})
		}
	}
	add("", s.Files, 0)
	data := DataDir(s) + "/"
	add(data+"scripts/", s.Scripts, 0o755)
	add(data+"data/", s.Data, 0)
	add(data+"headers/", s.Headers, 0)
	add(data+"purelib/", s.Purelib, 0)
	add(data+"platlib/", s.Platlib, 0)

	di := DistInfo(s) + "/"
	out = append(out,
		Entry{Name: di + "METADATA", Data: Metadata(s)},
		Entry{Name: di + "WHEEL", Data: wheelFile(s)},
	)
	if ep := entryPoints(s); ep != nil {
		out = append(out, Entry{Name: di + "entry_points.txt", Data: ep})
	}
	top := topLevel(s)
	if top != nil {
		out = append(out, Entry{Name: di + "top_level.txt", Data: top})
	}
	rec, err := Record(out, di+"RECORD")
	if err != nil {
		return nil, err
	}
	return append(out, Entry{Name: di + "RECORD", Data: rec}), nil
}

// Metadata returns the METADATA file of s (core metadata 2.1).
func Metadata(s Spec) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Metadata-Version: 2.1\nName: %s\nVersion: %s\n", s.Name, s.Version)
	if s.Summary != "" {
		fmt.Fprintf(&b, "Summary: %s\n", s.Summary)
	}
	if s.RequiresPython != "" {
		fmt.Fprintf(&b, "Requires-Python: %s\n", s.RequiresPython)
	}
	for _, r := range s.RequiresDist {
		fmt.Fprintf(&b, "Requires-Dist: %s\n", r)
	}
	return b.Bytes()
}

// ExpandTags returns the tags of a compressed tag set: "py2.py3-none-any"
// gives "py2-none-any" and "py3-none-any".
func ExpandTags(set string) []string {
	p := strings.Split(set, "-")
	if len(p) != 3 {
		return []string{set}
	}
	var out []string
	for _, i := range strings.Split(p[0], ".") {
		for _, a := range strings.Split(p[1], ".") {
			for _, pl := range strings.Split(p[2], ".") {
				out = append(out, i+"-"+a+"-"+pl)
			}
		}
	}
	return out
}

func wheelFile(s Spec) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Wheel-Version: 1.0\nGenerator: pyimg-wheeltest\nRoot-Is-Purelib: %t\n", !s.RootIsPlatlib)
	for _, t := range ExpandTags(s.Tag) {
		fmt.Fprintf(&b, "Tag: %s\n", t)
	}
	if s.BuildTag != "" {
		fmt.Fprintf(&b, "Build: %s\n", s.BuildTag)
	}
	return b.Bytes()
}

func entryPoints(s Spec) []byte {
	if len(s.ConsoleScripts) == 0 && len(s.GUIScripts) == 0 {
		return nil
	}
	var b bytes.Buffer
	section := func(name string, m map[string]string) {
		if len(m) == 0 {
			return
		}
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%s]\n", name)
		for _, k := range sortedKeys(m) {
			fmt.Fprintf(&b, "%s = %s\n", k, m[k])
		}
	}
	section("console_scripts", s.ConsoleScripts)
	section("gui_scripts", s.GUIScripts)
	return b.Bytes()
}

func topLevel(s Spec) []byte {
	seen := map[string]bool{}
	for k := range s.Files {
		top, _, _ := strings.Cut(k, "/")
		top = strings.TrimSuffix(top, ".py")
		if i := strings.IndexByte(top, '.'); i > 0 { // extension modules: mod.cpython-311-...so
			top = top[:i]
		}
		if top != "" {
			seen[top] = true
		}
	}
	if len(seen) == 0 {
		return nil
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return []byte(strings.Join(keys, "\n") + "\n")
}

// Record returns a RECORD file listing entries (hash and size) plus the
// RECORD itself (recordName) without hash or size.
func Record(entries []Entry, recordName string) ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, e := range entries {
		if err := w.Write([]string{e.Name, RecordHash(e.Data), fmt.Sprint(len(e.Data))}); err != nil {
			return nil, fmt.Errorf("writing RECORD: %w", err)
		}
	}
	if err := w.Write([]string{recordName, "", ""}); err != nil {
		return nil, fmt.Errorf("writing RECORD: %w", err)
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// Write writes entries as a zip archive named name into dir and returns its
// path. Tests use it to build wheels that Entries cannot describe.
func Write(dir, name string, entries []Entry) (string, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: epoch}
		mode := e.Mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			return "", fmt.Errorf("adding %s to %s: %w", e.Name, name, err)
		}
		if _, err := w.Write(e.Data); err != nil {
			return "", fmt.Errorf("adding %s to %s: %w", e.Name, name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("closing %s: %w", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("writing wheel: %w", err)
	}
	return path, nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
