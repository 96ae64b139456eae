package analyze

import (
	"sort"
	"strings"

	"github.com/pyimg/pyimg/layers"
)

// This file computes wasted bytes and efficiency with dive's definitions
// (wagoodman/dive, dive/filetree/efficiency.go and dive/image/analysis.go),
// re-implemented over compact per-layer records:
//
//   - Each layer is a tree of the paths in its tar: explicit entries plus the
//     implicit parent directories they need (which carry no size and are not
//     directories). A whiteout ".wh.x" is a node of its own, distinct from x.
//     An opaque marker only makes its directory exist; dive does not hide the
//     lower contents.
//   - Every leaf of every layer tree (no children in that layer) is visited
//     under its path (for a whiteout, the deleted path). Its size is the tar
//     header size; for a whiteout it is the summed size of the deleted subtree
//     in the stack of the lower layers if that was a directory, and 0 if it
//     was anything else.
//   - Per path, the cumulative size over all visits and the smallest size
//     seen are kept. Paths visited at least twice are inefficiencies; wasted
//     bytes are the sum of their cumulative sizes. Efficiency is the sum of
//     the smallest sizes over the sum of the cumulative sizes (1 when 0).
//   - dive's own quirks are kept so that the numbers agree: when a whiteout
//     names a path missing from the lower stack, the rest of that layer (in
//     depth-first, name-sorted order) is not visited, and a path first seen
//     that way counts -1 towards the smallest sizes; layer 0's whiteouts are
//     looked up in layer 0 itself; a directory whose tar entry is missing in
//     an upper layer loses its directory-ness in the stack.

// diveWaste is the result of the dive-compatible computation.
type diveWaste struct {
	efficiency float64
	wasted     int64
	ineff      []inefficiency // in node order
}

type inefficiency struct {
	node  nodeID
	count int32
	size  int64
}

// wasteCalc holds node-indexed scratch arrays reused across layers.
type wasteCalc struct {
	t      *pathTable
	layers []*layerData

	// current layer tree, valid where stamp[n] == cur.
	cur      int32
	stamp    []int32
	payload  []int32 // rec index, -1 for an implicit node
	childSt  []int32 // == cur when the node has a child in the layer tree
	whiteSt  []int32 // == cur when the node is whited out by the layer
	present  []nodeID
	whiteout []nodeID

	// the stack of the layers below.
	sPresent []bool
	sSize    []int64
	sDir     []bool

	// per path efficiency data.
	seen  []bool
	min   []int64
	cum   []int64
	count []int32
}

func computeWaste(t *pathTable, ls []*layerData) diveWaste {
	n := t.len()
	c := &wasteCalc{
		t: t, layers: ls,
		stamp: make([]int32, n), payload: make([]int32, n), childSt: make([]int32, n), whiteSt: make([]int32, n),
		sPresent: make([]bool, n), sSize: make([]int64, n), sDir: make([]bool, n),
		seen: make([]bool, n), min: make([]int64, n), cum: make([]int64, n), count: make([]int32, n),
	}
	for i, d := range ls {
		c.build(int32(i+1), d)
		if i == 0 {
			// dive stacks the range [0, -1] as a copy of layer 0 itself.
			c.applyAdds()
			c.visit(d)
			c.apply()
			continue
		}
		c.visit(d)
		c.apply()
	}

	var res diveWaste
	var minSum, cumSum int64
	for id := range n {
		if !c.seen[id] {
			continue
		}
		minSum += c.min[id]
		cumSum += c.cum[id]
		if c.count[id] >= 2 {
			res.wasted += c.cum[id]
			res.ineff = append(res.ineff, inefficiency{node: nodeID(id), count: c.count[id], size: c.cum[id]})
		}
	}
	res.efficiency = 1
	if cumSum != 0 {
		res.efficiency = float64(minSum) / float64(cumSum)
	}
	return res
}

// build loads layer d's tree into the scratch arrays under stamp cur.
func (c *wasteCalc) build(cur int32, d *layerData) {
	c.cur = cur
	c.present = c.present[:0]
	c.whiteout = c.whiteout[:0]
	for i := range d.recs {
		r := &d.recs[i]
		switch {
		case r.whiteout():
			if c.whiteSt[r.node] != cur {
				c.whiteSt[r.node] = cur
				c.whiteout = append(c.whiteout, r.node)
			}
			// the ".wh.x" node is a child of x's parent.
			p := c.t.parent(r.node)
			c.ensure(p)
			c.childSt[p] = cur
		case r.opaque():
			c.ensure(r.node)
		default:
			c.ensure(r.node)
			c.payload[r.node] = int32(i)
		}
	}
}

// ensure adds n and its ancestors to the layer tree as implicit nodes.
func (c *wasteCalc) ensure(n nodeID) {
	for n != rootID && c.stamp[n] != c.cur {
		c.stamp[n] = c.cur
		c.payload[n] = -1
		c.present = append(c.present, n)
		p := c.t.parent(n)
		c.childSt[p] = c.cur
		n = p
	}
}

func (c *wasteCalc) sizeOf(d *layerData, n nodeID) (size int64, dir bool) {
	i := c.payload[n]
	if i < 0 {
		return 0, false
	}
	r := &d.recs[i]
	return r.size, r.kind == layers.TypeDir
}

