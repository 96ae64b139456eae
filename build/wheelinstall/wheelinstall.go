// Package wheelinstall installs a wheel into a virtual environment at a
// fixed prefix the way pip does, per the binary distribution format
// (https://packaging.python.org/specifications/binary-distribution-format/),
// without Python and without touching the host's file system: the result is
// a list of files to be written into an image layer.
//
// Every file of the wheel is checked against the wheel's RECORD (hash and
// size); a file missing from RECORD, a RECORD row naming a missing file,
// absolute paths, ".." components, links and other special entries are
// refused with an error naming the wheel and the entry. Declared sizes are
// bounded, so a zip bomb costs at most the configured limit.
package wheelinstall

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/pyimg/pyimg/pydist"
)

// Sentinel errors, checked with errors.Is on the *Error returned by Install.
var (
	// ErrUnsafe means an entry's name or type could write outside its
	// destination: an absolute path, "..", a link or a device.
	ErrUnsafe = errors.New("unsafe wheel entry")
	// ErrRecord means the wheel's files and its RECORD disagree.
	ErrRecord = errors.New("wheel does not match its RECORD")
	// ErrInvalid means the wheel is malformed: not a zip, no or several
	// .dist-info directories, a bad WHEEL or entry_points.txt.
	ErrInvalid = errors.New("invalid wheel")
	// ErrLimit means the wheel exceeds a configured limit.
	ErrLimit = errors.New("wheel exceeds a limit")
)

// Error is an installation failure, naming the wheel and, when it concerns
// one entry, that entry.
type Error struct {
	Wheel string // file name of the wheel
	Entry string // name of the zip entry, or "" for the whole wheel
	Err   error  // wraps one of the sentinel errors
}

// Error renders "installing wheel W: entry E: problem".
func (e *Error) Error() string {
	if e.Entry == "" {
		return fmt.Sprintf("installing wheel %s: %v", e.Wheel, e.Err)
	}
	return fmt.Sprintf("installing wheel %s: entry %q: %v", e.Wheel, e.Entry, e.Err)
}

// Unwrap returns the problem, which wraps a sentinel error.
func (e *Error) Unwrap() error { return e.Err }

// File is one file to be written into the image.
type File struct {
	// Path is the absolute, clean path in the image
	// ("/opt/venv/lib/python3.11/site-packages/pkg/__init__.py").
	Path string
	// Mode is 0o755 for executables and 0o644 otherwise.
	Mode fs.FileMode
	// Size is the content length in bytes.
	Size int64
	// Hash is the content's RECORD hash ("sha256=…").
	Hash string

	data []byte    // generated or rewritten content
	zf   *zip.File // content straight from the wheel
	wh   string    // wheel name, for errors
}

// Open returns the file's content. Content read from the wheel is verified
// again against its hash; a mismatch is reported by the reader's last Read.
func (f *File) Open() (io.ReadCloser, error) {
	if f.zf == nil {
		return io.NopCloser(bytes.NewReader(f.data)), nil
	}
	rc, err := f.zf.Open()
	if err != nil {
		return nil, &Error{Wheel: f.wh, Entry: f.zf.Name, Err: fmt.Errorf("%w: %v", ErrInvalid, err)}
	}
	v, err := newVerifier(f.Hash, f.Size)
	if err != nil {
		rc.Close()
		return nil, &Error{Wheel: f.wh, Entry: f.zf.Name, Err: err}
	}
	return &verifyingReader{rc: rc, v: v, wheel: f.wh, entry: f.zf.Name}, nil
}

// Result is an installed distribution.
type Result struct {
	// Name and Version are the distribution's, from its .dist-info name.
	Name, Version string
	// DistInfo is the installed .dist-info directory's absolute path.
	DistInfo string
	// Files are the files to write, sorted by path; parent directories are
	// not listed.
	Files []*File
	// Scripts are the paths of the launchers generated for console_scripts
	// and gui_scripts, sorted.
	Scripts []string
	// ConsoleScripts maps each console_scripts name to its "module:attr".
	ConsoleScripts map[string]string
}

