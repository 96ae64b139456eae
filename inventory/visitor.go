package inventory

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/layers"
)

// Option configures a Visitor.
type Option func(*options)

type options struct {
	files        bool
	maxListBytes int64
	walk         []layers.Option
}

// WithFiles sets whether packages list the files they own (default true).
// Without them memory stays small on images with many packages; dpkg and
// apk ownership of Python distributions is still detected.
func WithFiles(keep bool) Option { return func(o *options) { o.files = keep } }

// WithMaxListBytes bounds the bytes of dpkg file lists
// (/var/lib/dpkg/info/*.list) kept during the walk (default 64 MiB). Past
// it, lists are reduced to the lines needed to tell which Python
// distributions dpkg owns, and the dpkg packages read after that have no
// Files.
func WithMaxListBytes(n int64) Option { return func(o *options) { o.maxListBytes = n } }

// WithWalkOptions passes options (concurrency, progress, limits) to the
// layers.Walk that Image runs.
func WithWalkOptions(opts ...layers.Option) Option {
	return func(o *options) { o.walk = append(o.walk, opts...) }
}

// Visitor collects the package databases and Python metadata of every layer
// during a layers.Walk and builds the Inventory of the final, stacked
// filesystem afterwards: a package whose database a later layer deletes or
// replaces is not listed. It is a layers.Visitor; use it once.
type Visitor struct {
	cfg  *v1.ConfigFile
	opts options

	// changes makes each layer's layers.Changes and stacks them.
	changes *layers.ChangeSet

	mu        sync.Mutex
	layers    map[int]*layerData
	listBytes int64
	// fileBytes is the bytes of RECORD and installed-files.txt paths kept.
	fileBytes int64
}

var _ layers.Visitor = (*Visitor)(nil)

// New returns a Visitor for an image with the given config (which may be
// nil when unknown; it supplies PYTHON_VERSION).
func New(cfg *v1.ConfigFile, opts ...Option) *Visitor {
	o := options{files: true, maxListBytes: 64 << 20}
	for _, opt := range opts {
		opt(&o)
	}
	return &Visitor{cfg: cfg, opts: o, layers: make(map[int]*layerData), changes: layers.NewChangeSet()}
}

// Image reads every layer of img once and returns its inventory.
func Image(ctx context.Context, img v1.Image, opts ...Option) (*Inventory, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("reading image config: %w", err)
	}
	v := New(cfg, opts...)
	if err := layers.Walk(ctx, img, []layers.Visitor{v}, v.opts.walk...); err != nil {
		return nil, err
	}
	return v.Result()
}

// kind says what an interesting path is.
type kind uint8

const (
	kOSRelease kind = iota + 1
	kDpkgStatus
	kDpkgStatusD
	kDpkgList
	kApkDB
	kMetadata       // <dir>/<name>-<version>.dist-info/METADATA
	kRecord         // <dir>/<name>-<version>.dist-info/RECORD
	kPkgInfo        // <dir>/<name>.egg-info/PKG-INFO
	kEggInfoFile    // <dir>/<name>-<version>.egg-info as a single file
	kInstalledFiles // <dir>/<name>.egg-info/installed-files.txt
	kPyvenv         // <venv>/pyvenv.cfg
	kVendored       // <dir>/<pkg>.libs/<lib>.so*
	kInterpreter    // /usr/local/bin/python3.X
	kLibDir         // /usr/local/lib/python3.X
	kLibc           // /lib/x86_64-linux-gnu/libc.so.6, /lib/ld-musl-*.so.1
)

// Content limits per kind: headers and databases are read whole up to these.
const (
	maxDBBytes   = 64 << 20
	maxListBytes = 16 << 20
	maxMetaBytes = 256 << 10
	maxSmall     = 64 << 10
)

var (
	interpreterPath = regexp.MustCompile(`^/usr/local/bin/python3\.\d+$`)
	libDirPath      = regexp.MustCompile(`^/usr/local/lib/python3\.\d+$`)
)

// classify returns the kind of path p and how many content bytes it needs.
func classify(p string) (kind, int64) {
	dir, base := path.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	switch {
	case p == "/etc/os-release" || p == "/usr/lib/os-release":
		return kOSRelease, maxSmall
	case p == "/var/lib/dpkg/status":
		return kDpkgStatus, maxDBBytes
	case dir == "/var/lib/dpkg/status.d":
		if strings.HasSuffix(base, ".md5sums") || strings.HasPrefix(base, ".") {
			return 0, 0
		}
		return kDpkgStatusD, 1 << 20
	case dir == "/var/lib/dpkg/info" && strings.HasSuffix(base, ".list"):
		return kDpkgList, maxListBytes
	case p == "/lib/apk/db/installed" || p == "/usr/lib/apk/db/installed":
		return kApkDB, maxDBBytes
	case base == "pyvenv.cfg":
		return kPyvenv, maxSmall
	case strings.HasSuffix(dir, ".dist-info"):
		switch base {
		case "METADATA":
			return kMetadata, maxMetaBytes
		case "RECORD":
			return kRecord, maxListBytes
		}
	case strings.HasSuffix(dir, ".egg-info"):
		switch base {
		case "PKG-INFO":
			return kPkgInfo, maxMetaBytes
		case "installed-files.txt":
			return kInstalledFiles, maxListBytes
		}
	case strings.HasSuffix(base, ".egg-info"):
		return kEggInfoFile, maxMetaBytes
	case strings.HasSuffix(dir, ".libs") && strings.Contains(base, ".so"):
		return kVendored, 0
	case strings.HasPrefix(p, "/usr/local/") && interpreterPath.MatchString(p):
		return kInterpreter, 0
	case strings.HasPrefix(p, "/usr/local/") && libDirPath.MatchString(p):
		return kLibDir, 0
	case strings.HasPrefix(base, "libc") && glibcFile.MatchString(p),
		strings.HasPrefix(base, "ld-musl-") && muslLoader.MatchString(p):
		return kLibc, 0
	}
	return 0, 0
}

