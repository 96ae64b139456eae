package baseimage

import (
	"fmt"
	"time"
)

// RefreshHint tells a person how to bring the lifecycle data up to date.
const RefreshHint = "run 'pyimg data update' to refresh it"

// StaleRelease is a release the data expected before now but does not
// record: its scheduled date is past, and the data was compiled before that
// date, so the data is older than the release rather than proof that it is
// missing.
type StaleRelease struct {
	// What names the release, e.g. "Python 3.15".
	What string
	// Series is the Python series ("3.15").
	Series string
	// Scheduled is the planned release date that has passed.
	Scheduled time.Time
	// AsOf is the date of the data.
	AsOf time.Time
}

// String says that the data is older than the release and how to refresh it.
func (s StaleRelease) String() string {
	return fmt.Sprintf("pyimg's lifecycle data (as of %s) is older than %s, scheduled for %s: it may be out, but the data cannot say; %s",
		s.AsOf.Format(time.DateOnly), s.What, s.Scheduled.Format(time.DateOnly), RefreshHint)
}

// StaleReleases lists the Python series whose scheduled first release is at
// or before now but after the data's AsOf date, oldest first. An empty list
// means the data is not contradicted by the calendar.
func (k *Knowledge) StaleReleases(now time.Time) []StaleRelease {
	var out []StaleRelease
	for _, p := range k.PythonSeries {
		if !p.Released.IsZero() || p.Scheduled.IsZero() || now.Before(p.Scheduled) || !k.AsOf.Before(p.Scheduled) {
			continue
		}
		out = append(out, StaleRelease{What: "Python " + p.Version, Series: p.Version, Scheduled: p.Scheduled, AsOf: k.AsOf})
	}
	return out
}

// unconfirmedReason explains why an Unconfirmed series is not recommended.
func (k *Knowledge) unconfirmedReason(p PythonSeries) string {
	if k.AsOf.Before(p.Scheduled) {
		return fmt.Sprintf("why not %s: scheduled for %s, after pyimg's data (as of %s) was compiled; the data is older than that release and knows no final version to recommend (%s)",
			p.Version, p.Scheduled.Format(time.DateOnly), k.AsOf.Format(time.DateOnly), RefreshHint)
	}
	return fmt.Sprintf("why not %s: scheduled for %s, but pyimg's data (as of %s) records no final release", p.Version, p.Scheduled.Format(time.DateOnly), k.AsOf.Format(time.DateOnly))
}