// Install installs the wheel read from r (size bytes, named wheel, the
// wheel's file name) into the venv described by the options. r must stay
// readable until the files' contents have been read.
func Install(r io.ReaderAt, size int64, wheel string, opts ...Option) (*Result, error) {
	o := makeOptions(opts)
	if o.pythonVersion == "" {
		return nil, &Error{Wheel: wheel, Err: fmt.Errorf("%w: no Python version given for the venv layout", ErrInvalid)}
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, &Error{Wheel: wheel, Err: fmt.Errorf("%w: reading zip: %v", ErrInvalid, err)}
	}
	in := &installer{o: o, wheel: wheel, zr: zr}
	return in.run()
}

type installer struct {
	o        *options
	wheel    string
	zr       *zip.Reader
	files    map[string]*zip.File // by entry name, regular files only
	distInfo string               // "name-1.0.dist-info"
	dataDir  string               // "name-1.0.data"
	name     string
	version  string
	out      map[string]*File // by destination path
}

func (in *installer) fail(entry string, err error) error {
	return &Error{Wheel: in.wheel, Entry: entry, Err: err}
}

func (in *installer) run() (*Result, error) {
	if err := in.index(); err != nil {
		return nil, err
	}
	if err := in.findDistInfo(); err != nil {
		return nil, err
	}
	purelib, err := in.readWheelMetadata()
	if err != nil {
		return nil, err
	}
	_ = purelib // purelib and platlib are the same directory in a venv
	record, err := in.readRecord()
	if err != nil {
		return nil, err
	}
	in.out = map[string]*File{}
	names := make([]string, 0, len(in.files))
	for n := range in.files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := in.place(n, record); err != nil {
			return nil, err
		}
	}
	res := &Result{Name: in.name, Version: in.version, DistInfo: path.Join(in.o.sitePackages(), in.distInfo)}
	scripts, console, err := in.launchers()
	if err != nil {
		return nil, err
	}
	res.Scripts, res.ConsoleScripts = scripts, console
	if err := in.add(&File{Path: path.Join(res.DistInfo, "INSTALLER"), Mode: 0o644, data: []byte("pyimg\n")}); err != nil {
		return nil, err
	}
	if err := in.add(in.installedRecord(res.DistInfo)); err != nil {
		return nil, err
	}
	res.Files = make([]*File, 0, len(in.out))
	for _, f := range in.out {
		res.Files = append(res.Files, f)
	}
	sort.Slice(res.Files, func(i, j int) bool { return res.Files[i].Path < res.Files[j].Path })
	return res, nil
}

// index checks every entry's name and type and the declared sizes.
func (in *installer) index() error {
	if len(in.zr.File) > in.o.limits.MaxFiles {
		return in.fail("", fmt.Errorf("%w: %d entries, more than %d", ErrLimit, len(in.zr.File), in.o.limits.MaxFiles))
	}
	in.files = map[string]*zip.File{}
	dirs := map[string]bool{}
	var total uint64
	for _, f := range in.zr.File {
		name := strings.TrimSuffix(f.Name, "/")
		if err := checkName(name); err != nil {
			return in.fail(f.Name, err)
		}
		mode := f.Mode()
		isDir := strings.HasSuffix(f.Name, "/") || mode.IsDir()
		switch {
		case isDir && (mode.Type() == 0 || mode.IsDir()):
			dirs[name] = true
			continue
		case mode.Type()&fs.ModeSymlink != 0:
			return in.fail(f.Name, fmt.Errorf("%w: symbolic link", ErrUnsafe))
		case mode.Type() != 0:
			return in.fail(f.Name, fmt.Errorf("%w: not a regular file (%v)", ErrUnsafe, mode.Type()))
		}
		if _, dup := in.files[name]; dup {
			return in.fail(f.Name, fmt.Errorf("%w: duplicate entry", ErrInvalid))
		}
		if f.UncompressedSize64 > uint64(in.o.limits.MaxBytes) {
			return in.fail(f.Name, fmt.Errorf("%w: declares %d bytes, more than %d", ErrLimit, f.UncompressedSize64, in.o.limits.MaxBytes))
		}
		total += f.UncompressedSize64
		if total > uint64(in.o.limits.MaxBytes) {
			return in.fail(f.Name, fmt.Errorf("%w: more than %d bytes uncompressed in all", ErrLimit, in.o.limits.MaxBytes))
		}
		in.files[name] = f
	}
	for d := range dirs {
		if _, clash := in.files[d]; clash {
			return in.fail(d, fmt.Errorf("%w: both a file and a directory", ErrInvalid))
		}
	}
	for n := range in.files {
		for d := path.Dir(n); d != "."; d = path.Dir(d) {
			if _, clash := in.files[d]; clash {
				return in.fail(d, fmt.Errorf("%w: both a file and a directory", ErrInvalid))
			}
		}
	}
	return nil
}

