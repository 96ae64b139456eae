package e2e

// Generators of the hostile corpus (hostile_test.go): images, layers,
// databases and files are written at test time into the case's work
// directory; nothing large is committed.

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	kgzip "github.com/klauspost/compress/gzip"
)

// tent is one tar entry: a regular file unless typ says otherwise.
type tent struct {
	name string
	body string
	typ  byte   // tar.TypeReg by default
	link string // symlink or hardlink target
}

func regEnt(name, body string) tent   { return tent{name: name, body: body} }
func dirEnt(name string) tent         { return tent{name: name, typ: tar.TypeDir} }
func symlinkEnt(name, to string) tent { return tent{name: name, typ: tar.TypeSymlink, link: to} }

// memLayer is a gzip layer of the entries, built in memory (small layers).
func memLayer(t *testing.T, es ...tent) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: e.typ, Linkname: e.link, Format: tar.FormatPAX, ModTime: time.Unix(1700000000, 0)}
		switch e.typ {
		case 0:
			h.Typeflag, h.Size = tar.TypeReg, int64(len(e.body))
		case tar.TypeDir:
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil {
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

// fileLayer streams a layer to path.gz with fill writing the tar, so large
// layers never sit in memory.
func fileLayer(t *testing.T, path string, fill func(tw *tar.Writer) error) v1.Layer {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw, err := kgzip.NewWriterLevel(f, kgzip.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	tw := tar.NewWriter(zw)
	if err := fill(tw); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := tarball.LayerFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// writeFile adds a file of n bytes produced by repeating chunk.
func writeFile(tw *tar.Writer, name string, n int64, chunk []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: n, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	for n > 0 {
		c := chunk[:min(int64(len(chunk)), n)]
		if _, err := tw.Write(c); err != nil {
			return err
		}
		n -= int64(len(c))
	}
	return nil
}

// imageOf stacks the layers with a config; edit may change the config.
func imageOf(t *testing.T, edit func(*v1.ConfigFile), ls ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", "amd64"
	cfg.Config.User = "10001"
	if edit != nil {
		edit(cfg)
	}
	img, err = mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// ociDir writes img as an OCI layout directory and returns "oci:DIR".
func ociDir(t *testing.T, dir string, img v1.Image) string {
	t.Helper()
	if _, err := layout.Write(dir, mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: img})); err != nil {
		t.Fatal(err)
	}
	return "oci:" + dir
}

// debianBase is a small Debian-like layer: os-release, a dpkg status with
// openssl, and requests installed in site-packages.
func debianBase(t *testing.T) v1.Layer {
	return memLayer(t,
		dirEnt("etc/"), regEnt("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"),
		dirEnt("var/"), dirEnt("var/lib/"), dirEnt("var/lib/dpkg/"),
		regEnt("var/lib/dpkg/status", "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 3.0.11-1~deb12u2\n\n"),
		dirEnt("usr/"), dirEnt("usr/lib/"), dirEnt("usr/lib/python3/"), dirEnt("usr/lib/python3/site-packages/"),
		dirEnt("usr/lib/python3/site-packages/requests-2.0.0.dist-info/"),
		regEnt("usr/lib/python3/site-packages/requests-2.0.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.0.0\n"),
		regEnt("usr/lib/python3/site-packages/requests-2.0.0.dist-info/RECORD", "requests/__init__.py,,\n"),
		dirEnt("usr/lib/python3/site-packages/requests/"),
		regEnt("usr/lib/python3/site-packages/requests/__init__.py", strings.Repeat("# code\n", 100)),
	)
}

// silentServer accepts connections and never answers; it counts them.
type silentServer struct {
	ln    net.Listener
	conns atomic.Int64
}

func newSilentServer(t *testing.T) *silentServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &silentServer{ln: ln}
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
				return
			}
			s.conns.Add(1)
			held = append(held, c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *silentServer) addr() string { return s.ln.Addr().String() }

// sparseFile creates a file of size bytes without writing them.
func sparseFile(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func mustWrite(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// osvRecord is an OSV record affecting one package below fixed.
func osvRecord(id, eco, name, fixed string) string {
	return fmt.Sprintf(`{"id": %q, "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": %q, "name": %q},
	  "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": %q}]}]}]}`, id, eco, name, fixed)
}

// layoutManifest returns the path of the only manifest of a layout and
// the manifest decoded generically.
func layoutManifest(t *testing.T, dir string) (string, map[string]any, map[string]any) {
	t.Helper()
	var idx map[string]any
	readJSON(t, filepath.Join(dir, "index.json"), &idx)
	d := idx["manifests"].([]any)[0].(map[string]any)["digest"].(string)
	p := filepath.Join(dir, "blobs", strings.Replace(d, ":", "/", 1))
	var m map[string]any
	readJSON(t, p, &m)
	return p, m, idx
}

// rewriteManifest edits the layout's manifest and relinks it from
// index.json with its new digest.
func rewriteManifest(t *testing.T, dir string, edit func(map[string]any)) {
	t.Helper()
	_, m, idx := layoutManifest(t, dir)
	edit(m)
	d, n := writeBlob(t, dir, m)
	desc := idx["manifests"].([]any)[0].(map[string]any)
	desc["digest"], desc["size"] = d, n
	b, err := json.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(dir, "index.json"), string(b))
}

// rewriteConfig replaces the config blob of the layout's image by raw.
func rewriteConfig(t *testing.T, dir, raw string) {
	t.Helper()
	sum := sha256.Sum256([]byte(raw))
	d := "sha256:" + hex.EncodeToString(sum[:])
	mustWrite(t, filepath.Join(dir, "blobs", "sha256", hex.EncodeToString(sum[:])), raw)
	rewriteManifest(t, dir, func(m map[string]any) {
		c := m["config"].(map[string]any)
		c["digest"], c["size"] = d, len(raw)
	})
}

func writeBlob(t *testing.T, dir string, v any) (string, int) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	mustWrite(t, filepath.Join(dir, "blobs", "sha256", hex.EncodeToString(sum[:])), string(b))
	return "sha256:" + hex.EncodeToString(sum[:]), len(b)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
