package cli

import (
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The refreshed Python data moves 3.11's end of life into the past.
const (
	dataTestPython = `{
  "3.11": {"branch": "3.11", "pep": 664, "status": "end-of-life", "first_release": "2022-10-24", "end_of_life": "2026-09"},
  "3.12": {"branch": "3.12", "pep": 693, "status": "security", "first_release": "2023-10-02", "end_of_life": "2028-10"}
}`
	dataTestOS = `{
  "debian": [{"codename": "trixie", "version": "13", "released": "2025-08-09", "security_eol": "2028-08-09", "lts_eol": "2030-06-30"}],
  "alpine": [{"version": "3.24", "released": "2026-06-09", "eol": "2028-06-01"}]
}`
)

func dataServer(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/release-cycle.json":
			_, _ = w.Write([]byte(dataTestPython))
		case "/lifecycles.json":
			_, _ = w.Write([]byte(dataTestOS))
		case "/broken.json":
			_, _ = w.Write([]byte(`{"3.11": `))
		default:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestDataUpdateFeedsLint(t *testing.T) {
	srv := dataServer(t)
	dir := t.TempDir()
	data := filepath.Join(dir, "data", "knowledge.json")
	env := []runOpt{withEnv("PYIMG_DATA", data)}
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte("FROM python:3.11.14-slim-trixie\nCMD [\"python\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lint := func() result {
		return run(t, env, "lint", "--now", "2026-11-22", "--fail-on", "none", df)
	}

	if r := lint(); r.code != 0 || strings.Contains(r.stdout, "PY105") {
		t.Fatalf("lint with embedded data: code %d, stdout %q; want 0 and no PY105 (3.11 ends 2027-10-01)", r.code, r.stdout)
	}
	if r := run(t, env, "data", "status"); r.code != 0 || !strings.Contains(r.stdout, "embedded") {
		t.Errorf("data status before update = %d %q, want embedded", r.code, r.stdout)
	}

	r := run(t, env, "data", "update", "--now", "2026-11-22",
		"--source-python", srv.URL+"/release-cycle.json", "--source-os", srv.URL+"/lifecycles.json")
	if r.code != 0 {
		t.Fatalf("data update = %d, stderr %q", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "python 3.11: eol 2027-10-01 -> 2026-09-01") || !strings.Contains(r.stdout, data) {
		t.Errorf("data update stdout = %q, want the 3.11 change and the path", r.stdout)
	}

	if r := lint(); !strings.Contains(r.stdout, "PY105") {
		t.Errorf("lint with refreshed data: stdout %q; want PY105 (3.11 ended 2026-09-01)", r.stdout)
	}
	r = run(t, env, "data", "status", "--now", "2026-11-30")
	if r.code != 0 || !strings.Contains(r.stdout, "file "+data) || !strings.Contains(r.stdout, "2026-11-22 (8 days)") ||
		!strings.Contains(r.stdout, srv.URL+"/release-cycle.json") {
		t.Errorf("data status after update = %d %q; want the file, its date and age, and the source URL", r.code, r.stdout)
	}
	// Past 90 days the refreshed data is stale too.
	r = run(t, env, "data", "status", "--now", "2027-03-01", "--format", "json")
	if !strings.Contains(r.stdout, `"data": "file"`) || !strings.Contains(r.stdout, `"stale": true`) {
		t.Errorf("data status --format json = %q, want file and stale", r.stdout)
	}

	// Failures leave the data file byte-identical and exit 3 naming the URL.
	before := fileSum(t, data)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tt := range []struct{ name, url string }{
		{"offline", closed.URL + "/release-cycle.json"},
		{"http error", srv.URL + "/gone.json"},
		{"malformed", srv.URL + "/broken.json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, env, "data", "update", "--now", "2026-12-01", "--source-python", tt.url, "--source-os", srv.URL+"/lifecycles.json")
			if r.code != ExitRuntime || !strings.Contains(r.stderr, tt.url) {
				t.Errorf("data update from %s = %d, stderr %q; want exit 3 naming the URL", tt.url, r.code, r.stderr)
			}
			if fileSum(t, data) != before {
				t.Errorf("data file changed after a failed update")
			}
		})
	}
}

func TestKnowledgeFallsBackToEmbedded(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		name, content, status, stderr string
	}{
		{"older", `{"as_of": "2020-01-01", "sources": {}, "python_image": {}, "python": [], "debian": [], "alpine": [], "images": []}`, "not newer than the embedded", ""},
		{"invalid", `{"as_of": "yesterday"}`, "invalid", "warning: ignoring the lifecycle data file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name+".json")
			if err := os.WriteFile(path, []byte(tt.content), 0o644); err != nil {
				t.Fatal(err)
			}
			r := run(t, []runOpt{withEnv("PYIMG_DATA", path)}, "data", "status")
			if r.code != 0 || !strings.Contains(r.stdout, "embedded") || !strings.Contains(r.stdout, tt.status) || !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("data status = %d, stdout %q, stderr %q; want embedded, %q", r.code, r.stdout, r.stderr, tt.status)
			}
		})
	}
}

func TestDataDefaultPath(t *testing.T) {
	dir := t.TempDir()
	r := run(t, []runOpt{withEnv("XDG_DATA_HOME", dir)}, "data", "status")
	if want := filepath.Join(dir, "pyimg", "knowledge.json"); !strings.Contains(r.stdout, want) {
		t.Errorf("data status stdout = %q, want the path %s", r.stdout, want)
	}
	if r := run(t, nil, "data"); r.code != ExitUsage {
		t.Errorf("data without a subcommand = %d, want %d", r.code, ExitUsage)
	}
}