// checkName refuses names that are not clean relative paths.
func checkName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty name", ErrUnsafe)
	case strings.ContainsAny(name, "\\\x00"):
		return fmt.Errorf("%w: backslash or NUL in name", ErrUnsafe)
	case strings.HasPrefix(name, "/"), len(name) >= 2 && name[1] == ':':
		return fmt.Errorf("%w: absolute path", ErrUnsafe)
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return fmt.Errorf("%w: \"..\" in path", ErrUnsafe)
		}
	}
	if path.Clean(name) != name {
		return fmt.Errorf("%w: path is not clean", ErrUnsafe)
	}
	return nil
}

// findDistInfo finds the one top-level .dist-info directory holding WHEEL
// and RECORD and checks it against the wheel's file name.
func (in *installer) findDistInfo() error {
	cands := map[string]bool{}
	for n := range in.files {
		top, _, ok := strings.Cut(n, "/")
		if ok && strings.HasSuffix(top, ".dist-info") {
			cands[top] = true
		}
	}
	var found []string
	for c := range cands {
		if in.files[c+"/WHEEL"] != nil && in.files[c+"/RECORD"] != nil {
			found = append(found, c)
		}
	}
	sort.Strings(found)
	switch len(found) {
	case 0:
		return in.fail("", fmt.Errorf("%w: no .dist-info directory with WHEEL and RECORD", ErrInvalid))
	case 1:
	default:
		return in.fail("", fmt.Errorf("%w: several .dist-info directories: %s", ErrInvalid, strings.Join(found, ", ")))
	}
	in.distInfo = found[0]
	stem := strings.TrimSuffix(in.distInfo, ".dist-info")
	name, version, ok := strings.Cut(stem, "-")
	if !ok || name == "" || version == "" {
		return in.fail(in.distInfo, fmt.Errorf("%w: .dist-info directory is not NAME-VERSION.dist-info", ErrInvalid))
	}
	in.name, in.version = name, version
	in.dataDir = stem + ".data"
	if w := path.Base(in.wheel); strings.HasSuffix(w, ".whl") {
		wname, _, _ := strings.Cut(w, "-")
		if pydist.NormalizeName(wname) != pydist.NormalizeName(name) {
			return in.fail(in.distInfo, fmt.Errorf("%w: .dist-info names %q but the wheel file names %q", ErrInvalid, name, wname))
		}
	}
	return nil
}

// readWheelMetadata parses the WHEEL file: Wheel-Version 1.x and
// Root-Is-Purelib.
func (in *installer) readWheelMetadata() (purelib bool, err error) {
	name := in.distInfo + "/WHEEL"
	b, err := readAll(in.files[name], 1<<20)
	if err != nil {
		return false, in.fail(name, fmt.Errorf("%w: %v", ErrInvalid, err))
	}
	var version string
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "wheel-version":
			version = strings.TrimSpace(v)
		case "root-is-purelib":
			purelib = strings.EqualFold(strings.TrimSpace(v), "true")
		}
	}
	major, _, _ := strings.Cut(version, ".")
	if major != "1" {
		return false, in.fail(name, fmt.Errorf("%w: unsupported Wheel-Version %q (want 1.x)", ErrInvalid, version))
	}
	return purelib, nil
}

// readAll reads a zip entry of at most limit bytes.
func readAll(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(limit) {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", ErrLimit, f.UncompressedSize64, limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrLimit, limit)
	}
	return b, nil
}
