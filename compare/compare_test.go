package compare

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

type entry struct {
	name, body string
	typ        byte
	link       string
	mode       int64
}

func file(name, body string) entry {
	return entry{name: name, body: body, typ: tar.TypeReg, mode: 0o755}
}

func layer(t *testing.T, es ...entry) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: e.mode, Linkname: e.link}
		if e.typ == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, e.body)
	}
	tw.Close()
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func img(t *testing.T, user string, ls ...v1.Layer) v1.Image {
	t.Helper()
	im, err := mutate.AppendLayers(empty.Image, ls...)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := im.ConfigFile()
	cf = cf.DeepCopy()
	cf.Config.User = user
	im, err = mutate.ConfigFile(im, cf)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

func dpkgStatus(pkgs ...string) string {
	var b strings.Builder
	for _, p := range pkgs {
		name, ver, _ := strings.Cut(p, "=")
		b.WriteString("Package: " + name + "\nStatus: install ok installed\nArchitecture: amd64\nVersion: " + ver + "\n\n")
	}
	return b.String()
}

const osRelease = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"

func TestRunCountsDeltasAndDiff(t *testing.T) {
	base := layer(t,
		file("etc/os-release", osRelease),
		file("var/lib/dpkg/status", dpkgStatus("libc6=2.36-9", "bash=5.2.15-2", "curl=7.88.1-10", "gcc-12=12.2.0-14")),
		file("bin/bash", "ELF"), file("usr/bin/curl", "ELF"), file("usr/bin/gcc-12", "ELF-compiler"),
		file("usr/bin/dpkg", "ELF"),
	)
	app := layer(t,
		file("opt/venv/pyvenv.cfg", "home = /usr/bin\nversion = 3.11.2\n"),
		file("opt/venv/lib/python3.11/site-packages/requests-2.32.3.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.32.3\n"),
		file("opt/venv/lib/python3.11/site-packages/requests-2.32.3.dist-info/RECORD", ""),
	)
	slimStatus := layer(t,
		file("etc/os-release", osRelease),
		file("var/lib/dpkg/status", dpkgStatus("libc6=2.36-9+deb12u1", "bash=5.2.15-2")),
		file("bin/bash", "ELF"),
	)
	full := img(t, "", base, app)
	slim := img(t, "10001", slimStatus, app) // shares the app layer
	res, err := Run(context.Background(), []Input{{Reference: "full", Image: full}, {Reference: "slim", Image: slim}}, WithPackageDiff(true))
	if err != nil {
		t.Fatalf("Run() = %v", err)
	}
	f, s := res.Images[0], res.Images[1]
	if f.OSPackages != 4 || s.OSPackages != 2 {
		t.Errorf("os_packages = %d, %d, want 4, 2", f.OSPackages, s.OSPackages)
	}
	if f.PythonPackages != 1 || s.PythonPackages != 1 {
		t.Errorf("python_packages = %d, %d, want 1, 1", f.PythonPackages, s.PythonPackages)
	}
	if !f.Shell || !s.Shell || !f.PackageManager || s.PackageManager {
		t.Errorf("shell/package manager = %v/%v, %v/%v; want yes/yes, yes/no", f.Shell, f.PackageManager, s.Shell, s.PackageManager)
	}
	if !slices.Equal(f.NetworkTools, []string{"/usr/bin/curl"}) || len(s.NetworkTools) != 0 {
		t.Errorf("network tools = %q, %q", f.NetworkTools, s.NetworkTools)
	}
	if !slices.Equal(f.Compilers, []string{"/usr/bin/gcc-12"}) || len(s.Compilers) != 0 {
		t.Errorf("compilers = %q, %q", f.Compilers, s.Compilers)
	}
	if !f.RunsAsRoot || s.RunsAsRoot || s.User != "10001" {
		t.Errorf("users = %q root=%v, %q root=%v", f.User, f.RunsAsRoot, s.User, s.RunsAsRoot)
	}
	if f.OS != "Debian GNU/Linux 12 (bookworm)" || f.CVEs != nil || res.Database {
		t.Errorf("os = %q, cves = %v, database = %v", f.OS, f.CVEs, res.Database)
	}
	if f.Delta != nil || s.Delta == nil {
		t.Fatalf("deltas: baseline %v, other %v; want none for the baseline", f.Delta, s.Delta)
	}
	if s.Delta.OSPackages != -2 || s.Delta.SizeBytes != s.SizeBytes-f.SizeBytes || s.Delta.Layers != 0 {
		t.Errorf("delta = %+v", *s.Delta)
	}
	if len(res.PackageDiffs) != 1 {
		t.Fatalf("package diffs = %d, want 1", len(res.PackageDiffs))
	}
	pd := res.PackageDiffs[0]
	names := func(cs []PackageChange) (out []string) {
		for _, c := range cs {
			out = append(out, c.Name+":"+c.From+">"+c.To)
		}
		return out
	}
	if got, want := names(pd.Removed), []string{"curl:7.88.1-10>", "gcc-12:12.2.0-14>"}; !slices.Equal(got, want) {
		t.Errorf("removed = %q, want %q", got, want)
	}
	if got, want := names(pd.Changed), []string{"libc6:2.36-9>2.36-9+deb12u1"}; !slices.Equal(got, want) {
		t.Errorf("changed = %q, want %q", got, want)
	}
	if len(pd.Added) != 0 {
		t.Errorf("added = %q, want none", names(pd.Added))
	}
	for _, fact := range []string{"os_packages", "user", "network_tools", "compilers", "package_manager"} {
		if !res.differs(fact) {
			t.Errorf("%s not marked as differing (differs: %q)", fact, res.Differs)
		}
	}
	for _, fact := range []string{"python_packages", "shell", "os"} {
		if res.differs(fact) {
			t.Errorf("%s marked as differing but is equal", fact)
		}
	}

	// The JSON contract: {"images": [...]} in argument order with the
	// documented fields.
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(res); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Images []map[string]any `json:"images"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"reference", "size_bytes", "os_packages", "python_packages", "shell", "user", "cves"} {
		if _, ok := doc.Images[1][k]; !ok {
			t.Errorf("JSON image lacks %q", k)
		}
	}
	if doc.Images[0]["reference"] != "full" || doc.Images[0]["cves"] != nil {
		t.Errorf("JSON images[0] = %v", doc.Images[0])
	}
}

func TestRenderings(t *testing.T) {
	r := &Result{Baseline: 0, Images: []Image{
		{Reference: "a\x1b[2J", SizeBytes: 900_000_000, OSPackages: 720, Shell: true, Shells: []string{"/bin/sh"}, CVEs: &CVECounts{High: 10, Total: 10}},
		{Reference: "b|c", SizeBytes: 146_000_000, OSPackages: 303, CVEs: &CVECounts{High: 2, Low: 1, Total: 3}, MissingLibraries: []string{"libpq.so.5"}},
	}, Database: true}
	d := delta(&r.Images[0], &r.Images[1])
	r.Images[1].Delta = &d
	r.Differs = differing(r.Images)

	var text bytes.Buffer
	if err := WriteText(&text, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := text.String()
	for _, want := range []string{"303 (\u2212417)", "146.0 MB (\u2212754.0 MB)", "3 (0/2/0/1/0) (\u22127)", `a\x1b[2J (baseline)`, "* OS packages", "libpq.so.5"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("text carries a raw escape from an image name:\n%q", out)
	}

	var md bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(md.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("markdown: %d lines, want header, rule and 2 rows:\n%s", len(lines), md.String())
	}
	if cols := strings.Count(lines[0], "|"); strings.Count(lines[3], "|")-strings.Count(lines[3], `\|`) != cols {
		t.Errorf("markdown row has a different column count than the header (an unescaped |?):\n%s", md.String())
	}
	if !strings.Contains(lines[3], "**303 (\u2212417)**") {
		t.Errorf("markdown: differing OS package count not bold:\n%s", lines[3])
	}

	var page bytes.Buffer
	if err := WriteHTML(&page, r, HTMLMeta{Version: "test"}); err != nil {
		t.Fatal(err)
	}
	h := page.String()
	if strings.Contains(h, "\x1b") || strings.Contains(h, "<script") || strings.Contains(h, "http://") || strings.Contains(h, "https://") {
		t.Errorf("HTML is not self-contained or carries raw escapes")
	}
	if !strings.Contains(h, `<svg class="chart stacked" data-count="3"`) {
		t.Errorf("HTML: want 3 CVE segments (high, high+low)")
	}
	if !strings.Contains(h, "<span class=\"delta\"> (\u2212417)</span>") {
		t.Errorf("HTML: delta of OS packages missing")
	}
}
