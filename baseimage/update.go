package baseimage

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Default public sources for Refresh.
const (
	// DefaultPythonSource is the Python devguide's release-cycle JSON: an
	// object keyed by series with status, first_release and end_of_life
	// (YYYY-MM-DD or YYYY-MM).
	DefaultPythonSource = "https://raw.githubusercontent.com/python/devguide/main/include/release-cycle.json"
	// DefaultDebianSource and DefaultAlpineSource are endoflife.date's v0 API:
	// an array of cycles with releaseDate, eol and extendedSupport (a date or
	// a boolean).
	DefaultDebianSource = "https://endoflife.date/api/debian.json"
	DefaultAlpineSource = "https://endoflife.date/api/alpine.json"
)

// DataFileName is the name of the refreshed knowledge file.
const DataFileName = "knowledge.json"

// maxSourceBytes bounds one downloaded source.
const maxSourceBytes = 16 << 20

// DefaultDataPath returns where the refreshed knowledge lives: $PYIMG_DATA,
// else $XDG_DATA_HOME/pyimg/knowledge.json, else
// ~/.local/share/pyimg/knowledge.json.
func DefaultDataPath(getenv func(string) string) (string, error) {
	if p := getenv("PYIMG_DATA"); p != "" {
		return p, nil
	}
	if d := getenv("XDG_DATA_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "pyimg", DataFileName), nil
	}
	home := getenv("HOME")
	if home == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the data directory: %w", err)
		}
		home = h
	}
	return filepath.Join(home, ".local", "share", "pyimg", DataFileName), nil
}

// Sources names the URLs Refresh reads. http, https and file URLs work.
type Sources struct {
	// Python is a release-cycle JSON (DefaultPythonSource's format).
	Python string
	// Debian and Alpine are endoflife.date v0 API arrays, or an object with a
	// "debian" or "alpine" array of {version, codename, released,
	// security_eol|eol, lts_eol, glibc|musl} (pyimg's compiled
	// lifecycles.json).
	Debian, Alpine string
}

// DefaultSources returns the public sources.
func DefaultSources() Sources {
	return Sources{Python: DefaultPythonSource, Debian: DefaultDebianSource, Alpine: DefaultAlpineSource}
}

// RefreshOption configures Refresh.
type RefreshOption func(*refreshOptions)

type refreshOptions struct {
	client *http.Client
	base   []byte
}

// WithHTTPClient sets the HTTP client (default: one with a 60-second timeout).
func WithHTTPClient(c *http.Client) RefreshOption {
	return func(o *refreshOptions) { o.client = c }
}

// WithBase merges over base (a knowledge file) instead of the embedded data.
func WithBase(base []byte) RefreshOption {
	return func(o *refreshOptions) { o.base = base }
}

// Refreshed is the result of Refresh.
type Refreshed struct {
	// Data is the new knowledge file, validated like Load validates.
	Data []byte
	// Knowledge is Data parsed.
	Knowledge *Knowledge
	// Changes describes what differs from the base, one line per change.
	Changes []string
}

// Refresh fetches the sources and merges them over the embedded knowledge:
// status and dates of Python series, release and end-of-life dates of
// Debian and Alpine releases are taken from the sources; series and releases
// newer than any known are added; fields the sources lack (latest patch
// versions, glibc and musl versions, known images, image defaults) are kept.
// as_of becomes the date of now. Errors name the URL that failed.
func Refresh(ctx context.Context, src Sources, now time.Time, opts ...RefreshOption) (*Refreshed, error) {
	o := refreshOptions{client: &http.Client{Timeout: 60 * time.Second}, base: embeddedData}
	for _, opt := range opts {
		opt(&o)
	}
	var f fileData
	dec := json.NewDecoder(bytes.NewReader(o.base))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("reading the base knowledge: %w", err)
	}
	fetchedOn := now.UTC().Format(time.DateOnly)
	m := merger{f: &f, date: fetchedOn}
	if f.Sources == nil {
		f.Sources = map[string]string{}
	}

	if src.Python != "" {
		b, err := fetch(ctx, o.client, src.Python)
		if err != nil {
			return nil, err
		}
		if err := m.python(src.Python, b); err != nil {
			return nil, err
		}
	}
	for _, d := range []struct{ distro, url string }{{"debian", src.Debian}, {"alpine", src.Alpine}} {
		if d.url == "" {
			continue
		}
		b, err := fetch(ctx, o.client, d.url)
		if err != nil {
			return nil, err
		}
		cycles, err := parseOSSource(d.distro, b)
		if err != nil {
			return nil, fmt.Errorf("parsing %s: %w", d.url, err)
		}
		if err := m.os(d.distro, d.url, cycles); err != nil {
			return nil, err
		}
	}
	f.AsOf = fetchedOn

	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&f); err != nil {
		return nil, fmt.Errorf("encoding the refreshed knowledge: %w", err)
	}
	k, err := parse("refreshed knowledge", buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("validating the refreshed knowledge: %w", err)
	}
	return &Refreshed{Data: buf.Bytes(), Knowledge: k, Changes: m.changes}, nil
}

