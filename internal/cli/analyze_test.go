package cli

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

type tarFile struct {
	name string
	body string
	size int // when > 0, body is repeated up to size bytes
	mode int64
}

func layerOf(t *testing.T, files ...tarFile) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		body := f.body
		if f.size > 0 {
			body = strings.Repeat("x", f.size)
		}
		mode := f.mode
		if mode == 0 {
			mode = 0o644
		}
		hdr := &tar.Header{Name: f.name, Mode: mode, Size: int64(len(body)), Typeflag: tar.TypeReg}
		if strings.HasSuffix(f.name, "/") {
			hdr = &tar.Header{Name: f.name, Mode: 0o755, Typeflag: tar.TypeDir}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, body); err != nil {
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

// testImage writes a two-layer Python image to an OCI layout: layer 1
// deletes a 300 kB file of layer 0 and overwrites a 1000-byte one, and leaves
// a .env secret; the config runs as root.
const (
	testMetadata = "Metadata-Version: 2.1\nName: Demo\nVersion: 1.2.3\n"
	testRecord   = "demo/__init__.py,,\ndemo-1.2.3.dist-info/METADATA,,\ndemo-1.2.3.dist-info/RECORD,,\n"
	testEnv      = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
)

func testImage(t *testing.T) string {
	t.Helper()
	site := "usr/lib/python3/dist-packages/"
	l0 := layerOf(t,
		tarFile{name: "usr/bin/python3.11", size: 5000, mode: 0o755},
		tarFile{name: site + "demo-1.2.3.dist-info/METADATA", body: testMetadata},
		tarFile{name: site + "demo-1.2.3.dist-info/RECORD", body: testRecord},
		tarFile{name: site + "demo/__init__.py", size: 2000},
		tarFile{name: "tmp/big", size: 300000},
		tarFile{name: "etc/app.conf", size: 1000},
	)
	l1 := layerOf(t,
		tarFile{name: "tmp/.wh.big"},
		tarFile{name: "etc/app.conf", size: 1500},
		tarFile{name: "app/.env", body: testEnv},
	)
	return ociLayoutOf(t, l0, l1)
}

func TestAnalyzeJSON(t *testing.T) {
	ref := testImage(t)
	r := run(t, nil, "analyze", "--format", "json", "--fail-on", "none", ref)
	if r.code != 0 {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	var doc struct {
		SizeBytes       int64   `json:"size_bytes"`
		TarBytes        int64   `json:"tar_bytes"`
		CompressedBytes int64   `json:"compressed_bytes"`
		WastedBytes     int64   `json:"wasted_bytes"`
		Efficiency      float64 `json:"efficiency"`
		Layers          []any   `json:"layers"`
		PythonPackages  []struct {
			Name      string `json:"name"`
			Version   string `json:"version"`
			SizeBytes int64  `json:"size_bytes"`
		} `json:"python_packages"`
		Findings []struct {
			Rule  string `json:"rule"`
			Path  string `json:"path"`
			Layer *int   `json:"layer"`
		} `json:"findings"`
		Image struct{ Ref string } `json:"image"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, r.stdout)
	}
	// Sizes as dive counts them: every file header in every layer.
	wantSize := int64(5000 + len(testMetadata) + len(testRecord) + 2000 + 300000 + 1000 + 0 + 1500 + len(testEnv))
	if doc.SizeBytes != wantSize {
		t.Errorf("size_bytes = %d, want %d", doc.SizeBytes, wantSize)
	}
	// dive: the deleted /tmp/big counts 300000 for its add and 0 for the
	// whiteout of a file (dive sizes whiteouts of directories only);
	// /etc/app.conf counts 1000 + 1500.
	if want := int64(300000 + 0 + 1000 + 1500); doc.WastedBytes != want {
		t.Errorf("wasted_bytes = %d, want %d", doc.WastedBytes, want)
	}
	if doc.Efficiency <= 0 || doc.Efficiency >= 1 || doc.TarBytes <= doc.SizeBytes || doc.CompressedBytes <= 0 || len(doc.Layers) != 2 {
		t.Errorf("efficiency %v tar %d compressed %d layers %d: implausible", doc.Efficiency, doc.TarBytes, doc.CompressedBytes, len(doc.Layers))
	}
	if len(doc.PythonPackages) != 1 || doc.PythonPackages[0].Name != "demo" || doc.PythonPackages[0].Version != "1.2.3" || doc.PythonPackages[0].SizeBytes != int64(2000+len(testMetadata)+len(testRecord)) {
		t.Errorf("python_packages = %+v, want demo 1.2.3 of %d bytes", doc.PythonPackages, 2000+len(testMetadata)+len(testRecord))
	}
	got := map[string]bool{}
	for _, f := range doc.Findings {
		got[f.Rule] = true
		if f.Rule == "PY602" && (f.Path != "/app/.env" || f.Layer == nil || *f.Layer != 1) {
			t.Errorf("PY602 at %q layer %v, want /app/.env in layer 1", f.Path, f.Layer)
		}
	}
	if !got["PY601"] || !got["PY602"] {
		t.Errorf("findings %v, want PY601 (root) and PY602 (.env)", got)
	}
	if doc.Image.Ref != ref {
		t.Errorf("image.ref = %q, want %q", doc.Image.Ref, ref)
	}
}

func TestAnalyzeExitCodesAndGates(t *testing.T) {
	ref := testImage(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"root and secret fail at error", []string{"analyze", ref}, ExitFindings, "PY602"},
		{"fail-on none", []string{"analyze", "--fail-on", "none", ref}, ExitOK, "Totals"},
		{"wasted bytes gate", []string{"analyze", "--fail-on", "none", "--max-wasted-bytes", "100kB", ref}, ExitFindings, "too many bytes wasted"},
		{"wasted bytes gate passes", []string{"analyze", "--fail-on", "none", "--max-wasted-bytes", "1MB", ref}, ExitOK, ""},
		{"efficiency gate", []string{"analyze", "--fail-on", "none", "--min-efficiency", "0.99", ref}, ExitFindings, "efficiency"},
		{"wasted percent gate", []string{"analyze", "--fail-on", "none", "--max-wasted-percent", "10%", ref}, ExitFindings, "user"},
		{"bad gate value", []string{"analyze", "--max-wasted-bytes", "lots", ref}, ExitUsage, "not a size"},
		{"missing archive", []string{"analyze", "oci-archive:" + filepath.Join(t.TempDir(), "nope.tar")}, ExitUsage, "nope.tar"},
		{"empty archive path", []string{"analyze", "oci-archive:"}, ExitUsage, ""},
		{"bad reference", []string{"analyze", "UPPER/Case:tag"}, ExitUsage, ""},
		{"no argument", []string{"analyze"}, ExitUsage, ""},
		{"registry down", []string{"analyze", "--insecure", closed + "/app:1"}, ExitRuntime, closed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, nil, tc.args...)
			if r.code != tc.code {
				t.Fatalf("pyimg %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(tc.args, " "), r.code, tc.code, r.stdout, r.stderr)
			}
			if tc.want != "" && !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Errorf("output lacks %q:\nstdout:\n%s\nstderr:\n%s", tc.want, r.stdout, r.stderr)
			}
		})
	}
}

func TestAnalyzeHTML(t *testing.T) {
	r := run(t, nil, "analyze", "--format", "html", "--fail-on", "none", testImage(t))
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"<!DOCTYPE html>", "demo 1.2.3", "PY602", "class=\"bar\""} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	if strings.Contains(r.stdout, "<script src") || strings.Contains(r.stdout, "<link ") {
		t.Error("HTML references external assets; it must be self-contained")
	}
}

// ociLayoutOf writes an image of the given layers, with a config running
// python3, to a new OCI layout and returns its "oci:DIR" reference.
func ociLayoutOf(t *testing.T, ls ...v1.Layer) string {
	t.Helper()
	img, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	if img, err = mutate.Config(img, v1.Config{Cmd: []string{"python3"}}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "layout")
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	return "oci:" + dir
}