// op is a node of the layer tree in dive's visiting order.
type op struct {
	key      string
	node     nodeID
	whiteout bool
}

func (c *wasteCalc) sortKey(n nodeID, whiteout bool) string {
	var parts []string
	for x := n; x != rootID; x = c.t.parent(x) {
		parts = append(parts, c.t.name(x))
	}
	if whiteout {
		parts[0] = ".wh." + parts[0]
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteString(parts[i])
		if i > 0 {
			b.WriteByte(0)
		}
	}
	return b.String()
}

// sortPostOrder orders ops as a depth-first, children-first walk with
// children sorted by name, as dive visits a tree.
func sortPostOrder(ops []op) {
	sort.Slice(ops, func(i, j int) bool {
		a, b := ops[i].key, ops[j].key
		if len(a) > len(b) && a[len(b)] == 0 && strings.HasPrefix(a, b) {
			return true
		}
		if len(b) > len(a) && b[len(a)] == 0 && strings.HasPrefix(b, a) {
			return false
		}
		return a < b
	})
}

// visit accounts every leaf of the current layer tree against the stack of
// the lower layers.
func (c *wasteCalc) visit(d *layerData) {
	ordered := false
	for _, w := range c.whiteout {
		if !c.sPresent[w] {
			ordered = true
			break
		}
	}
	if !ordered {
		for _, n := range c.present {
			if c.childSt[n] != c.cur {
				size, _ := c.sizeOf(d, n)
				c.account(n, size)
			}
		}
		for _, w := range c.whiteout {
			c.account(w, c.whiteoutSize(w))
		}
		return
	}
	var ops []op
	for _, n := range c.present {
		if c.childSt[n] != c.cur {
			ops = append(ops, op{key: c.sortKey(n, false), node: n})
		}
	}
	for _, w := range c.whiteout {
		ops = append(ops, op{key: c.sortKey(w, true), node: w, whiteout: true})
	}
	sortPostOrder(ops)
	for _, o := range ops {
		if !o.whiteout {
			size, _ := c.sizeOf(d, o.node)
			c.account(o.node, size)
			continue
		}
		if !c.sPresent[o.node] {
			// dive fails to find the node, leaves a path entry with a
			// smallest size of -1 and stops visiting this layer.
			if !c.seen[o.node] {
				c.seen[o.node] = true
				c.min[o.node] = -1
			}
			return
		}
		c.account(o.node, c.whiteoutSize(o.node))
	}
}

func (c *wasteCalc) account(n nodeID, size int64) {
	if !c.seen[n] || c.min[n] < 0 || size < c.min[n] {
		c.min[n] = size
	}
	c.seen[n] = true
	c.cum[n] += size
	c.count[n]++
}

// whiteoutSize is the size dive gives a whiteout of w: the summed size of
// the subtree in the stack if w was a directory there, else 0.
func (c *wasteCalc) whiteoutSize(w nodeID) int64 {
	if !c.sPresent[w] || !c.sDir[w] {
		return 0
	}
	var sum int64
	c.t.walk(w, func(n nodeID) bool {
		if !c.sPresent[n] {
			return false
		}
		sum += c.sSize[n]
		return true
	})
	return sum
}

// applyAdds stacks the current layer's nodes, ignoring its whiteouts.
func (c *wasteCalc) applyAdds() {
	d := c.layers[c.cur-1]
	for _, n := range c.present {
		c.add(d, n)
	}
}

// apply stacks the current layer on the lower layers.
func (c *wasteCalc) apply() {
	d := c.layers[c.cur-1]
	ordered := false
	for _, w := range c.whiteout {
		if c.stamp[w] == c.cur {
			ordered = true
			break
		}
	}
	if !ordered {
		for _, w := range c.whiteout {
			c.remove(w)
		}
		for _, n := range c.present {
			c.add(d, n)
		}
		return
	}
	ops := make([]op, 0, len(c.present)+len(c.whiteout))
	for _, n := range c.present {
		ops = append(ops, op{key: c.sortKey(n, false), node: n})
	}
	for _, w := range c.whiteout {
		ops = append(ops, op{key: c.sortKey(w, true), node: w, whiteout: true})
	}
	sortPostOrder(ops)
	for _, o := range ops {
		if o.whiteout {
			c.remove(o.node)
		} else {
			c.add(d, o.node)
		}
	}
}

func (c *wasteCalc) add(d *layerData, n nodeID) {
	c.sPresent[n] = true
	c.sSize[n], c.sDir[n] = c.sizeOf(d, n)
	// dive's AddPath creates missing parents as empty nodes.
	for p := c.t.parent(n); p != rootID && !c.sPresent[p]; p = c.t.parent(p) {
		c.sPresent[p] = true
		c.sSize[p], c.sDir[p] = 0, false
	}
}

func (c *wasteCalc) remove(n nodeID) {
	if !c.sPresent[n] {
		return
	}
	c.t.walk(n, func(x nodeID) bool {
		if !c.sPresent[x] {
			return false
		}
		c.sPresent[x] = false
		return true
	})
}
