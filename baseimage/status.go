package baseimage

import (
	"fmt"
	"time"
)

// Support summarises whether something is supported at a given date.
type Support string

// Support levels.
const (
	Unreleased Support = "unreleased" // not released yet
	Supported  Support = "supported"  // supported, end of life more than DefaultEOLSoon away
	EOLSoon    Support = "eol-soon"   // supported, end of life within DefaultEOLSoon
	EOL        Support = "eol"        // past end of life
	Unknown    Support = "unknown"    // the data has no end-of-life date
	// Unconfirmed: the data records no release, but the scheduled release
	// date has passed. The data cannot say whether the release is out; when
	// it predates the scheduled date (Knowledge.StaleReleases) it is simply
	// older than the release.
	Unconfirmed Support = "unconfirmed"
)

// DefaultEOLSoon is how close to end of life StatusAt reports EOLSoon.
// Callers wanting another window compare Status.DaysLeft themselves.
const DefaultEOLSoon = 180 * 24 * time.Hour

// Phase names of a lifecycle.
const (
	PhasePrerelease = "prerelease"  // Python: before the first final release
	PhaseBugfix     = "bugfix"      // Python: full support
	PhaseSecurity   = "security"    // Python: security fixes only; OS: regular security support
	PhaseLTS        = "lts"         // Debian: LTS after regular security support
	PhaseEOL        = "end-of-life" // no support
	PhaseUnknown    = "unknown"     // Python: scheduled release date passed, release not in the data
)

// Status is the lifecycle state of a Python series or OS release at a date.
type Status struct {
	Support Support
	// Phase is one of the Phase constants.
	Phase string
	// EOL is the end of all support that the status is measured against
	// (for Debian the LTS end when known).
	EOL time.Time
	// DaysLeft is the number of whole days from the date to EOL, rounded
	// down: 0 during the last day of support and on the EOL instant,
	// negative afterwards.
	DaysLeft int
}

// Supported reports whether the status is Supported or EOLSoon.
func (s Status) Supported() bool { return s.Support == Supported || s.Support == EOLSoon }

// String describes the status, e.g. "eol-soon (42 days left)".
func (s Status) String() string {
	switch s.Support {
	case EOLSoon:
		return fmt.Sprintf("%s (%d days left)", s.Support, s.DaysLeft)
	case EOL:
		return fmt.Sprintf("%s since %s", s.Support, s.EOL.Format(time.DateOnly))
	case Unconfirmed:
		return "release unconfirmed (scheduled date passed; the data records no release)"
	}
	return string(s.Support)
}

// StatusAt returns the series' lifecycle state at now. Dates are days in
// UTC: the series is supported until the start of its EOL day. A series
// without a known final release (Released is zero) is Unreleased before its
// Scheduled date and Unconfirmed from that date on: the data can neither
// vouch for a release it has not seen nor deny it (its Latest is then a
// pre-release).
func (p PythonSeries) StatusAt(now time.Time) Status {
	st := newStatus(now, p.EOL)
	switch {
	case p.Released.IsZero() && !p.Scheduled.IsZero() && !now.Before(p.Scheduled):
		st.Support, st.Phase = Unconfirmed, PhaseUnknown
	case p.Released.IsZero() || now.Before(p.Released):
		st.Support, st.Phase = Unreleased, PhasePrerelease
	case !p.EOL.IsZero() && !now.Before(p.EOL):
		st.Phase = PhaseEOL
	case !p.BugfixEnd.IsZero() && !now.Before(p.BugfixEnd):
		st.Phase = PhaseSecurity
	default:
		st.Phase = PhaseBugfix
	}
	return st
}

// StatusAt returns the release's lifecycle state at now, counting Debian
// LTS as support. Dates are days in UTC.
func (r OSRelease) StatusAt(now time.Time) Status {
	end := r.SecurityEOL
	if !r.LTSEnd.IsZero() {
		end = r.LTSEnd
	}
	st := newStatus(now, end)
	switch {
	case r.Released.IsZero() || now.Before(r.Released):
		st.Support, st.Phase = Unreleased, PhasePrerelease
	case !end.IsZero() && !now.Before(end):
		st.Phase = PhaseEOL
	case !r.SecurityEOL.IsZero() && !now.Before(r.SecurityEOL):
		st.Phase = PhaseLTS
	default:
		st.Phase = PhaseSecurity
	}
	return st
}

// SupportedAt reports whether the release is released and still receives
// security updates (including Debian LTS) at now.
func (r OSRelease) SupportedAt(now time.Time) bool { return r.StatusAt(now).Supported() }

// newStatus fills Support and DaysLeft from the EOL date; callers override
// Support for unreleased items.
func newStatus(now, eol time.Time) Status {
	st := Status{EOL: eol}
	if eol.IsZero() {
		st.Support = Unknown
		return st
	}
	left := eol.Sub(now)
	const day = 24 * time.Hour
	st.DaysLeft = int(left / day)
	if left < 0 && left%day != 0 {
		st.DaysLeft-- // round towards the past, like the positive case
	}
	switch {
	case left <= 0:
		st.Support = EOL
	case left <= DefaultEOLSoon:
		st.Support = EOLSoon
	default:
		st.Support = Supported
	}
	return st
}
