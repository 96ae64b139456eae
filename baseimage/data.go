package baseimage

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

// embeddedData is the shipped knowledge. To refresh it, edit
// data/knowledge.json from the sources named in its "sources" object, give
// each changed entry a "source", move "as_of" to the date of the check, and
// run the package tests with the shared data folder present: they compare
// the file with the PEP release-cycle data, the lifecycle facts and the
// official-images manifests.
//
//go:embed data/knowledge.json
var embeddedData []byte

// embeddedKnowledge parses the embedded data on first use.
var embeddedKnowledge = sync.OnceValue(func() *Knowledge {
	k, err := parse("embedded data/knowledge.json", embeddedData)
	if err != nil {
		// The embedded file is checked by the package tests; reaching this
		// is a build defect, not a runtime condition.
		panic(err)
	}
	return k
})

// Embedded returns the knowledge shipped with pyimg. The data is parsed once;
// each call returns a fresh copy the caller may modify.
func Embedded() *Knowledge {
	return embeddedKnowledge().Clone()
}

// Load reads knowledge from a file in the same JSON format as the embedded
// data (baseimage/data/knowledge.json). Unknown fields, malformed dates and
// inconsistent entries are errors naming the file and the field.
func Load(path string) (*Knowledge, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("loading base-image knowledge: %w", err)
	}
	k, err := parse(path, b)
	if err != nil {
		return nil, fmt.Errorf("loading base-image knowledge: %w", err)
	}
	return k, nil
}

// Clone returns a deep copy of k.
func (k *Knowledge) Clone() *Knowledge {
	c := *k
	c.PythonSeries = slices.Clone(k.PythonSeries)
	c.OS = slices.Clone(k.OS)
	c.Images = slices.Clone(k.Images)
	c.Sources = maps.Clone(k.Sources)
	return &c
}

// The file format. Dates are strings so that errors can name the field.
type fileData struct {
	AsOf        string            `json:"as_of"`
	Sources     map[string]string `json:"sources"`
	PythonImage fileDefaults      `json:"python_image"`
	Python      []filePython      `json:"python"`
	Debian      []fileDebian      `json:"debian"`
	Alpine      []fileAlpine      `json:"alpine"`
	Images      []fileImage       `json:"images"`
}

type fileDefaults struct {
	Debian  string `json:"debian"`
	Alpine  string `json:"alpine"`
	Windows string `json:"windows"`
	Source  string `json:"source"`
}

type filePython struct {
	Version   string `json:"version"`
	Status    string `json:"status"`
	Released  string `json:"released"`
	Scheduled string `json:"scheduled"`
	BugfixEnd string `json:"bugfix_end"`
	EOL       string `json:"eol"`
	Latest    string `json:"latest"`
	Source    string `json:"source"`
}

type fileDebian struct {
	Version     string `json:"version"`
	Codename    string `json:"codename"`
	Released    string `json:"released"`
	SecurityEOL string `json:"security_eol"`
	LTSEnd      string `json:"lts_end"`
	Glibc       string `json:"glibc"`
	Latest      string `json:"latest"`
	Source      string `json:"source"`
}

type fileAlpine struct {
	Version  string `json:"version"`
	Released string `json:"released"`
	EOL      string `json:"eol"`
	Musl     string `json:"musl"`
	Latest   string `json:"latest"`
	Source   string `json:"source"`
}

type fileImage struct {
	Repo       string `json:"repo"`
	Tag        string `json:"tag"`
	User       string `json:"user"`
	Python     string `json:"python"`
	Libc       string `json:"libc"`
	OS         string `json:"os"`
	Shell      bool   `json:"shell"`
	Deprecated bool   `json:"deprecated"`
	Source     string `json:"source"`
}

// parse decodes and validates one knowledge file; name is used in errors.
func parse(name string, b []byte) (*Knowledge, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f fileData
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: %w", name, describeJSONError(b, dec, err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: unexpected data after the top-level object", name)
	}
	v := validator{name: name}
	k := v.knowledge(&f)
	if err := errors.Join(v.errs...); err != nil {
		return nil, err
	}
	return k, nil
}

