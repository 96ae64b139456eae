// Package layers reads every layer of an image in one streaming pass and
// hands each tar entry to the visitors that registered for it. Layers are
// decompressed (gzip, zstd, or uncompressed) and walked in parallel with a
// bound; no layer is held in memory or extracted to disk. Hostile input
// (path traversal, absolute paths, link escapes, decompression bombs,
// invalid names, truncated blobs) is reported as an error or flagged on the
// entry, never acted on.
package layers

import (
	"io/fs"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// EntryType is the kind of a tar entry.
type EntryType uint8

// Entry types.
const (
	TypeFile EntryType = iota + 1
	TypeDir
	TypeSymlink
	TypeHardlink
	TypeChar
	TypeBlock
	TypeFIFO
)

// Entry is one tar entry of one layer.
type Entry struct {
	// Layer is the 0-based index of the layer among the image's layers.
	Layer int
	// Path is the cleaned absolute path inside the image ("/usr/bin/python3").
	// For a whiteout it is the path that was deleted; for an opaque marker the
	// directory whose lower contents are hidden.
	Path string
	// Type is the entry kind. Whiteouts and opaque markers keep the type of the
	// marker file (TypeFile).
	Type EntryType
	// Size is the size from the tar header (0 for anything but regular files).
	Size     int64
	Mode     fs.FileMode // permission bits plus fs.ModeSetuid, fs.ModeSetgid, fs.ModeSticky
	UID, GID int
	// Linkname is the target of a symlink or hardlink, as written in the tar.
	Linkname string
	ModTime  time.Time
	Whiteout bool // ".wh.NAME": Path was deleted by this layer
	Opaque   bool // ".wh..wh..opq": Path's lower contents are hidden
}

// Layer describes one layer as the walker sees it.
type Layer struct {
	Index          int
	Digest         v1.Hash // compressed blob digest
	DiffID         v1.Hash // uncompressed digest
	MediaType      string
	CompressedSize int64
	// CreatedBy is the history "created_by" of the non-empty history entry
	// that produced this layer, if the config has one.
	CreatedBy string
}

// Visitor observes the layers of an image during a single pass. VisitLayer
// may be called concurrently for different layers.
type Visitor interface {
	// VisitLayer returns the LayerVisitor for one layer, or nil to skip it.
	VisitLayer(l Layer) LayerVisitor
}

// LayerVisitor receives the entries of one layer in tar order. Its methods are
// never called concurrently.
type LayerVisitor interface {
	// Want reports how many bytes of e's content the visitor needs: 0 for none,
	// a positive limit for at most that many bytes. Only regular files have
	// content.
	Want(e *Entry) int64
	// Entry is called once for every entry. content holds the first bytes of
	// the file (up to the largest Want among visitors, capped by the walker's
	// limit) or is nil when no visitor wanted it. content is only valid during
	// the call.
	Entry(e *Entry, content []byte) error
	// Done is called after the layer's last entry, with the layer's totals.
	Done(stats Stats) error
}

// Stats are the totals of one layer, known once it has been read.
type Stats struct {
	Entries  int64
	TarBytes int64 // uncompressed tar stream size
	// FileBytes is the sum of header sizes of regular files.
	FileBytes int64
}
