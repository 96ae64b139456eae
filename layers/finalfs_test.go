package layers

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"path"
	"slices"
	"sort"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// op is one entry of a generated layer.
type op struct {
	path string
	kind byte // 'f' file, 'd' dir, 'l' symlink, 'w' whiteout, 'o' opaque marker
}

func (o op) entry(layer int) *Entry {
	e := &Entry{Layer: layer, Path: o.path, Type: TypeFile}
	switch o.kind {
	case 'd':
		e.Type = TypeDir
	case 'l':
		e.Type = TypeSymlink
	case 'w':
		e.Whiteout = true
	case 'o':
		e.Opaque = true
	}
	return e
}

func stackOf(ls [][]op) *FinalFS {
	cs := NewChangeSet()
	var chs []*Changes
	for li, l := range ls {
		c := cs.NewChanges()
		for _, o := range l {
			c.Add(o.entry(li))
		}
		chs = append(chs, c)
	}
	return cs.Stack(chs)
}

// presentSet lists "path@layer" for every entry FinalFS calls present.
func presentSet(ls [][]op) []string {
	f := stackOf(ls)
	var out []string
	for li, l := range ls {
		for _, o := range l {
			if o.kind != 'w' && o.kind != 'o' && f.Present(o.path, li) {
				out = append(out, fmt.Sprintf("%s@%d", o.path, li))
			}
		}
	}
	sort.Strings(out)
	return out
}

func TestFinalFSRules(t *testing.T) {
	f, d, l, w, o := byte('f'), byte('d'), byte('l'), byte('w'), byte('o')
	for _, tc := range []struct {
		name   string
		layers [][]op
		want   []string
	}{
		{"upper replaces", [][]op{{{"/a", f}}, {{"/a", f}}}, []string{"/a@1"}},
		{"whiteout deletes subtree", [][]op{{{"/a", d}, {"/a/b", f}, {"/c", f}}, {{"/a", w}}}, []string{"/c@0"}},
		{"whiteout is for lower layers only", [][]op{{{"/x", f}}, {{"/a", w}, {"/a/b", f}}}, []string{"/a/b@1", "/x@0"}},
		{"opaque hides lower children", [][]op{{{"/a", d}, {"/a/b", f}}, {{"/a", o}, {"/a/c", f}}}, []string{"/a/c@1", "/a@0"}},
		{"opaque at the root", [][]op{{{"/a", d}, {"/a/b", f}, {"/etc", d}}, {{"/", o}, {"/n", f}}}, []string{"/n@1"}},
		{"file replaces dir", [][]op{{{"/a", d}, {"/a/b", f}}, {{"/a", f}}}, []string{"/a@1"}},
		{"symlink replaces dir", [][]op{{{"/v", d}, {"/v/lib", d}, {"/v/lib/s", f}}, {{"/v/lib", l}}}, []string{"/v/lib@1", "/v@0"}},
		{"dir replaces file", [][]op{{{"/a", f}}, {{"/a", d}, {"/a/b", f}}}, []string{"/a/b@1", "/a@1"}},
		{"implied dir replaces file", [][]op{{{"/a", f}}, {{"/a/b", f}}}, []string{"/a/b@1"}},
		{"implied dir keeps lower dir", [][]op{{{"/a", d}}, {{"/a/b", f}}}, []string{"/a/b@1", "/a@0"}},
		{"file then dir again keeps subtree gone", [][]op{{{"/a", d}, {"/a/x", f}}, {{"/a", f}}, {{"/a", d}}}, []string{"/a@2"}},
		{"whiteout then dir again", [][]op{{{"/a", d}, {"/a/x", f}}, {{"/a", w}}, {{"/a", d}}}, []string{"/a@2"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := presentSet(tc.layers); !slices.Equal(got, tc.want) {
				t.Errorf("present = %q, want %q", got, tc.want)
			}
		})
	}
}

// reference applies the layers bottom-up to a map, like an extractor
// would, and returns the present explicit entries.
func reference(ls [][]op) []string {
	type ent struct {
		layer    int
		dir      bool
		explicit bool
	}
	st := map[string]ent{}
	delBelow := func(p string, self bool) {
		for q := range st {
			if (self && q == p) || strings.HasPrefix(q, strings.TrimSuffix(p, "/")+"/") {
				delete(st, q)
			}
		}
	}
	implyDirs := func(p string, li int) {
		for p != "/" {
			p = path.Dir(p)
			if e, ok := st[p]; !ok || !e.dir {
				st[p] = ent{layer: li, dir: true}
			}
		}
	}
	for li, l := range ls {
		for _, o := range l {
			switch o.kind {
			case 'w':
				delBelow(o.path, true)
				implyDirs(o.path, li)
			case 'o':
				delBelow(o.path, false)
				if e, ok := st[o.path]; o.path != "/" && (!ok || !e.dir) {
					st[o.path] = ent{layer: li, dir: true}
				}
				implyDirs(o.path, li)
			}
		}
		for _, o := range l {
			if o.kind == 'w' || o.kind == 'o' {
				continue
			}
			if o.kind != 'd' {
				delBelow(o.path, false)
			}
			st[o.path] = ent{layer: li, dir: o.kind == 'd', explicit: true}
			implyDirs(o.path, li)
		}
	}
	var out []string
	for p, e := range st {
		if e.explicit {
			out = append(out, fmt.Sprintf("%s@%d", p, e.layer))
		}
	}
	sort.Strings(out)
	return out
}

