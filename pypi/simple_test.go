package pypi

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "simple", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestSixPagesAgree parses the same project written the way pypi.org
// writes its HTML and its PEP 691 JSON pages; both must give the same files.
func TestSixPagesAgree(t *testing.T) {
	base := mustURL("https://pypi.org/simple/six/")
	h, err := ParseProjectHTML(readTestdata(t, "six.html"), base)
	if err != nil {
		t.Fatal(err)
	}
	j, err := ParseProjectJSON(readTestdata(t, "six.json"), base)
	if err != nil {
		t.Fatal(err)
	}
	if h.Project != "six" || j.Project != "six" || len(h.Files) != 4 || len(j.Files) != 4 {
		t.Fatalf("html %+v\njson %+v", h, j)
	}
	for i := range h.Files {
		a, b := h.Files[i], j.Files[i]
		b.Size = 0 // HTML has no sizes
		if a.Filename != b.Filename || a.URL != b.URL || a.SHA256() != b.SHA256() || a.RequiresPython != b.RequiresPython ||
			a.Yanked != b.Yanked || a.YankedReason != b.YankedReason || a.CoreMetadata != b.CoreMetadata ||
			a.CoreMetadataHashes["sha256"] != b.CoreMetadataHashes["sha256"] {
			t.Errorf("file %d differs:\nhtml %+v\njson %+v", i, a, b)
		}
	}
	w := h.Files[2]
	if w.RequiresPython != ">=2.7, !=3.0.*, !=3.1.*, !=3.2.*" || !w.CoreMetadata || w.SHA256() != "8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254" {
		t.Errorf("wheel = %+v", w)
	}
	if !h.Files[3].Yanked || h.Files[3].YankedReason != "Broken on Python 2" {
		t.Errorf("yanked = %+v", h.Files[3])
	}
	if j.Files[1].Size != 34041 {
		t.Errorf("size = %d", j.Files[1].Size)
	}
}

func TestLegacyHTML(t *testing.T) {
	p, err := ParseProjectHTML(readTestdata(t, "legacy.html"), mustURL("https://idx.example.com/simple/my-pkg/"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range p.Files {
		got = append(got, f.Filename+" "+f.URL+" "+strings.Join(mapKV(f.Hashes), ",")+" "+f.RequiresPython)
	}
	want := []string{
		"my_pkg-1.0-py3-none-any.whl https://mirror.example.com/packages/my-pkg/my_pkg-1.0-py3-none-any.whl md5=0123456789abcdef0123456789abcdef ",
		"My.Pkg-1.1.tar.gz https://mirror.example.com/packages/other/My.Pkg-1.1.tar.gz sha256=abcdef0000000000000000000000000000000000000000000000000000000000 >=3.7",
		"my_pkg-1.2-py3-none-any.whl https://mirror.example.com/files/my_pkg-1.2-py3-none-any.whl  ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("files:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !p.Files[2].CoreMetadata || p.Project != "my-pkg" {
		t.Errorf("page = %+v", p)
	}
}

func mapKV(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	return out
}

func TestParseProjectJSONErrors(t *testing.T) {
	base := mustURL("https://pypi.org/simple/x/")
	for _, tt := range []struct{ in, want string }{
		{`{`, "unexpected end"},
		{`{"meta":{"api-version":"2.0"},"name":"x","files":[]}`, "unsupported api-version"},
		{`{"meta":{"api-version":"1.0"},"name":"x","files":[{"filename":"../x.whl","url":"x"}]}`, "invalid filename"},
		{`{"meta":{"api-version":"1.0"},"name":"x","files":[{"filename":"x.whl","url":"javascript:x"}]}`, "not supported"},
	} {
		if _, err := ParseProjectJSON([]byte(tt.in), base); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseProjectJSON(%s) error = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func FuzzParseProjectHTML(f *testing.F) {
	for _, n := range []string{"six.html", "legacy.html"} {
		f.Add(readTestdata(f, n))
	}
	f.Add([]byte(`<a href="x-1.whl#sha256=" data-yanked data-core-metadata="sha256">`))
	base := mustURL("https://idx.example.com/simple/p/")
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseProjectHTML(b, base)
		if err != nil {
			return
		}
		for _, file := range p.Files {
			if file.Filename == "" || strings.ContainsAny(file.Filename, "/\\") {
				t.Fatalf("bad filename %q", file.Filename)
			}
			u, err := url.Parse(file.URL)
			if err != nil || u.User != nil || u.Fragment != "" {
				t.Fatalf("bad URL %q", file.URL)
			}
		}
	})
}

func FuzzParseProjectJSON(f *testing.F) {
	f.Add(readTestdata(f, "six.json"))
	f.Add([]byte(`{"meta":{"api-version":"1.0"},"name":"x","files":[{"filename":"x.whl","url":"/f/x.whl","yanked":"r","core-metadata":{"sha256":"AB"}}]}`))
	base := mustURL("https://idx.example.com/simple/p/")
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ParseProjectJSON(b, base)
		if err != nil {
			return
		}
		for _, file := range p.Files {
			if file.Filename == "" || strings.ContainsAny(file.Filename, "/\\") {
				t.Fatalf("bad filename %q", file.Filename)
			}
			if u, err := url.Parse(file.URL); err != nil || u.User != nil {
				t.Fatalf("bad URL %q", file.URL)
			}
		}
	})
}
