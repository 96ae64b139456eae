// Package baseimage knows Python base images: the tag grammar of the official
// python image, and dated lifecycle data for Python series, Debian and Alpine
// releases, and well-known non-official Python images (distroless,
// Chainguard). The data is embedded and can be overridden from a file.
package baseimage

import "time"

// PythonSeries is one minor series of CPython, e.g. 3.12.
type PythonSeries struct {
	Version   string    // "3.12"
	Status    string    // "feature", "prerelease", "bugfix", "security", "end-of-life"
	Released  time.Time // first final release (zero if not yet released)
	BugfixEnd time.Time // end of full support (zero if unknown)
	EOL       time.Time // end of security support
	Latest    string    // newest known patch release, e.g. "3.12.12"
}

// OSRelease is one Debian or Alpine release.
type OSRelease struct {
	Distro      string    // "debian" or "alpine"
	Version     string    // "12", "3.20"
	Codename    string    // "bookworm" ("" for Alpine)
	Released    time.Time // release date
	SecurityEOL time.Time // end of regular security support
	LTSEnd      time.Time // end of LTS support (Debian; zero otherwise)
	Libc        string    // "glibc" or "musl"
	LibcVersion string    // "2.36", "1.2.5"
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
	// Shell reports whether the image has /bin/sh.
	Shell bool
}
