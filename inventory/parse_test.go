package inventory

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseDpkgStatus(t *testing.T) {
	got := parseDpkgStatus(readTestdata(t, "dpkg/status"), true)
	want := []dpkgPackage{
		{name: "base-files", version: "12.4+deb12u11", arch: "amd64", source: "base-files", sourceVersion: "12.4+deb12u11"},
		{name: "bsdutils", version: "1:2.38.1-5+deb12u3", arch: "amd64", source: "util-linux", sourceVersion: "2.38.1-5+deb12u3"},
		{name: "libc6", version: "2.36-9+deb12u14", arch: "amd64", source: "glibc", sourceVersion: "2.36-9+deb12u14"},
		{name: "libssl3", version: "3.0.19-1~deb12u2", arch: "amd64", source: "openssl", sourceVersion: "3.0.19-1~deb12u2"},
		{name: "python3-yaml", version: "6.0-3+b2", arch: "amd64", source: "pyyaml", sourceVersion: "6.0-3"},
		{name: "tzdata", version: "2025b-0+deb12u2", arch: "all", source: "tzdata", sourceVersion: "2025b-0+deb12u2"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("parseDpkgStatus(testdata/dpkg/status) =\n%+v\nwant\n%+v", got, want)
	}
}

func TestParseDpkgStanzas(t *testing.T) {
	tests := []struct {
		name          string
		in            string
		requireStatus bool
		want          []string // name@version
	}{
		{"installed", "Package: a\nStatus: install ok installed\nVersion: 1\n", true, []string{"a@1"}},
		{"hold", "Package: a\nStatus: hold ok installed\nVersion: 1\n", true, []string{"a@1"}},
		{"config-files", "Package: a\nStatus: deinstall ok config-files\nVersion: 1\n", true, nil},
		{"half-installed", "Package: a\nStatus: install reinstreq half-installed\nVersion: 1\n", true, nil},
		{"no status in status file", "Package: a\nVersion: 1\n", true, nil},
		{"no status in status.d", "Package: a\nVersion: 1\n", false, []string{"a@1"}},
		{"no version", "Package: a\nStatus: install ok installed\n", true, nil},
		{"crlf and lower-case keys", "package: a\r\nstatus: install ok installed\r\nversion: 2\r\n", true, []string{"a@2"}},
		{"whitespace-only separator", "Package: a\nVersion: 1\n \t\nPackage: b\nVersion: 2\n", false, []string{"a@1", "b@2"}},
		{"continuations", "Package: a\nDescription: x\n y\n .\n z\nVersion: 3\n\n\n\nPackage: b\nVersion: 4", false, []string{"a@3", "b@4"}},
		{"garbage", "\x00\x01:::\n  \n:\nPackage\n", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, p := range parseDpkgStatus([]byte(tt.in), tt.requireStatus) {
				got = append(got, p.name+"@"+p.version)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("parseDpkgStatus(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseDpkgSource(t *testing.T) {
	for _, tt := range []struct{ in, name, version string }{
		{"glibc", "glibc", ""},
		{"util-linux (2.38.1-5+deb12u3)", "util-linux", "2.38.1-5+deb12u3"},
		{"pyyaml (6.0-3)", "pyyaml", "6.0-3"},
		{"", "", ""},
		{"x (broken", "x", ""},
	} {
		n, v := parseDpkgSource(tt.in)
		if n != tt.name || v != tt.version {
			t.Errorf("parseDpkgSource(%q) = %q, %q, want %q, %q", tt.in, n, v, tt.name, tt.version)
		}
	}
}

func TestDpkgListName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"/var/lib/dpkg/info/libc6:amd64.list", "libc6"},
		{"/var/lib/dpkg/info/python3-yaml.list", "python3-yaml"},
		{"/var/lib/dpkg/info/python3-yaml.md5sums", ""},
		{"/var/lib/dpkg/other/x.list", ""},
	} {
		if got := dpkgListName(tt.in); got != tt.want {
			t.Errorf("dpkgListName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseApkInstalled(t *testing.T) {
	got := parseApkInstalled(readTestdata(t, "apk/installed"))
	if len(got) != 3 {
		t.Fatalf("parseApkInstalled: %d packages, want 3: %+v", len(got), got)
	}
	musl, crypto, six := got[0], got[1], got[2]
	if musl.name != "musl" || musl.version != "1.2.5-r0" || musl.arch != "x86_64" || musl.origin != "musl" || musl.license != "MIT" {
		t.Errorf("musl = %+v", musl)
	}
	if !slices.Equal(musl.files, []string{"/lib/ld-musl-x86_64.so.1", "/lib/libc.musl-x86_64.so.1"}) {
		t.Errorf("musl files = %v", musl.files)
	}
	if crypto.origin != "openssl" || !slices.Equal(crypto.files, []string{"/etc/ssl/ct_log_list.cnf", "/usr/lib/libcrypto.so.3"}) {
		t.Errorf("libcrypto3 = %+v", crypto)
	}
	if six.name != "py3-six" || !slices.Contains(six.files, "/usr/lib/python3.12/site-packages/six-1.16.0.dist-info/METADATA") {
		t.Errorf("py3-six = %+v", six)
	}
}

func TestParseMetadata(t *testing.T) {
	tests := []struct {
		file, name, version string
		licenses            []string
	}{
		{"python/PyYAML-METADATA", "PyYAML", "6.0", []string{"MIT"}},
		{"python/PyJWT-PKG-INFO", "PyJWT", "2.6.0", []string{"MIT"}},
		{"python/license-expression-METADATA", "Zope.Interface", "7.0.1", []string{"ZPL-2.1"}},
		{"python/classifier-METADATA", "numpy", "2.1.2", []string{"BSD License"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := parseMetadata(readTestdata(t, tt.file))
			if m.name != tt.name || m.version != tt.version || !slices.Equal(m.licenses, tt.licenses) {
				t.Errorf("parseMetadata(%s) = %q %q %q, want %q %q %q", tt.file, m.name, m.version, m.licenses, tt.name, tt.version, tt.licenses)
			}
		})
	}
}

func TestParseRecord(t *testing.T) {
	site := "/usr/lib/python3/dist-packages"
	got := parseRecord(readTestdata(t, "python/PyYAML-RECORD"), site)
	if !slices.Contains(got, site+"/PyYAML-6.0.dist-info/METADATA") || !slices.Contains(got, site+"/yaml/__init__.py") {
		t.Errorf("parseRecord(PyYAML) = %v", got)
	}
	got = parseRecord([]byte("../../../bin/x,sha256=abc,10\n\"a,b.py\",,\n/abs/p,,\n"), "/opt/venv/lib/python3.12/site-packages")
	want := []string{"/opt/venv/bin/x", "/opt/venv/lib/python3.12/site-packages/a,b.py", "/abs/p"}
	if !slices.Equal(got, want) {
		t.Errorf("parseRecord = %v, want %v", got, want)
	}
	if got := parseRecord([]byte("../../../../../../../../etc/passwd,,\n"), "/a/b"); !slices.Equal(got, []string{"/etc/passwd"}) {
		t.Errorf("parseRecord escaping the root = %v, want [/etc/passwd]", got)
	}
}

func TestDistInfoName(t *testing.T) {
	for _, tt := range []struct{ in, name, version string }{
		{"numpy-2.1.2.dist-info", "numpy", "2.1.2"},
		{"PyJWT-2.6.0.egg-info", "PyJWT", "2.6.0"},
		{"PyYAML-6.0-py3.11.egg-info", "PyYAML", "6.0"},
		{"cryptography.egg-info", "cryptography", ""},
	} {
		n, v := distInfoName(tt.in)
		if n != tt.name || v != tt.version {
			t.Errorf("distInfoName(%q) = %q, %q, want %q, %q", tt.in, n, v, tt.name, tt.version)
		}
	}
}

func TestVendoredNameVersion(t *testing.T) {
	for _, tt := range []struct{ in, name, version string }{
		{"libopenblas64_p-r0-0cf96a72.3.23.dev.so", "libopenblas64_p-r0", "3.23.dev"},
		{"libgfortran-040039e1.so.5.0.0", "libgfortran", "5.0.0"},
		{"libquadmath-96973f99.so.0.0.0", "libquadmath", "0.0.0"},
		{"libjpeg-77ae51ab.so.62.4.0", "libjpeg", "62.4.0"},
		{"libz.so.1", "libz", "1"},
	} {
		n, v := vendoredNameVersion(tt.in)
		if n != tt.name || v != tt.version {
			t.Errorf("vendoredNameVersion(%q) = %q, %q, want %q, %q", tt.in, n, v, tt.name, tt.version)
		}
	}
}

func TestParseOSRelease(t *testing.T) {
	tests := []struct {
		in   string
		want Distro
	}{
		{`PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
`, Distro{ID: "debian", VersionID: "12", Codename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)"}},
		{"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\n",
			Distro{ID: "alpine", VersionID: "3.20.3", PrettyName: "Alpine Linux v3.20"}},
		{"PRETTY_NAME=\"Distroless\"\nNAME=\"Debian GNU/Linux\"\nID=\"debian\"\nVERSION_ID=\"12\"\nVERSION=\"Debian GNU/Linux 12 (bookworm)\"\n",
			Distro{ID: "debian", VersionID: "12", PrettyName: "Distroless", Distroless: true}},
		{"ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=\"20230201\"\n",
			Distro{ID: "wolfi", VersionID: "20230201", PrettyName: "Wolfi"}},
		{"# comment\nID='ubuntu'\n", Distro{ID: "ubuntu"}},
	}
	for _, tt := range tests {
		if got := parseOSRelease([]byte(tt.in)); got != tt.want {
			t.Errorf("parseOSRelease(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestParsePyvenvVersion(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"home = /usr/bin\ninclude-system-site-packages = true\nversion = 3.11.2\n", "3.11.2"},
		{"home = /usr/local/bin\nimplementation = CPython\nuv = 0.4.0\nversion_info = 3.12.7.final.0\n", "3.12.7"},
		{"", ""},
	} {
		if got := parsePyvenvVersion([]byte(tt.in)); got != tt.want {
			t.Errorf("parsePyvenvVersion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPURLs(t *testing.T) {
	deb := Distro{ID: "debian", VersionID: "12"}
	alpine := Distro{ID: "alpine", VersionID: "3.20.3"}
	for _, tt := range []struct{ got, want string }{
		{DebPURL(deb, "libssl3", "3.0.15-1~deb12u1", "amd64", "openssl"), "pkg:deb/debian/libssl3@3.0.15-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl"},
		{DebPURL(deb, "bsdutils", "1:2.38.1-5+deb12u3", "amd64", Upstream("bsdutils", "1:2.38.1-5+deb12u3", "util-linux", "2.38.1-5+deb12u3")),
			"pkg:deb/debian/bsdutils@1:2.38.1-5%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5%2Bdeb12u3"},
		{DebPURL(deb, "tzdata", "2024a-0+deb12u1", "all", Upstream("tzdata", "2024a-0+deb12u1", "tzdata", "2024a-0+deb12u1")), "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12"},
		{DebPURL(Distro{}, "x", "1", "", ""), "pkg:deb/debian/x@1"},
		{ApkPURL(alpine, "musl", "1.2.5-r0", "x86_64", ""), "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=alpine-3.20.3"},
		{PyPIPURL("Zope.Interface", "7.0.1"), "pkg:pypi/zope-interface@7.0.1"},
		{PyPIPURL("torch", "2.4.1+cpu"), "pkg:pypi/torch@2.4.1%2Bcpu"},
		{GenericPURL("python", "3.12.7"), "pkg:generic/python@3.12.7"},
		{PythonCPE("3.12.7"), "cpe:2.3:a:python:python:3.12.7:*:*:*:*:*:*:*"},
	} {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
}

func TestLibcVersion(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"2.36-9+deb12u4", "2.36"},
		{"1.2.5-r0", "1.2.5"},
		{"3.11.2-1+b1", "3.11.2"},
		{"garbage", ""},
	} {
		if got := libcVersion(tt.in); got != tt.want {
			t.Errorf("libcVersion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseStanzasLongFold(t *testing.T) {
	long := "Package: a\nVersion: 1\nDescription: x\n" + strings.Repeat(" line\n", 200000)
	var got stanza
	parseStanzas([]byte(long), false, func(s stanza) bool { got = s; return true })
	if d := got.get("Description"); strings.Count(d, "\n") != 200000 || got.get("Version") != "1" {
		t.Errorf("folded Description has %d lines, Version %q", strings.Count(d, "\n"), got.get("Version"))
	}
}
