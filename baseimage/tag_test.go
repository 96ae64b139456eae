package baseimage

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestParseTag(t *testing.T) {
	t.Parallel()
	tests := []Tag{
		{Raw: "latest", Shared: true},
		{Raw: "3", Version: "3", Major: 3, Shared: true},
		{Raw: "3.12", Version: "3.12", Major: 3, Minor: 12, HasMinor: true, Shared: true},
		{Raw: "3.12.5", Version: "3.12.5", Major: 3, Minor: 12, Patch: 5, HasMinor: true, HasPatch: true, Shared: true},
		{Raw: "3.14.0rc2", Version: "3.14.0rc2", Major: 3, Minor: 14, HasMinor: true, HasPatch: true, Pre: "rc2", Shared: true},
		{Raw: "3.15.0a1", Version: "3.15.0a1", Major: 3, Minor: 15, HasMinor: true, HasPatch: true, Pre: "a1", Shared: true},
		{Raw: "3.14.0b3", Version: "3.14.0b3", Major: 3, Minor: 14, HasMinor: true, HasPatch: true, Pre: "b3", Shared: true},
		{Raw: "3.15-rc", Version: "3.15-rc", Major: 3, Minor: 15, HasMinor: true, Pre: "rc", Shared: true},
		{Raw: "3.15-rc-slim-trixie", Version: "3.15-rc", Major: 3, Minor: 15, HasMinor: true, Pre: "rc", Variant: "slim", OS: "trixie"},
		{Raw: "3.15.0rc1-alpine3.24", Version: "3.15.0rc1", Major: 3, Minor: 15, HasMinor: true, HasPatch: true, Pre: "rc1", Variant: "alpine", OS: "alpine3.24"},
		{Raw: "slim", Variant: "slim", Shared: true},
		{Raw: "alpine", Variant: "alpine", Shared: true},
		{Raw: "bookworm", OS: "bookworm", Shared: true},
		{Raw: "trixie", OS: "trixie", Shared: true},
		{Raw: "slim-bookworm", Variant: "slim", OS: "bookworm", Shared: true},
		{Raw: "alpine3.22", Variant: "alpine", OS: "alpine3.22", Shared: true},
		{Raw: "windowsservercore", Variant: "windowsservercore", Shared: true},
		{Raw: "windowsservercore-ltsc2022", Variant: "windowsservercore", OS: "ltsc2022", Shared: true},
		{Raw: "nanoserver-ltsc2022", Variant: "nanoserver", OS: "ltsc2022", Shared: true},
		{Raw: "3-slim", Version: "3", Major: 3, Variant: "slim", Shared: true},
		{Raw: "3-alpine3.23", Version: "3", Major: 3, Variant: "alpine", OS: "alpine3.23", Shared: true},
		{Raw: "3-bookworm", Version: "3", Major: 3, OS: "bookworm", Shared: true},
		{Raw: "3.12-slim", Version: "3.12", Major: 3, Minor: 12, HasMinor: true, Variant: "slim", Shared: true},
		{Raw: "3.12-alpine", Version: "3.12", Major: 3, Minor: 12, HasMinor: true, Variant: "alpine", Shared: true},
		{Raw: "3.12-bookworm", Version: "3.12", Major: 3, Minor: 12, HasMinor: true, OS: "bookworm"},
		{Raw: "3.12-slim-bookworm", Version: "3.12", Major: 3, Minor: 12, HasMinor: true, Variant: "slim", OS: "bookworm"},
		{Raw: "3.12-alpine3.20", Version: "3.12", Major: 3, Minor: 12, HasMinor: true, Variant: "alpine", OS: "alpine3.20"},
		{Raw: "3.12.5-slim-bookworm", Version: "3.12.5", Major: 3, Minor: 12, Patch: 5, HasMinor: true, HasPatch: true, Variant: "slim", OS: "bookworm"},
		{Raw: "3.11.9-bullseye", Version: "3.11.9", Major: 3, Minor: 11, Patch: 9, HasMinor: true, HasPatch: true, OS: "bullseye"},
		{Raw: "3.13.15-alpine3.22", Version: "3.13.15", Major: 3, Minor: 13, Patch: 15, HasMinor: true, HasPatch: true, Variant: "alpine", OS: "alpine3.22"},
		{Raw: "3.14-windowsservercore", Version: "3.14", Major: 3, Minor: 14, HasMinor: true, Variant: "windowsservercore", Shared: true},
		{Raw: "3.14.7-windowsservercore-ltsc2025", Version: "3.14.7", Major: 3, Minor: 14, Patch: 7, HasMinor: true, HasPatch: true, Variant: "windowsservercore", OS: "ltsc2025"},
		{Raw: "3.13-nanoserver-ltsc2022", Version: "3.13", Major: 3, Minor: 13, HasMinor: true, Variant: "nanoserver", OS: "ltsc2022"},
		{Raw: "3.9-windowsservercore-1809", Version: "3.9", Major: 3, Minor: 9, HasMinor: true, Variant: "windowsservercore", OS: "1809"},
		{Raw: "3.8-nanoserver-1809", Version: "3.8", Major: 3, Minor: 8, HasMinor: true, Variant: "nanoserver", OS: "1809"},
		{Raw: "3.9-slim-buster", Version: "3.9", Major: 3, Minor: 9, HasMinor: true, Variant: "slim", OS: "buster"},
		{Raw: "3.7-stretch", Version: "3.7", Major: 3, Minor: 7, HasMinor: true, OS: "stretch"},
		{Raw: "3.6-slim-jessie", Version: "3.6", Major: 3, Minor: 6, HasMinor: true, Variant: "slim", OS: "jessie"},
		{Raw: "3.6-onbuild", Version: "3.6", Major: 3, Minor: 6, HasMinor: true, Variant: "onbuild", Shared: true},
		{Raw: "2.7.18-slim-buster", Version: "2.7.18", Major: 2, Minor: 7, Patch: 18, HasMinor: true, HasPatch: true, Variant: "slim", OS: "buster"},
		{Raw: "3.16.0a1-forky", Version: "3.16.0a1", Major: 3, Minor: 16, HasMinor: true, HasPatch: true, Pre: "a1", OS: "forky"},
	}
	for _, want := range tests {
		t.Run(want.Raw, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTag(want.Raw)
			if err != nil {
				t.Fatalf("ParseTag(%q) error: %v", want.Raw, err)
			}
			if got != want {
				t.Errorf("ParseTag(%q) = %+v, want %+v", want.Raw, got, want)
			}
			if s := got.String(); s != want.Raw {
				t.Errorf("ParseTag(%q).String() = %q", want.Raw, s)
			}
		})
	}
}

func TestParseTagErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ tag, want string }{
		{"", "empty tag"},
		{"3.x", `minor "x" is not a number`},
		{"3.012", `minor "012" has a leading zero`},
		{"3.12.1.4", "more than three numbers"},
		{"1.5", "major 1 is not a Python major version"},
		{"3.12.0rc", `pre-release "rc" is not aN, bN or rcN`},
		{"3.12.0dev1", `pre-release "dev1"`},
		{"3.12rc1", `minor "12rc1" is not a number`},
		{"3-rc", `"-rc" follows only MAJOR.MINOR`},
		{"3.15.0-rc", `"-rc" follows only MAJOR.MINOR`},
		{"3.12-slum", `unknown variant or OS release "slum"`},
		{"3.12-SLIM", `unknown variant or OS release "SLIM"`},
		{"3.12-bookworm-slim", "want slim-bookworm"},
		{"3.12-slim-alpine", `"alpine" after slim is not a Debian release`},
		{"3.12-alpine-bookworm", `unexpected "bookworm" after "alpine"`},
		{"3.12-alpine3.20-slim", `unexpected "slim" after "alpine3.20"`},
		{"3.12-slim-bookworm-extra", `unexpected "extra" after "bookworm"`},
		{"3.12-windowsservercore-bookworm", `"bookworm" after windowsservercore is not a Windows release`},
		{"ltsc2022", `Windows release "ltsc2022" must follow`},
		{"1809", `Windows release "1809" must follow`},
		{"3.12-ltsc2022", `Windows release "ltsc2022" must follow`},
		{"3.12--slim", "empty part between dashes"},
		{"-slim", "empty part between dashes"},
		{"3.12-latest", `"latest" cannot be combined`},
		{"alpine3", `unknown variant or OS release "alpine3"`},
		{"alpine3.x", `unknown variant or OS release "alpine3.x"`},
	}
	for _, tt := range tests {
		t.Run(tt.tag, func(t *testing.T) {
			t.Parallel()
			got, err := ParseTag(tt.tag)
			if err == nil {
				t.Fatalf("ParseTag(%q) = %+v, want error containing %q", tt.tag, got, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParseTag(%q) error = %q, want it to contain %q", tt.tag, err, tt.want)
			}
			if !strings.Contains(err.Error(), "tag "+strconv.Quote(tt.tag)) {
				t.Errorf("ParseTag(%q) error = %q, want it to name the tag", tt.tag, err)
			}
		})
	}
}

