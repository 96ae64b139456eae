package analyze

import (
	"slices"
	"sort"

	"github.com/pyimg/pyimg/layers"
)

// finalFS is the image's filesystem after stacking every layer with the
// OCI rules of layers.FinalFS.
type finalFS struct {
	t      *pathTable
	layers []*layerData
	// layer and idx locate the entry that last wrote each node; layer is -1
	// when the node has no entry (absent or an implicit directory).
	layer []int32
	idx   []int32
	// dirBytes and dirFiles aggregate regular files below each node.
	dirBytes []int64
	dirFiles []int32
	files    []nodeID // present regular files
	bytes    int64
}

func buildFinalFS(t *pathTable, ls []*layerData, cs *layers.ChangeSet) *finalFS {
	n := t.len()
	f := &finalFS{t: t, layers: ls, layer: make([]int32, n), idx: make([]int32, n)}
	for i := range f.layer {
		f.layer[i] = -1
	}
	chs := make([]*layers.Changes, len(ls))
	for li, d := range ls {
		chs[li] = d.changes
		// The last entry of the highest layer at a node is the candidate.
		for i := range d.recs {
			r := &d.recs[i]
			if r.whiteout() || r.opaque() {
				continue
			}
			f.layer[r.node] = int32(li)
			f.idx[r.node] = int32(i)
		}
	}
	// The OCI rules (whiteouts, opaque directories including the root,
	// non-directories replacing directories and back) live in layers.
	final := cs.Stack(chs)
	f.dirBytes = make([]int64, n)
	f.dirFiles = make([]int32, n)
	for id := range n {
		nid := nodeID(id)
		if f.layer[nid] < 0 {
			continue
		}
		if !final.Present(t.path(nid), int(f.layer[nid])) {
			f.layer[nid] = -1
			continue
		}
		r := f.rec(nid)
		if r.kind != layers.TypeFile {
			continue
		}
		f.files = append(f.files, nid)
		f.bytes += r.size
		for p := t.parent(nid); ; p = t.parent(p) {
			f.dirBytes[p] += r.size
			f.dirFiles[p]++
			if p == rootID {
				break
			}
		}
	}
	return f
}

func (f *finalFS) present(n nodeID) bool { return f.layer[n] >= 0 }

func (f *finalFS) rec(n nodeID) *rec { return &f.layers[f.layer[n]].recs[f.idx[n]] }

// isFile reports whether n is a regular file of the final filesystem.
func (f *finalFS) isFile(n nodeID) bool {
	return f.layer[n] >= 0 && f.rec(n).kind == layers.TypeFile
}

// exists reports whether n is present as an entry or as an implicit
// directory holding present entries.
func (f *finalFS) exists(n nodeID) bool {
	if f.layer[n] >= 0 {
		return true
	}
	found := false
	f.t.walk(n, func(x nodeID) bool {
		if found {
			return false
		}
		if f.layer[x] >= 0 {
			found = true
		}
		return !found
	})
	return found
}

func (f *finalFS) parsed(n nodeID) *parsedFile {
	if f.layer[n] < 0 {
		return nil
	}
	return f.layers[f.layer[n]].parsed[f.idx[n]]
}

func (f *finalFS) link(n nodeID) string {
	if f.layer[n] < 0 {
		return ""
	}
	return f.layers[f.layer[n]].links[f.idx[n]]
}

func (f *finalFS) biggestFiles(top int) []PathSize {
	files := topN(f.t, f.files, func(n nodeID) int64 { return f.rec(n).size }, top)
	out := make([]PathSize, 0, len(files))
	for _, n := range files {
		l := int(f.layer[n])
		out = append(out, PathSize{Path: f.t.path(n), SizeBytes: f.rec(n).size, Layer: &l})
	}
	return out
}

func (f *finalFS) biggestDirs(top int) []PathSize {
	var dirs []nodeID
	for id := 1; id < len(f.dirBytes); id++ {
		if f.dirFiles[id] > 0 {
			dirs = append(dirs, nodeID(id))
		}
	}
	dirs = topN(f.t, dirs, func(n nodeID) int64 { return f.dirBytes[n] }, top)
	out := make([]PathSize, 0, len(dirs))
	for _, n := range dirs {
		out = append(out, PathSize{Path: f.t.path(n), SizeBytes: f.dirBytes[n], Files: int(f.dirFiles[n])})
	}
	return out
}

// topN returns the top nodes of ids by size, largest first, ties by path.
// Paths are only rendered for the candidates that reach the cut.
func topN(t *pathTable, ids []nodeID, size func(nodeID) int64, top int) []nodeID {
	if top <= 0 || len(ids) == 0 {
		return nil
	}
	sizes := make([]int64, len(ids))
	for i, n := range ids {
		sizes[i] = size(n)
	}
	slices.Sort(sizes)
	cut := sizes[max(len(sizes)-top, 0)]
	type cand struct {
		n    nodeID
		size int64
		path string
	}
	var cs []cand
	for _, n := range ids {
		if s := size(n); s >= cut {
			cs = append(cs, cand{n, s, t.path(n)})
		}
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].size != cs[j].size {
			return cs[i].size > cs[j].size
		}
		return cs[i].path < cs[j].path
	})
	out := make([]nodeID, 0, min(top, len(cs)))
	for i := 0; i < len(cs) && i < top; i++ {
		out = append(out, cs[i].n)
	}
	return out
}

// subtreeByLayer sums the present regular files below n and returns the
// bytes, the file count and the layer that added most bytes.
func (f *finalFS) subtreeByLayer(n nodeID, keep func(nodeID) bool) (bytes int64, files int, layer int) {
	per := make(map[int32]int64)
	f.t.walk(n, func(x nodeID) bool {
		if f.isFile(x) && (keep == nil || keep(x)) {
			s := f.rec(x).size
			bytes += s
			files++
			per[f.layer[x]] += s
		}
		return true
	})
	layer, best := -1, int64(-1)
	for l, b := range per {
		if b > best || (b == best && int(l) < layer) {
			layer, best = int(l), b
		}
	}
	return bytes, files, layer
}
