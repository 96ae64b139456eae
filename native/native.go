// Package native computes the shared-library closure of the ELF objects a
// Python application loads (extension modules, vendored *.libs, the
// interpreter and libpython) inside an image or a directory, resolving
// every DT_NEEDED the way the dynamic loader does (RPATH, LD_LIBRARY_PATH,
// RUNPATH with $ORIGIN, ld.so.conf, default and multiarch directories,
// musl's ld-musl-*.path). It reports missing libraries with the Python
// distribution that needs them and the OS package that provides them, the
// highest glibc symbol version required against the one available, and
// musl/glibc mismatches. A Visitor is a layers.Visitor, so it runs in the
// same single pass over the layers as analyze and inventory.
package native

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/layers"
)

// DefaultMaxELFBytes is the default size above which an ELF candidate is
// not read: it is listed in Result.NotAnalysed instead. Python extension
// modules and system libraries are far smaller; the cap bounds the memory a
// hostile image can make one layer's reader hold.
const DefaultMaxELFBytes = 64 << 20

// maxConfBytes bounds the loader configuration files read (ld.so.conf and
// friends).
const maxConfBytes = 64 << 10

// Option configures a Visitor.
type Option func(*options)

type options struct {
	maxELF     int64
	maxRecords int64
	maxFacts   int64
	walk       []layers.Option
	label      string
	inventory  *inventory.Visitor
}

// WithInventory makes the Visitor use iv, an inventory visitor the caller
// runs in the same walk (compare does), for the package databases instead
// of feeding an inventory of its own: one inventory per pass, not two.
// The caller must hand iv to the walk.
func WithInventory(iv *inventory.Visitor) Option {
	return func(o *options) { o.inventory = iv }
}

// WithMaxELFBytes sets the size above which ELF candidates are not parsed
// (default DefaultMaxELFBytes). n <= 0 keeps the default.
func WithMaxELFBytes(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxELF = n
		}
	}
}

// Defaults of the memory budgets.
const (
	DefaultMaxRecords   = 2 << 20   // entries kept (ELF objects, symlinks, directories)
	DefaultMaxFactBytes = 256 << 20 // bytes of ELF facts kept
)

// WithMaxRecords bounds the entries the Visitor keeps over all layers
// (default DefaultMaxRecords): ELF objects, symlinks, directories, loader
// configuration. Past it, entries are dropped and Result.Truncated is set.
// n <= 0 keeps the default.
func WithMaxRecords(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxRecords = n
		}
	}
}

// WithMaxFactBytes bounds the bytes of ELF facts kept over all layers
// (default DefaultMaxFactBytes). Past it, objects are listed in
// Result.NotAnalysed. n <= 0 keeps the default.
func WithMaxFactBytes(n int64) Option {
	return func(o *options) {
		if n > 0 {
			o.maxFacts = n
		}
	}
}

// WithWalkOptions passes options (concurrency, progress, limits) to the
// layers.Walk that Image runs.
func WithWalkOptions(opts ...layers.Option) Option {
	return func(o *options) { o.walk = append(o.walk, opts...) }
}

// WithLabel names the input (an image reference or a directory) in
// providers found in it; see Result.AddProvidersFrom.
func WithLabel(s string) Option { return func(o *options) { o.label = s } }

// Visitor collects, during a layers.Walk, the ELF facts of every shared
// object and interpreter, the symlinks, the loader configuration and (through
// an inventory.Visitor) the package databases, then resolves the closure in
// Result. It keeps the extracted facts only, never file contents. It is a
// layers.Visitor; use it once.
type Visitor struct {
	cfg  *v1.ConfigFile
	opts options
	inv  *inventory.Visitor
	// feedInv is true when inv is the Visitor's own, fed its entries.
	feedInv bool

	mu     sync.Mutex
	layers map[int]*layerData
	// kept counts the records and factBytes the ELF facts kept, against
	// the WithMaxRecords and WithMaxFactBytes budgets.
	kept      int64
	factBytes int64
	truncated bool
}

var _ layers.Visitor = (*Visitor)(nil)

// New returns a Visitor for an image with the given config (which may be
// nil; it supplies LD_LIBRARY_PATH).
func New(cfg *v1.ConfigFile, opts ...Option) *Visitor {
	o := options{maxELF: DefaultMaxELFBytes, maxRecords: DefaultMaxRecords, maxFacts: DefaultMaxFactBytes}
	for _, opt := range opts {
		opt(&o)
	}
	v := &Visitor{cfg: cfg, opts: o, inv: o.inventory, layers: map[int]*layerData{}}
	if v.inv == nil {
		v.inv, v.feedInv = inventory.New(cfg), true
	}
	return v
}

