package image

import (
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ParsePlatform parses "os/arch[/variant]", such as "linux/arm64" or
// "linux/arm/v7".
func ParsePlatform(s string) (v1.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return v1.Platform{}, fmt.Errorf("platform %q: want os/arch[/variant], such as linux/amd64", s)
	}
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, " \t:") {
			return v1.Platform{}, fmt.Errorf("platform %q: want os/arch[/variant], such as linux/amd64", s)
		}
	}
	p := v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

// platformString formats p as os/arch[/variant].
func platformString(p *v1.Platform) string {
	if p == nil {
		return "unknown"
	}
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// normVariant fills in the variant an architecture implies when none is
// given, so that linux/arm64 matches linux/arm64/v8.
func normVariant(arch, variant string) string {
	if variant != "" {
		return variant
	}
	switch arch {
	case "arm64":
		return "v8"
	case "arm":
		return "v7"
	}
	return ""
}

// matchPlatform picks the descriptor for want among an index's entries.
// An exact match (including the variant) beats a normalised one; among
// equals the first in index order wins. ok is false when nothing matches.
func matchPlatform(ds []v1.Descriptor, want v1.Platform) (v1.Descriptor, bool) {
	best, bestRank := -1, 0
	for i, d := range ds {
		if d.Platform == nil || !(d.MediaType.IsImage() || d.MediaType.IsIndex()) {
			continue
		}
		p := d.Platform
		if p.OS != want.OS || p.Architecture != want.Architecture {
			continue
		}
		rank := 0
		switch {
		case p.Variant == want.Variant:
			rank = 3
		case want.Variant == "" && p.Variant == normVariant(p.Architecture, ""):
			rank = 2
		case normVariant(p.Architecture, p.Variant) == normVariant(want.Architecture, want.Variant):
			rank = 2
		case want.Variant == "":
			rank = 1
		default:
			continue
		}
		if rank > bestRank {
			best, bestRank = i, rank
		}
	}
	if best < 0 {
		return v1.Descriptor{}, false
	}
	return ds[best], true
}

// pickFromIndex walks from an index to the image manifest for want,
// following nested indexes through child. where names the index in errors.
func pickFromIndex(im *v1.IndexManifest, want v1.Platform, where string, child func(v1.Descriptor) (*v1.IndexManifest, error)) (v1.Descriptor, error) {
	for depth := 0; ; depth++ {
		if depth > 4 {
			return v1.Descriptor{}, fmt.Errorf("%s: indexes nested too deep: %w", where, ErrInvalidImage)
		}
		d, ok := matchPlatform(im.Manifests, want)
		if !ok {
			// An index with a single entry that carries no platform is
			// taken as is (the config will say what it is).
			if len(im.Manifests) == 1 && im.Manifests[0].Platform == nil && im.Manifests[0].MediaType.IsImage() {
				return im.Manifests[0], nil
			}
			return v1.Descriptor{}, &PlatformError{Want: want, Index: where, Available: availablePlatforms(im)}
		}
		if !d.MediaType.IsIndex() {
			return d, nil
		}
		next, err := child(d)
		if err != nil {
			return v1.Descriptor{}, err
		}
		im, where = next, d.Digest.String()
	}
}

func availablePlatforms(im *v1.IndexManifest) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range im.Manifests {
		if d.Platform == nil || d.Platform.OS == "unknown" {
			continue // attestation manifests are "unknown/unknown"
		}
		s := platformString(d.Platform)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// PlatformError reports that an index has no image for the wanted
// platform. It matches ErrNotFound.
type PlatformError struct {
	Want v1.Platform
	// Index names the index searched (a digest or a file).
	Index string
	// Available lists the platforms the index offers, as os/arch[/variant].
	Available []string
}

func (e *PlatformError) Error() string {
	avail := "none"
	if len(e.Available) > 0 {
		avail = strings.Join(e.Available, ", ")
	}
	return fmt.Sprintf("no image for platform %s in index %s (available: %s)", platformString(&e.Want), e.Index, avail)
}

// Is reports whether target is ErrNotFound.
func (e *PlatformError) Is(target error) bool { return target == ErrNotFound }
