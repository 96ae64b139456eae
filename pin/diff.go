package pin

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
)

// Diff returns a unified diff (3 lines of context) from old to new, labelled
// a/name and b/name (name itself when it is an absolute path), or "" when
// they are equal. Lines keep their carriage
// returns so the patch applies to CRLF files.
func Diff(name string, old, new []byte) string {
	if bytes.Equal(old, new) {
		return ""
	}
	a, b := diffLines(old), diffLines(new)
	var ops []op
	if len(a) == len(b) {
		// pin edits lines in place: pair them by position, in linear time.
		for i := range a {
			if a[i] == b[i] {
				ops = append(ops, op{' ', i, i})
			} else {
				ops = append(ops, op{'-', i, i}, op{'+', i + 1, i})
			}
		}
		ops = groupRuns(ops)
	} else {
		ops = editOps(a, b)
	}
	var out strings.Builder
	if strings.HasPrefix(name, "/") {
		fmt.Fprintf(&out, "--- %s\n+++ %s\n", name, name)
	} else {
		fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", name, name)
	}
	const ctx = 3
	// Group ops into hunks: runs of changes with up to 2*ctx equal lines
	// between them.
	i := 0
	for i < len(ops) {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		start := max(i-ctx, 0)
		end := i
		for end < len(ops) {
			if ops[end].kind != ' ' {
				end++
				continue
			}
			j := end
			for j < len(ops) && ops[j].kind == ' ' {
				j++
			}
			if j == len(ops) || j-end > 2*ctx {
				end = min(end+ctx, len(ops))
				break
			}
			end = j
		}
		writeHunk(&out, a, b, ops[start:end])
		i = end
	}
	return out.String()
}

type op struct {
	kind byte // ' ', '-', '+'
	ai   int  // index in a (for ' ' and '-')
	bi   int  // index in b (for ' ' and '+')
}

