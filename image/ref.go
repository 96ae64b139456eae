package image

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// Transport names, spelled as skopeo spells them.
const (
	TransportRegistry      = "docker"
	TransportOCI           = "oci"
	TransportOCIArchive    = "oci-archive"
	TransportDockerArchive = "docker-archive"
)

// skopeo transports we recognise but cannot open.
var unsupportedTransports = map[string]bool{
	"containers-storage": true,
	"docker-daemon":      true,
	"dir":                true,
	"ostree":             true,
	"sif":                true,
	"tarball":            true,
}

// Reference is a parsed image reference.
type Reference struct {
	// Transport is one of the Transport* constants.
	Transport string
	// Name is the full registry reference for TransportRegistry
	// ("index.docker.io/library/python:3.12"); a tag given with a digest is
	// dropped, since the digest decides.
	Name string
	// Path is the directory or file of the local transports.
	Path string
	// Tag selects an image inside a layout or archive: the
	// org.opencontainers.image.ref.name annotation for oci and oci-archive,
	// a repo tag ("python:3.12") or "@N" (0-based position in
	// manifest.json) for docker-archive. Empty means the only image.
	Tag string
}

// ReferenceError reports a malformed reference. It matches ErrReference.
type ReferenceError struct {
	Ref    string
	Reason string
}

func (e *ReferenceError) Error() string {
	return fmt.Sprintf("invalid image reference %q: %s", e.Ref, e.Reason)
}

// Is reports whether target is ErrReference.
func (e *ReferenceError) Is(target error) bool { return target == ErrReference }

// ParseReference parses ref in skopeo's transport syntax. A reference
// without a known transport prefix is a registry reference, unless it names
// an existing local file or directory: that is an error saying which
// transport reads it, so a local path is never sent to a registry.
func ParseReference(ref string) (Reference, error) {
	bad := func(format string, args ...any) (Reference, error) {
		return Reference{}, &ReferenceError{Ref: ref, Reason: fmt.Sprintf(format, args...)}
	}
	if strings.TrimSpace(ref) == "" {
		return bad("empty reference")
	}
	if strings.TrimSpace(ref) != ref {
		return bad("leading or trailing white space")
	}
	transport, rest, found := strings.Cut(ref, ":")
	if !found || !knownTransport(transport) {
		// An existing local file or directory is never sent to a registry.
		if reason := localPath(ref); reason != "" {
			return bad("%s", reason)
		}
	}
	switch {
	case !found:
		return parseRegistry(ref, ref)
	case transport == TransportRegistry:
		if !strings.HasPrefix(rest, "//") {
			return bad(`the docker transport is written "docker://REGISTRY/REPO:TAG"`)
		}
		return parseRegistry(ref, strings.TrimPrefix(rest, "//"))
	case transport == TransportOCI, transport == TransportOCIArchive, transport == TransportDockerArchive:
		path, tag, _ := strings.Cut(rest, ":")
		if path == "" {
			what := "file"
			if transport == TransportOCI {
				what = "directory"
			}
			return bad("%s needs a %s: %s:PATH[:REF]", transport, what, transport)
		}
		if err := checkTag(transport, tag); err != "" {
			return bad("%s", err)
		}
		return Reference{Transport: transport, Path: path, Tag: tag}, nil
	case unsupportedTransports[transport]:
		return bad("transport %q is not supported (use docker://, oci:, oci-archive: or docker-archive:)", transport)
	}
	// "localhost:5000/repo", "python:3.12": a registry reference whose
	// first colon separates a port or a tag.
	return parseRegistry(ref, ref)
}

func knownTransport(t string) bool {
	switch t {
	case TransportRegistry, TransportOCI, TransportOCIArchive, TransportDockerArchive:
		return true
	}
	return unsupportedTransports[t]
}

// localPath says what ref is and which transport reads it when ref names
// an existing local file or directory, else "".
func localPath(ref string) string {
	fi, err := os.Stat(ref)
	if err != nil {
		if strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "./") || strings.HasPrefix(ref, "../") || strings.HasPrefix(ref, "~") {
			return fmt.Sprintf("%s looks like a local path but does not exist (%v); local images need a transport: oci:DIR, oci-archive:FILE or docker-archive:FILE", ref, errors.Unwrap(err))
		}
		return ""
	}
	if fi.IsDir() {
		return fmt.Sprintf("%s is a local directory, not a registry reference; read an OCI layout directory with oci:%s", ref, ref)
	}
	return fmt.Sprintf("%s is a local file, not a registry reference; read a tar of an OCI layout with oci-archive:%s or a docker save tar with docker-archive:%s", ref, ref, ref)
}

func parseRegistry(ref, s string) (Reference, error) {
	if s == "" {
		return Reference{}, &ReferenceError{Ref: ref, Reason: "no image name after docker://"}
	}
	if strings.Contains(s, "://") {
		return Reference{}, &ReferenceError{Ref: ref, Reason: "unknown scheme; registry references have no scheme except docker://"}
	}
	// NewDigest and NewTag say what is wrong; ParseReference does not.
	var n name.Reference
	var err error
	if strings.Contains(s, "@") {
		n, err = name.NewDigest(s)
	} else {
		n, err = name.NewTag(s)
	}
	if err != nil {
		return Reference{}, &ReferenceError{Ref: ref, Reason: err.Error()}
	}
	return Reference{Transport: TransportRegistry, Name: n.Name()}, nil
}

// checkTag returns why tag is not valid for transport, or "".
func checkTag(transport, tag string) string {
	if tag == "" {
		return ""
	}
	if transport == TransportDockerArchive {
		if strings.HasPrefix(tag, "@") {
			for _, c := range tag[1:] {
				if c < '0' || c > '9' {
					return fmt.Sprintf("docker-archive image index %q is not a number", tag)
				}
			}
			if len(tag) == 1 {
				return "docker-archive image index after @ is empty"
			}
			return ""
		}
		if _, err := name.NewTag(tag); err != nil {
			return fmt.Sprintf("docker-archive reference %q: %v", tag, err)
		}
		return ""
	}
	// OCI image-layout ref.name grammar: components of alphanumerics
	// separated by "/", each component alphanumerics joined by [-._:@+].
	for _, comp := range strings.Split(tag, "/") {
		if comp == "" {
			return fmt.Sprintf("%s ref name %q has an empty component", transport, tag)
		}
		start, prevSep := true, false
		for _, c := range comp {
			switch {
			case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
				prevSep = false
			case strings.ContainsRune("-._:@+", c):
				if start || (prevSep && c != '-') {
					return fmt.Sprintf("%s ref name %q: unexpected %q", transport, tag, c)
				}
				prevSep = true
			default:
				return fmt.Sprintf("%s ref name %q: character %q is not allowed", transport, tag, c)
			}
			start = false
		}
		if prevSep {
			return fmt.Sprintf("%s ref name %q must end with a letter or digit", transport, tag)
		}
	}
	return ""
}
