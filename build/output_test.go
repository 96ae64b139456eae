package build

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/pyimg/pyimg/build/layer"
	"github.com/pyimg/pyimg/image"
)

func TestOutputs(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	res, err := f.run(t,
		WithOutput(Output{Transport: OutputOCI, Path: filepath.Join(dir, "layout")}),
		WithOutput(Output{Transport: OutputDockerArchive, Path: filepath.Join(dir, "docker.tar")}))
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"oci:" + filepath.Join(dir, "layout"), "docker-archive:" + filepath.Join(dir, "docker.tar")} {
		img, err := image.Open(context.Background(), ref)
		if err != nil {
			t.Fatalf("opening %s: %v", ref, err)
		}
		if len(img.Manifest.Layers) != len(res.Layers) {
			t.Errorf("%s has %d layers, want %d", ref, len(img.Manifest.Layers), len(res.Layers))
		}
		if ref[:3] == "oci" && img.Digest.String() != res.Digest {
			t.Errorf("%s digest %s, want %s", ref, img.Digest, res.Digest)
		}
	}
	// Writing again replaces the layout atomically.
	if _, err := f.run(t, WithOutput(Output{Transport: OutputOCI, Path: filepath.Join(dir, "layout")})); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("output directory holds %d entries, want 2", len(ents))
	}
}

func TestParseOutput(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Output
		ok   bool
	}{
		{"oci:/tmp/x", Output{Transport: "oci", Path: "/tmp/x"}, true},
		{"oci-archive:a.tar:v1", Output{Transport: "oci-archive", Path: "a.tar", Ref: "v1"}, true},
		{"docker-archive:a.tar", Output{Transport: "docker-archive", Path: "a.tar"}, true},
		{"docker://x", Output{}, false},
		{"oci:", Output{}, false},
	} {
		got, err := ParseOutput(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseOutput(%q) = %+v, %v", tt.in, got, err)
		}
	}
}

func TestRunDockerBase(t *testing.T) {
	f := newFixture(t)
	f.base = testBaseOf(t, false)
	res, err := f.run(t)
	if err != nil {
		t.Fatal(err)
	}
	m, err := res.Image.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.DockerManifestSchema2 || len(m.Annotations) != 0 {
		t.Errorf("manifest %s with annotations %v", m.MediaType, m.Annotations)
	}
	for _, l := range m.Layers {
		if l.MediaType != types.DockerLayer {
			t.Errorf("layer %s has media type %s in a Docker manifest", l.Digest, l.MediaType)
		}
	}
}

func TestRunProjectWheel(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	file, sum := testWheel(t, dir, "gamma", "3.1", true)
	// No sources needed: the project is its wheel.
	os.RemoveAll(filepath.Join(f.project, "src"))
	res, err := f.run(t, WithProjectWheel(filepath.Join(dir, file)))
	if err != nil {
		t.Fatal(err)
	}
	ls, _ := res.Image.Layers()
	proj := layerFiles(t, ls[2], layer.EpochUnix)
	if proj["opt/venv/lib/python3.11/site-packages/gamma/__init__.py"] == "" || proj["opt/venv/lib/python3.11/site-packages/gamma-3.1.dist-info/INSTALLER"] != "644:pyimg\n" {
		t.Errorf("project layer = %v", proj)
	}
	cfg, _ := res.Image.ConfigFile()
	if strings.Join(cfg.Config.Entrypoint, " ") != "/opt/venv/bin/gamma-cli" {
		t.Errorf("entrypoint = %v", cfg.Config.Entrypoint)
	}
	if res.Provenance.ProjectWheel == nil || res.Provenance.ProjectWheel.SHA256 != sum {
		t.Errorf("provenance project wheel = %+v", res.Provenance.ProjectWheel)
	}
	if _, err := f.run(t, WithProjectWheel(filepath.Join(dir, "missing.whl"))); !IsInputError(err) {
		t.Errorf("missing project wheel: %v, want an input error", err)
	}
}