// Image reads every layer of img once and returns its native-library
// report.
func Image(ctx context.Context, img v1.Image, opts ...Option) (*Result, error) {
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

// rec is what the visitor keeps of one interesting entry.
type rec struct {
	path   string
	layer  int
	typ    layers.EntryType
	target string  // symlink or hardlink target, absolute and clean
	obj    *Object // parsed ELF facts, nil when not ELF or not parsed
	skip   string  // why an ELF candidate was not analysed
	conf   string  // content of a loader configuration file
}

type layerData struct {
	recs      []rec
	whiteouts []string
	opaques   []string
	done      bool
}

// VisitLayer implements layers.Visitor.
func (v *Visitor) VisitLayer(l layers.Layer) layers.LayerVisitor {
	d := &layerData{}
	v.mu.Lock()
	v.layers[l.Index] = d
	v.mu.Unlock()
	lv := &layerVisitor{v: v, d: d, index: l.Index}
	if v.feedInv {
		lv.inv = v.inv.VisitLayer(l)
	}
	return lv
}

type layerVisitor struct {
	v     *Visitor
	d     *layerData
	index int
	inv   layers.LayerVisitor
	// invWant is what the inventory asked for the current entry.
	invWant int64
}

// candidate kinds.
const (
	cNone = iota
	cELF
	cConf
	cMD5 // a distroless /var/lib/dpkg/status.d/<pkg>.md5sums: the package's files
)

// maxMD5Bytes bounds a status.d md5sums file read.
const maxMD5Bytes = 1 << 20

var (
	interpreterName = regexp.MustCompile(`^python[0-9.]*$`)
	// sharedName matches shared-object file names: "x.so", "x.so.5.15".
	sharedName = regexp.MustCompile(`\.so(\.[0-9][0-9.]*)?$`)
)

// classify says whether the regular file at p is an ELF candidate or a
// loader configuration file.
func classify(p string) int {
	dir, base := path.Split(p)
	switch {
	case p == "/etc/ld.so.conf", strings.HasPrefix(p, "/etc/ld.so.conf.d/"),
		strings.HasPrefix(p, "/etc/ld-musl-") && strings.HasSuffix(p, ".path"):
		return cConf
	case dir == "/var/lib/dpkg/status.d/" && strings.HasSuffix(base, ".md5sums"):
		return cMD5
	case sharedName.MatchString(base):
		return cELF
	case interpreterName.MatchString(base) && strings.HasSuffix(dir, "/bin/"):
		return cELF
	}
	return cNone
}

func (lv *layerVisitor) Want(e *layers.Entry) int64 {
	lv.invWant = 0
	if lv.inv != nil {
		lv.invWant = lv.inv.Want(e)
	}
	want := lv.invWant
	if e.Type != layers.TypeFile || e.Whiteout || e.Opaque {
		return want
	}
	switch classify(e.Path) {
	case cConf:
		want = max(want, maxConfBytes)
	case cMD5:
		want = max(want, maxMD5Bytes)
	case cELF:
		if e.Size <= lv.v.opts.maxELF {
			want = max(want, e.Size)
		}
	}
	return want
}

func (lv *layerVisitor) Entry(e *layers.Entry, content []byte) error {
	if lv.inv != nil {
		c := content
		if int64(len(c)) > lv.invWant {
			c = c[:lv.invWant]
		}
		if lv.invWant == 0 {
			c = nil
		}
		if err := lv.inv.Entry(e, c); err != nil {
			return err
		}
	}
	d := lv.d
	switch {
	case e.Whiteout:
		d.whiteouts = append(d.whiteouts, e.Path)
		return nil
	case e.Opaque:
		d.opaques = append(d.opaques, e.Path)
		return nil
	}
	r := rec{path: e.Path, layer: lv.index, typ: e.Type}
	switch e.Type {
	case layers.TypeDir:
		// Kept so that a directory replacing a lower symlink hides it.
	case layers.TypeSymlink, layers.TypeHardlink:
		r.target, _ = layers.ResolveLink(e)
	case layers.TypeFile:
		switch classify(e.Path) {
		case cConf, cMD5:
			r.conf = string(content)
		case cELF:
			switch {
			case e.Size > lv.v.opts.maxELF:
				r.skip = fmt.Sprintf("larger than %d bytes", lv.v.opts.maxELF)
			case int64(len(content)) < e.Size:
				r.skip = "content truncated by the walker's limit"
			default:
				obj, err := ParseELF(content)
				switch {
				case err == ErrNotELF:
					return nil // a file named *.so* that is not ELF
				case err != nil:
					r.skip = err.Error()
				case !lv.v.spendFacts(obj.size()):
					r.skip = fmt.Sprintf("the budget of %d bytes of ELF facts is spent", lv.v.opts.maxFacts)
					obj = nil
				}
				r.obj = obj
			}
		default:
			return nil
		}
	default:
		return nil
	}
	if !lv.v.spendRecord() {
		return nil
	}
	d.recs = append(d.recs, r)
	return nil
}

func (v *Visitor) spendRecord() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.kept >= v.opts.maxRecords {
		v.truncated = true
		return false
	}
	v.kept++
	return true
}

func (v *Visitor) spendFacts(n int64) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.factBytes+n > v.opts.maxFacts {
		return false
	}
	v.factBytes += n
	return true
}

func (lv *layerVisitor) Done(s layers.Stats) error {
	if lv.inv != nil {
		if err := lv.inv.Done(s); err != nil {
			return err
		}
	}
	lv.d.done = true
	return nil
}

// orderedLayers returns the layers by index, checking none is missing or
// unfinished.
func (v *Visitor) orderedLayers() ([]*layerData, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	idx := make([]int, 0, len(v.layers))
	for i := range v.layers {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	ls := make([]*layerData, 0, len(idx))
	for n, i := range idx {
		d := v.layers[i]
		if i != n || !d.done {
			return nil, fmt.Errorf("resolving libraries: layer %d was not read to the end", n)
		}
		ls = append(ls, d)
	}
	return ls, nil
}
