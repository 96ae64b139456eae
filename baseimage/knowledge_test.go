package baseimage

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestEmbeddedSeries(t *testing.T) {
	t.Parallel()
	k := Embedded()
	if k.AsOf.Before(day("2026-01-01")) || k.AsOf.After(day("2030-01-01")) {
		t.Errorf("AsOf = %v, want a plausible date", k.AsOf)
	}
	var versions []string
	for _, p := range k.PythonSeries {
		versions = append(versions, p.Version)
	}
	for _, want := range []string{"3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.15"} {
		if !slices.Contains(versions, want) {
			t.Errorf("embedded Python series = %v, missing %s", versions, want)
		}
	}
	if !slices.IsSortedFunc(k.PythonSeries, func(a, b PythonSeries) int { return compareSeries(a.Version, b.Version) }) {
		t.Errorf("embedded Python series are not ordered: %v", versions)
	}
	// The file itself is ordered, not just the parsed slice.
	var raw struct {
		Python []struct {
			Version string `json:"version"`
		} `json:"python"`
	}
	if err := json.Unmarshal(embeddedData, &raw); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(raw.Python); i++ {
		if compareSeries(raw.Python[i-1].Version, raw.Python[i].Version) >= 0 {
			t.Errorf("knowledge.json python[%d] %s is not after %s", i, raw.Python[i].Version, raw.Python[i-1].Version)
		}
	}
	lo, hi := day("2010-01-01"), day("2040-01-01")
	sane := func(name string, d time.Time) {
		if !d.IsZero() && (d.Before(lo) || d.After(hi)) {
			t.Errorf("%s = %s, outside %s..%s", name, d.Format(time.DateOnly), lo.Format(time.DateOnly), hi.Format(time.DateOnly))
		}
	}
	var prev PythonSeries
	for i, p := range k.PythonSeries {
		if p.EOL.IsZero() {
			t.Errorf("series %s has no EOL", p.Version)
		}
		first := p.Released
		if first.IsZero() {
			first = p.Scheduled
		}
		if first.IsZero() {
			t.Errorf("series %s has neither a release nor a scheduled date", p.Version)
		}
		sane(p.Version+" released", first)
		sane(p.Version+" bugfix end", p.BugfixEnd)
		sane(p.Version+" EOL", p.EOL)
		if !first.Before(p.EOL) || (!p.BugfixEnd.IsZero() && (p.BugfixEnd.Before(first) || p.EOL.Before(p.BugfixEnd))) {
			t.Errorf("series %s dates out of order: %v, %v, %v", p.Version, first, p.BugfixEnd, p.EOL)
		}
		if p.Released.IsZero() != (p.Status == "prerelease" || p.Status == "feature") {
			t.Errorf("series %s: status %q but released %v", p.Version, p.Status, p.Released)
		}
		if p.Source == "" {
			t.Errorf("series %s has no source", p.Version)
		}
		if i > 0 && (!prev.EOL.Before(p.EOL) || !prevFirst(prev).Before(first)) {
			t.Errorf("series %s does not start and end after %s", p.Version, prev.Version)
		}
		prev = p
	}
}

func prevFirst(p PythonSeries) time.Time {
	if p.Released.IsZero() {
		return p.Scheduled
	}
	return p.Released
}

func TestEmbeddedOS(t *testing.T) {
	t.Parallel()
	k := Embedded()
	glibc := map[string]string{"10": "2.28", "11": "2.31", "12": "2.36", "13": "2.41"}
	for v, want := range glibc {
		r, ok := k.Debian(v)
		if !ok {
			t.Errorf("Debian(%q) missing", v)
			continue
		}
		if r.Libc != "glibc" || r.LibcVersion != want {
			t.Errorf("Debian(%q) libc = %s %s, want glibc %s", v, r.Libc, r.LibcVersion, want)
		}
		if r.Released.IsZero() || !r.Released.Before(r.SecurityEOL) || !r.SecurityEOL.Before(r.LTSEnd) {
			t.Errorf("Debian(%q) dates out of order: %v %v %v", v, r.Released, r.SecurityEOL, r.LTSEnd)
		}
	}
	for minor := 15; minor <= 23; minor++ {
		v := "3." + strconv.Itoa(minor)
		r, ok := k.Alpine(v)
		if !ok {
			t.Errorf("Alpine(%q) missing", v)
			continue
		}
		if r.Libc != "musl" || !strings.HasPrefix(r.LibcVersion, "1.2.") {
			t.Errorf("Alpine(%q) libc = %s %s, want musl 1.2.x", v, r.Libc, r.LibcVersion)
		}
		if r.Released.IsZero() || !r.Released.Before(r.SecurityEOL) {
			t.Errorf("Alpine(%q) dates out of order: %v %v", v, r.Released, r.SecurityEOL)
		}
	}
	isOrdered := slices.IsSortedFunc(k.OS, func(a, b OSRelease) int {
		if a.Distro != b.Distro {
			if a.Distro == "debian" {
				return -1
			}
			return 1
		}
		return compareSeries(a.Version, b.Version)
	})
	if !isOrdered {
		t.Errorf("OS releases are not Debian then Alpine, oldest first")
	}
	for _, r := range k.OS {
		if r.Source == "" {
			t.Errorf("%s %s has no source", r.Distro, r.Version)
		}
	}
	if _, ok := k.TagOS(Tag{}); !ok {
		t.Errorf("TagOS(latest) unresolved; Defaults = %+v", k.Defaults)
	}
}

