package layers

import (
	"hash/maphash"
	"path"
)

// The final-filesystem rules of the OCI image layer specification
// ("Applying changesets"), in one place for every visitor:
//
//   - a later entry at a path replaces an earlier one;
//   - a whiteout (".wh.NAME") deletes NAME and everything below it in
//     lower layers (never in its own layer);
//   - an opaque marker (".wh..wh..opq") hides the lower contents of its
//     directory, the root included;
//   - a non-directory replacing a directory hides the directory's lower
//     subtree;
//   - a directory (explicit, or implied by an entry below it) replaces a
//     lower non-directory at its path.
//
// Paths are kept as 64-bit hashes with a per-process random seed, so memory
// is about 40 bytes per distinct path whatever the path lengths, and a
// crafted image cannot aim at a collision.

// marks is what the layers did at one path: the topmost layer of each kind
// of change, or -1.
type marks struct {
	entry    int32 // an entry at the path
	nonDir   int32 // a non-directory entry at the path (hiding the lower subtree)
	implied  int32 // an entry or marker below the path (so it is a directory)
	whiteout int32 // a whiteout of the path
	opaque   int32 // an opaque marker for the directory
}

// Changes records what one layer does to the filesystem. Feed it every
// entry of the layer (in any order) with Add; a Changes is not safe for
// concurrent use, so keep one per layer visitor.
type Changes struct {
	seed maphash.Seed
	m    map[uint64]uint8
}

const (
	chEntry uint8 = 1 << iota
	chNonDir
	chImplied
	chWhiteout
	chOpaque
)

// ChangeSet makes the per-layer Changes of one image and stacks them.
type ChangeSet struct{ seed maphash.Seed }

// NewChangeSet returns a ChangeSet with a fresh random hash seed.
func NewChangeSet() *ChangeSet { return &ChangeSet{seed: maphash.MakeSeed()} }

// NewChanges returns an empty record for one layer.
func (s *ChangeSet) NewChanges() *Changes {
	return &Changes{seed: s.seed, m: make(map[uint64]uint8)}
}

// Add records entry e of the layer.
func (c *Changes) Add(e *Entry) {
	switch {
	case e.Whiteout:
		if e.Path != "/" {
			c.m[c.hash(e.Path)] |= chWhiteout
		}
	case e.Opaque:
		c.m[c.hash(e.Path)] |= chOpaque | chImplied
	default:
		h := c.hash(e.Path)
		c.m[h] |= chEntry
		if e.Type != TypeDir && e.Path != "/" {
			c.m[h] |= chNonDir
		}
	}
	c.implyDirs(e.Path)
}

// implyDirs marks the ancestors of p as directories of this layer.
func (c *Changes) implyDirs(p string) {
	for p != "/" {
		p = path.Dir(p)
		h := c.hash(p)
		if c.m[h]&chImplied != 0 {
			return // and so are its ancestors
		}
		c.m[h] |= chImplied
	}
}

func (c *Changes) hash(p string) uint64 { return maphash.String(c.seed, p) }

// FinalFS answers which entries of a stack of layers are present in the
// final filesystem. It is read-only and safe for concurrent use.
type FinalFS struct {
	seed maphash.Seed
	m    map[uint64]marks
}

// Stack applies the layers' changes in order, lowest layer first, and
// returns the final filesystem. A nil Changes stands for a layer without
// entries.
func (s *ChangeSet) Stack(ls []*Changes) *FinalFS {
	f := &FinalFS{seed: s.seed, m: make(map[uint64]marks)}
	for li, c := range ls {
		if c == nil {
			continue
		}
		l := int32(li)
		for h, ch := range c.m {
			mk, ok := f.m[h]
			if !ok {
				mk = marks{-1, -1, -1, -1, -1}
			}
			if ch&chEntry != 0 {
				mk.entry = l
			}
			if ch&chNonDir != 0 {
				mk.nonDir = l
			}
			if ch&chImplied != 0 {
				mk.implied = l
			}
			if ch&chWhiteout != 0 {
				mk.whiteout = l
			}
			if ch&chOpaque != 0 {
				mk.opaque = l
			}
			f.m[h] = mk
		}
	}
	return f
}

// Present reports whether the entry that layer wrote at p (a cleaned
// absolute path) is present in the final filesystem: no higher layer wrote
// p again or deleted it, no higher layer made a directory of p when it is
// not one, and no higher layer hid it by a whiteout, an opaque marker or a
// non-directory at one of its parents. It reports false for a path that
// layer did not write.
func (f *FinalFS) Present(p string, layer int) bool {
	l := int32(layer)
	mk, ok := f.m[maphash.String(f.seed, p)]
	if !ok || mk.entry != l || mk.whiteout > l || (mk.nonDir == l && mk.implied > l) {
		return false
	}
	for p != "/" {
		p = path.Dir(p)
		a, ok := f.m[maphash.String(f.seed, p)]
		if ok && (a.whiteout > l || a.opaque > l || a.nonDir > l) {
			return false
		}
	}
	return true
}

// Top returns the highest layer with an entry at p and whether that entry
// is present; layer is -1 when no layer has an entry at p.
func (f *FinalFS) Top(p string) (layer int, present bool) {
	mk, found := f.m[maphash.String(f.seed, p)]
	if !found || mk.entry < 0 {
		return -1, false
	}
	return int(mk.entry), f.Present(p, int(mk.entry))
}
