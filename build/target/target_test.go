package target

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// f is a tar entry of a test layer: a file with content, or a symlink when
// link is set, or a whiteout when the name says so.
type f struct{ name, content, link string }

func tarLayer(t *testing.T, files ...f) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, x := range files {
		h := &tar.Header{Name: x.name, Mode: 0o755, Typeflag: tar.TypeReg, Size: int64(len(x.content))}
		if x.link != "" {
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, x.link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, x.content)
	}
	tw.Close()
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func image(t *testing.T, arch string, env []string, ls ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture, cfg.Config.Env = "linux", arch, env
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

const dpkgStatus = `Package: libc6
Status: install ok installed
Version: 2.36-9+deb12u4

Package: python3.11-minimal
Status: install ok installed
Version: 3.11.2-6+deb12u6

Package: removed
Status: deinstall ok config-files
Version: 1.0
`

func TestRead(t *testing.T) {
	tests := []struct {
		name string
		img  func(t *testing.T) v1.Image
		want Target
	}{
		{"python official", func(t *testing.T) v1.Image {
			return image(t, "amd64", []string{"PYTHON_VERSION=3.12.7"},
				tarLayer(t, f{name: "lib/x86_64-linux-gnu/libc.so.6", content: "\x7fELF"}, f{name: "var/lib/dpkg/status", content: dpkgStatus}),
				tarLayer(t, f{name: "usr/local/bin/python3.12", content: "\x7fELF"}, f{name: "usr/local/bin/python3", link: "python3.12"}, f{name: "usr/bin/python3.11", content: "x"}))
		}, Target{Interpreter: "/usr/local/bin/python3.12", PythonVersion: "3.12", PythonFullVersion: "3.12.7", Implementation: "cp", ABI: "cp312", Libc: "glibc", LibcVersion: "2.36", Arch: "x86_64", OS: "linux"}},
		{"debian", func(t *testing.T) v1.Image {
			return image(t, "arm64", nil,
				tarLayer(t, f{name: "usr/lib/aarch64-linux-gnu/libc.so.6", content: "\x7fELF...GNU C Library (Debian GLIBC 2.36-9+deb12u4) stable release version 2.36.\n"},
					f{name: "var/lib/dpkg/status.d/python", content: "Package: python3.11-minimal\nVersion: 3.11.2-6\n"},
					f{name: "usr/bin/python3.11", content: "\x7fELF"}, f{name: "usr/bin/python3", link: "/usr/bin/python3.11"}))
		}, Target{Interpreter: "/usr/bin/python3.11", PythonVersion: "3.11", PythonFullVersion: "3.11.2", Implementation: "cp", ABI: "cp311", Libc: "glibc", LibcVersion: "2.36", Arch: "aarch64", OS: "linux"}},
		{"old glibc file name", func(t *testing.T) v1.Image {
			return image(t, "amd64", nil,
				tarLayer(t, f{name: "lib/x86_64-linux-gnu/libc-2.31.so", content: "\x7fELF"}, f{name: "lib/x86_64-linux-gnu/libc.so.6", link: "libc-2.31.so"},
					f{name: "usr/bin/python3.9", content: "\x7fELF"}))
		}, Target{Interpreter: "/usr/bin/python3.9", PythonVersion: "3.9", Implementation: "cp", ABI: "cp39", Libc: "glibc", LibcVersion: "2.31", Arch: "x86_64", OS: "linux"}},
		{"alpine free-threaded", func(t *testing.T) v1.Image {
			return image(t, "arm64", nil,
				tarLayer(t, f{name: "lib/ld-musl-aarch64.so.1", content: "\x7fELF"}, f{name: "lib/apk/db/installed", content: "C:x\nP:musl\nV:1.2.5-r0\n\nP:python3\nV:3.13.1-r0\n"},
					f{name: "usr/bin/python3.13t", content: "\x7fELF"}))
		}, Target{Interpreter: "/usr/bin/python3.13t", PythonVersion: "3.13", PythonFullVersion: "3.13.1", Implementation: "cp", ABI: "cp313t", Libc: "musl", LibcVersion: "1.2", Arch: "aarch64", OS: "linux"}},
		{"whiteout and opaque", func(t *testing.T) v1.Image {
			return image(t, "amd64", nil,
				tarLayer(t, f{name: "lib/x86_64-linux-gnu/libc.so.6", content: "x"}, f{name: "var/lib/dpkg/status", content: dpkgStatus},
					f{name: "usr/local/bin/python3.13", content: "x"}, f{name: "usr/bin/python3.12", content: "x"}, f{name: "usr/bin/python3.10", content: "x"}),
				tarLayer(t, f{name: "usr/local/bin/.wh..wh..opq"}, f{name: "usr/bin/.wh.python3.12"}))
		}, Target{Interpreter: "/usr/bin/python3.10", PythonVersion: "3.10", Implementation: "cp", ABI: "cp310", Libc: "glibc", LibcVersion: "2.36", Arch: "x86_64", OS: "linux"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := tt.img(t)
			d, _ := img.Digest()
			got, err := Read(context.Background(), img, d, WithCacheDir(""))
			if err != nil {
				t.Fatal(err)
			}
			if *got != tt.want {
				t.Errorf("Read() = %+v\nwant     %+v", *got, tt.want)
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	noPy := image(t, "amd64", nil, tarLayer(t, f{name: "lib/x86_64-linux-gnu/libc.so.6", content: "x"}))
	d, _ := noPy.Digest()
	if _, err := Read(context.Background(), noPy, d, WithCacheDir("")); !errors.Is(err, ErrNoPython) {
		t.Errorf("Read(no python) = %v, want ErrNoPython", err)
	}
	noLibc := image(t, "amd64", nil, tarLayer(t, f{name: "usr/bin/python3.11", content: "x"}))
	d, _ = noLibc.Digest()
	if _, err := Read(context.Background(), noLibc, d, WithCacheDir("")); !errors.Is(err, ErrIncomplete) {
		t.Errorf("Read(no libc) = %v, want ErrIncomplete", err)
	}
	noArch := image(t, "", nil, tarLayer(t, f{name: "usr/bin/python3.11", content: "x"}, f{name: "lib/libc.so.6", content: "GNU C Library (x) stable release version 2.36."}))
	d, _ = noArch.Digest()
	if _, err := Read(context.Background(), noArch, d, WithCacheDir("")); !errors.Is(err, ErrIncomplete) {
		t.Errorf("Read(no arch) = %v, want ErrIncomplete", err)
	}
}

func TestReadCache(t *testing.T) {
	dir := t.TempDir()
	img := image(t, "amd64", nil, tarLayer(t, f{name: "lib/x86_64-linux-gnu/libc-2.31.so", content: "x"}, f{name: "lib/x86_64-linux-gnu/libc.so.6", link: "libc-2.31.so"}, f{name: "usr/bin/python3.9", content: "x"}))
	d, _ := img.Digest()
	first, err := Read(context.Background(), img, d, WithCacheDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	// The same digest with an image that has no Python: the cached facts win,
	// proving the layers were not read again.
	other := image(t, "amd64", nil, tarLayer(t, f{name: "etc/x", content: "x"}))
	second, err := Read(context.Background(), other, d, WithCacheDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if *first != *second {
		t.Errorf("cached = %+v, want %+v", second, first)
	}
}

func TestArch(t *testing.T) {
	for _, tt := range []struct{ arch, variant, want string }{
		{"amd64", "", "x86_64"}, {"arm64", "v8", "aarch64"}, {"arm", "v7", "armv7l"}, {"arm", "v6", "armv6l"}, {"386", "", "i686"}, {"ppc64le", "", "ppc64le"}, {"s390x", "", "s390x"},
	} {
		if got := Arch(tt.arch, tt.variant); got != tt.want {
			t.Errorf("Arch(%q, %q) = %q, want %q", tt.arch, tt.variant, got, tt.want)
		}
	}
}