// TestParseTagManifest parses every tag of the real official-images manifest.
func TestParseTagManifest(t *testing.T) {
	t.Parallel()
	f, err := os.Open(sharedData(t, "library-python.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, list, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "Tags" && key != "SharedTags") {
			continue
		}
		for _, raw := range strings.Split(list, ",") {
			raw = strings.TrimSpace(raw)
			n++
			tag, err := ParseTag(raw)
			if err != nil {
				t.Errorf("ParseTag(%q) error: %v", raw, err)
				continue
			}
			if s := tag.String(); s != raw {
				t.Errorf("ParseTag(%q).String() = %q", raw, s)
			}
			if key == "SharedTags" && !tag.Shared {
				t.Errorf("ParseTag(%q).Shared = false for a SharedTags entry", raw)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("read %d tags from the manifest, want at least 100", n)
	}
	t.Logf("parsed and round-tripped %d tags", n)
}

func TestTagHelpers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tag                 string
		series              string
		windows, prerelease bool
	}{
		{"latest", "", false, false},
		{"3-slim", "", false, false},
		{"3.12.5-slim", "3.12", false, false},
		{"3.15-rc-alpine", "3.15", false, true},
		{"3.14-nanoserver-ltsc2022", "3.14", true, false},
	}
	for _, tt := range tests {
		tag, err := ParseTag(tt.tag)
		if err != nil {
			t.Fatal(err)
		}
		if got := tag.Series(); got != tt.series {
			t.Errorf("ParseTag(%q).Series() = %q, want %q", tt.tag, got, tt.series)
		}
		if got := tag.Windows(); got != tt.windows {
			t.Errorf("ParseTag(%q).Windows() = %v, want %v", tt.tag, got, tt.windows)
		}
		if got := tag.Prerelease(); got != tt.prerelease {
			t.Errorf("ParseTag(%q).Prerelease() = %v, want %v", tt.tag, got, tt.prerelease)
		}
	}
}

func FuzzParseTag(f *testing.F) {
	for _, s := range []string{"latest", "3.12.5-slim-bookworm", "3.15-rc-alpine3.24", "windowsservercore-ltsc2022", "3.14.0rc2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tag, err := ParseTag(s)
		if err != nil {
			return
		}
		if got := tag.String(); got != s {
			t.Errorf("ParseTag(%q).String() = %q", s, got)
		}
		again, err := ParseTag(tag.String())
		if err != nil || again != tag {
			t.Errorf("ParseTag(ParseTag(%q).String()) = %+v, %v; want %+v", s, again, err, tag)
		}
	})
}
