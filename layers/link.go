package layers

import (
	"errors"
	"path"
	"strings"
)

// ErrTooManyLinks is returned by ResolvePath for symlink loops and chains
// longer than the kernel would follow.
var ErrTooManyLinks = errors.New("too many levels of symbolic links")

// maxLinkHops matches Linux's MAXSYMLINKS.
const maxLinkHops = 40

// ResolveLink returns the absolute path, inside the image root, that a
// symlink or hardlink entry points to, without following further links.
// Symlink targets are relative to the link's directory unless absolute;
// hardlink targets are relative to the root of the archive. escapes reports
// whether the target climbed above the root lexically ("../../etc/passwd"
// from /usr/x): the returned path is then clamped to the root, as the kernel
// does inside a container, but a visitor that joined Linkname to a host
// directory would have left it. For other entries it returns "", false.
//
// The walker never touches the filesystem; visitors that need to follow
// links must resolve through ResolveLink or ResolvePath, never through the
// host's filesystem.
func ResolveLink(e *Entry) (target string, escapes bool) {
	switch e.Type {
	case TypeSymlink:
		if strings.HasPrefix(e.Linkname, "/") {
			return cleanPath(e.Linkname)
		}
		return cleanPath(path.Dir(e.Path) + "/" + e.Linkname)
	case TypeHardlink:
		return cleanPath(e.Linkname)
	}
	return "", false
}

// ResolvePath resolves every symlink in the absolute path p within the
// image root, the way the kernel resolves a path after chroot: ".." never
// climbs above "/", and absolute targets restart from the root. readlink
// reports the target of the symlink at a clean absolute path, as the caller's
// view of the image has it (for example a tree built from entries), and false
// when that path is not a symlink. A final component that is a symlink is
// followed too. It returns ErrTooManyLinks after 40 links.
func ResolvePath(p string, readlink func(p string) (target string, ok bool)) (string, error) {
	resolved := "" // "" is the root; otherwise "/a/b" with no links left
	remaining := p
	hops := 0
	for remaining != "" {
		var comp string
		comp, remaining, _ = strings.Cut(remaining, "/")
		switch comp {
		case "", ".":
			continue
		case "..":
			if i := strings.LastIndexByte(resolved, '/'); i >= 0 {
				resolved = resolved[:i]
			}
			continue
		}
		next := resolved + "/" + comp
		target, ok := readlink(next)
		if !ok {
			resolved = next
			continue
		}
		hops++
		if hops > maxLinkHops {
			return "", ErrTooManyLinks
		}
		if strings.HasPrefix(target, "/") {
			resolved = ""
		}
		if remaining != "" {
			target += "/" + remaining
		}
		remaining = target
	}
	if resolved == "" {
		return "/", nil
	}
	return resolved, nil
}