// describeJSONError adds a line and column to decoding errors.
func describeJSONError(b []byte, dec *json.Decoder, err error) error {
	off := dec.InputOffset()
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off = syn.Offset
	case errors.As(err, &typ):
		off = typ.Offset
		if typ.Field != "" {
			return fmt.Errorf("%s: field %s: %s value where %s expected", position(b, off), typ.Field, typ.Value, typ.Type)
		}
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	return fmt.Errorf("%s: %s", position(b, off), msg)
}

func position(b []byte, off int64) string {
	off = min(max(off, 0), int64(len(b)))
	before := b[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

type validator struct {
	name string
	errs []error
}

func (v *validator) errorf(field, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s: %s: %s", v.name, field, fmt.Sprintf(format, args...)))
}

// date parses a YYYY-MM-DD value; empty means zero unless required.
func (v *validator) date(field, s string, required bool) time.Time {
	if s == "" {
		if required {
			v.errorf(field, "missing date")
		}
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		v.errorf(field, "date %q is not YYYY-MM-DD", s)
		return time.Time{}
	}
	return t
}

// order checks that dates which are set are not decreasing.
func (v *validator) order(field string, names []string, ts ...time.Time) {
	var prev time.Time
	prevName := ""
	for i, t := range ts {
		if t.IsZero() {
			continue
		}
		if !prev.IsZero() && t.Before(prev) {
			v.errorf(field, "%s %s is before %s %s", names[i], t.Format(time.DateOnly), prevName, prev.Format(time.DateOnly))
		}
		prev, prevName = t, names[i]
	}
}

var pythonStatuses = []string{"feature", "prerelease", "bugfix", "security", "end-of-life"}

func (v *validator) knowledge(f *fileData) *Knowledge {
	k := &Knowledge{
		AsOf:    v.date("as_of", f.AsOf, true),
		Sources: f.Sources,
		Defaults: OfficialDefaults{
			Debian:  f.PythonImage.Debian,
			Alpine:  f.PythonImage.Alpine,
			Windows: f.PythonImage.Windows,
		},
	}
	seen := map[string]bool{}
	for i, p := range f.Python {
		field := fmt.Sprintf("python[%d]", i)
		s := PythonSeries{
			Version:   p.Version,
			Status:    p.Status,
			Released:  v.date(field+".released", p.Released, false),
			Scheduled: v.date(field+".scheduled", p.Scheduled, false),
			BugfixEnd: v.date(field+".bugfix_end", p.BugfixEnd, false),
			EOL:       v.date(field+".eol", p.EOL, true),
			Latest:    p.Latest,
			Source:    p.Source,
		}
		if _, _, ok := parseSeries(p.Version); !ok || seriesOf(p.Version) != p.Version {
			v.errorf(field+".version", "%q is not MAJOR.MINOR", p.Version)
		}
		if seen[p.Version] {
			v.errorf(field+".version", "duplicate series %q", p.Version)
		}
		seen[p.Version] = true
		if !slices.Contains(pythonStatuses, p.Status) {
			v.errorf(field+".status", "%q is not one of %s", p.Status, strings.Join(pythonStatuses, ", "))
		}
		if p.Latest != "" && seriesOf(p.Latest) != p.Version {
			v.errorf(field+".latest", "%q is not a release of %s", p.Latest, p.Version)
		}
		v.order(field, []string{"released", "bugfix_end", "eol"}, s.Released, s.BugfixEnd, s.EOL)
		v.order(field, []string{"scheduled", "bugfix_end", "eol"}, s.Scheduled, s.BugfixEnd, s.EOL)
		k.PythonSeries = append(k.PythonSeries, s)
	}
	slices.SortStableFunc(k.PythonSeries, func(a, b PythonSeries) int { return compareSeries(a.Version, b.Version) })

	seen = map[string]bool{}
	for i, d := range f.Debian {
		field := fmt.Sprintf("debian[%d]", i)
		r := OSRelease{
			Distro:      "debian",
			Version:     d.Version,
			Codename:    d.Codename,
			Released:    v.date(field+".released", d.Released, false),
			SecurityEOL: v.date(field+".security_eol", d.SecurityEOL, d.Released != ""),
			LTSEnd:      v.date(field+".lts_end", d.LTSEnd, false),
			Libc:        "glibc",
			LibcVersion: d.Glibc,
			Latest:      d.Latest,
			Source:      d.Source,
		}
		if !isDigits(d.Version) {
			v.errorf(field+".version", "%q is not a Debian major version", d.Version)
		}
		if d.Codename == "" || strings.ToLower(d.Codename) != d.Codename {
			v.errorf(field+".codename", "%q is not a lower-case codename", d.Codename)
		}
		for _, key := range []string{d.Version, d.Codename} {
			if seen[key] {
				v.errorf(field, "duplicate release %q", key)
			}
			seen[key] = true
		}
		v.order(field, []string{"released", "security_eol", "lts_end"}, r.Released, r.SecurityEOL, r.LTSEnd)
		k.OS = append(k.OS, r)
	}
	seen = map[string]bool{}
	for i, a := range f.Alpine {
		field := fmt.Sprintf("alpine[%d]", i)
		r := OSRelease{
			Distro:      "alpine",
			Version:     a.Version,
			Released:    v.date(field+".released", a.Released, false),
			SecurityEOL: v.date(field+".eol", a.EOL, a.Released != ""),
			Libc:        "musl",
			LibcVersion: a.Musl,
			Latest:      a.Latest,
			Source:      a.Source,
		}
		if _, _, ok := parseSeries(a.Version); !ok || seriesOf(a.Version) != a.Version {
			v.errorf(field+".version", "%q is not MAJOR.MINOR", a.Version)
		}
		if seen[a.Version] {
			v.errorf(field+".version", "duplicate release %q", a.Version)
		}
		seen[a.Version] = true
		v.order(field, []string{"released", "eol"}, r.Released, r.SecurityEOL)
		k.OS = append(k.OS, r)
	}
	slices.SortStableFunc(k.OS, func(a, b OSRelease) int {
		if c := strings.Compare(a.Distro, b.Distro); c != 0 {
			// debian before alpine
			return -c
		}
		return compareSeries(a.Version, b.Version)
	})

	for i, m := range f.Images {
		field := fmt.Sprintf("images[%d]", i)
		repo, tag := splitRef(m.Repo)
		if m.Repo == "" || repo != m.Repo || tag != "" {
			v.errorf(field+".repo", "%q is not a normalised repository without tag", m.Repo)
		}
		if m.Libc != "glibc" && m.Libc != "musl" && m.Libc != "" {
			v.errorf(field+".libc", "%q is not glibc or musl", m.Libc)
		}
		if m.Python != "" && seriesOf(m.Python) != m.Python {
			v.errorf(field+".python", "%q is not MAJOR.MINOR", m.Python)
		}
		k.Images = append(k.Images, KnownImage{
			Repo:       m.Repo,
			Tag:        m.Tag,
			NonRoot:    m.User != "" && m.User != "root" && m.User != "0" && !strings.HasPrefix(m.User, "0:") && !strings.HasPrefix(m.User, "root:"),
			User:       m.User,
			Python:     m.Python,
			Libc:       m.Libc,
			OS:         m.OS,
			Shell:      m.Shell,
			Deprecated: m.Deprecated,
			Source:     m.Source,
		})
	}

	if d := k.Defaults.Debian; d != "" {
		if _, ok := k.Debian(d); !ok {
			v.errorf("python_image.debian", "%q is not a listed Debian release", d)
		}
	}
	if a := k.Defaults.Alpine; a != "" {
		if _, ok := k.Alpine(a); !ok {
			v.errorf("python_image.alpine", "%q is not a listed Alpine release", a)
		}
	}
	return k
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
