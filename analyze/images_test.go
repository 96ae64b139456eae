package analyze

import (
	"archive/tar"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// tf is one entry of a hand-built layer tar.
type tf struct {
	name string
	typ  byte
	body string
	size int // for generated bodies: this many bytes of filler
	link string
	mode int64
}

func td(name string) tf           { return tf{name: name, typ: tar.TypeDir, mode: 0o755} }
func tr(name string, size int) tf { return tf{name: name, typ: tar.TypeReg, size: size, mode: 0o644} }
func tb(name, body string) tf     { return tf{name: name, typ: tar.TypeReg, body: body, mode: 0o644} }
func tl(name, target string) tf {
	return tf{name: name, typ: tar.TypeSymlink, link: target, mode: 0o777}
}
func th(name, target string) tf { return tf{name: name, typ: tar.TypeLink, link: target, mode: 0o644} }

var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// layerTar builds a deterministic tar from entries.
func layerTar(t testing.TB, files ...tf) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := tar.NewWriter(&buf)
	for _, f := range files {
		body := f.body
		if f.size > 0 {
			body = strings.Repeat(string(rune('a'+len(f.name)%26)), f.size)
		}
		h := &tar.Header{Name: f.name, Typeflag: f.typ, Linkname: f.link, Mode: f.mode, ModTime: epoch, Format: tar.FormatPAX}
		if f.typ == tar.TypeReg {
			h.Size = int64(len(body))
		}
		if err := w.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if f.typ == tar.TypeReg {
			if _, err := io.WriteString(w, body); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// imageFrom stacks layer tars into an image with one history entry each.
func imageFrom(t testing.TB, cfg v1.Config, tars ...[]byte) v1.Image {
	t.Helper()
	img := empty.Image
	for i, data := range tars {
		l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(data)), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		img, err = mutate.Append(img, mutate.Addendum{Layer: l, History: v1.History{
			CreatedBy: "RUN step " + string(rune('0'+i)),
			Created:   v1.Time{Time: epoch},
		}})
		if err != nil {
			t.Fatal(err)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config = cfg
	cf.Architecture, cf.OS = "amd64", "linux"
	cf.Created = v1.Time{Time: epoch}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// diveImages are the images checked against dive. Each builder is
// deterministic, so the numbers measured with dive on the written archive
// hold for the image built here.
var diveImages = map[string]func(testing.TB) v1.Image{
	// Files overwritten with other sizes, re-added unchanged (chmod), a
	// directory entry repeated, and files under implicit parents.
	"overwrite": func(t testing.TB) v1.Image {
		return imageFrom(t, v1.Config{},
			layerTar(t, td("etc/"), tr("etc/os-release", 300), td("usr/"), td("usr/bin/"),
				tr("usr/bin/tool", 10000), tr("usr/bin/helper", 2500), tr("opt/x/y/data.bin", 7000)),
			layerTar(t, td("usr/bin/"), tr("usr/bin/tool", 12000), tr("app/main.py", 800)),
			layerTar(t, tr("usr/bin/tool", 12000), tr("usr/bin/helper", 2500), tr("opt/x/y/data.bin", 100)),
		)
	},
	// Deletions: a file, a directory with an explicit entry, a directory
	// that only existed implicitly, a directory whose entry an upper layer
	// dropped, and a path that never existed.
	"delete": func(t testing.TB) v1.Image {
		return imageFrom(t, v1.Config{},
			layerTar(t, td("var/"), td("var/cache/"), td("var/cache/apt/"),
				tr("var/cache/apt/pkgcache.bin", 40000), tr("var/cache/apt/srcpkgcache.bin", 30000),
				td("var/lib/"), tr("var/lib/state", 500),
				tr("tmp/build/a.o", 9000), tr("tmp/build/b.o", 6000),
				td("srv/"), tr("srv/one", 1000), tr("keep", 10)),
			layerTar(t, tr("srv/two", 2000), tr("var/log/extra", 5000)),
			layerTar(t, td("var/cache/"), tb("var/cache/.wh.apt", ""), tb("var/lib/.wh.state", ""),
				tb("tmp/.wh.build", ""), tb(".wh.srv", "")),
			layerTar(t, tr("new", 1234), tb(".wh.ghost", ""), tr("zzz", 50)),
		)
	},
	// Opaque directories: a directory emptied and refilled in one layer.
	"opaque": func(t testing.TB) v1.Image {
		return imageFrom(t, v1.Config{},
			layerTar(t, td("app/"), tr("app/a.py", 4000), tr("app/b.py", 3000), td("app/sub/"), tr("app/sub/c.py", 2000)),
			layerTar(t, td("app/"), tb("app/.wh..wh..opq", ""), tr("app/a.py", 4100), tr("app/d.py", 100)),
			layerTar(t, tb("data/.wh..wh..opq", ""), tr("data/x", 10)),
		)
	},
	// Hardlinks and symlinks, also replacing regular files.
	"links": func(t testing.TB) v1.Image {
		return imageFrom(t, v1.Config{},
			layerTar(t, td("usr/"), td("usr/bin/"), tr("usr/bin/python3.12", 60000),
				th("usr/bin/python3", "usr/bin/python3.12"), tl("usr/bin/python", "python3"),
				tr("usr/lib/libfoo.so.1", 20000)),
			layerTar(t, tl("usr/lib/libfoo.so.1", "libfoo.so.1.2"), tr("usr/lib/libfoo.so.1.2", 21000),
				tr("usr/bin/python3", 60000), th("usr/bin/python", "usr/bin/python3.12")),
		)
	},
	// Corner cases of dive's definitions: whiteouts in layer 0, a whiteout
	// and a re-add of the same path in one layer (in both name orders), a
	// path repeated within a layer, an empty directory deleted later, a
	// directory replaced by a file, nested whiteouts, and a whiteout of a
	// missing path that sorts after other entries.
	"quirks": func(t testing.TB) v1.Image {
		return imageFrom(t, v1.Config{},
			layerTar(t, td("a/"), tr("a/f", 100), tb(".wh.nothing", ""), td("empty/"), td("d/"), tr("d/x", 300),
				tr("-w/f", 40), td("n/"), td("n/m/"), tr("n/m/k", 70), tr("n/top", 5), tr("dup", 10), tr("dup", 20)),
			layerTar(t, tb(".wh.a", ""), td("a/"), tr("a/g", 200), tb(".wh.empty", ""),
				tb(".wh.-w", ""), tr("-w/f", 41), tr("d", 33)),
			layerTar(t, tb("n/.wh.m", ""), tb(".wh.n", ""), tr("b", 1), tb("c/.wh.missing", ""), tr("c/z", 2), tr("e", 3)),
			layerTar(t, td("d/"), tr("d/x", 301), tr("dup", 20)),
		)
	},
	// quirks without the early stop of layer 0, so the later layers'
	// corner cases all count.
	"quirks2": func(t testing.TB) v1.Image {
		return imageFrom(t, v1.Config{},
			layerTar(t, td("a/"), tr("a/f", 100), tb(".wh.dup", ""), td("empty/"), td("d/"), tr("d/x", 300),
				tr("-w/f", 40), td("n/"), td("n/m/"), tr("n/m/k", 70), tr("n/top", 5), tr("dup", 10), tr("dup", 20)),
			layerTar(t, tb(".wh.a", ""), td("a/"), tr("a/g", 200), tb(".wh.empty", ""),
				tb(".wh.-w", ""), tr("-w/f", 41), tr("d", 33)),
			layerTar(t, tb("n/.wh.m", ""), tb(".wh.n", ""), tr("b", 1), tb("c/.wh.missing", ""), tr("c/z", 2), tr("e", 3)),
			layerTar(t, td("d/"), tr("d/x", 301), tr("dup", 20), tr("c/z", 4)),
		)
	},
	// The benchmark's image shape at 6 MiB and 3,000 files: many packages,
	// overwrites in every layer and a whited-out package per layer.
	"synthetic": func(t testing.TB) v1.Image {
		return openBenchImage(t, benchImage(t, t.TempDir(), 6<<20, 3000, 6))
	},
}
