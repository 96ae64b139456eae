package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pyimg/pyimg/baseimage"
)

// PinRequest asks for the exact tag and digest of a python image tag.
type PinRequest struct {
	// Repo is the repository to resolve in ("docker.io/library/python").
	Repo string
	// Tag is the tag as written ("3.12-slim", "3.12.5-slim-bookworm").
	Tag string
	// Update moves to the newest patch of the same series, variant and OS.
	Update bool
	// AllowOSChange lets Update move to another OS release of the same
	// variant (bookworm to trixie, alpine3.21 to alpine3.22).
	AllowOSChange bool
	// MinAge skips patches whose image was created less than MinAge before
	// Now (Update only).
	MinAge time.Duration
	// Now is the date MinAge is measured from.
	Now time.Time
	// Platform, when set ("linux/arm64"), pins that platform's image
	// instead of the multi-platform index.
	Platform string
	// DigestOnly resolves the digest and keeps the tag, for images whose
	// tags do not follow the python grammar.
	DigestOnly bool
	// Knowledge orders OS releases; nil means baseimage.Embedded().
	Knowledge *baseimage.Knowledge
}

// PinResult is the outcome of Pin.
type PinResult struct {
	// Tag is the exact tag chosen, or the tag as written when no exact tag
	// shares its digest.
	Tag string
	// Digest is the digest Tag points to (the platform image's digest when
	// PinRequest.Platform is set).
	Digest string
	// Exact reports whether Tag names one build (see baseimage.Tag.Exact).
	Exact bool
	// Created is the image's creation time when it was read (MinAge).
	Created time.Time
	// Notes explain decisions: a missing exact tag, patches skipped as too
	// young, an OS change.
	Notes []string
}

// maxDigestProbes bounds how many candidate tags Pin resolves to find the
// exact tag sharing a shared tag's digest.
const maxDigestProbes = 24

// Pin resolves req.Tag in req.Repo to an exact tag and digest: the exact
// tag with the same digest as the tag written (keeping its variant and OS),
// or with Update the newest eligible patch of the same series and suffix.
// Tags that are not python-style tags are resolved to their digest only.
func Pin(ctx context.Context, reg *Client, req PinRequest) (PinResult, error) {
	k := req.Knowledge
	if k == nil {
		k = baseimage.Embedded()
	}
	t, perr := baseimage.ParseTag(req.Tag)
	if req.DigestOnly || perr != nil || t.Windows() || !t.HasMajorVersion() {
		// Not a python version tag ("latest", "slim", "bookworm", a custom
		// tag): pin the digest, keep the tag.
		return finish(ctx, reg, req, req.Tag, PinResult{})
	}
	// Candidates are compared by HEAD digests; only the tag finally chosen
	// is fetched and verified (finish).
	cur, err := reg.Head(ctx, req.Repo, req.Tag)
	if err != nil {
		return PinResult{}, err
	}
	tags, err := reg.Tags(ctx, req.Repo)
	if err != nil {
		return PinResult{}, err
	}
	var parsed []baseimage.Tag
	for _, s := range tags {
		if p, err := baseimage.ParseTag(s); err == nil {
			parsed = append(parsed, p)
		}
	}
	var res PinResult
	exact := t
	if !t.Exact() {
		cands := filterTags(parsed, func(c baseimage.Tag) bool { return c.Exact() && sameFamily(t, c) })
		sortCandidates(k, t, cands, true)
		found := false
		for i, c := range cands {
			if i == maxDigestProbes {
				break
			}
			d, err := reg.Head(ctx, req.Repo, c.Raw)
			if err != nil {
				return PinResult{}, err
			}
			if d == cur {
				exact, found = c, true
				break
			}
		}
		if !found {
			res.Notes = append(res.Notes, fmt.Sprintf("no exact tag shares the digest of %s; pinned the digest and kept the tag", req.Tag))
			return finish(ctx, reg, req, req.Tag, res)
		}
	}
	if !req.Update {
		return finish(ctx, reg, req, exact.Raw, res)
	}
	// Update: newest patch of exact's series and suffix not younger than MinAge.
	cands := filterTags(parsed, func(c baseimage.Tag) bool {
		if !c.Exact() || c.Series() != exact.Series() || c.Variant != exact.Variant || baseimage.CompareVersions(c, exact) < 0 {
			return false
		}
		if c.Prerelease() && !exact.Prerelease() {
			return false
		}
		if c.OS == exact.OS {
			return true
		}
		return req.AllowOSChange && osFamily(c) == osFamily(exact)
	})
	sortCandidates(k, exact, cands, !req.AllowOSChange)
	if !slices.ContainsFunc(cands, func(c baseimage.Tag) bool { return c.Raw == exact.Raw }) {
		cands = append(cands, exact)
	}
	for _, c := range cands {
		if req.MinAge > 0 {
			d, err := reg.Head(ctx, req.Repo, c.Raw)
			if err != nil {
				return PinResult{}, err
			}
			info, err := reg.Info(ctx, req.Repo, d)
			if err != nil {
				return PinResult{}, err
			}
			if c.Raw != exact.Raw && (info.Created.IsZero() || req.Now.Sub(info.Created) < req.MinAge) {
				if info.Created.IsZero() {
					res.Notes = append(res.Notes, fmt.Sprintf("skipped %s: its config has no created time", c.Raw))
				} else {
					res.Notes = append(res.Notes, fmt.Sprintf("skipped %s: created %s, younger than %s", c.Raw, info.Created.Format("2006-01-02"), baseimage.FormatAge(req.MinAge)))
				}
				continue
			}
			res.Created = info.Created
		}
		if c.OS != exact.OS {
			res.Notes = append(res.Notes, fmt.Sprintf("moved from %s to %s (OS change allowed)", exact.OS, c.OS))
		}
		return finish(ctx, reg, req, c.Raw, res)
	}
	return PinResult{}, fmt.Errorf("no candidate for %s", req.Tag) // unreachable: exact is a candidate
}