// WriteDataFile writes data to path atomically: a temporary file in the same
// directory, synced, then renamed over path. On error path is untouched.
func WriteDataFile(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// fetch reads one source URL.
func fetch(ctx context.Context, c *http.Client, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", raw, err)
	}
	switch u.Scheme {
	case "file":
		b, err := os.ReadFile(u.Path)
		if err != nil {
			return nil, fmt.Errorf("fetching %s: %w", raw, err)
		}
		return b, nil
	case "http", "https":
	default:
		return nil, fmt.Errorf("fetching %s: unsupported URL scheme %q (want http, https or file)", raw, u.Scheme)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", raw, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("fetching %s: %w (offline? point the source at a reachable mirror)", raw, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching %s: HTTP %s", raw, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxSourceBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", raw, err)
	}
	if len(b) > maxSourceBytes {
		return nil, fmt.Errorf("fetching %s: larger than %d bytes", raw, maxSourceBytes)
	}
	return b, nil
}

// merger applies source records to a knowledge file.
type merger struct {
	f       *fileData
	date    string
	changes []string
}

func (m *merger) changef(format string, args ...any) {
	m.changes = append(m.changes, fmt.Sprintf(format, args...))
}

// set assigns v to *dst when v is set and differs, recording the change.
func (m *merger) set(what, field string, dst *string, v string) bool {
	if v == "" || *dst == v {
		return false
	}
	m.changef("%s: %s %s -> %s", what, field, cmp.Or(*dst, "(none)"), v)
	*dst = v
	return true
}

// releaseCycle is one series of the devguide release-cycle JSON.
type releaseCycle struct {
	Status       string `json:"status"`
	FirstRelease string `json:"first_release"`
	EndOfLife    string `json:"end_of_life"`
}

// sourceDate normalises YYYY-MM-DD or YYYY-MM (the first of the month, as
// the embedded data records month-only PEP dates).
func sourceDate(s string) (string, error) {
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return s, nil
	}
	if _, err := time.Parse("2006-01", s); err == nil {
		return s + "-01", nil
	}
	return "", fmt.Errorf("date %q is not YYYY-MM-DD or YYYY-MM", s)
}

