package inventory

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// tf is one tar entry of a test layer: a regular file unless link is set
// (a symlink) or the name ends in "/" (a directory).
type tf struct {
	name, body, link string
}

func testLayer(t testing.TB, files ...tf) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg}
		switch {
		case f.link != "":
			hdr = &tar.Header{Name: f.name, Mode: 0o777, Typeflag: tar.TypeSymlink, Linkname: f.link}
		case strings.HasSuffix(f.name, "/"):
			hdr = &tar.Header{Name: f.name, Mode: 0o755, Typeflag: tar.TypeDir}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func testImage(t testing.TB, env []string, ls ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	img, err = mutate.Config(img, v1.Config{Env: env})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func inventoryOf(t *testing.T, img v1.Image, opts ...Option) *Inventory {
	t.Helper()
	inv, err := Image(context.Background(), img, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return inv
}

func find(inv *Inventory, eco, name string) *Package {
	for i := range inv.Packages {
		if p := &inv.Packages[i]; p.Ecosystem == eco && p.Name == name {
			return p
		}
	}
	return nil
}

func names(inv *Inventory, eco string) []string {
	var out []string
	for _, p := range inv.Packages {
		if p.Ecosystem == eco {
			out = append(out, p.Name+"@"+p.Version)
		}
	}
	return out
}

const (
	debianOSRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"
	pyyamlMetadata  = "Metadata-Version: 2.1\nName: PyYAML\nVersion: 6.0\nLicense: MIT\n"
)

func TestDebianImage(t *testing.T) {
	status := string(readTestdata(t, "dpkg/status"))
	yamlList := string(readTestdata(t, "dpkg/python3-yaml.list"))
	dp := "usr/lib/python3/dist-packages/"
	venv := "opt/venv/lib/python3.11/site-packages/"
	l0 := testLayer(t,
		tf{name: "usr/lib/os-release", body: debianOSRelease},
		tf{name: "etc/os-release", link: "../usr/lib/os-release"},
		tf{name: "var/lib/dpkg/status", body: status},
		tf{name: "var/lib/dpkg/info/python3-yaml.list", body: yamlList},
		tf{name: "var/lib/dpkg/info/libc6:amd64.list", body: "/.\n/lib/x86_64-linux-gnu/libc.so.6\n"},
		tf{name: dp + "PyYAML-6.0.dist-info/METADATA", body: pyyamlMetadata},
		tf{name: dp + "PyYAML-6.0.dist-info/RECORD", body: "yaml/__init__.py,,\n"},
		// pip installed over Debian's tree: not dpkg's.
		tf{name: dp + "attrs-23.1.0.dist-info/METADATA", body: "Name: attrs\nVersion: 23.1.0\n"},
		// Installed in the base layer and deleted by the next one.
		tf{name: venv + "gone-1.0.dist-info/METADATA", body: "Name: gone\nVersion: 1.0\n"},
		// A source tree's egg-info is not an installed distribution.
		tf{name: "src/app/app.egg-info/PKG-INFO", body: "Name: app\nVersion: 0.1\n"},
	)
	l1 := testLayer(t,
		tf{name: "opt/venv/pyvenv.cfg", body: "home = /usr/bin\nversion = 3.11.2\n"},
		tf{name: venv + ".wh.gone-1.0.dist-info"},
		tf{name: venv + "numpy-2.1.2.dist-info/METADATA", body: string(readTestdata(t, "python/classifier-METADATA"))},
		tf{name: venv + "numpy-2.1.2.dist-info/RECORD", body: "numpy/__init__.py,,\nnumpy.libs/libopenblas64_p-r0-0cf96a72.3.23.dev.so,,\n"},
		tf{name: venv + "numpy.libs/libopenblas64_p-r0-0cf96a72.3.23.dev.so", body: "\x7fELF"},
		tf{name: venv + "numpy.libs/libgfortran-040039e1.so.5.0.0", body: "\x7fELF"},
		tf{name: venv + "Zope.Interface-7.0.1.dist-info/METADATA", body: string(readTestdata(t, "python/license-expression-METADATA"))},
		tf{name: "app/deps/six-1.16.0.dist-info/METADATA", body: "Name: six\nVersion: 1.16.0\n"},
	)
	inv := inventoryOf(t, testImage(t, nil, l0, l1))

	wantDistro := Distro{ID: "debian", VersionID: "12", Codename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)", Libc: "glibc", LibcVersion: "2.36"}
	if inv.Distro != wantDistro {
		t.Errorf("Distro = %+v, want %+v", inv.Distro, wantDistro)
	}
	if got := names(inv, EcosystemDebian); len(got) != 6 || slices.Contains(got, "oldpkg@1.0-1") {
		t.Errorf("Debian packages = %v, want the 6 installed ones", got)
	}
	libc := find(inv, EcosystemDebian, "libc6")
	if libc == nil || libc.PURL != "pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&distro=debian-12&upstream=glibc" || libc.SourceName != "glibc" ||
		!slices.Equal(libc.Files, []string{"/.", "/lib/x86_64-linux-gnu/libc.so.6"}) || libc.Location != "/var/lib/dpkg/status" {
		t.Errorf("libc6 = %+v", libc)
	}
	if got, want := names(inv, EcosystemPyPI), []string{"attrs@23.1.0", "numpy@2.1.2", "pyyaml@6.0", "six@1.16.0", "zope-interface@7.0.1"}; !slices.Equal(got, want) {
		t.Errorf("PyPI packages = %v, want %v", got, want)
	}
	if y := find(inv, EcosystemPyPI, "pyyaml"); y == nil || !y.OSOwned || y.Interpreter != "/usr/bin/python3" || y.Location != "/usr/lib/python3/dist-packages/PyYAML-6.0.dist-info" {
		t.Errorf("pyyaml = %+v, want dpkg-owned, /usr/bin/python3", y)
	}
	if a := find(inv, EcosystemPyPI, "attrs"); a == nil || a.OSOwned {
		t.Errorf("attrs = %+v, want not OS-owned", a)
	}
	np := find(inv, EcosystemPyPI, "numpy")
	if np == nil || np.OSOwned || np.Interpreter != "/opt/venv/bin/python3.11" || np.PythonVersion != "3.11.2" || np.Layer != 1 ||
		!slices.Equal(np.Licenses, []string{"BSD License"}) || np.PURL != "pkg:pypi/numpy@2.1.2" {
		t.Errorf("numpy = %+v", np)
	}
	if z := find(inv, EcosystemPyPI, "zope-interface"); z == nil || z.PURL != "pkg:pypi/zope-interface@7.0.1" || !slices.Equal(z.Licenses, []string{"ZPL-2.1"}) {
		t.Errorf("zope-interface = %+v", z)
	}
	if s := find(inv, EcosystemPyPI, "six"); s == nil || s.Interpreter != "" {
		t.Errorf("six (a --target install) = %+v, want no interpreter", s)
	}
	ob := find(inv, EcosystemGeneric, "libopenblas64_p-r0")
	if ob == nil || ob.Parent != "pkg:pypi/numpy@2.1.2" || ob.Version != "3.23.dev" {
		t.Errorf("libopenblas = %+v, want a component of numpy", ob)
	}
	if gf := find(inv, EcosystemGeneric, "libgfortran"); gf == nil || gf.Parent != "pkg:pypi/numpy@2.1.2" || gf.Version != "5.0.0" {
		t.Errorf("libgfortran = %+v, want a component of numpy (found by directory name)", gf)
	}
}

func TestDpkgOwnershipWithoutLists(t *testing.T) {
	dp := "usr/lib/python3/dist-packages/"
	img := testImage(t, nil, testLayer(t,
		tf{name: "var/lib/dpkg/status", body: string(readTestdata(t, "dpkg/status"))},
		tf{name: dp + "PyYAML-6.0.dist-info/METADATA", body: pyyamlMetadata},
		tf{name: dp + "requests-2.28.1.egg-info/PKG-INFO", body: "Name: requests\nVersion: 2.28.1\n"},
	))
	inv := inventoryOf(t, img)
	if y := find(inv, EcosystemPyPI, "pyyaml"); y == nil || !y.OSOwned {
		t.Errorf("pyyaml = %+v, want OS-owned (python3-yaml is installed)", y)
	}
	if r := find(inv, EcosystemPyPI, "requests"); r == nil || r.OSOwned {
		t.Errorf("requests = %+v, want not OS-owned (no python3-requests)", r)
	}
}

func TestDistrolessImage(t *testing.T) {
	img := testImage(t, nil,
		testLayer(t,
			tf{name: "etc/os-release", body: "PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\nVERSION_ID=\"12\"\n"},
			tf{name: "var/lib/dpkg/status.d/libssl3", body: string(readTestdata(t, "dpkg/status.d/libssl3"))},
			tf{name: "var/lib/dpkg/status.d/libssl3.md5sums", body: string(readTestdata(t, "dpkg/status.d/libssl3.md5sums"))},
			tf{name: "var/lib/dpkg/status.d/tzdata", body: string(readTestdata(t, "dpkg/status.d/tzdata"))},
			tf{name: "lib/x86_64-linux-gnu/libc.so.6", body: "\x7fELF"},
		),
		// A later layer removes tzdata's record: it is no longer installed.
		testLayer(t, tf{name: "var/lib/dpkg/status.d/.wh.tzdata"}),
	)
	inv := inventoryOf(t, img)
	if !inv.Distro.Distroless || inv.Distro.Libc != "glibc" || inv.Distro.LibcVersion != "" {
		t.Errorf("Distro = %+v, want distroless glibc", inv.Distro)
	}
	if got, want := names(inv, EcosystemDebian), []string{"libssl3@3.0.15-1~deb12u1"}; !slices.Equal(got, want) {
		t.Errorf("Debian packages = %v, want %v", got, want)
	}
	if p := find(inv, EcosystemDebian, "libssl3"); p.SourceName != "openssl" || p.Location != "/var/lib/dpkg/status.d/libssl3" {
		t.Errorf("libssl3 = %+v", p)
	}
}

func TestAlpineImage(t *testing.T) {
	img := testImage(t, []string{"PYTHON_VERSION=3.12.7"}, testLayer(t,
		tf{name: "etc/os-release", body: "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n"},
		tf{name: "lib/apk/db/installed", body: string(readTestdata(t, "apk/installed"))},
		tf{name: "usr/lib/python3.12/site-packages/six-1.16.0.dist-info/METADATA", body: "Name: six\nVersion: 1.16.0\n"},
		tf{name: "usr/local/bin/python3.12", body: "\x7fELF"},
		tf{name: "usr/local/bin/python3", link: "python3.12"},
		tf{name: "usr/local/lib/python3.12/"},
		tf{name: "usr/local/lib/python3.12/site-packages/pip-24.2.dist-info/METADATA", body: "Name: pip\nVersion: 24.2\n"},
	))
	inv := inventoryOf(t, img)
	if d := inv.Distro; d.ID != "alpine" || d.Libc != "musl" || d.LibcVersion != "1.2.5" {
		t.Errorf("Distro = %+v", d)
	}
	if p := find(inv, EcosystemAlpine, "libcrypto3"); p == nil || p.SourceName != "openssl" || p.PURL != "pkg:apk/alpine/libcrypto3@3.3.2-r1?arch=x86_64&distro=alpine-3.20.3&upstream=openssl" {
		t.Errorf("libcrypto3 = %+v", p)
	}
	if p := find(inv, EcosystemPyPI, "six"); p == nil || !p.OSOwned {
		t.Errorf("six = %+v, want apk-owned", p)
	}
	py := find(inv, EcosystemGeneric, "python")
	if py == nil || py.Version != "3.12.7" || py.PURL != "pkg:generic/python@3.12.7" || py.CPE != "cpe:2.3:a:python:python:3.12.7:*:*:*:*:*:*:*" || py.Location != "/usr/local/bin/python3.12" {
		t.Errorf("interpreter = %+v", py)
	}
	if p := find(inv, EcosystemPyPI, "pip"); p == nil || p.PythonVersion != "3.12.7" || p.Interpreter != "/usr/local/bin/python3.12" {
		t.Errorf("pip = %+v", p)
	}
}

func TestInterpreterVersionFromLibDir(t *testing.T) {
	img := testImage(t, nil, testLayer(t,
		tf{name: "usr/local/bin/python3.13", body: "\x7fELF"},
		tf{name: "usr/local/lib/python3.13/"},
	))
	if py := find(inventoryOf(t, img), EcosystemGeneric, "python"); py == nil || py.Version != "3.13" {
		t.Errorf("interpreter = %+v, want version 3.13 from the lib directory", py)
	}
}

func TestOpaqueAndOverwrite(t *testing.T) {
	status := func(v string) string {
		return "Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + v + "\n"
	}
	img := testImage(t, nil,
		testLayer(t,
			tf{name: "var/lib/dpkg/status", body: status("1")},
			tf{name: "opt/site/old-1.0.dist-info/METADATA", body: "Name: old\nVersion: 1.0\n"},
		),
		testLayer(t,
			tf{name: "var/lib/dpkg/status", body: status("2")},
			tf{name: "opt/site/"},
			tf{name: "opt/site/.wh..wh..opq"},
			tf{name: "opt/site/new-2.0.dist-info/METADATA", body: "Name: new\nVersion: 2.0\n"},
		),
	)
	inv := inventoryOf(t, img, WithFiles(false))
	if got := names(inv, EcosystemDebian); !slices.Equal(got, []string{"a@2"}) {
		t.Errorf("Debian packages = %v, want [a@2] from the upper status", got)
	}
	if got := names(inv, EcosystemPyPI); !slices.Equal(got, []string{"new@2.0"}) {
		t.Errorf("PyPI packages = %v, want [new@2.0]: the opaque directory hides old", got)
	}
}

func TestListBudget(t *testing.T) {
	img := testImage(t, nil, testLayer(t,
		tf{name: "var/lib/dpkg/status", body: string(readTestdata(t, "dpkg/status"))},
		tf{name: "var/lib/dpkg/info/python3-yaml.list", body: string(readTestdata(t, "dpkg/python3-yaml.list"))},
		tf{name: "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info/METADATA", body: pyyamlMetadata},
	))
	inv := inventoryOf(t, img, WithMaxListBytes(10))
	if y := find(inv, EcosystemPyPI, "pyyaml"); y == nil || !y.OSOwned {
		t.Errorf("pyyaml = %+v, want OS-owned with a reduced list", y)
	}
	if p := find(inv, EcosystemDebian, "python3-yaml"); p == nil || p.Files != nil {
		t.Errorf("python3-yaml = %+v, want no files past the budget", p)
	}
}

func TestLibcFromFiles(t *testing.T) {
	for _, tt := range []struct {
		file, libc, version string
	}{
		{"lib/ld-musl-aarch64.so.1", "musl", ""},
		{"lib/x86_64-linux-gnu/libc-2.31.so", "glibc", "2.31"},
		{"usr/lib/x86_64-linux-gnu/libc.so.6", "glibc", ""},
		{"usr/lib/libcurl.so.4", "", ""},
	} {
		d := inventoryOf(t, testImage(t, nil, testLayer(t, tf{name: tt.file, body: "\x7fELF"}))).Distro
		if d.Libc != tt.libc || d.LibcVersion != tt.version {
			t.Errorf("%s: libc %q %q, want %q %q", tt.file, d.Libc, d.LibcVersion, tt.libc, tt.version)
		}
	}
}

func TestWolfi(t *testing.T) {
	img := testImage(t, nil, testLayer(t,
		tf{name: "etc/os-release", body: "ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=\"20230201\"\n"},
		tf{name: "usr/lib/apk/db/installed", body: "P:glibc\nV:2.40-r3\nA:x86_64\no:glibc\n\nP:python-3.12\nV:3.12.7-r0\nA:x86_64\no:python-3.12\n"},
	))
	inv := inventoryOf(t, img)
	if d := inv.Distro; d.ID != "wolfi" || d.Libc != "glibc" || d.LibcVersion != "2.40" {
		t.Errorf("Distro = %+v", d)
	}
	if p := find(inv, EcosystemAlpine, "python-3.12"); p == nil || p.PURL != "pkg:apk/wolfi/python-3.12@3.12.7-r0?arch=x86_64&distro=wolfi-20230201" {
		t.Errorf("python-3.12 = %+v", p)
	}
}

func TestEggInfoFile(t *testing.T) {
	img := testImage(t, nil, testLayer(t,
		tf{name: "usr/lib/python3/dist-packages/distro_info-1.5.egg-info", body: "Metadata-Version: 1.1\nName: distro-info\nVersion: 1.5\n"},
		tf{name: "usr/local/lib/python3.12/site-packages/legacy-0.1-py3.12.egg-info/PKG-INFO", body: "Name: legacy\nVersion: 0.1\n"},
		tf{name: "usr/local/lib/python3.12/site-packages/legacy-0.1-py3.12.egg-info/installed-files.txt", body: "../legacy/__init__.py\nPKG-INFO\n"},
	))
	inv := inventoryOf(t, img)
	if p := find(inv, EcosystemPyPI, "distro-info"); p == nil || p.Version != "1.5" {
		t.Errorf("distro-info = %+v", p)
	}
	p := find(inv, EcosystemPyPI, "legacy")
	want := []string{"/usr/local/lib/python3.12/site-packages/legacy/__init__.py", "/usr/local/lib/python3.12/site-packages/legacy-0.1-py3.12.egg-info/PKG-INFO"}
	if p == nil || !slices.Equal(p.Files, want) || p.Interpreter != "/usr/local/bin/python3.12" {
		t.Errorf("legacy = %+v, want files %v", p, want)
	}
}

func TestInterpreterVersionFromVenv(t *testing.T) {
	img := testImage(t, nil, testLayer(t,
		tf{name: "usr/local/bin/python3.12", body: "\x7fELF"},
		tf{name: "usr/local/lib/python3.12/"},
		tf{name: "app/.venv/pyvenv.cfg", body: "home = /usr/local/bin\ninclude-system-site-packages = false\nversion = 3.12.7\n"},
	))
	if py := find(inventoryOf(t, img), EcosystemGeneric, "python"); py == nil || py.Version != "3.12.7" {
		t.Errorf("interpreter = %+v, want 3.12.7 from the venv made by it", py)
	}
}

func TestNonDirectoryReplacesDirectory(t *testing.T) {
	status := "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.1\n"
	base := testLayer(t,
		tf{name: "var/lib/dpkg/"},
		tf{name: "var/lib/dpkg/status", body: status},
		tf{name: "usr/lib/python3/site-packages/"},
		tf{name: "usr/lib/python3/site-packages/requests-2.0.0.dist-info/METADATA", body: "Name: requests\nVersion: 2.0.0\n"},
	)
	for _, tc := range []struct {
		name  string
		upper v1.Layer
		deb   []string
		pypi  []string
	}{
		{"file and symlink replace the directories", testLayer(t,
			tf{name: "usr/lib/python3/site-packages", body: "not a dir"},
			tf{name: "var/lib/dpkg", link: "/nowhere"},
		), nil, nil},
		{"opaque root", testLayer(t, tf{name: ".wh..wh..opq"}, tf{name: "x", body: "y"}), nil, nil},
		{"unrelated upper layer", testLayer(t, tf{name: "usr/lib/python3/other", body: "z"}),
			[]string{"openssl@3.0.1"}, []string{"requests@2.0.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := inventoryOf(t, testImage(t, nil, base, tc.upper), WithFiles(false))
			if got := names(inv, EcosystemDebian); !slices.Equal(got, tc.deb) {
				t.Errorf("Debian packages = %v, want %v", got, tc.deb)
			}
			if got := names(inv, EcosystemPyPI); !slices.Equal(got, tc.pypi) {
				t.Errorf("PyPI packages = %v, want %v", got, tc.pypi)
			}
		})
	}
}
