package project

import (
	"fmt"
	"strings"

	"github.com/pyimg/pyimg/pydist"
)

// lockGraph is a lock's dependency graph: the project's own entries (the
// roots: editable or virtual sources) and every package's edges.
type lockGraph struct {
	roots []string
	deps  map[string][]LockedDep
	extra map[string]map[string][]LockedDep
}

// Reachable returns the normalized names of the packages the project's
// runtime dependencies reach with env's markers, following the lock's
// dependency graph (uv.lock records one) from the project's own entries
// (editable or virtual sources), extras included and development groups
// left out, as `uv sync --no-dev` installs. It returns nil when the lock
// records no graph or no project entry: then every package applies.
func (l *Lock) Reachable(env map[string]string) (map[string]bool, error) {
	g := newLockGraph(l)
	if g == nil {
		return nil, nil
	}
	all, err := g.reachable(env)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.File, err)
	}
	out := make(map[string]bool, len(all))
	for n := range all {
		if !strings.Contains(n, "[") {
			out[n] = true
		}
	}
	return out, nil
}

// newLockGraph returns the graph of pl, or nil when pl records none or has
// no root to start from (then every locked package is installed).
func newLockGraph(pl *Lock) *lockGraph {
	g := &lockGraph{deps: map[string][]LockedDep{}, extra: map[string]map[string][]LockedDep{}}
	edges := false
	for _, p := range pl.Packages {
		n := pydist.NormalizeName(p.Name)
		if p.Editable || strings.HasPrefix(p.Source, "virtual:") {
			g.roots = append(g.roots, n)
		}
		if len(p.Dependencies) > 0 || len(p.Optional) > 0 {
			edges = true
		}
		g.deps[n] = append(g.deps[n], p.Dependencies...)
		if len(p.Optional) > 0 {
			if g.extra[n] == nil {
				g.extra[n] = map[string][]LockedDep{}
			}
			for x, ds := range p.Optional {
				g.extra[n][pydist.NormalizeName(x)] = append(g.extra[n][pydist.NormalizeName(x)], ds...)
			}
		}
	}
	if !edges || len(g.roots) == 0 {
		return nil
	}
	return g
}

// reachable returns the normalized names the roots' runtime dependencies
// reach with env's markers (extra = the extra being followed).
func (g *lockGraph) reachable(env map[string]string) (map[string]bool, error) {
	seen := map[string]bool{}
	type item struct {
		name   string
		extras []string
	}
	var queue []item
	for _, r := range g.roots {
		queue = append(queue, item{name: r})
	}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		follow := func(ds []LockedDep, extra string) error {
			for _, d := range ds {
				if d.Marker != "" {
					e := env
					if extra != "" {
						e = withExtra(env, extra)
					}
					ok, err := EvalMarker(d.Marker, e)
					if err != nil {
						return fmt.Errorf("%s -> %s: %w", it.name, d.Name, err)
					}
					if !ok {
						continue
					}
				}
				queue = append(queue, item{name: pydist.NormalizeName(d.Name), extras: d.Extras})
			}
			return nil
		}
		first := !seen[it.name]
		seen[it.name] = true
		if first {
			if err := follow(g.deps[it.name], ""); err != nil {
				return nil, err
			}
		}
		for _, x := range it.extras {
			key := it.name + "[" + pydist.NormalizeName(x) + "]"
			if seen[key] {
				continue
			}
			seen[key] = true
			if err := follow(g.extra[it.name][pydist.NormalizeName(x)], x); err != nil {
				return nil, err
			}
		}
	}
	return seen, nil
}

func withExtra(env map[string]string, extra string) map[string]string {
	e := make(map[string]string, len(env)+1)
	for k, v := range env {
		e[k] = v
	}
	e["extra"] = extra
	return e
}