func (m *merger) python(src string, b []byte) error {
	var rc map[string]releaseCycle
	if err := json.Unmarshal(b, &rc); err != nil {
		return fmt.Errorf("parsing %s: want the release-cycle JSON object keyed by series: %w", src, err)
	}
	if len(rc) == 0 {
		return fmt.Errorf("parsing %s: no Python series", src)
	}
	const key = "release-cycle"
	m.f.Sources[key] = fmt.Sprintf("%s fetched %s: status, first_release, end_of_life (month-only dates as the 1st)", src, m.date)
	newest := ""
	for _, p := range m.f.Python {
		if newest == "" || compareSeries(p.Version, newest) > 0 {
			newest = p.Version
		}
	}
	versions := slices.SortedFunc(func(yield func(string) bool) {
		for v := range rc {
			if !yield(v) {
				return
			}
		}
	}, compareSeries)
	for _, v := range versions {
		c := rc[v]
		if _, _, ok := parseSeries(v); !ok || seriesOf(v) != v {
			return fmt.Errorf("parsing %s: %q is not a MAJOR.MINOR series", src, v)
		}
		if !slices.Contains(pythonStatuses, c.Status) {
			return fmt.Errorf("parsing %s: %s: status %q is not one of %s", src, v, c.Status, strings.Join(pythonStatuses, ", "))
		}
		eol, err := sourceDate(c.EndOfLife)
		if err != nil {
			return fmt.Errorf("parsing %s: %s end_of_life: %w", src, v, err)
		}
		first := ""
		if c.FirstRelease != "" {
			if first, err = sourceDate(c.FirstRelease); err != nil {
				return fmt.Errorf("parsing %s: %s first_release: %w", src, v, err)
			}
		}
		upcoming := c.Status == "feature" || c.Status == "prerelease"
		i := slices.IndexFunc(m.f.Python, func(p filePython) bool { return p.Version == v })
		if i < 0 {
			if newest != "" && compareSeries(v, newest) <= 0 {
				// Older series than the embedded data covers are left out.
				continue
			}
			p := filePython{Version: v, Status: c.Status, EOL: eol, Source: key}
			if upcoming {
				p.Scheduled = first
			} else {
				p.Released = first
			}
			m.f.Python = append(m.f.Python, p)
			m.changef("python %s: added (%s, end of life %s)", v, c.Status, eol)
			continue
		}
		p := &m.f.Python[i]
		what := "python " + v
		changed := m.set(what, "status", &p.Status, c.Status)
		changed = m.set(what, "eol", &p.EOL, eol) || changed
		if upcoming {
			changed = m.set(what, "scheduled", &p.Scheduled, first) || changed
		} else {
			changed = m.set(what, "released", &p.Released, first) || changed
			if p.Scheduled != "" {
				p.Scheduled = ""
				changed = true
			}
		}
		if changed {
			p.Source = key + "; before: " + p.Source
		}
	}
	return nil
}

// osCycle is one OS release from an OS source, dates as YYYY-MM-DD or "".
type osCycle struct {
	Version, Codename, Released, EOL, LTSEnd, Libc string
}

// parseOSSource reads an endoflife.date v0 array or a lifecycles.json object.
func parseOSSource(distro string, b []byte) ([]osCycle, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return nil, errors.New("empty document")
	}
	var out []osCycle
	switch b[0] {
	case '[':
		var raw []struct {
			Cycle           json.RawMessage `json:"cycle"`
			Codename        string          `json:"codename"`
			ReleaseDate     string          `json:"releaseDate"`
			EOL             json.RawMessage `json:"eol"`
			ExtendedSupport json.RawMessage `json:"extendedSupport"`
		}
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("want an endoflife.date cycle array: %w", err)
		}
		for i, r := range raw {
			cycle, err := stringOrNumber(r.Cycle)
			if err != nil {
				return nil, fmt.Errorf("cycle %d: %w", i, err)
			}
			c := osCycle{Version: cycle, Codename: strings.ToLower(r.Codename)}
			if c.Released, err = optionalDate(r.ReleaseDate); err != nil {
				return nil, fmt.Errorf("cycle %s releaseDate: %w", cycle, err)
			}
			if c.EOL, err = dateOrBool(r.EOL); err != nil {
				return nil, fmt.Errorf("cycle %s eol: %w", cycle, err)
			}
			if c.LTSEnd, err = dateOrBool(r.ExtendedSupport); err != nil {
				return nil, fmt.Errorf("cycle %s extendedSupport: %w", cycle, err)
			}
			out = append(out, c)
		}
	case '{':
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(b, &raw); err != nil {
			return nil, fmt.Errorf("want a lifecycles object: %w", err)
		}
		list, ok := raw[distro]
		if !ok {
			return nil, fmt.Errorf("lifecycles object has no %q array", distro)
		}
		var rs []struct {
			Version     string `json:"version"`
			Codename    string `json:"codename"`
			Released    string `json:"released"`
			SecurityEOL string `json:"security_eol"`
			EOL         string `json:"eol"`
			LTSEOL      string `json:"lts_eol"`
			Glibc       string `json:"glibc"`
			Musl        string `json:"musl"`
		}
		if err := json.Unmarshal(list, &rs); err != nil {
			return nil, fmt.Errorf("%s: %w", distro, err)
		}
		for _, r := range rs {
			c := osCycle{Version: r.Version, Codename: strings.ToLower(r.Codename), Libc: cmp.Or(r.Glibc, r.Musl)}
			var err error
			for _, d := range []struct {
				dst  *string
				name string
				v    string
			}{{&c.Released, "released", r.Released}, {&c.EOL, "eol", cmp.Or(r.SecurityEOL, r.EOL)}, {&c.LTSEnd, "lts_eol", r.LTSEOL}} {
				if *d.dst, err = optionalDate(d.v); err != nil {
					return nil, fmt.Errorf("%s %s %s: %w", distro, r.Version, d.name, err)
				}
			}
			out = append(out, c)
		}
	default:
		return nil, errors.New("not a JSON array or object")
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no %s releases", distro)
	}
	return out, nil
}