func TestEmbeddedIsACopy(t *testing.T) {
	t.Parallel()
	a := Embedded()
	a.PythonSeries[0].Version = "changed"
	a.Sources["peps"] = "changed"
	b := Embedded()
	if b.PythonSeries[0].Version == "changed" || b.Sources["peps"] == "changed" {
		t.Error("modifying one Embedded() result changed another")
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "knowledge.json")
	if err := os.WriteFile(good, embeddedData, 0o644); err != nil {
		t.Fatal(err)
	}
	k, err := Load(good)
	if err != nil {
		t.Fatalf("Load(embedded copy) error: %v", err)
	}
	if len(k.PythonSeries) != len(Embedded().PythonSeries) {
		t.Errorf("Load(embedded copy) has %d series, want %d", len(k.PythonSeries), len(Embedded().PythonSeries))
	}

	minimal := func(python string) string {
		return `{"as_of": "2026-08-22", "python": [` + python + `]}`
	}
	tests := []struct {
		name, content string
		want          []string
	}{
		{"unknown field", `{"as_of": "2026-08-22", "pyhton": []}`, []string{`unknown field "pyhton"`, "line 1"}},
		{"nested unknown field", minimal(`{"version": "3.12", "status": "bugfix", "released": "2023-10-02", "eol": "2028-10-01",
			"eof": "x"}`), []string{`unknown field "eof"`, "line 2"}},
		{"syntax", "{\n\"as_of\": \"2026-08-22\",,}", []string{"line 2"}},
		{"wrong type", `{"as_of": 2026}`, []string{"field as_of", "number"}},
		{"missing as_of", `{}`, []string{"as_of: missing date"}},
		{"bad date", minimal(`{"version": "3.12", "status": "bugfix", "released": "2023-13-02", "eol": "2028-10-01"}`), []string{`python[0].released: date "2023-13-02" is not YYYY-MM-DD`}},
		{"missing eol", minimal(`{"version": "3.12", "status": "bugfix", "released": "2023-10-02"}`), []string{"python[0].eol: missing date"}},
		{"bad status", minimal(`{"version": "3.12", "status": "done", "released": "2023-10-02", "eol": "2028-10-01"}`), []string{`python[0].status: "done" is not one of`}},
		{"bad version", minimal(`{"version": "3.12.1", "status": "bugfix", "released": "2023-10-02", "eol": "2028-10-01"}`), []string{`python[0].version: "3.12.1" is not MAJOR.MINOR`}},
		{"latest of other series", minimal(`{"version": "3.12", "status": "bugfix", "released": "2023-10-02", "eol": "2028-10-01", "latest": "3.11.2"}`), []string{`python[0].latest: "3.11.2" is not a release of 3.12`}},
		{"dates reversed", minimal(`{"version": "3.12", "status": "bugfix", "released": "2029-10-02", "eol": "2028-10-01"}`), []string{"python[0]: eol 2028-10-01 is before released 2029-10-02"}},
		{"duplicate", minimal(`{"version": "3.12", "status": "bugfix", "released": "2023-10-02", "eol": "2028-10-01"},
			{"version": "3.12", "status": "bugfix", "released": "2023-10-02", "eol": "2028-10-01"}`), []string{`python[1].version: duplicate series "3.12"`}},
		{"debian codename", `{"as_of": "2026-08-22", "debian": [{"version": "12", "codename": "Bookworm", "released": "2023-06-10", "security_eol": "2026-06-10"}]}`, []string{`debian[0].codename: "Bookworm"`}},
		{"image repo with tag", `{"as_of": "2026-08-22", "images": [{"repo": "cgr.dev/chainguard/python:latest"}]}`, []string{`images[0].repo`}},
		{"default not listed", `{"as_of": "2026-08-22", "python_image": {"debian": "trixie"}}`, []string{`python_image.debian: "trixie" is not a listed Debian release`}},
		{"trailing data", `{"as_of": "2026-08-22"} {}`, []string{"unexpected data after"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(t.TempDir(), "override.json")
			if err := os.WriteFile(p, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(p)
			if err == nil {
				t.Fatalf("Load(%s) succeeded, want error", tt.name)
			}
			for _, w := range append(tt.want, p) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Load(%s) error = %q, want it to contain %q", tt.name, err, w)
				}
			}
		})
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("Load(missing) error = %v, want one naming the file", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(embeddedData)
	f.Add([]byte(`{"as_of": "2026-08-22", "python": [{"version": "3.12", "status": "bugfix", "released": "2023-10-02", "eol": "2028-10-01"}]}`))
	f.Add([]byte(`{"as_of": "2026-08-22", "images": [{"repo": "cgr.dev/chainguard/python", "tag": "latest", "user": "65532"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := parse("fuzz.json", b)
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.json") {
				t.Errorf("parse error %q does not name the file", err)
			}
			return
		}
		for _, p := range k.PythonSeries {
			if p.EOL.IsZero() {
				t.Errorf("parse accepted series %q without EOL", p.Version)
			}
		}
		if k.AsOf.IsZero() {
			t.Error("parse accepted data without as_of")
		}
	})
}
