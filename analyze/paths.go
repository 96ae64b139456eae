package analyze

import (
	"strings"
	"sync"
)

// nodeID names one path of the image in a pathTable. 0 is the root "/".
type nodeID = uint32

const rootID nodeID = 0

// pathTable interns every path seen in any layer as a node of one trie, so
// that the per-layer records and all later computations refer to a path by a
// 4-byte id instead of a string, and each path component string is stored
// once however many directories and layers repeat it ("__init__.py").
// It is safe for concurrent use while layers are read; after the walk it is
// only read.
type pathTable struct {
	mu    sync.Mutex
	names map[string]string
	index map[childKey]nodeID
	nodes []pathNode
}

type childKey struct {
	parent nodeID
	name   string
}

type pathNode struct {
	name        string
	parent      nodeID
	firstChild  nodeID // 0: none (the root is never a child)
	nextSibling nodeID
	depth       uint16
}

func newPathTable() *pathTable {
	return &pathTable{
		names: make(map[string]string),
		index: make(map[childKey]nodeID),
		nodes: []pathNode{{name: "/"}},
	}
}

// intern returns the id of the cleaned absolute path p, adding it and its
// missing ancestors.
func (t *pathTable) intern(p string) nodeID {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.internLocked(rootID, p)
}

func (t *pathTable) internLocked(cur nodeID, p string) nodeID {
	for p != "" {
		var comp string
		if i := strings.IndexByte(p, '/'); i >= 0 {
			comp, p = p[:i], p[i+1:]
		} else {
			comp, p = p, ""
		}
		if comp == "" || comp == "." {
			continue
		}
		if id, ok := t.index[childKey{cur, comp}]; ok {
			cur = id
			continue
		}
		name, ok := t.names[comp]
		if !ok {
			name = strings.Clone(comp)
			t.names[name] = name
		}
		id := nodeID(len(t.nodes))
		parent := &t.nodes[cur]
		t.nodes = append(t.nodes, pathNode{
			name:        name,
			parent:      cur,
			nextSibling: parent.firstChild,
			depth:       parent.depth + 1,
		})
		t.nodes[cur].firstChild = id
		t.index[childKey{cur, name}] = id
		cur = id
	}
	return cur
}

// lookup returns the id of an already interned absolute path.
func (t *pathTable) lookup(p string) (nodeID, bool) {
	cur := rootID
	for p != "" {
		var comp string
		if i := strings.IndexByte(p, '/'); i >= 0 {
			comp, p = p[:i], p[i+1:]
		} else {
			comp, p = p, ""
		}
		if comp == "" || comp == "." {
			continue
		}
		id, ok := t.index[childKey{cur, comp}]
		if !ok {
			return 0, false
		}
		cur = id
	}
	return cur, true
}

// child returns the id of name directly below dir.
func (t *pathTable) child(dir nodeID, name string) (nodeID, bool) {
	id, ok := t.index[childKey{dir, name}]
	return id, ok
}

func (t *pathTable) len() int { return len(t.nodes) }

func (t *pathTable) name(id nodeID) string   { return t.nodes[id].name }
func (t *pathTable) parent(id nodeID) nodeID { return t.nodes[id].parent }

// path renders the absolute path of id.
func (t *pathTable) path(id nodeID) string {
	if id == rootID {
		return "/"
	}
	n := 0
	for c := id; c != rootID; c = t.nodes[c].parent {
		n += len(t.nodes[c].name) + 1
	}
	b := make([]byte, n)
	for c := id; c != rootID; c = t.nodes[c].parent {
		nm := t.nodes[c].name
		n -= len(nm)
		copy(b[n:], nm)
		n--
		b[n] = '/'
	}
	return string(b)
}

// isUnder reports whether id is dir or below it.
func (t *pathTable) isUnder(id, dir nodeID) bool {
	for {
		if id == dir {
			return true
		}
		if id == rootID {
			return false
		}
		id = t.nodes[id].parent
	}
}

// walk calls fn for id and every node below it, parents first. fn returning
// false skips the node's descendants.
func (t *pathTable) walk(id nodeID, fn func(nodeID) bool) {
	if !fn(id) {
		return
	}
	for c := t.nodes[id].firstChild; c != 0; c = t.nodes[c].nextSibling {
		t.walk(c, fn)
	}
}
