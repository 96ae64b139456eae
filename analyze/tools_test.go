package analyze

import (
	"context"
	"slices"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestNetworkTools(t *testing.T) {
	img := imageFrom(t, v1.Config{},
		layerTar(t, td("usr/"), td("usr/bin/"), tr("usr/bin/curl", 10), tr("usr/bin/wget", 10),
			td("opt/"), tr("opt/curl", 5), td("usr/local/"), td("usr/local/sbin/"), tl("usr/local/sbin/wget", "/usr/bin/wget")),
		layerTar(t, tb("usr/bin/.wh.wget", "")),
	)
	res, err := Image(context.Background(), img)
	if err != nil {
		t.Fatalf("Image() = %v", err)
	}
	// wget deleted in layer 1 is gone; the symlink in a sbin directory still
	// names an executable; a file called curl outside a bin directory is not one.
	want := []string{"/usr/bin/curl", "/usr/local/sbin/wget"}
	if got := res.Security.NetworkTools; !slices.Equal(got, want) {
		t.Errorf("NetworkTools = %q, want %q", got, want)
	}
}

func TestTree(t *testing.T) {
	img := imageFrom(t, v1.Config{},
		layerTar(t, td("usr/"), td("usr/lib/"), tr("usr/lib/libbig.so", 100000), td("usr/lib/py/"), td("usr/lib/py/a/"),
			td("usr/lib/py/a/b/"), tr("usr/lib/py/a/b/deep.py", 50000), tr("usr/tiny", 10), td("tmp/"), tr("tmp/build.tar", 40000)),
		layerTar(t, tb("tmp/.wh.build.tar", "")),
	)
	res, err := Image(context.Background(), img)
	if err != nil {
		t.Fatalf("Image() = %v", err)
	}
	root := res.Tree
	if root == nil || root.Path != "/" || root.SizeBytes != 150010 || root.Files != 3 {
		t.Fatalf("Tree root = %+v, want / with 150010 bytes in 3 files", root)
	}
	if root.WastedBytes != 40000 {
		t.Errorf("root wasted = %d, want the deleted 40000-byte file", root.WastedBytes)
	}
	byPath := map[string]TreeNode{}
	var walk func(n TreeNode, depth int)
	walk = func(n TreeNode, depth int) {
		if depth > treeDepth {
			t.Errorf("%s at depth %d, deeper than %d", n.Path, depth, treeDepth)
		}
		byPath[n.Path+"|"+n.Name] = n
		for _, c := range n.Children {
			walk(c, depth+1)
		}
	}
	walk(*root, 0)
	if n, ok := byPath["/tmp|tmp"]; !ok || n.SizeBytes != 0 || n.WastedBytes != 40000 {
		t.Errorf("/tmp = %+v (present %v), want 0 bytes present and 40000 wasted", n, ok)
	}
	if n := byPath["/usr/lib|lib"]; n.SizeBytes != 150000 || n.Files != 2 {
		t.Errorf("/usr/lib = %+v, want 150000 bytes in 2 files", n)
	}
	if n := byPath["/usr/lib/py|py"]; n.SizeBytes != 50000 || len(n.Children) != 0 {
		t.Errorf("/usr/lib/py = %+v, want 50000 bytes and no children below depth %d", n, treeDepth)
	}
	// 10 bytes is under 0.5% of the image: merged into (other).
	if n, ok := byPath["/usr|(other)"]; !ok || n.SizeBytes != 10 || n.Files != 1 {
		t.Errorf("/usr (other) = %+v (present %v), want the 10-byte file", n, ok)
	}
}
