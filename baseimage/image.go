package baseimage

import "strings"

// splitRef splits an image reference into repository and tag, dropping a
// scheme ("docker://"), a digest ("@sha256:...") and surrounding space. The
// repository is lower-cased; the tag keeps its case. A registry port
// ("localhost:5000/python") is not mistaken for a tag.
func splitRef(ref string) (repo, tag string) {
	ref = strings.TrimSpace(ref)
	for _, scheme := range []string{"docker://", "https://", "http://"} {
		ref = strings.TrimPrefix(ref, scheme)
	}
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		ref, tag = ref[:i], ref[i+1:]
	}
	return strings.ToLower(strings.TrimSuffix(ref, "/")), tag
}

// hasDigest reports whether ref pins a digest.
func hasDigest(ref string) bool { return strings.Contains(ref, "@") }

// officialPythonNames are the spellings Docker resolves to the official image.
var officialPythonNames = map[string]bool{
	"python":                                 true,
	"library/python":                         true,
	"docker.io/python":                       true,
	"docker.io/library/python":               true,
	"index.docker.io/python":                 true,
	"index.docker.io/library/python":         true,
	"registry-1.docker.io/python":            true,
	"registry-1.docker.io/library/python":    true,
	"registry.hub.docker.com/python":         true,
	"registry.hub.docker.com/library/python": true,
}

// IsOfficialPython reports whether repo names Docker Hub's official python
// image ("python", "library/python", "docker.io/library/python", ...). A tag
// or digest on repo is ignored.
func IsOfficialPython(repo string) bool {
	r, _ := splitRef(repo)
	return officialPythonNames[r]
}

// archSuffixes are the per-architecture tag suffixes distroless publishes
// ("nonroot-amd64").
var archSuffixes = []string{"-amd64", "-arm64", "-arm", "-s390x", "-ppc64le"}

// Image returns what is known about a non-official image. repo may carry the
// tag ("gcr.io/distroless/python3-debian12:nonroot"); a non-empty tag
// argument takes precedence. Without any tag or digest the tag is "latest",
// as Docker does. Per-architecture tags ("nonroot-arm64") match their
// multi-architecture tag, and entries with an empty Tag match any tag.
func (k *Knowledge) Image(repo, tag string) (KnownImage, bool) {
	r, t := splitRef(repo)
	if tag != "" {
		t = tag
	}
	if t == "" && !hasDigest(repo) {
		t = "latest"
	}
	candidates := []string{t}
	for _, s := range archSuffixes {
		if base, ok := strings.CutSuffix(t, s); ok && base != "" {
			candidates = append(candidates, base)
		}
	}
	if t != "" {
		candidates = append(candidates, "")
	}
	for _, c := range candidates {
		for _, m := range k.Images {
			if m.Repo == r && m.Tag == c {
				return m, true
			}
		}
	}
	return KnownImage{}, false
}