// rec is one entry at an interesting path.
type rec struct {
	path    string
	layer   int
	kind    kind
	typ     layers.EntryType
	content string // what was read of a small single file (os-release, apk db, pyvenv.cfg, dpkg list)
	trunc   bool   // content was cut at the limit
	reduced bool   // a dpkg list reduced to its Python lines
	// Parsed as read, so no body outlives its entry: a crafted image with
	// thousands of large METADATA or status.d files costs their fields only.
	meta  *pyMetadata   // kMetadata, kPkgInfo, kEggInfoFile
	dpkg  []dpkgPackage // kDpkgStatus, kDpkgStatusD
	files []string      // kRecord, kInstalledFiles: the paths listed
}

// layerData is what the visitor keeps of one layer.
type layerData struct {
	recs    []rec
	changes *layers.Changes
	done    bool
}

// VisitLayer implements layers.Visitor.
func (v *Visitor) VisitLayer(l layers.Layer) layers.LayerVisitor {
	d := &layerData{changes: v.changes.NewChanges()}
	v.mu.Lock()
	v.layers[l.Index] = d
	v.mu.Unlock()
	return &layerVisitor{v: v, d: d, index: l.Index}
}

type layerVisitor struct {
	v     *Visitor
	d     *layerData
	index int
}

func (lv *layerVisitor) Want(e *layers.Entry) int64 {
	if e.Type != layers.TypeFile || e.Whiteout || e.Opaque {
		return 0
	}
	k, n := classify(e.Path)
	if (k == kRecord || k == kInstalledFiles) && !lv.v.opts.files {
		return 0
	}
	return n
}

func (lv *layerVisitor) Entry(e *layers.Entry, content []byte) error {
	lv.d.changes.Add(e)
	if e.Whiteout || e.Opaque {
		return nil
	}
	k, _ := classify(e.Path)
	if k == 0 {
		return nil
	}
	r := rec{path: e.Path, layer: lv.index, kind: k, typ: e.Type}
	if e.Type == layers.TypeFile && content != nil {
		r.trunc = int64(len(content)) < e.Size
		c := completeLines(content, r.trunc)
		switch k {
		case kMetadata, kPkgInfo, kEggInfoFile:
			m := parseMetadata(c)
			r.meta = &m
		case kDpkgStatus, kDpkgStatusD:
			r.dpkg = parseDpkgStatus(c, k == kDpkgStatus)
		case kRecord:
			if lv.v.filesLeft() {
				r.files = lv.v.budgetFiles(parseRecord(c, path.Dir(path.Dir(e.Path))))
			}
		case kInstalledFiles:
			if lv.v.filesLeft() {
				r.files = lv.v.budgetFiles(parseInstalledFiles(c, path.Dir(e.Path)))
			}
		case kDpkgList:
			c, r.reduced = lv.v.budgetList(c)
			r.content = string(c)
		default:
			r.content = string(c)
		}
	}
	lv.d.recs = append(lv.d.recs, r)
	return nil
}

func (lv *layerVisitor) Done(layers.Stats) error {
	lv.d.done = true
	return nil
}

// maxFileBytes bounds the RECORD and installed-files.txt paths kept for
// the whole image (a large real image lists a few MiB): past it, the
// Python packages read later have no Files.
const maxFileBytes = 32 << 20

// filesLeft reports whether the budget for listed paths is not spent.
func (v *Visitor) filesLeft() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.fileBytes < maxFileBytes
}

// budgetFiles keeps files while the image's budget for listed paths lasts.
func (v *Visitor) budgetFiles(files []string) []string {
	n := int64(0)
	for _, f := range files {
		n += int64(len(f)) + 16
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.fileBytes+n > maxFileBytes {
		return nil
	}
	v.fileBytes += n
	return files
}

// budgetList keeps a dpkg file list whole while the budget lasts, else
// only its lines naming Python metadata directories.
func (v *Visitor) budgetList(c []byte) ([]byte, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.opts.files && v.listBytes+int64(len(c)) <= v.opts.maxListBytes {
		v.listBytes += int64(len(c))
		return c, false
	}
	var keep []byte
	for _, l := range parseLines(c) {
		if strings.Contains(l, ".dist-info") || strings.Contains(l, ".egg-info") {
			keep = append(keep, l...)
			keep = append(keep, '\n')
		}
	}
	return keep, true
}
