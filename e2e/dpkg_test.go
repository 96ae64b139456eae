package e2e

import (
	"archive/tar"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/layout"
)

// finalDpkgStatus reads /var/lib/dpkg/status as the final filesystem of the
// image in an OCI layout has it (the last layer that writes it, unless a
// later layer deletes it), with archive/tar rather than pyimg, so tests have
// an independent ground truth.
func finalDpkgStatus(t *testing.T, layoutDir string) []byte {
	t.Helper()
	idx, err := layout.ImageIndexFromPath(layoutDir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := idx.IndexManifest()
	if err != nil || len(m.Manifests) == 0 {
		t.Fatalf("reading %s: %v", layoutDir, err)
	}
	img, err := idx.Image(m.Manifests[0].Digest)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	var status []byte
	for _, l := range ls {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			hdr, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			switch strings.TrimPrefix(hdr.Name, "./") {
			case "var/lib/dpkg/status":
				if status, err = io.ReadAll(tr); err != nil {
					t.Fatal(err)
				}
			case "var/lib/dpkg/.wh.status", "var/lib/.wh.dpkg", "var/.wh.lib":
				status = nil
			}
		}
		rc.Close()
	}
	if status == nil {
		t.Fatalf("no /var/lib/dpkg/status in the image at %s", layoutDir)
	}
	return status
}
