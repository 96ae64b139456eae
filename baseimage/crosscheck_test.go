package baseimage

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// These tests compare the embedded data with the public snapshots in the
// shared data folder; they skip when it is absent.

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(sharedData(t, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decoding %s: %v", name, err)
	}
}

func TestCrossCheckReleaseCycle(t *testing.T) {
	t.Parallel()
	var cycle map[string]struct {
		Status       string `json:"status"`
		FirstRelease string `json:"first_release"`
		EndOfLife    string `json:"end_of_life"`
	}
	readJSON(t, "release-cycle.json", &cycle)
	k := Embedded()
	for _, p := range k.PythonSeries {
		c, ok := cycle[p.Version]
		if !ok {
			t.Errorf("series %s not in release-cycle.json", p.Version)
			continue
		}
		if c.Status != p.Status {
			t.Errorf("series %s status = %q, release-cycle.json has %q", p.Version, p.Status, c.Status)
		}
		first := prevFirst(p).Format("2006-01-02")
		if first != c.FirstRelease {
			t.Errorf("series %s first release = %s, release-cycle.json has %s", p.Version, first, c.FirstRelease)
		}
		// release-cycle.json gives a month for EOLs that are not past yet.
		if eol := p.EOL.Format("2006-01-02"); !strings.HasPrefix(eol, c.EndOfLife) {
			t.Errorf("series %s EOL = %s, release-cycle.json has %s", p.Version, eol, c.EndOfLife)
		}
	}
}

func TestCrossCheckLifecycles(t *testing.T) {
	t.Parallel()
	var lc struct {
		Debian []struct {
			Codename, Version, Released, Glibc string
			SecurityEOL                        string `json:"security_eol"`
			LTSEOL                             string `json:"lts_eol"`
		}
		Alpine []struct {
			Version, Released, EOL, Musl string
		}
		DistrolessPython []struct {
			Image, Python string
			Tags          []string
		} `json:"distroless_python"`
	}
	readJSON(t, "lifecycles.json", &lc)
	k := Embedded()
	for _, d := range lc.Debian {
		r, ok := k.Debian(d.Codename)
		if !ok {
			t.Errorf("Debian(%q) missing", d.Codename)
			continue
		}
		got := []string{r.Version, r.Released.Format("2006-01-02"), r.SecurityEOL.Format("2006-01-02"), r.LTSEnd.Format("2006-01-02"), r.LibcVersion}
		want := []string{d.Version, d.Released, d.SecurityEOL, d.LTSEOL, d.Glibc}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("Debian(%q) = %v, lifecycles.json has %v", d.Codename, got, want)
		}
	}
	for _, a := range lc.Alpine {
		r, ok := k.Alpine(a.Version)
		if !ok {
			t.Errorf("Alpine(%q) missing", a.Version)
			continue
		}
		if r.Released.Format("2006-01-02") != a.Released || r.SecurityEOL.Format("2006-01-02") != a.EOL {
			t.Errorf("Alpine(%q) = %v..%v, lifecycles.json has %s..%s", a.Version, r.Released, r.SecurityEOL, a.Released, a.EOL)
		}
		if a.Musl != "" && r.LibcVersion != a.Musl {
			t.Errorf("Alpine(%q) musl = %s, lifecycles.json has %s", a.Version, r.LibcVersion, a.Musl)
		}
	}
	for _, d := range lc.DistrolessPython {
		tags := d.Tags
		if len(tags) == 0 {
			tags = []string{"latest"}
		}
		for _, tag := range tags {
			m, ok := k.Image(d.Image, tag)
			if !ok || m.Python != d.Python {
				t.Errorf("Image(%q, %q) = %+v, %v; lifecycles.json says Python %s", d.Image, tag, m, ok, d.Python)
			}
		}
	}
}

// manifestTags returns the tag lists of a manifest's Tags lines.
func manifestTags(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(sharedData(t, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var entries [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		list, ok := strings.CutPrefix(sc.Text(), "Tags:")
		if !ok {
			continue
		}
		var tags []string
		for _, s := range strings.Split(list, ",") {
			tags = append(tags, strings.TrimSpace(s))
		}
		entries = append(entries, tags)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return entries
}

func TestCrossCheckOfficialImages(t *testing.T) {
	t.Parallel()
	k := Embedded()
	t.Run("python", func(t *testing.T) {
		t.Parallel()
		for _, tags := range manifestTags(t, "library-python.txt") {
			tag, err := ParseTag(tags[0])
			if err != nil || !tag.HasPatch {
				continue
			}
			p, ok := k.Python(tag.Version)
			if !ok {
				t.Errorf("Python(%q) missing", tag.Version)
				continue
			}
			if p.Latest != tag.Version {
				t.Errorf("Python(%q).Latest = %q, the official image ships %s", tag.Series(), p.Latest, tag.Version)
			}
			if os, ok := k.TagOS(tag); !tag.Windows() && (!ok || os.Released.IsZero()) {
				t.Errorf("TagOS(%s) = %+v, %v; want a released OS", tags[0], os, ok)
			}
			for _, alias := range tags {
				a, err := ParseTag(alias)
				if err != nil || a.OS != "" || a.Windows() {
					continue
				}
				// An unpinned alias on this entry: the entry's OS is the default.
				want, _ := k.TagOS(tag)
				got, ok := k.TagOS(a)
				if !ok || got.Version != want.Version || got.Distro != want.Distro {
					t.Errorf("TagOS(%s) = %s %s, want %s %s (it is an alias of %s)", alias, got.Distro, got.Version, want.Distro, want.Version, tags[0])
				}
			}
		}
	})
	t.Run("alpine", func(t *testing.T) {
		t.Parallel()
		for _, tags := range manifestTags(t, "library-alpine.txt") {
			if strings.Count(tags[0], ".") != 2 {
				continue // "edge", "3.24", dated snapshots
			}
			r, ok := k.Alpine(tags[0])
			if !ok || r.Latest != tags[0] {
				t.Errorf("Alpine(%q) = %+v, %v; want Latest %s", tags[0], r, ok, tags[0])
			}
		}
	})
	t.Run("debian", func(t *testing.T) {
		t.Parallel()
		for _, tags := range manifestTags(t, "library-debian.txt") {
			// "bookworm, bookworm-20260803, 12.15, 12"
			if len(tags) < 4 || strings.Count(tags[2], ".") != 1 || strings.Contains(tags[0], "-") {
				continue
			}
			r, ok := k.Debian(tags[0])
			if !ok || r.Latest != tags[2] || r.Version != tags[3] {
				t.Errorf("Debian(%q) = %+v, %v; want version %s, Latest %s", tags[0], r, ok, tags[3], tags[2])
			}
		}
	})
}