// genStack makes a random stack of layers over a small path universe so
// that layers collide often. Within a layer a path appears once, nothing
// lies below a non-directory or a whiteout of the same layer. With
// explicitDirs every parent directory is an entry of the layer, and no
// opaque marker sits at the root (path.Dir of a relative name is ".").
func genStack(rng *rand.Rand, explicitDirs bool) [][]op {
	names := []string{"a", "b", "c"}
	randPath := func() string {
		p := ""
		for range 1 + rng.IntN(3) {
			p += "/" + names[rng.IntN(len(names))]
		}
		return p
	}
	kinds := []byte("ffdddlwwo")
	var ls [][]op
	for range 1 + rng.IntN(5) {
		entries := map[string]byte{} // path -> kind of the entry or whiteout
		opaque := map[string]bool{}
		var l []op
		under := func(p string, ok func(byte) bool) bool { // some op strictly below p
			for q, k := range entries {
				if strings.HasPrefix(q, strings.TrimSuffix(p, "/")+"/") && ok(k) {
					return true
				}
			}
			for q := range opaque {
				if q != p && strings.HasPrefix(q, strings.TrimSuffix(p, "/")+"/") && ok('o') {
					return true
				}
			}
			return false
		}
		any := func(byte) bool { return true }
		blocked := func(p string) bool { // p lies below a non-directory or whiteout
			for a := path.Dir(p); ; a = path.Dir(a) {
				if k, ok := entries[a]; ok && k != 'd' {
					return true
				}
				if a == "/" {
					return false
				}
			}
		}
		for range 1 + rng.IntN(6) {
			p, k := randPath(), kinds[rng.IntN(len(kinds))]
			if !explicitDirs && rng.IntN(10) == 0 {
				p, k = "/", 'o'
			}
			if blocked(p) {
				continue
			}
			switch k {
			case 'o':
				if opaque[p] || (entries[p] != 0 && entries[p] != 'd') {
					continue
				}
			default:
				if _, dup := entries[p]; dup || (k != 'd' && (opaque[p] || under(p, any))) {
					continue
				}
			}
			if explicitDirs {
				dirs := []string{}
				a := path.Dir(p)
				if k == 'o' {
					a = p
				}
				for ; a != "/"; a = path.Dir(a) {
					if _, seen := entries[a]; !seen {
						dirs = append(dirs, a)
					}
				}
				for _, d := range dirs {
					entries[d] = 'd'
					l = append(l, op{d, 'd'})
				}
			}
			if k == 'o' {
				opaque[p] = true
			} else {
				entries[p] = k
			}
			l = append(l, op{p, k})
		}
		ls = append(ls, l)
	}
	return ls
}

func TestFinalFSMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 3000 {
		ls := genStack(rng, i%2 == 0)
		if got, want := presentSet(ls), reference(ls); !slices.Equal(got, want) {
			t.Fatalf("stack %v:\npresent   = %q\nreference = %q", ls, got, want)
		}
	}
}

// ggcrAgrees reports whether go-containerregistry's mutate.Extract handles
// the stack by the spec: it keeps a lower subtree when a non-directory
// replaced its directory and a still higher layer made it a directory
// again, so such stacks are left out of the comparison.
func ggcrAgrees(ls [][]op) bool {
	for i, l := range ls {
		for _, o := range l {
			if o.kind == 'd' || o.kind == 'o' {
				continue
			}
			for _, u := range ls[i+1:] {
				for _, o2 := range u {
					if o2.path == o.path && o2.kind == 'd' {
						return false
					}
				}
			}
		}
	}
	return true
}

func layerTar(t *testing.T, l []op) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, o := range l {
		name := strings.TrimPrefix(o.path, "/")
		h := &tar.Header{Name: name, Mode: 0o644, Typeflag: tar.TypeReg}
		switch o.kind {
		case 'd':
			h.Typeflag, h.Name = tar.TypeDir, name+"/"
		case 'l':
			h.Typeflag, h.Linkname = tar.TypeSymlink, "x"
		case 'w':
			h.Name = path.Join(path.Dir(name), ".wh."+path.Base(name))
		case 'o':
			h.Name = path.Join(name, ".wh..wh..opq")
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return layer
}

func TestFinalFSMatchesGGCRExtract(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	compared := 0
	for compared < 300 {
		ls := genStack(rng, true)
		if !ggcrAgrees(ls) {
			continue
		}
		compared++
		var tls []v1.Layer
		for _, l := range ls {
			tls = append(tls, layerTar(t, l))
		}
		img, err := mutate.AppendLayers(empty.Image, tls...)
		if err != nil {
			t.Fatal(err)
		}
		rc := mutate.Extract(img)
		tr := tar.NewReader(rc)
		var got []string
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, "/"+strings.TrimSuffix(h.Name, "/"))
		}
		rc.Close()
		sort.Strings(got)
		var want []string
		for _, s := range presentSet(ls) {
			want = append(want, s[:strings.LastIndexByte(s, '@')])
		}
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Fatalf("stack %v:\nmutate.Extract = %q\nFinalFS        = %q", ls, got, want)
		}
	}
}
