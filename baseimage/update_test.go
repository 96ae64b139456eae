package baseimage

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serve starts a server answering each path with its body; other paths 404.
func serve(t *testing.T, bodies map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if b == "500" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(b))
	}))
	t.Cleanup(srv.Close)
	return srv
}

const (
	samplePython = `{
  "3.17": {"branch": "main", "pep": 900, "status": "feature", "first_release": "2028-10-02", "end_of_life": "2033-10"},
  "3.16": {"branch": "3.16", "pep": 826, "status": "prerelease", "first_release": "2027-10-06", "end_of_life": "2032-10"},
  "3.10": {"branch": "3.10", "pep": 619, "status": "security", "first_release": "2021-10-04", "end_of_life": "2026-10-31"},
  "3.9":  {"branch": "3.9", "pep": 596, "status": "end-of-life", "first_release": "2020-10-05", "end_of_life": "2025-10-31"},
  "2.7":  {"branch": "2.7", "pep": 373, "status": "end-of-life", "first_release": "2010-07-03", "end_of_life": "2020-01-01"}
}`
	// endoflife.date v0 API shape.
	sampleDebian = `[
  {"cycle": "15", "codename": "Duke", "releaseDate": "2029-06-01", "eol": false, "extendedSupport": false, "latest": "15.0", "lts": false},
  {"cycle": "14", "codename": "Forky", "releaseDate": "2027-06-12", "eol": "2030-06-12", "extendedSupport": "2032-06-30", "latest": "14.0", "lts": false},
  {"cycle": "13", "codename": "Trixie", "releaseDate": "2025-08-09", "eol": "2028-08-10", "extendedSupport": "2030-06-30", "latest": "13.2", "lts": false},
  {"cycle": "3.1", "codename": "Sarge", "releaseDate": "2005-06-06", "eol": "2008-03-31", "extendedSupport": false}
]`
	sampleAlpine = `[
  {"cycle": "3.25", "releaseDate": "2026-12-01", "eol": "2028-11-01", "latest": "3.25.0"},
  {"cycle": "3.24", "releaseDate": "2026-06-09", "eol": "2028-05-01", "latest": "3.24.1"}
]`
)

func TestRefreshMerges(t *testing.T) {
	srv := serve(t, map[string]string{"/py.json": samplePython, "/debian.json": sampleDebian, "/alpine.json": sampleAlpine})
	src := Sources{Python: srv.URL + "/py.json", Debian: srv.URL + "/debian.json", Alpine: srv.URL + "/alpine.json"}
	r, err := Refresh(context.Background(), src, day("2026-11-22"))
	if err != nil {
		t.Fatalf("Refresh() error: %v", err)
	}
	k := r.Knowledge
	emb := Embedded()
	if got := k.AsOf; !got.Equal(day("2026-11-22")) {
		t.Errorf("AsOf = %v, want 2026-11-22", got)
	}

	// A new series appears; month-only dates become the 1st.
	p, ok := k.Python("3.17")
	if !ok || p.Status != "feature" || !p.Scheduled.Equal(day("2028-10-02")) || !p.EOL.Equal(day("2033-10-01")) {
		t.Errorf("Python(3.17) = %+v, %v; want a feature series scheduled 2028-10-02, EOL 2033-10-01", p, ok)
	}
	// An EOL date changes; embedded-only fields (latest, bugfix_end) survive.
	p, _ = k.Python("3.10")
	ep, _ := emb.Python("3.10")
	if !p.EOL.Equal(day("2026-10-31")) {
		t.Errorf("Python(3.10).EOL = %v, want 2026-10-31", p.EOL)
	}
	if p.Latest != ep.Latest || !p.BugfixEnd.Equal(ep.BugfixEnd) || p.Latest == "" {
		t.Errorf("Python(3.10) latest/bugfix_end = %q/%v, want embedded %q/%v", p.Latest, p.BugfixEnd, ep.Latest, ep.BugfixEnd)
	}
	if !strings.HasPrefix(p.Source, "release-cycle") {
		t.Errorf("Python(3.10).Source = %q, want release-cycle first", p.Source)
	}
	// Series older than the embedded data are not added.
	if _, ok := k.Python("2.7"); ok {
		t.Errorf("Python(2.7) was added; older series should be left out")
	}
	// Series absent from the source are kept.
	if _, ok := k.Python("3.13"); !ok {
		t.Errorf("Python(3.13) missing after refresh")
	}

	d, ok := k.Debian("trixie")
	if !ok || !d.SecurityEOL.Equal(day("2028-08-10")) || d.LibcVersion == "" {
		t.Errorf("Debian(trixie) = %+v; want security EOL 2028-08-10 and the embedded glibc", d)
	}
	if d, ok := k.Debian("forky"); !ok || !d.Released.Equal(day("2027-06-12")) || !d.LTSEnd.Equal(day("2032-06-30")) {
		t.Errorf("Debian(forky) = %+v, %v; want released 2027-06-12, LTS end 2032-06-30", d, ok)
	}
	if _, ok := k.Debian("duke"); ok {
		t.Errorf("Debian(duke) added without an end-of-life date")
	}
	if a, ok := k.Alpine("3.25"); !ok || !a.SecurityEOL.Equal(day("2028-11-01")) {
		t.Errorf("Alpine(3.25) = %+v, %v; want EOL 2028-11-01", a, ok)
	}
	if a, _ := k.Alpine("3.24"); !a.SecurityEOL.Equal(day("2028-05-01")) || a.LibcVersion == "" {
		t.Errorf("Alpine(3.24) = %+v; want EOL 2028-05-01 and the embedded musl", a)
	}
	if len(k.Images) != len(emb.Images) || k.Defaults != emb.Defaults {
		t.Errorf("images or defaults changed: %d images (want %d), %+v (want %+v)", len(k.Images), len(emb.Images), k.Defaults, emb.Defaults)
	}
	for _, key := range []string{"release-cycle", "endoflife-debian", "endoflife-alpine"} {
		if !strings.Contains(k.Sources[key], srv.URL) {
			t.Errorf("Sources[%q] = %q, want the URL", key, k.Sources[key])
		}
	}
	if len(r.Changes) == 0 {
		t.Errorf("Changes is empty")
	}

	// The written form goes through the same strict Load.
	path := filepath.Join(t.TempDir(), "knowledge.json")
	if err := WriteDataFile(path, r.Data); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err != nil {
		t.Errorf("Load(refreshed) error: %v", err)
	}
}

