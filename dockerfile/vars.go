package dockerfile

import (
	"iter"
	"slices"
	"sort"
	"sync"
)

// Vars is an immutable view of the ENV or ARG variables in effect at one
// point of a Dockerfile. Views share storage: each instruction's State
// costs a few words however many variables are set, so a file with 20,000
// chained ENV instructions does not copy a 20,000-entry map 20,000 times.
// The zero Vars is empty. Vars is safe for concurrent use.
type Vars struct {
	st  *varStore
	ver int
}

// varStore holds the history of every variable set in one stage (or in
// the global ARG prelude): for each name, its values in version order. A
// view at version v sees, per name, the last entry with version <= v, and
// otherwise what the stage inherited (parent).
type varStore struct {
	parent Vars // what the stage inherited; the zero Vars if nothing
	hist   map[string][]varEntry
	order  []string // names in first-set order, for All
	ver    int

	mu        sync.Mutex
	inherited map[string]varEntry // memoised lookups in parent
}

type varEntry struct {
	ver   int
	value string
	set   bool // false: unset at this version (ARG NAME without default)
}

// newVarStore returns an empty store whose views inherit from parent.
func newVarStore(parent Vars) *varStore {
	return &varStore{parent: parent, hist: map[string][]varEntry{}}
}

// view returns the Vars at the store's current version.
func (s *varStore) view() Vars { return Vars{st: s, ver: s.ver} }

// next starts a new version: the sets and unsets that follow become
// visible together in the next view.
func (s *varStore) next() { s.ver++ }

func (s *varStore) put(name string, e varEntry) {
	e.ver = s.ver
	h, ok := s.hist[name]
	if !ok {
		s.order = append(s.order, name)
	}
	if n := len(h); n > 0 && h[n-1].ver == e.ver {
		h[n-1] = e
	} else {
		h = append(h, e)
	}
	s.hist[name] = h
}

// set sets name to value at the current version.
func (s *varStore) set(name, value string) { s.put(name, varEntry{value: value, set: true}) }

// unset removes name at the current version.
func (s *varStore) unset(name string) { s.put(name, varEntry{}) }

// Lookup returns the value of name and whether it is set.
func (v Vars) Lookup(name string) (string, bool) {
	if v.st == nil {
		return "", false
	}
	if h := v.st.hist[name]; len(h) > 0 {
		i := sort.Search(len(h), func(i int) bool { return h[i].ver > v.ver }) - 1
		if i >= 0 {
			return h[i].value, h[i].set
		}
	}
	if v.st.parent.st == nil {
		return "", false
	}
	return v.st.lookupInherited(name)
}

// lookupInherited resolves name in the inherited view once per store, so
// a chain of 10,000 stages built FROM each other is not walked on every
// lookup.
func (s *varStore) lookupInherited(name string) (string, bool) {
	s.mu.Lock()
	e, ok := s.inherited[name]
	s.mu.Unlock()
	if ok {
		return e.value, e.set
	}
	val, set := s.parent.Lookup(name)
	s.mu.Lock()
	if s.inherited == nil {
		s.inherited = map[string]varEntry{}
	}
	s.inherited[name] = varEntry{value: val, set: set}
	s.mu.Unlock()
	return val, set
}

// Get returns the value of name, "" when it is not set.
func (v Vars) Get(name string) string {
	val, _ := v.Lookup(name)
	return val
}

// Has reports whether name is set.
func (v Vars) Has(name string) bool {
	_, ok := v.Lookup(name)
	return ok
}

// All yields the variables that are set, inherited ones first, each name
// once, in the order they were first set.
func (v Vars) All() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for _, name := range v.names() {
			if val, ok := v.Lookup(name); ok {
				if !yield(name, val) {
					return
				}
			}
		}
	}
}

// Map returns the variables that are set as a new map.
func (v Vars) Map() map[string]string {
	out := map[string]string{}
	for k, val := range v.All() {
		out[k] = val
	}
	return out
}

// Len returns the number of variables that are set.
func (v Vars) Len() int {
	n := 0
	for range v.All() {
		n++
	}
	return n
}

// names returns every name ever set in v's stores, up to v's version,
// inherited first, without duplicates.
func (v Vars) names() []string {
	var chain []Vars
	for x := v; x.st != nil; x = x.st.parent {
		chain = append(chain, x)
	}
	seen := map[string]bool{}
	var out []string
	for _, x := range slices.Backward(chain) {
		for _, name := range x.st.order {
			if seen[name] || x.st.hist[name][0].ver > x.ver {
				continue
			}
			seen[name] = true
			out = append(out, name)
		}
	}
	return out
}
