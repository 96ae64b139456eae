package pin

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// lcsLen is the textbook quadratic LCS length, the reference for editOps.
func lcsLen(a, b []string) int {
	t := make([][]int, len(a)+1)
	for i := range t {
		t[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				t[i][j] = t[i+1][j+1] + 1
			} else {
				t[i][j] = max(t[i+1][j], t[i][j+1])
			}
		}
	}
	return t[0][0]
}

func TestEditOpsShortestAndValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 9))
	for range 2000 {
		gen := func() []string {
			ls := make([]string, rng.IntN(30))
			for i := range ls {
				ls[i] = string(rune('a' + rng.IntN(4)))
			}
			return ls
		}
		a, b := gen(), gen()
		ops := editOps(a, b)
		var gotA, gotB []string
		edits := 0
		for _, o := range ops {
			switch o.kind {
			case ' ':
				if a[o.ai] != b[o.bi] {
					t.Fatalf("editOps(%q, %q): equal op joins %q and %q", a, b, a[o.ai], b[o.bi])
				}
				gotA, gotB = append(gotA, a[o.ai]), append(gotB, b[o.bi])
			case '-':
				gotA = append(gotA, a[o.ai])
				edits++
			case '+':
				gotB = append(gotB, b[o.bi])
				edits++
			}
		}
		if strings.Join(gotA, "") != strings.Join(a, "") || strings.Join(gotB, "") != strings.Join(b, "") {
			t.Fatalf("editOps(%q, %q) does not rebuild the inputs: %q, %q", a, b, gotA, gotB)
		}
		if want := len(a) + len(b) - 2*lcsLen(a, b); edits != want {
			t.Fatalf("editOps(%q, %q) = %d edits, want %d", a, b, edits, want)
		}
	}
}

// TestDiffLinearSpace diffs 100k lines that all change: the quadratic table
// needed 40 GB here; Myers in linear space stays in a few tens of MB.
func TestDiffLinearSpace(t *testing.T) {
	var old, new strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&old, "FROM python:3.%d AS s%d\n", i%13, i)
		fmt.Fprintf(&new, "FROM python:3.%d@sha256:%064d AS s%d\n", i%13, i, i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := Diff("Dockerfile", []byte(old.String()), []byte(new.String()))
	runtime.ReadMemStats(&after)
	if got := strings.Count(d, "\n-FROM"); got != 100_000 {
		t.Errorf("diff removes %d lines, want 100000", got)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 512<<20 {
		t.Errorf("Diff allocated %d MiB, want under 512", alloc>>20)
	}
}

func TestEditOpsTooExpensiveStaysValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	a, b := make([]string, 5000), make([]string, 4000)
	for i := range a {
		a[i] = fmt.Sprint(rng.IntN(50))
	}
	for i := range b {
		b[i] = fmt.Sprint(rng.IntN(50))
	}
	var ga, gb int
	for _, o := range editOps(a, b) {
		switch o.kind {
		case ' ':
			if a[o.ai] != b[o.bi] || o.ai != ga || o.bi != gb {
				t.Fatalf("bad equal op %+v at a%d b%d", o, ga, gb)
			}
			ga, gb = ga+1, gb+1
		case '-':
			if o.ai != ga {
				t.Fatalf("bad delete op %+v at a%d", o, ga)
			}
			ga++
		case '+':
			if o.bi != gb {
				t.Fatalf("bad insert op %+v at b%d", o, gb)
			}
			gb++
		}
	}
	if ga != len(a) || gb != len(b) {
		t.Errorf("script covers %d/%d and %d/%d lines", ga, len(a), gb, len(b))
	}
}
