package baseimage

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestPythonStatusAt(t *testing.T) {
	t.Parallel()
	k := Embedded()
	tests := []struct {
		series, at string
		support    Support
		phase      string
		daysLeft   int
	}{
		{"3.12", "2024-01-01", Supported, PhaseBugfix, 1735},
		{"3.12", "2025-04-08", Supported, PhaseSecurity, 1272},
		{"3.12", "2028-06-01", EOLSoon, PhaseSecurity, 122},
		{"3.12", "2028-09-30", EOLSoon, PhaseSecurity, 1},
		{"3.12", "2028-10-01", EOL, PhaseEOL, 0},
		{"3.12", "2028-10-02", EOL, PhaseEOL, -1},
		{"3.9", "2026-08-22", EOL, PhaseEOL, -295},
		{"3.10", "2026-08-22", EOLSoon, PhaseSecurity, 40},
		{"3.13", "2026-08-22", Supported, PhaseBugfix, 1136},
		{"3.15", "2026-08-22", Unreleased, PhasePrerelease, 1866},
		{"3.15", "2026-09-30", Unreleased, PhasePrerelease, 1827}, // the day before its scheduled date
		{"3.15", "2026-10-01", Unconfirmed, PhaseUnknown, 1826},   // scheduled date reached, no release known
		{"3.15", "2026-11-22", Unconfirmed, PhaseUnknown, 1774},
		{"3.16", "2026-08-22", Unreleased, PhasePrerelease, 2232},
	}
	for _, tt := range tests {
		p, ok := k.Python(tt.series)
		if !ok {
			t.Fatalf("Python(%q) missing", tt.series)
		}
		got := p.StatusAt(day(tt.at))
		if got.Support != tt.support || got.Phase != tt.phase || got.DaysLeft != tt.daysLeft {
			t.Errorf("Python(%q).StatusAt(%s) = %+v, want %s %s %d days", tt.series, tt.at, got, tt.support, tt.phase, tt.daysLeft)
		}
	}
	// Part of a day rounds down.
	p, _ := k.Python("3.12")
	if got := p.StatusAt(day("2028-09-30").Add(12 * time.Hour)); got.DaysLeft != 0 || got.Support != EOLSoon {
		t.Errorf("StatusAt(half a day before EOL) = %+v, want 0 days, eol-soon", got)
	}
	if got := p.StatusAt(day("2028-10-01").Add(12 * time.Hour)); got.DaysLeft != -1 || got.Support != EOL {
		t.Errorf("StatusAt(half a day after EOL) = %+v, want -1 days, eol", got)
	}
}

func TestOSStatusAt(t *testing.T) {
	t.Parallel()
	k := Embedded()
	deb := func(v string) OSRelease { r, _ := k.Debian(v); return r }
	alp := func(v string) OSRelease { r, _ := k.Alpine(v); return r }
	tests := []struct {
		name      string
		r         OSRelease
		at        string
		support   Support
		phase     string
		supported bool
	}{
		{"bookworm in security", deb("bookworm"), "2025-01-01", Supported, PhaseSecurity, true},
		{"bookworm in LTS", deb("bookworm"), "2026-08-22", Supported, PhaseLTS, true},
		{"bookworm LTS ending", deb("bookworm"), "2028-03-01", EOLSoon, PhaseLTS, true},
		{"bookworm over", deb("bookworm"), "2028-06-30", EOL, PhaseEOL, false},
		{"bullseye over", deb("bullseye"), "2026-11-22", EOL, PhaseEOL, false},
		{"buster over", deb("buster"), "2025-01-01", EOL, PhaseEOL, false},
		{"trixie", deb("trixie"), "2026-08-22", Supported, PhaseSecurity, true},
		{"trixie before release", deb("trixie"), "2025-01-01", Unreleased, PhasePrerelease, false},
		{"forky unreleased", deb("forky"), "2026-08-22", Unreleased, PhasePrerelease, false},
		{"alpine 3.20 over", alp("3.20"), "2026-08-22", EOL, PhaseEOL, false},
		{"alpine 3.21 ending", alp("3.21"), "2026-08-22", EOLSoon, PhaseSecurity, true},
		{"alpine 3.22", alp("3.22"), "2026-08-22", Supported, PhaseSecurity, true},
	}
	for _, tt := range tests {
		got := tt.r.StatusAt(day(tt.at))
		if got.Support != tt.support || got.Phase != tt.phase {
			t.Errorf("%s: StatusAt(%s) = %+v, want %s %s", tt.name, tt.at, got, tt.support, tt.phase)
		}
		if s := tt.r.SupportedAt(day(tt.at)); s != tt.supported {
			t.Errorf("%s: SupportedAt(%s) = %v, want %v", tt.name, tt.at, s, tt.supported)
		}
	}
}

func TestStatusString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s    Status
		want string
	}{
		{Status{Support: Supported}, "supported"},
		{Status{Support: EOLSoon, DaysLeft: 42}, "eol-soon (42 days left)"},
		{Status{Support: EOL, EOL: day("2025-10-31")}, "eol since 2025-10-31"},
		{Status{Support: Unreleased}, "unreleased"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func TestStaleReleases(t *testing.T) {
	t.Parallel()
	k := Embedded() // as of 2026-08-22; 3.15 scheduled 2026-10-01, 3.16 2027-10-06
	tests := []struct {
		now  string
		want []string
	}{
		{"2026-08-22", nil},
		{"2026-09-30", nil},
		{"2026-10-01", []string{"3.15"}},
		{"2026-11-30", []string{"3.15"}},
		{"2027-10-06", []string{"3.15", "3.16"}},
	}
	for _, tt := range tests {
		var got []string
		for _, s := range k.StaleReleases(day(tt.now)) {
			got = append(got, s.Series)
			if msg := s.String(); !strings.Contains(msg, "older than Python "+s.Series) || !strings.Contains(msg, "pyimg data update") {
				t.Errorf("StaleRelease.String() = %q, want it to say the data is older and how to refresh", msg)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("StaleReleases(%s) = %v, want %v", tt.now, got, tt.want)
		}
	}
	// Data compiled after the scheduled date that still records no
	// release is not stale: the release is late, and the data says so.
	late := *k
	late.AsOf = day("2026-10-15")
	if got := late.StaleReleases(day("2026-11-30")); len(got) != 0 {
		t.Errorf("StaleReleases with data newer than the schedule = %v, want none", got)
	}
}
