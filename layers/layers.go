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
	// Name is the entry name exactly as written in the tar, before cleaning.
	Name string
	// Xattrs are the extended attributes recorded in PAX headers
	// (SCHILY.xattr.*), such as security.capability; nil when there are none.
	Xattrs map[string]string
	// Flags marks anything suspicious about the entry. Path is always
	// normalised into the root whatever the flags say.
	Flags Flags
}

// Flags mark hostile or malformed properties of an entry. The walker never
// acts on an entry; flags let visitors report what they saw.
type Flags uint16

// Entry flags.
const (
	// FlagAbsolute: the tar name was absolute ("/etc/x").
	FlagAbsolute Flags = 1 << iota
	// FlagEscape: the tar name climbed out of the root with ".."
	// ("../../etc/passwd", "a/../../b"); Path is where it lands when clamped
	// to the root, as container runtimes do.
	FlagEscape
	// FlagLinkEscape: a symlink or hardlink target climbs out of the root
	// lexically (see ResolveLink). Linkname is kept as written.
	FlagLinkEscape
	// FlagInvalidUTF8: the name or link target is not valid UTF-8. It is
	// kept byte for byte.
	FlagInvalidUTF8
	// FlagNUL: the name or link target contains a NUL byte.
	FlagNUL
	// FlagBadWhiteout: a whiteout marker names "." or ".." or nothing; the
	// entry is passed as an ordinary file, not as a whiteout.
	FlagBadWhiteout
)

// Has reports whether all of the flags in g are set.
func (f Flags) Has(g Flags) bool { return f&g == g }

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
	// the file, at most what this visitor's Want asked for (capped by the
	// walker's WithMaxContent), or is nil when this visitor wanted none.
	// content is only valid during the call. e may be retained but must not
	// be modified: the same *Entry is handed to every visitor of the layer.
	Entry(e *Entry, content []byte) error
	// Done is called after the layer's last entry, with the layer's totals,
	// once the layer's digests have been verified. It is not called when the
	// layer fails.
	Done(stats Stats) error
}

// Stats are the totals of one layer, known once it has been read.
type Stats struct {
	// Entries counts the tar entries of the layer (PAX and GNU meta headers
	// excluded), including whiteout markers and the entries not handed to
	// visitors: aufs metadata, PAX global headers, GNU volume labels and
	// unknown types.
	Entries  int64
	TarBytes int64 // uncompressed tar stream size
	// FileBytes is the sum of header sizes of regular files.
	FileBytes int64
}
