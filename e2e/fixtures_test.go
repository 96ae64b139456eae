package e2e

import (
	"slices"
	"testing"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
)

// TestFixtures checks the fixtures are what the other tests assume, using
// only the ground truth recorded by independent tools. A failure here is a
// broken fixture build, not a pyimg bug.
func TestFixtures(t *testing.T) {
	set := fixtures(t)
	for _, name := range fx.Names {
		img := set.Images[name]
		if img == nil {
			t.Fatalf("fixture %s missing from %s", name, set.Dir)
		}
		n := img.ManifestLayers[fx.OCIArchive]
		if n == 0 || len(img.Layers) != n {
			t.Errorf("%s: %d layers read, OCI manifest has %d", name, len(img.Layers), n)
		}
		if img.Dive == nil || img.Dive.Layers != n || img.Dive.SizeBytes == 0 {
			t.Errorf("%s: dive saw %+v, want %d layers", name, img.Dive, n)
		}
		for _, tr := range fx.Transports {
			if img.ManifestLayers[tr] != n {
				t.Errorf("%s: %s manifest has %d layers, oci-archive %d", name, tr, img.ManifestLayers[tr], n)
			}
		}
	}

	w := set.Images[fx.Wasted]
	if w.Wasted.BigFileSize != 5_000_000 {
		t.Errorf("wasted: %s was %d bytes, want 5000000", w.Wasted.BigFile, w.Wasted.BigFileSize)
	}
	if !slices.Equal(w.Wasted.OverwrittenSizes, []int64{300_000, 200_000}) {
		t.Errorf("wasted: %s sizes = %v, want [300000 200000]", w.Wasted.Overwritten, w.Wasted.OverwrittenSizes)
	}
	if min := w.Wasted.BigFileSize + w.Wasted.OverwrittenSizes[0]; w.Dive.InefficientBytes < min {
		t.Errorf("wasted: dive inefficientBytes %d < %d planted", w.Dive.InefficientBytes, min)
	}
	if w.Wasted.AptLists == 0 {
		t.Errorf("wasted: no apt lists left in /var/lib/apt/lists")
	}
	if w.UID != 0 || w.ConfigUser != "" {
		t.Errorf("wasted: uid %d, config user %q; want root", w.UID, w.ConfigUser)
	}
	if !slices.Contains(w.PipPackages, fx.PipPackage{Name: w.Package.Name, Version: w.Package.Version}) {
		t.Errorf("wasted: pip list %v lacks %s %s", w.PipPackages, w.Package.Name, w.Package.Version)
	}
	if w.Package.FileBytes < 40_000 || w.Package.DuBytes < w.Package.FileBytes {
		t.Errorf("wasted: local package sizes implausible: %+v", w.Package)
	}

	s := set.Images[fx.Secret]
	if s.UID != 10001 || s.ConfigUser != "10001" {
		t.Errorf("secret: uid %d, config user %q; want 10001", s.UID, s.ConfigUser)
	}
	for _, p := range []string{s.Secrets.EnvFile, s.Secrets.PrivateKey, s.Secrets.SetuidFile, s.Secrets.WorldWritable} {
		if info := s.Paths[p]; info == nil || info.Deleted {
			t.Errorf("secret: %s not in the final filesystem", p)
		}
	}
	if !slices.Contains(s.Setuid, s.Secrets.SetuidFile) {
		t.Errorf("secret: setuid files %v lack %s", s.Setuid, s.Secrets.SetuidFile)
	}
	if !slices.Contains(s.WorldWritable, s.Secrets.WorldWritable) {
		t.Errorf("secret: world-writable files = %v, want [%s]", s.WorldWritable, s.Secrets.WorldWritable)
	}

	d := set.Images[fx.Distroless]
	if len(d.Shells) != 0 {
		t.Errorf("distroless: shells %v, want none", d.Shells)
	}
	if d.UID != 65532 || d.ConfigUser != "65532" {
		t.Errorf("distroless: uid %d, config user %q; want 65532", d.UID, d.ConfigUser)
	}
	if len(w.Shells) == 0 {
		t.Errorf("wasted: no shells found; the shell check would prove nothing")
	}
}
