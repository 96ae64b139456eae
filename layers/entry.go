package layers

import (
	"archive/tar"
	"io/fs"
	"path"
	"strings"
	"unicode/utf8"
)

// Whiteout markers, as in the OCI image spec and the aufs convention.
const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = ".wh..wh."
	opaqueMarker   = ".wh..wh..opq"
)

// paxXattr prefixes extended attributes in PAX records.
const paxXattr = "SCHILY.xattr."

// entryFromHeader turns a tar header into an Entry. skip reports entries that
// carry nothing for visitors: aufs metadata, PAX global headers, GNU volume
// labels and unknown types.
func entryFromHeader(layer int, hdr *tar.Header) (e Entry, skip bool) {
	e = Entry{
		Layer:    layer,
		Name:     hdr.Name,
		Linkname: hdr.Linkname,
		UID:      hdr.Uid,
		GID:      hdr.Gid,
		ModTime:  hdr.ModTime,
		Mode:     modeOf(hdr.Mode),
	}
	switch hdr.Typeflag {
	case tar.TypeReg, '\x00', tar.TypeGNUSparse, tar.TypeCont:
		e.Type = TypeFile
		e.Size = hdr.Size
	case tar.TypeDir:
		e.Type = TypeDir
	case tar.TypeSymlink:
		e.Type = TypeSymlink
	case tar.TypeLink:
		e.Type = TypeHardlink
	case tar.TypeChar:
		e.Type = TypeChar
	case tar.TypeBlock:
		e.Type = TypeBlock
	case tar.TypeFifo:
		e.Type = TypeFIFO
	default:
		return e, true
	}

	for k, v := range hdr.PAXRecords {
		if name, ok := strings.CutPrefix(k, paxXattr); ok {
			if e.Xattrs == nil {
				e.Xattrs = map[string]string{}
			}
			e.Xattrs[name] = v
		}
	}

	e.Flags |= nameFlags(hdr.Name)
	var escaped bool
	e.Path, escaped = cleanPath(hdr.Name)
	if strings.HasPrefix(hdr.Name, "/") {
		e.Flags |= FlagAbsolute
	}
	if escaped {
		e.Flags |= FlagEscape
	}

	dir, base := path.Split(e.Path)
	switch {
	case base == opaqueMarker:
		e.Opaque = true
		e.Path = path.Clean(dir)
	case strings.HasPrefix(base, whiteoutMeta):
		return e, true // aufs metadata such as .wh..wh.plnk
	case strings.HasPrefix(base, whiteoutPrefix):
		name := base[len(whiteoutPrefix):]
		if name == "" || name == "." || name == ".." {
			e.Flags |= FlagBadWhiteout
			break
		}
		e.Whiteout = true
		e.Path = dir + name
	}

	if e.Type == TypeSymlink || e.Type == TypeHardlink {
		e.Flags |= nameFlags(hdr.Linkname)
		if _, escapes := ResolveLink(&e); escapes {
			e.Flags |= FlagLinkEscape
		}
	}
	return e, false
}

// cleanPath makes a tar name absolute and clean. escaped reports whether the
// name climbed above the root on the way; the result is clamped to the root.
func cleanPath(name string) (p string, escaped bool) {
	rel := path.Clean(strings.TrimLeft(name, "/"))
	escaped = rel == ".." || strings.HasPrefix(rel, "../")
	return path.Clean("/" + rel), escaped
}

func nameFlags(s string) Flags {
	var f Flags
	if strings.IndexByte(s, 0) >= 0 {
		f |= FlagNUL
	}
	if !utf8.ValidString(s) {
		f |= FlagInvalidUTF8
	}
	return f
}

// Mode bits of the tar format (ustar c_ISUID and friends).
const (
	tarSetuid = 0o4000
	tarSetgid = 0o2000
	tarSticky = 0o1000
)

func modeOf(m int64) fs.FileMode {
	mode := fs.FileMode(m) & fs.ModePerm
	if m&tarSetuid != 0 {
		mode |= fs.ModeSetuid
	}
	if m&tarSetgid != 0 {
		mode |= fs.ModeSetgid
	}
	if m&tarSticky != 0 {
		mode |= fs.ModeSticky
	}
	return mode
}
