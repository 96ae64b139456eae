// Package baseimage knows Python base images: the tag grammar of the official
// python image, and dated lifecycle data for Python series, Debian and Alpine
// releases, and well-known non-official Python images (distroless,
// Chainguard). The data is embedded and can be overridden from a file.
//
// Nothing here reads the clock: functions that depend on the date take it as
// an argument.
package baseimage

import "time"

// PythonSeries is one minor series of CPython, e.g. 3.12.
type PythonSeries struct {
	Version   string    // "3.12"
	Status    string    // "feature", "prerelease", "bugfix", "security", "end-of-life" (as of Knowledge.AsOf)
	Released  time.Time // first final release (zero if not yet released)
	Scheduled time.Time // planned first final release when Released is zero (zero if unknown)
	BugfixEnd time.Time // end of full support (zero if unknown)
	EOL       time.Time // end of security support
	Latest    string    // newest known release, e.g. "3.12.12" ("3.15.0rc1" before the first final release)
	Source    string    // where the facts come from
}

// OSRelease is one Debian or Alpine release.
type OSRelease struct {
	Distro      string    // "debian" or "alpine"
	Version     string    // "12", "3.20"
	Codename    string    // "bookworm" ("" for Alpine)
	Released    time.Time // release date (zero if not yet released)
	SecurityEOL time.Time // end of regular security support
	LTSEnd      time.Time // end of LTS support (Debian; zero otherwise)
	Libc        string    // "glibc" or "musl"
	LibcVersion string    // "2.36", "1.2.5" ("" if unknown)
	Latest      string    // newest known point release, e.g. "12.15" ("" if unknown)
	Source      string    // where the facts come from
}

// KnownImage describes a well-known non-official Python image repository or
// tag (distroless, Chainguard, ...).
type KnownImage struct {
	// Repo is the repository without tag, e.g. "gcr.io/distroless/python3-debian12".
	Repo string
	// Tag is the tag this entry is about; "" matches every tag of Repo.
	Tag string
	// NonRoot reports whether the image's config runs as a non-root user.
	NonRoot bool
	// User is the configured user ("65532", "nonroot"), "" for root.
	User string
	// Python is the Python series it ships ("3.11"), "" if unknown or none.
	Python string
	// Libc is "glibc" or "musl".
	Libc string
	// OS is the release it is built on, e.g. "debian12", "wolfi".
	OS string
	// Shell reports whether the image has /bin/sh (distroless debug images
	// have a busybox shell at /busybox/sh).
	Shell bool
	// Deprecated reports whether the publisher no longer updates the image.
	Deprecated bool
	// Source says where the facts come from and how sure they are.
	Source string
}

// OfficialDefaults names the OS releases that the official python image's
// tags without an OS release ("3.12", "3.12-slim", "3.12-alpine",
// "3.12-windowsservercore") point to.
type OfficialDefaults struct {
	Debian  string // codename, e.g. "trixie"
	Alpine  string // version, e.g. "3.24"
	Windows string // e.g. "ltsc2025"
}

// Knowledge is a dated snapshot of what pyimg knows about base images.
// Values returned by Embedded and Load are independent copies; lookups never
// modify them.
type Knowledge struct {
	// AsOf is the date the data was last checked against its sources.
	AsOf time.Time
	// PythonSeries lists CPython series, oldest first. (It cannot be named
	// Python: that is the lookup method.)
	PythonSeries []PythonSeries
	// OS lists Debian releases then Alpine releases, each oldest first.
	OS []OSRelease
	// Images lists well-known non-official Python images.
	Images []KnownImage
	// Defaults says which OS releases unpinned official tags pointed to at AsOf.
	Defaults OfficialDefaults
	// Sources maps the source keys used in Source fields to descriptions.
	Sources map[string]string
}
