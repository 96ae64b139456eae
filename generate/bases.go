package generate

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pyimg/pyimg/baseimage"
)

// Bases are the images a variant builds and runs on.
type Bases struct {
	// Build and Runtime are the images as repo and tag; Digest fields are
	// filled when resolved.
	Build, Runtime baseimage.ImageChoice
	// Python is the series both run ("3.13").
	Python string
	// Family is FamilyDebian or FamilyAlpine; Codename the Debian release
	// ("trixie"), "" on Alpine.
	Family, Codename string
	// Reasons explain the choice.
	Reasons []string
}

// ChooseBases picks the images for variant from the knowledge: the
// recommendation for production (same slim or alpine image for both
// stages), or for distroless the newest maintained
// gcr.io/distroless/python3 nonroot image whose Python in allows, built on
// the Debian slim image of the same release (whose python3 is the same
// interpreter at the same path, /usr/bin/python3).
func ChooseBases(k *baseimage.Knowledge, in baseimage.RecommendInput, variant Variant) (Bases, error) {
	if variant == VariantDistroless {
		return distrolessBases(k, in)
	}
	in.Stage = baseimage.StageProd
	in.Libc = baseimage.LibcGlibc
	if variant.Alpine() {
		in.Libc = baseimage.LibcMusl
	}
	rec, err := k.Recommend(in)
	if err != nil {
		return Bases{}, err
	}
	b := Bases{Build: rec.Build, Runtime: rec.Runtime, Python: rec.Series.Version, Family: FamilyDebian, Codename: rec.OS.Codename, Reasons: rec.Reasons}
	if rec.OS.Distro == "alpine" {
		b.Family, b.Codename = FamilyAlpine, ""
	}
	return b, nil
}

func distrolessBases(k *baseimage.Knowledge, in baseimage.RecommendInput) (Bases, error) {
	var whyNot []string
	var cands []baseimage.KnownImage
	for _, im := range k.Images {
		if strings.HasPrefix(im.Repo, "gcr.io/distroless/python3-") && im.Tag == "nonroot" && im.Libc == baseimage.LibcGlibc && im.Python != "" {
			cands = append(cands, im)
		}
	}
	// Newest Debian release first.
	slices.SortFunc(cands, func(a, b baseimage.KnownImage) int { return strings.Compare(b.OS, a.OS) })
	for _, im := range cands {
		name := im.Repo + ":" + im.Tag
		if im.Deprecated {
			whyNot = append(whyNot, fmt.Sprintf("why not %s: no longer updated by its publisher", name))
			continue
		}
		rel, ok := k.Debian(strings.TrimPrefix(im.OS, "debian"))
		if !ok || rel.Codename == "" {
			whyNot = append(whyNot, fmt.Sprintf("why not %s: pyimg's data does not know %s", name, im.OS))
			continue
		}
		if st := rel.StatusAt(in.Now); !st.Supported() {
			whyNot = append(whyNot, fmt.Sprintf("why not %s: Debian %s is out of support", name, rel.Version))
			continue
		}
		if p, ok := k.Python(im.Python); ok && !p.StatusAt(in.Now).Supported() {
			whyNot = append(whyNot, fmt.Sprintf("why not %s: Python %s is end of life", name, im.Python))
			continue
		}
		if in.Series != "" && in.Series != im.Python {
			whyNot = append(whyNot, fmt.Sprintf("why not %s: it ships Python %s, .python-version names %s", name, im.Python, in.Series))
			continue
		}
		if in.Allows != nil && !in.Allows(im.Python) {
			whyNot = append(whyNot, fmt.Sprintf("why not %s: it ships Python %s, which requires-python %s excludes", name, im.Python, in.RequiresPython))
			continue
		}
		reasons := []string{
			fmt.Sprintf("distroless: %s runs Debian %s's Python %s as user 65532, without shell or package manager", name, rel.Version, im.Python),
			fmt.Sprintf("builder debian:%s-slim: its python3 is the same interpreter at the same path (/usr/bin/python3), so the virtualenv copies across unchanged", rel.Codename),
		}
		return Bases{
			Build:    baseimage.ImageChoice{Repo: "debian", Tag: rel.Codename + "-slim"},
			Runtime:  baseimage.ImageChoice{Repo: im.Repo, Tag: im.Tag},
			Python:   im.Python,
			Family:   FamilyDebian,
			Codename: rel.Codename,
			Reasons:  append(reasons, whyNot...),
		}, nil
	}
	return Bases{}, fmt.Errorf("%w: no maintained distroless python image fits (%s)", baseimage.ErrNoCandidate, strings.Join(whyNot, "; "))
}