func writeHunk(out *strings.Builder, a, b []string, ops []op) {
	aStart, bStart, aN, bN := -1, -1, 0, 0
	for _, o := range ops {
		if o.kind != '+' {
			if aStart < 0 {
				aStart = o.ai
			}
			aN++
		}
		if o.kind != '-' {
			if bStart < 0 {
				bStart = o.bi
			}
			bN++
		}
	}
	if aStart < 0 {
		aStart = ops[0].ai - 1
	}
	if bStart < 0 {
		bStart = ops[0].bi - 1
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", hunkRange(aStart, aN), hunkRange(bStart, bN))
	for _, o := range ops {
		l := ""
		if o.kind == '+' {
			l = b[o.bi]
		} else {
			l = a[o.ai]
		}
		out.WriteByte(o.kind)
		if strings.HasSuffix(l, "\n") {
			out.WriteString(l)
		} else {
			out.WriteString(l)
			out.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	if n == 0 {
		return fmt.Sprintf("%d,0", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// diffLines splits s after each '\n', keeping the line endings.
func diffLines(s []byte) []string {
	var ls []string
	for len(s) > 0 {
		i := bytes.IndexByte(s, '\n')
		if i < 0 {
			ls = append(ls, string(s))
			break
		}
		ls = append(ls, string(s[:i+1]))
		s = s[i+1:]
	}
	return ls
}

// editOps computes a shortest edit script with Myers' algorithm in linear
// space (the middle-snake divide and conquer of "An O(ND) Difference
// Algorithm and Its Variations", section 4b): memory is O(len(a)+len(b))
// whatever the number of changes. Lines are compared as integers. Within
// each run of changes, deletions come before insertions.
func editOps(a, b []string) []op {
	ids := map[string]int32{}
	intern := func(ls []string) []int32 {
		out := make([]int32, len(ls))
		for i, l := range ls {
			id, ok := ids[l]
			if !ok {
				id = int32(len(ids))
				ids[l] = id
			}
			out[i] = id
		}
		return out
	}
	d := &differ{a: intern(a), b: intern(b)}
	d.diff(0, len(a), 0, len(b))
	return groupRuns(d.ops)
}

// groupRuns orders each run of changes: deletions, then insertions.
func groupRuns(ops []op) []op {
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		j := i
		for j < len(ops) && ops[j].kind != ' ' {
			j++
		}
		run := ops[i:j]
		sort.SliceStable(run, func(x, y int) bool { return run[x].kind == '-' && run[y].kind == '+' })
		i = j
	}
	return ops
}

type differ struct {
	a, b   []int32
	ops    []op
	vf, vb []int
}

func (d *differ) diff(aLo, aHi, bLo, bHi int) {
	for aLo < aHi && bLo < bHi && d.a[aLo] == d.b[bLo] {
		d.ops = append(d.ops, op{' ', aLo, bLo})
		aLo++
		bLo++
	}
	suffix := 0
	for aLo < aHi-suffix && bLo < bHi-suffix && d.a[aHi-1-suffix] == d.b[bHi-1-suffix] {
		suffix++
	}
	aEnd, bEnd := aHi-suffix, bHi-suffix
	switch {
	case aLo == aEnd:
		for j := bLo; j < bEnd; j++ {
			d.ops = append(d.ops, op{'+', aLo, j})
		}
	case bLo == bEnd:
		for i := aLo; i < aEnd; i++ {
			d.ops = append(d.ops, op{'-', i, bLo})
		}
	default:
		x, y, u, v := d.middleSnake(aLo, aEnd, bLo, bEnd)
		d.diff(aLo, x, bLo, y)
		for ; x < u; x, y = x+1, y+1 {
			d.ops = append(d.ops, op{' ', x, y})
		}
		d.diff(u, aEnd, v, bEnd)
	}
	for k := range suffix {
		d.ops = append(d.ops, op{' ', aEnd + k, bEnd + k})
	}
}

// middleSnake returns the middle snake (x,y)-(u,v) of an optimal path
// from (aLo,bLo) to (aHi,bHi); both ranges are non-empty.
func (d *differ) middleSnake(aLo, aHi, bLo, bHi int) (x, y, u, v int) {
	a, b := d.a[aLo:aHi], d.b[bLo:bHi]
	n, m := len(a), len(b)
	delta := n - m
	odd := delta&1 != 0
	dmax := (n + m + 1) / 2
	off := dmax + 1
	if need := 2*dmax + 3; len(d.vf) < need {
		d.vf, d.vb = make([]int, need), make([]int, need)
	}
	vf, vb := d.vf, d.vb
	vf[off+1], vb[off+1] = 0, 0
	for D := 0; D <= min(dmax, maxEditCost); D++ {
		for k := -D; k <= D; k += 2 {
			var x int
			if k == -D || (k != D && vf[off+k-1] < vf[off+k+1]) {
				x = vf[off+k+1]
			} else {
				x = vf[off+k-1] + 1
			}
			y := x - k
			x0, y0 := x, y
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			vf[off+k] = x
			if c := delta - k; odd && c >= -(D-1) && c <= D-1 && x+vb[off+c] >= n {
				return aLo + x0, bLo + y0, aLo + x, bLo + y
			}
		}
		for c := -D; c <= D; c += 2 {
			var x int
			if c == -D || (c != D && vb[off+c-1] < vb[off+c+1]) {
				x = vb[off+c+1]
			} else {
				x = vb[off+c-1] + 1
			}
			y := x - c
			x0, y0 := x, y
			for x < n && y < m && a[n-1-x] == b[m-1-y] {
				x++
				y++
			}
			vb[off+c] = x
			if k := delta - c; !odd && k >= -D && k <= D && x+vf[off+k] >= n {
				return aLo + n - x, bLo + m - y, aLo + n - x0, bLo + m - y0
			}
		}
	}
	// Too many differences: split in the middle, like GNU diff's "too
	// expensive" heuristic. The script stays valid, maybe not shortest.
	return aLo + n/2, bLo + m/2, aLo + n/2, bLo + m/2
}

// maxEditCost bounds the search per middle snake, so time stays
// O((N+M)·maxEditCost·log(N+M)) on inputs that differ everywhere.
const maxEditCost = 256
