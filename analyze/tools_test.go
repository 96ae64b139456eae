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