func stringOrNumber(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("%s is not a string or number", raw)
}

func optionalDate(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", fmt.Errorf("date %q is not YYYY-MM-DD", s)
	}
	return s, nil
}

// dateOrBool reads endoflife.date's date-or-boolean fields; a boolean (or
// absence) means no date is known.
func dateOrBool(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fmt.Errorf("%s is not a date or boolean", raw)
	}
	return optionalDate(s)
}

func (m *merger) os(distro, src string, cycles []osCycle) error {
	key := "endoflife-" + distro
	m.f.Sources[key] = fmt.Sprintf("%s fetched %s: release and end-of-life dates", src, m.date)
	switch distro {
	case "debian":
		newest := ""
		for _, d := range m.f.Debian {
			if newest == "" || compareSeries(d.Version+".0", newest+".0") > 0 {
				newest = d.Version
			}
		}
		for _, c := range cycles {
			if !isDigits(c.Version) {
				continue // e.g. "3.1": older than anything pyimg covers
			}
			what := "debian " + c.Version
			i := slices.IndexFunc(m.f.Debian, func(d fileDebian) bool { return d.Version == c.Version })
			if i < 0 {
				if newest != "" && compareSeries(c.Version+".0", newest+".0") <= 0 {
					continue
				}
				if c.Codename == "" || (c.Released != "" && c.EOL == "") {
					m.changef("%s: skipped (no codename or end-of-life date yet)", what)
					continue
				}
				m.f.Debian = append(m.f.Debian, fileDebian{Version: c.Version, Codename: c.Codename,
					Released: c.Released, SecurityEOL: c.EOL, LTSEnd: c.LTSEnd, Glibc: c.Libc, Source: key})
				m.changef("%s: added (%s)", what, c.Codename)
				continue
			}
			d := &m.f.Debian[i]
			if c.EOL == "" && d.SecurityEOL == "" {
				c.Released = "" // a release date needs an end-of-life date
			}
			changed := m.set(what, "released", &d.Released, c.Released)
			changed = m.set(what, "security_eol", &d.SecurityEOL, c.EOL) || changed
			changed = m.set(what, "lts_end", &d.LTSEnd, c.LTSEnd) || changed
			if d.Glibc == "" {
				changed = m.set(what, "glibc", &d.Glibc, c.Libc) || changed
			}
			if changed {
				d.Source = key + "; before: " + d.Source
			}
		}
	case "alpine":
		newest := ""
		for _, a := range m.f.Alpine {
			if newest == "" || compareSeries(a.Version, newest) > 0 {
				newest = a.Version
			}
		}
		for _, c := range cycles {
			if _, _, ok := parseSeries(c.Version); !ok || seriesOf(c.Version) != c.Version {
				continue
			}
			what := "alpine " + c.Version
			i := slices.IndexFunc(m.f.Alpine, func(a fileAlpine) bool { return a.Version == c.Version })
			if i < 0 {
				if newest != "" && compareSeries(c.Version, newest) <= 0 {
					continue
				}
				if c.Released != "" && c.EOL == "" {
					m.changef("%s: skipped (no end-of-life date yet)", what)
					continue
				}
				m.f.Alpine = append(m.f.Alpine, fileAlpine{Version: c.Version, Released: c.Released, EOL: c.EOL, Musl: c.Libc, Source: key})
				m.changef("%s: added", what)
				continue
			}
			a := &m.f.Alpine[i]
			if c.EOL == "" && a.EOL == "" {
				c.Released = ""
			}
			changed := m.set(what, "released", &a.Released, c.Released)
			changed = m.set(what, "eol", &a.EOL, c.EOL) || changed
			if a.Musl == "" {
				changed = m.set(what, "musl", &a.Musl, c.Libc) || changed
			}
			if changed {
				a.Source = key + "; before: " + a.Source
			}
		}
	}
	return nil
}
