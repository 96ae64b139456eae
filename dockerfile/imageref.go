package dockerfile

import (
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// ImageRef is an image reference from a FROM line, split into parts. It is
// parsed leniently: references that still contain ${VAR} are split as far
// as possible and marked Unresolved.
type ImageRef struct {
	// Raw is the reference as given.
	Raw string
	// Registry is the registry host, "index.docker.io" for Docker Hub.
	Registry string
	// Repository is the path within the registry, e.g. "library/python".
	Repository string
	// Tag is the tag ("" if none was written).
	Tag string
	// Digest is the "sha256:..." digest ("" if not pinned).
	Digest string
	// Unresolved reports that the reference contains variables.
	Unresolved bool
	// Invalid reports that the reference does not parse even leniently.
	Invalid bool
}

// ParseImageRef splits ref into registry, repository, tag and digest,
// applying Docker Hub defaults ("python" is index.docker.io/library/python).
func ParseImageRef(ref string) ImageRef {
	r := ImageRef{Raw: ref}
	if ref == "" {
		r.Invalid = true
		return r
	}
	r.Unresolved = strings.Contains(ref, "$")
	if !r.Unresolved {
		if p, err := name.ParseReference(ref, name.WeakValidation); err == nil {
			repo := p.Context()
			r.Registry = repo.RegistryStr()
			r.Repository = repo.RepositoryStr()
			switch v := p.(type) {
			case name.Tag:
				if hasExplicitTag(ref) {
					r.Tag = v.TagStr()
				}
			case name.Digest:
				r.Digest = v.DigestStr()
				// ggcr drops the tag of "repo:tag@digest"; keep it.
				if before, _, ok := strings.Cut(ref, "@"); ok && hasExplicitTag(before) {
					r.Tag = before[strings.LastIndex(before, ":")+1:]
				}
			}
			return r
		}
		r.Invalid = true
	}
	rest := ref
	if before, after, ok := strings.Cut(rest, "@"); ok {
		rest, r.Digest = before, after
	}
	if hasExplicitTag(rest) {
		i := strings.LastIndex(rest, ":")
		rest, r.Tag = rest[:i], rest[i+1:]
	}
	r.Registry = name.DefaultRegistry
	if i := strings.Index(rest, "/"); i >= 0 {
		host := rest[:i]
		if strings.ContainsAny(host, ".:") || host == "localhost" {
			r.Registry, rest = host, rest[i+1:]
		}
	}
	if r.Registry == name.DefaultRegistry && !strings.Contains(rest, "/") {
		rest = "library/" + rest
	}
	r.Repository = strings.ToLower(rest)
	return r
}

// hasExplicitTag reports whether ref (without digest) ends in ":tag".
func hasExplicitTag(ref string) bool {
	i := strings.LastIndex(ref, ":")
	return i >= 0 && !strings.Contains(ref[i+1:], "/")
}

// Name returns registry and repository, e.g. "index.docker.io/library/python".
func (r ImageRef) Name() string {
	if r.Registry == "" {
		return r.Repository
	}
	return r.Registry + "/" + r.Repository
}

// Short returns the repository as users write it: "python" for official
// Docker Hub images, "gcr.io/distroless/python3" otherwise.
func (r ImageRef) Short() string {
	if r.Registry == name.DefaultRegistry || r.Registry == "docker.io" {
		if s, ok := strings.CutPrefix(r.Repository, "library/"); ok {
			return s
		}
		return r.Repository
	}
	return r.Name()
}

// DockerHub reports whether the image is on Docker Hub.
func (r ImageRef) DockerHub() bool {
	return r.Registry == name.DefaultRegistry || r.Registry == "docker.io"
}
