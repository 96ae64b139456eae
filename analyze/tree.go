package analyze

import "sort"

// TreeNode is a directory (or a large file) of the final filesystem, for a
// treemap of where the bytes are.
type TreeNode struct {
	// Name is the last path element ("/" for the root, "(other)" for the
	// entries too small to draw, merged).
	Name string `json:"name"`
	Path string `json:"path"`
	// SizeBytes and Files count the regular files below it.
	SizeBytes int64 `json:"size_bytes"`
	Files     int   `json:"files"`
	// WastedBytes is the part of the image's wasted bytes (dive's
	// definition) that lies below this path.
	WastedBytes int64      `json:"wasted_bytes"`
	Children    []TreeNode `json:"children,omitempty"`
}

// Tree limits: depth below the root, children kept per node, and the
// smallest share of the image's bytes an entry needs to be drawn alone.
const (
	treeDepth    = 3
	treeChildren = 12
	treeMinShare = 0.005
)

// tree builds the treemap model of the final filesystem: directories down
// to treeDepth levels, small siblings merged into "(other)".
func tree(f *finalFS, wasted map[nodeID]int64) *TreeNode {
	t := f.t
	depth := make([]int8, t.len())
	children := map[nodeID][]nodeID{}
	wastedBelow := map[nodeID]int64{}
	for n, w := range wasted {
		for p := n; ; p = t.parent(p) {
			wastedBelow[p] += w
			if p == rootID {
				break
			}
		}
	}
	for id := 1; id < t.len(); id++ {
		n := nodeID(id)
		p := t.parent(n)
		depth[n] = depth[p] + 1
		if depth[n] > treeDepth {
			continue
		}
		if f.dirFiles[n] > 0 || (f.isFile(n) && f.rec(n).size > 0) || wastedBelow[n] > 0 {
			children[p] = append(children[p], n)
		}
	}
	min := int64(float64(f.bytes) * treeMinShare)
	size := func(n nodeID) int64 {
		if f.dirFiles[n] > 0 {
			return f.dirBytes[n]
		}
		if f.isFile(n) {
			return f.rec(n).size
		}
		return 0
	}
	files := func(n nodeID) int {
		if f.dirFiles[n] > 0 {
			return int(f.dirFiles[n])
		}
		if f.isFile(n) {
			return 1
		}
		return 0
	}
	var build func(n nodeID) TreeNode
	build = func(n nodeID) TreeNode {
		name := t.name(n)
		if n == rootID {
			name = "/"
		}
		node := TreeNode{Name: name, Path: t.path(n), SizeBytes: size(n), Files: files(n), WastedBytes: wastedBelow[n]}
		kids := children[n]
		sort.Slice(kids, func(i, j int) bool {
			if a, b := size(kids[i])+wastedBelow[kids[i]], size(kids[j])+wastedBelow[kids[j]]; a != b {
				return a > b
			}
			return t.name(kids[i]) < t.name(kids[j])
		})
		var other TreeNode
		for i, k := range kids {
			if i < treeChildren && (size(k) >= min && size(k) > 0 || wastedBelow[k] >= min && wastedBelow[k] > 0) {
				node.Children = append(node.Children, build(k))
				continue
			}
			other.SizeBytes += size(k)
			other.Files += files(k)
			other.WastedBytes += wastedBelow[k]
		}
		if other.SizeBytes > 0 || other.WastedBytes > 0 {
			other.Name, other.Path = "(other)", node.Path
			node.Children = append(node.Children, other)
		}
		return node
	}
	root := build(rootID)
	return &root
}
