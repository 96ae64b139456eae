package rules

import (
	"time"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/lint"
)

// frozen describes an official python tag that is no longer rebuilt
// because its series is past end of life. (Older patch releases of a live
// series are not rebuilt either, but pinning them is what PY103 asks for.)
// Such a tag without an OS release does not track the default
// OS: it stays on the release it was last built on.
type frozen struct {
	why string // "Python 3.6 is past end of life and its images are no longer rebuilt"
	// os is the release the tag was last built on, when the data can tell
	// (the newest one released before the series' end of life).
	os   baseimage.OSRelease
	osOK bool
}

// frozenTag reports whether b is a frozen official tag.
func frozenTag(k *baseimage.Knowledge, c *lint.Context, b base) (frozen, bool) {
	if !b.official || !b.tagOK || b.tag.Windows() || b.tag.Version == "" || b.tag.Pre != "" {
		return frozen{}, false
	}
	p, ok := k.Python(b.tag.Series())
	if !ok {
		return frozen{}, false
	}
	var f frozen
	switch {
	case p.StatusAt(c.Today).Support == baseimage.EOL:
		f.why = "Python " + p.Version + " is past end of life and its images are no longer rebuilt"
		f.os, f.osOK = lastOSBefore(k, b.tag.Variant == baseimage.VariantAlpine, p.EOL.AddDate(0, -6, 0))
	default:
		return frozen{}, false
	}
	if b.tag.OS != "" {
		f.os, f.osOK = k.TagOS(b.tag)
	}
	return f, true
}

// lastOSBefore returns the newest Debian (or Alpine) release published
// before t. Called with six months before a series' end of life it names
// the release the series' last images were built on: Docker rarely adds a
// new OS to a series in its final months.
func lastOSBefore(k *baseimage.Knowledge, alpine bool, t time.Time) (baseimage.OSRelease, bool) {
	distro := "debian"
	if alpine {
		distro = "alpine"
	}
	var best baseimage.OSRelease
	for _, r := range k.OS {
		if r.Distro != distro || r.Released.IsZero() || !r.Released.Before(t) {
			continue
		}
		if best.Released.IsZero() || r.Released.After(best.Released) {
			best = r
		}
	}
	return best, !best.Released.IsZero()
}
