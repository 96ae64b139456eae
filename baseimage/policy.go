package baseimage

import (
	"strings"
	"time"
)

// Policy is an organisation's rules for base images.
type Policy struct {
	// AllowedRegistries lists registry hosts, optionally with a repository
	// prefix ("docker.io", "registry.example.com/mirror"), images may come
	// from. Empty allows any.
	AllowedRegistries []string
	// MinSupport is the least support the Python series and OS release must
	// have left.
	MinSupport time.Duration
	// PreferredOS is the OS release to prefer ("bookworm", "alpine3.22").
	PreferredOS string
}

// AllowsRepo reports whether the policy allows images from repo
// ("docker.io/library/python", "python", "127.0.0.1:5000/python").
// Docker Hub may be written docker.io, index.docker.io or
// registry-1.docker.io.
func (p Policy) AllowsRepo(repo string) bool {
	if len(p.AllowedRegistries) == 0 {
		return true
	}
	full := canonicalRepo(repo)
	for _, a := range p.AllowedRegistries {
		a = canonicalRepo(strings.TrimSuffix(a, "/"))
		if full == a || strings.HasPrefix(full, a+"/") {
			return true
		}
	}
	return false
}

// canonicalRepo writes Docker Hub as "docker.io" and adds "library/" to
// official images, leaving other registries as they are.
func canonicalRepo(s string) string {
	s = strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(s, "https://"), "http://"))
	host, rest, _ := strings.Cut(s, "/")
	if !strings.ContainsAny(host, ".:") && host != "localhost" {
		// No registry host: Docker Hub.
		host, rest = "docker.io", s
		if !strings.Contains(rest, "/") {
			rest = "library/" + rest
		}
	}
	switch host {
	case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com":
		host = "docker.io"
	}
	if rest == "" {
		return host
	}
	return host + "/" + rest
}

// DefaultRepo is the repository of the official python image.
const DefaultRepo = "docker.io/library/python"
