package pypi

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

func BenchmarkCompatibleTags(b *testing.B) {
	t := Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.41", Arch: "x86_64"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CompatibleTags(t); err != nil {
			b.Fatal(err)
		}
	}
}

// bigPage returns a project page with n files in the JSON and HTML forms
// pypi.org uses (about the size of a popular project's page).
func bigPage(n int) (jsonBody, htmlBody []byte) {
	type file struct {
		Filename       string            `json:"filename"`
		URL            string            `json:"url"`
		Hashes         map[string]string `json:"hashes"`
		RequiresPython string            `json:"requires-python"`
		CoreMetadata   map[string]string `json:"core-metadata"`
		Yanked         bool              `json:"yanked"`
		Size           int               `json:"size"`
	}
	var files []file
	var h strings.Builder
	h.WriteString("<!DOCTYPE html>\n<html><head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Links for big</title></head><body><h1>Links for big</h1>\n")
	for i := range n {
		name := fmt.Sprintf("big-1.%d.%d-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", i/100, i%100)
		sha := fmt.Sprintf("%064x", i)
		u := "https://files.pythonhosted.org/packages/ab/cd/" + sha[:40] + "/" + name
		files = append(files, file{name, u, map[string]string{"sha256": sha}, ">=3.9", map[string]string{"sha256": sha}, false, 1 << 20})
		fmt.Fprintf(&h, "<a href=\"%s#sha256=%s\" data-requires-python=\"&gt;=3.9\" data-dist-info-metadata=\"sha256=%s\" data-core-metadata=\"sha256=%s\">%s</a><br />\n", u, sha, sha, sha, name)
	}
	h.WriteString("</body></html>\n")
	j, _ := json.Marshal(map[string]any{"meta": map[string]string{"api-version": "1.1"}, "name": "big", "files": files})
	return j, []byte(h.String())
}

func BenchmarkParseProjectJSON(b *testing.B) {
	body, _ := bigPage(5000)
	base := mustURL("https://pypi.org/simple/big/")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if p, err := ParseProjectJSON(body, base); err != nil || len(p.Files) != 5000 {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseProjectHTML(b *testing.B) {
	_, body := bigPage(5000)
	base := mustURL("https://pypi.org/simple/big/")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if p, err := ParseProjectHTML(body, base); err != nil || len(p.Files) != 5000 {
			b.Fatal(err)
		}
	}
}

func BenchmarkRankerBest(b *testing.B) {
	tags, _ := CompatibleTags(Target{PythonVersion: "3.12", Libc: Glibc, LibcVersion: "2.36", Arch: "x86_64"})
	body, _ := bigPage(500)
	p, _ := ParseProjectJSON(body, mustURL("https://pypi.org/simple/big/"))
	wheels := p.Wheels()
	b.ReportAllocs()
	for b.Loop() {
		r := NewRanker(tags)
		if _, ok := r.Best(wheels); !ok {
			b.Fatal("no wheel")
		}
	}
}