// TestRefreshSharedData refreshes from the real copies of the public
// sources: nothing should change but the date and the source notes.
func TestRefreshSharedData(t *testing.T) {
	rc, err := os.ReadFile(sharedData(t, "release-cycle.json"))
	if err != nil {
		t.Fatal(err)
	}
	lc, err := os.ReadFile(sharedData(t, "lifecycles.json"))
	if err != nil {
		t.Fatal(err)
	}
	srv := serve(t, map[string]string{"/release-cycle.json": string(rc), "/lifecycles.json": string(lc)})
	src := Sources{Python: srv.URL + "/release-cycle.json", Debian: srv.URL + "/lifecycles.json", Alpine: srv.URL + "/lifecycles.json"}
	r, err := Refresh(context.Background(), src, day("2026-11-22"))
	if err != nil {
		t.Fatalf("Refresh(shared data) error: %v", err)
	}
	if len(r.Changes) != 0 {
		t.Errorf("Refresh(shared data) changes = %q, want none (the embedded data agrees with these sources)", r.Changes)
	}
	emb := Embedded()
	if len(r.Knowledge.PythonSeries) != len(emb.PythonSeries) || len(r.Knowledge.OS) != len(emb.OS) {
		t.Errorf("series/releases = %d/%d, want %d/%d", len(r.Knowledge.PythonSeries), len(r.Knowledge.OS), len(emb.PythonSeries), len(emb.OS))
	}
}

func TestRefreshErrors(t *testing.T) {
	srv := serve(t, map[string]string{
		"/py.json":      samplePython,
		"/os.json":      sampleDebian,
		"/500.json":     "500",
		"/garbage.json": "<html>not json</html>",
		"/badstatus":    `{"3.10": {"status": "zombie", "first_release": "2021-10-04", "end_of_life": "2026-10"}}`,
		"/baddate":      `{"3.10": {"status": "security", "first_release": "2021-10-04", "end_of_life": "soon"}}`,
		"/badeol":       `[{"cycle": "13", "codename": "Trixie", "releaseDate": "2025-08-09", "eol": "09/08/2028"}]`,
		"/inverted":     `{"3.10": {"status": "security", "first_release": "2021-10-04", "end_of_life": "2022-01-01"}}`,
	})
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	for _, tt := range []struct {
		name string
		src  Sources
		want string
	}{
		{"offline", Sources{Python: closedURL + "/py.json"}, closedURL + "/py.json"},
		{"404", Sources{Python: srv.URL + "/missing.json"}, "404"},
		{"500", Sources{Python: srv.URL + "/py.json", Debian: srv.URL + "/500.json"}, srv.URL + "/500.json: HTTP 500"},
		{"not json", Sources{Python: srv.URL + "/garbage.json"}, "parsing " + srv.URL + "/garbage.json"},
		{"not json os", Sources{Alpine: srv.URL + "/garbage.json"}, "parsing " + srv.URL + "/garbage.json"},
		{"status", Sources{Python: srv.URL + "/badstatus"}, `status "zombie"`},
		{"date", Sources{Python: srv.URL + "/baddate"}, `"soon"`},
		{"os date", Sources{Debian: srv.URL + "/badeol"}, `"09/08/2028"`},
		{"inconsistent", Sources{Python: srv.URL + "/inverted"}, "eol 2022-01-01 is before bugfix_end"},
		{"scheme", Sources{Python: "ftp://example.com/x.json"}, "unsupported URL scheme"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Refresh(context.Background(), tt.src, day("2026-11-22"))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Refresh(%+v) error = %v, want one containing %q", tt.src, err, tt.want)
			}
		})
	}
}

func TestWriteDataFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "knowledge.json")
	if err := WriteDataFile(path, []byte("one")); err != nil {
		t.Fatalf("WriteDataFile() error: %v", err)
	}
	if err := WriteDataFile(path, []byte("two")); err != nil {
		t.Fatalf("WriteDataFile() error: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "two" {
		t.Errorf("content = %q, want two", b)
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the data file (no temporary files left)", len(entries))
	}

	// A failing rename (the target is a non-empty directory) leaves it and
	// no temporary file behind.
	target := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := sha256.Sum256(mustRead(t, path))
	if err := WriteDataFile(target, []byte("three")); err == nil {
		t.Fatalf("WriteDataFile(onto a directory) succeeded")
	}
	entries, _ = os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	if after := sha256.Sum256(mustRead(t, path)); !bytes.Equal(before[:], after[:]) {
		t.Errorf("unrelated data file changed")
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
