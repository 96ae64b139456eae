package indextest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/internal/wheeltest"
)

// pipAccept is the Accept header pip 23 sends for index pages.
const pipAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01"

func newIndex(t *testing.T, opts ...Option) (*Server, string) {
	t.Helper()
	dir := t.TempDir()
	for _, s := range []wheeltest.Spec{
		{Name: "Hello.World", Version: "1.0", RequiresPython: ">=3.8", Files: map[string]string{"hello_world/__init__.py": "X = 1\n"}},
		{Name: "Hello.World", Version: "1.1", RequiresPython: ">=3.9", Files: map[string]string{"hello_world/__init__.py": "X = 2\n"}},
		{Name: "other", Version: "2.0", Files: map[string]string{"other.py": ""}},
	} {
		if _, err := wheeltest.Pure(dir, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "hello.world-1.1.tar.gz"), []byte("not really a tarball"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "README"), []byte("ignored"), 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := New(dir, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv, dir
}

func get(t *testing.T, url, accept string, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func fileSHA(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func TestNegotiation(t *testing.T) {
	srv, _ := newIndex(t)
	tests := []struct {
		accept string
		only   Format
		want   string // content type, or "406"
	}{
		{"", Both, MediaHTML},
		{pipAccept, Both, MediaJSON},
		{"application/vnd.pypi.simple.v1+json;q=0.2, text/html", Both, MediaHTML},
		{MediaHTMLv1, Both, MediaHTMLv1},
		{"application/vnd.pypi.simple.latest+json", Both, MediaJSON},
		{"image/png", Both, "406"},
		{"*/*", Both, MediaHTML},
	}
	for _, tt := range tests {
		resp, _ := get(t, srv.URL+"/simple/hello-world/", tt.accept)
		got := resp.Header.Get("Content-Type")
		if resp.StatusCode == http.StatusNotAcceptable {
			got = "406"
		}
		if got != tt.want {
			t.Errorf("Accept %q: got %s, want %s", tt.accept, got, tt.want)
		}
	}
	html, _ := newIndex(t, WithOnly(HTMLOnly))
	if resp, _ := get(t, html.URL+"/simple/hello-world/", pipAccept); resp.Header.Get("Content-Type") != MediaHTML {
		t.Errorf("HTMLOnly answered %s", resp.Header.Get("Content-Type"))
	}
	js, _ := newIndex(t, WithOnly(JSONOnly))
	if resp, _ := get(t, js.URL+"/simple/hello-world/", "text/html"); resp.StatusCode != http.StatusNotAcceptable {
		t.Errorf("JSONOnly answered %d to text/html", resp.StatusCode)
	}
}

func TestProjectJSON(t *testing.T) {
	srv, dir := newIndex(t, WithCoreMetadata(), WithYanked("Hello_World-1.0-py3-none-any.whl", "broken"))
	resp, body := get(t, srv.URL+"/simple/hello-world/", MediaJSON)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var page struct {
		Meta     map[string]string `json:"meta"`
		Name     string
		Versions []string
		Files    []struct {
			Filename       string
			URL            string
			Hashes         map[string]string
			RequiresPython string            `json:"requires-python"`
			CoreMetadata   map[string]string `json:"core-metadata"`
			Yanked         any
			Size           int64
		}
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatal(err)
	}
	if page.Meta["api-version"] != "1.1" || page.Name != "hello-world" || strings.Join(page.Versions, ",") != "1.0,1.1" {
		t.Errorf("page = %+v", page)
	}
	if len(page.Files) != 3 {
		t.Fatalf("files = %+v", page.Files)
	}
	byName := map[string]int{}
	for i, f := range page.Files {
		byName[f.Filename] = i
	}
	w10 := page.Files[byName["Hello_World-1.0-py3-none-any.whl"]]
	if w10.RequiresPython != ">=3.8" || w10.Yanked != "broken" || w10.Hashes["sha256"] != fileSHA(t, filepath.Join(dir, w10.Filename)) {
		t.Errorf("1.0 wheel = %+v", w10)
	}
	// The file and the metadata are served with the advertised hashes.
	_, b := get(t, srv.URL+w10.URL, "")
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != w10.Hashes["sha256"] {
		t.Error("downloaded file does not match its hash")
	}
	_, meta := get(t, srv.URL+w10.URL+".metadata", "")
	if sum := sha256.Sum256(meta); hex.EncodeToString(sum[:]) != w10.CoreMetadata["sha256"] || !strings.Contains(string(meta), "Requires-Python: >=3.8") {
		t.Errorf("metadata %q does not match %v", meta, w10.CoreMetadata)
	}
	sd := page.Files[byName["hello.world-1.1.tar.gz"]]
	if sd.RequiresPython != "" || sd.CoreMetadata != nil || sd.Yanked != false {
		t.Errorf("sdist = %+v", sd)
	}
}

func TestProjectHTML(t *testing.T) {
	srv, dir := newIndex(t, WithCoreMetadata())
	_, body := get(t, srv.URL+"/simple/hello-world/", "text/html")
	sha := fileSHA(t, filepath.Join(dir, "Hello_World-1.1-py3-none-any.whl"))
	want := `<a href="../../files/Hello_World-1.1-py3-none-any.whl#sha256=` + sha + `" data-requires-python="&gt;=3.9" data-dist-info-metadata="sha256=`
	if !strings.Contains(string(body), want) {
		t.Errorf("HTML page lacks %s:\n%s", want, body)
	}
	_, root := get(t, srv.URL+"/simple/", "")
	for _, p := range []string{`href="/simple/hello-world/"`, `href="/simple/other/"`} {
		if !strings.Contains(string(root), p) {
			t.Errorf("root lacks %s:\n%s", p, root)
		}
	}
	_, rootJSON := get(t, srv.URL+"/simple/", MediaJSON)
	if !strings.Contains(string(rootJSON), `"projects":[{"name":"hello-world"},{"name":"other"}]`) {
		t.Errorf("root JSON = %s", rootJSON)
	}
}

func TestRedirectsAndNotFound(t *testing.T) {
	srv, _ := newIndex(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]string{"/simple/Hello.World/": "/simple/hello-world/", "/simple/hello-world": "/simple/hello-world/"} {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != want {
			t.Errorf("%s: %d %s, want redirect to %s", path, resp.StatusCode, resp.Header.Get("Location"), want)
		}
	}
	for _, p := range []string{"/simple/nope/", "/files/nope.whl", "/files/..%2fetc", "/other"} {
		if resp, _ := get(t, srv.URL+p, ""); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestBasicAuthAndETag(t *testing.T) {
	srv, _ := newIndex(t, WithBasicAuth("alice", "s3cret"))
	if resp, _ := get(t, srv.URL+"/simple/other/", ""); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("no credentials: status %d", resp.StatusCode)
	}
	if !strings.Contains(srv.IndexURL(), "alice:s3cret@127.0.0.1") {
		t.Errorf("IndexURL = %s", srv.IndexURL())
	}
	resp, _ := get(t, srv.IndexURL()+"other/", MediaJSON)
	if resp.StatusCode != 200 {
		t.Fatalf("with credentials: status %d", resp.StatusCode)
	}
	etag := resp.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	resp, body := get(t, srv.IndexURL()+"other/", MediaJSON, "If-None-Match", etag)
	if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("revalidation: status %d, %d bytes", resp.StatusCode, len(body))
	}
	// The HTML representation has another ETag.
	if resp, _ := get(t, srv.IndexURL()+"other/", "text/html", "If-None-Match", etag); resp.StatusCode != 200 {
		t.Errorf("HTML with the JSON ETag: status %d", resp.StatusCode)
	}
	reqs := srv.Requests()
	if len(reqs) != 4 || reqs[0].Authorized || !reqs[1].Authorized || reqs[2].Status != 304 {
		t.Errorf("requests = %+v", reqs)
	}
	noTag, _ := newIndex(t, WithoutETag())
	if resp, _ := get(t, noTag.URL+"/simple/other/", ""); resp.Header.Get("ETag") != "" || resp.Header.Get("Last-Modified") != "" {
		t.Errorf("WithoutETag sent validators: %v", resp.Header)
	}
}

// TestPipDownloads proves the index is real: Debian's pip downloads from it
// in both formats, verifying the hashes it publishes.
func TestPipDownloads(t *testing.T) {
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-m", "pip", "--version").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skipf("SKIP: no pip: %v", err)
	}
	for _, only := range []Format{Both, HTMLOnly} {
		srv, dir := newIndex(t, WithOnly(only), WithBasicAuth("u", "p w"))
		if _, err := AddDebianWheels(dir); err != nil {
			t.Skipf("SKIP: %v", err)
		}
		dest := t.TempDir()
		cmd := exec.Command(py, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--no-cache-dir",
			"--index-url", srv.IndexURL(), "-d", dest, "hello.world", "pip")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("pip download (format %d): %v\n%s", only, err, out)
		}
		got, _ := filepath.Glob(filepath.Join(dest, "*.whl"))
		if len(got) != 2 || filepath.Base(got[0]) != "Hello_World-1.1-py3-none-any.whl" || !strings.HasPrefix(filepath.Base(got[1]), "pip-") {
			t.Errorf("pip downloaded %v", got)
		}
		wantType := MediaJSON
		if only == HTMLOnly {
			wantType = MediaHTML
		}
		var sawPage bool
		for _, r := range srv.Requests() {
			if r.Path == "/simple/hello-world/" && r.Status == 200 {
				sawPage = true
				if r.ContentType != wantType {
					t.Errorf("pip got %s, want %s", r.ContentType, wantType)
				}
			}
		}
		if !sawPage {
			t.Errorf("pip never fetched the project page: %+v", srv.Requests())
		}
	}
}

func TestHashOverride(t *testing.T) {
	lie := strings.Repeat("0", 64)
	srv, _ := newIndex(t, WithHashOverride("other-2.0-py3-none-any.whl", lie))
	_, j := get(t, srv.URL+"/simple/other/", MediaJSON)
	_, h := get(t, srv.URL+"/simple/other/", "text/html")
	if !strings.Contains(string(j), `"sha256":"`+lie+`"`) || !strings.Contains(string(h), "#sha256="+lie) {
		t.Errorf("override not advertised:\n%s\n%s", j, h)
	}
}