// finish fetches and verifies tag, and fills it and its digest (per
// platform when asked) into res.
func finish(ctx context.Context, reg *Client, req PinRequest, tag string, res PinResult) (PinResult, error) {
	r, err := reg.Resolve(ctx, req.Repo, tag)
	if err != nil {
		return PinResult{}, err
	}
	res.Tag, res.Digest = tag, r.Digest
	if req.Platform != "" {
		d, ok := r.PlatformDigest(req.Platform)
		if !ok {
			return PinResult{}, &Error{Op: "resolving " + r.Repo + ":" + r.Tag, Err: fmt.Errorf("no image for platform %s in the index", req.Platform)}
		}
		res.Digest = d
	}
	if t, err := baseimage.ParseTag(tag); err == nil {
		res.Exact = t.Exact()
	}
	return res, nil
}

// sameFamily reports whether exact tag c is a build that tag t may point to:
// same version prefix, variant and, when t names one, OS release.
func sameFamily(t, c baseimage.Tag) bool {
	if c.Major != t.Major || c.Variant != t.Variant {
		return false
	}
	if t.HasMinor && c.Minor != t.Minor {
		return false
	}
	if t.HasPatch && (c.Patch != t.Patch || c.Pre != t.Pre) {
		return false
	}
	if !t.HasPatch && c.Prerelease() != (t.Pre != "") {
		return false
	}
	return t.OS == "" || c.OS == t.OS
}

// osFamily groups OS releases a tag may move between: Debian codenames
// with each other, Alpine releases with each other.
func osFamily(t baseimage.Tag) string {
	if t.Variant == baseimage.VariantAlpine {
		return "alpine"
	}
	if t.Windows() {
		return "windows"
	}
	return "debian"
}

func filterTags(tags []baseimage.Tag, keep func(baseimage.Tag) bool) []baseimage.Tag {
	var out []baseimage.Tag
	for _, t := range tags {
		if keep(t) {
			out = append(out, t)
		}
	}
	return out
}

// sortCandidates orders tags newest version first; for equal versions the
// OS t names (or the one its unpinned form points to) first when preferT,
// then newer OS releases.
func sortCandidates(k *baseimage.Knowledge, t baseimage.Tag, tags []baseimage.Tag, preferT bool) {
	prefer := t.OS
	if !preferT {
		prefer = "\x00"
	} else if prefer == "" {
		if r, ok := k.TagOS(t); ok {
			if r.Distro == "alpine" {
				prefer = "alpine" + r.Version
			} else {
				prefer = r.Codename
			}
		}
	}
	released := func(c baseimage.Tag) time.Time {
		var r baseimage.OSRelease
		var ok bool
		if c.Variant == baseimage.VariantAlpine {
			r, ok = k.Alpine(c.OS)
		} else {
			r, ok = k.Debian(c.OS)
		}
		if !ok {
			return time.Time{}
		}
		return r.Released
	}
	slices.SortStableFunc(tags, func(a, b baseimage.Tag) int {
		if c := baseimage.CompareVersions(b, a); c != 0 {
			return c
		}
		if (a.OS == prefer) != (b.OS == prefer) {
			if a.OS == prefer {
				return -1
			}
			return 1
		}
		if c := released(b).Compare(released(a)); c != 0 {
			return c
		}
		return strings.Compare(a.Raw, b.Raw)
	})
}
