package dockerfile

import (
	"maps"
	"sync"
	"testing"
)

func TestVarsVersionsAndInheritance(t *testing.T) {
	parent := newVarStore(Vars{})
	parent.next()
	parent.set("A", "1")
	parent.set("B", "2")
	p1 := parent.view()
	parent.next()
	parent.set("A", "10")
	pFinal := parent.view()

	child := newVarStore(pFinal)
	c0 := child.view()
	child.next()
	child.set("B", "20")
	child.unset("A")
	c1 := child.view()

	for _, tc := range []struct {
		name   string
		v      Vars
		key    string
		want   string
		wantOK bool
	}{
		{"before any set", Vars{}, "A", "", false},
		{"parent v1", p1, "A", "1", true},
		{"parent final", pFinal, "A", "10", true},
		{"child inherits", c0, "A", "10", true},
		{"child overrides", c1, "B", "20", true},
		{"child unset", c1, "A", "", false},
		{"parent unchanged by child", pFinal, "B", "2", true},
	} {
		if got, ok := tc.v.Lookup(tc.key); got != tc.want || ok != tc.wantOK {
			t.Errorf("%s: Lookup(%s) = %q, %v; want %q, %v", tc.name, tc.key, got, ok, tc.want, tc.wantOK)
		}
	}
	if got, want := c1.Map(), map[string]string{"B": "20"}; !maps.Equal(got, want) {
		t.Errorf("child Map() = %v, want %v", got, want)
	}
	if got, want := c0.Map(), map[string]string{"A": "10", "B": "2"}; !maps.Equal(got, want) {
		t.Errorf("inherited Map() = %v, want %v", got, want)
	}
	if n := p1.Len(); n != 2 {
		t.Errorf("p1.Len() = %d, want 2", n)
	}
}

// TestVarsConcurrentLookups: views are shared between goroutines (lint
// rules may run concurrently on one parsed file); run with -race.
func TestVarsConcurrentLookups(t *testing.T) {
	root := newVarStore(Vars{})
	root.next()
	root.set("X", "x")
	v := root.view()
	for range 50 {
		s := newVarStore(v)
		s.next()
		s.set("Y", "y")
		v = s.view()
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if got := v.Get("X"); got != "x" {
					t.Errorf("Get(X) = %q", got)
					return
				}
				_ = v.Has("missing")
			}
		}()
	}
	wg.Wait()
}
