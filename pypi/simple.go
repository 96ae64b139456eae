package pypi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"strings"

	"golang.org/x/net/html"

	"github.com/pyimg/pyimg/pydist"
)

// Media types of the simple repository API (PEP 691).
const (
	MediaJSON   = "application/vnd.pypi.simple.v1+json"
	MediaHTMLv1 = "application/vnd.pypi.simple.v1+html"
	MediaHTML   = "text/html"
)

// acceptHeader prefers JSON and falls back to HTML, as pip does.
const acceptHeader = MediaJSON + ", " + MediaHTMLv1 + "; q=0.1, " + MediaHTML + "; q=0.01"

// maxFilesPerPage bounds the files one project page may list.
const maxFilesPerPage = 200000

// File is one distribution file listed by an index.
type File struct {
	// Filename is the file's name (the last path segment of its URL).
	Filename string `json:"filename"`
	// URL is the absolute download URL, without credentials.
	URL string `json:"url"`
	// Hashes maps hash names ("sha256") to lower-case hex digests.
	Hashes map[string]string `json:"hashes,omitempty"`
	// RequiresPython is the file's Requires-Python, if the index gives it.
	RequiresPython string `json:"requires_python,omitempty"`
	// Yanked reports a PEP 592 yanked file; YankedReason says why, if given.
	Yanked       bool   `json:"yanked,omitempty"`
	YankedReason string `json:"yanked_reason,omitempty"`
	// CoreMetadata reports that the index serves the file's METADATA at
	// URL + ".metadata" (PEP 658/714); CoreMetadataHashes are its hashes.
	CoreMetadata       bool              `json:"core_metadata,omitempty"`
	CoreMetadataHashes map[string]string `json:"core_metadata_hashes,omitempty"`
	// Size is the file size in bytes when the index says (0 otherwise).
	Size int64 `json:"size,omitempty"`
	// Index is the index URL (credentials removed) that listed the file.
	Index string `json:"index,omitempty"`
}

// SHA256 returns the file's sha256 hex digest, or "".
func (f File) SHA256() string { return f.Hashes["sha256"] }

// ProjectPage is what indexes list for one project.
type ProjectPage struct {
	// Project is the PEP 503 normalized project name.
	Project string `json:"project"`
	// Files lists the distribution files, in index order (primary index first).
	Files []File `json:"files"`
}

// Wheels returns the parsed wheel files of p; files whose names do not parse
// are left out.
func (p *ProjectPage) Wheels() []Wheel {
	var out []Wheel
	for _, f := range p.Files {
		if w, err := ParseWheelFilename(f.Filename); err == nil {
			out = append(out, w)
		}
	}
	return out
}

// File returns the listed file named filename (the first one listed).
func (p *ProjectPage) File(filename string) (File, bool) {
	for _, f := range p.Files {
		if f.Filename == filename {
			return f, true
		}
	}
	return File{}, false
}

// jsonPage is the PEP 691 project page.
type jsonPage struct {
	Meta struct {
		APIVersion string `json:"api-version"`
	} `json:"meta"`
	Name  string `json:"name"`
	Files []struct {
		Filename         string            `json:"filename"`
		URL              string            `json:"url"`
		Hashes           map[string]string `json:"hashes"`
		RequiresPython   *string           `json:"requires-python"`
		CoreMetadata     json.RawMessage   `json:"core-metadata"`
		DistInfoMetadata json.RawMessage   `json:"dist-info-metadata"`
		Yanked           json.RawMessage   `json:"yanked"`
		Size             *int64            `json:"size"`
	} `json:"files"`
}

// ParseProjectJSON parses a PEP 691 JSON project page fetched from base
// (relative file URLs are resolved against it).
func ParseProjectJSON(b []byte, base *url.URL) (*ProjectPage, error) {
	var jp jsonPage
	if err := json.Unmarshal(b, &jp); err != nil {
		return nil, fmt.Errorf("parsing PEP 691 JSON page: %w", err)
	}
	major, _, _ := strings.Cut(jp.Meta.APIVersion, ".")
	if major != "1" {
		return nil, fmt.Errorf("parsing PEP 691 JSON page: unsupported api-version %q (want 1.x)", jp.Meta.APIVersion)
	}
	if len(jp.Files) > maxFilesPerPage {
		return nil, fmt.Errorf("parsing PEP 691 JSON page: %d files, more than %d", len(jp.Files), maxFilesPerPage)
	}
	p := &ProjectPage{Project: pydist.NormalizeName(jp.Name), Files: make([]File, 0, len(jp.Files))}
	for i, jf := range jp.Files {
		u, err := resolve(base, jf.URL)
		if err != nil {
			return nil, fmt.Errorf("parsing PEP 691 JSON page: file %d (%q): %w", i, jf.Filename, err)
		}
		f := File{Filename: jf.Filename, URL: u.String(), Hashes: lowerHashes(jf.Hashes)}
		if f.Filename == "" || strings.ContainsAny(f.Filename, "/\\") {
			return nil, fmt.Errorf("parsing PEP 691 JSON page: file %d: invalid filename %q", i, jf.Filename)
		}
		if jf.RequiresPython != nil {
			f.RequiresPython = *jf.RequiresPython
		}
		if jf.Size != nil && *jf.Size > 0 {
			f.Size = *jf.Size
		}
		f.Yanked, f.YankedReason = jsonYanked(jf.Yanked)
		meta := jf.CoreMetadata
		if len(meta) == 0 {
			meta = jf.DistInfoMetadata
		}
		f.CoreMetadata, f.CoreMetadataHashes = jsonMetadata(meta)
		p.Files = append(p.Files, f)
	}
	return p, nil
}

// lowerHashes lower-cases hash names and digests in place (the map is
// freshly decoded and ours); an empty map becomes nil.
func lowerHashes(h map[string]string) map[string]string {
	if len(h) == 0 {
		return nil
	}
	for k, v := range h {
		lk, lv := strings.ToLower(k), strings.ToLower(v)
		if lk != k {
			delete(h, k)
		}
		h[lk] = lv
	}
	return h
}

// jsonYanked reads "yanked": false, true or a reason string.
func jsonYanked(raw json.RawMessage) (bool, string) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return true, s
	}
	return false, ""
}

// jsonMetadata reads "core-metadata": false, true or a hash object.
func jsonMetadata(raw json.RawMessage) (bool, map[string]string) {
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return b, nil
	}
	var h map[string]string
	if json.Unmarshal(raw, &h) == nil && h != nil {
		return true, lowerHashes(h)
	}
	return false, nil
}

// resolve resolves ref against base and checks the scheme.
func resolve(base *url.URL, ref string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "file" {
		return nil, fmt.Errorf("URL scheme %q not supported", u.Scheme)
	}
	u.User = nil
	return u, nil
}

// ParseProjectHTML parses a PEP 503 HTML project page fetched from base:
// every <a href> is a file, its name the last path segment of the URL, its
// hash the URL fragment (#sha256=…), with data-requires-python,
// data-yanked and data-core-metadata / data-dist-info-metadata. A <base
// href> in the page changes the base URL, as pip honours it.
func ParseProjectHTML(b []byte, base *url.URL) (*ProjectPage, error) {
	p := &ProjectPage{}
	if base != nil {
		p.Project = pydist.NormalizeName(path.Base(strings.TrimSuffix(base.Path, "/")))
	}
	z := html.NewTokenizer(bytes.NewReader(b))
	z.SetMaxBuf(1 << 20)
	sawBase := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if err := z.Err(); err != nil && !errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("parsing PEP 503 HTML page: %w", err)
			}
			return p, nil
		case html.StartTagToken, html.SelfClosingTagToken:
		default:
			continue
		}
		name, hasAttr := z.TagName()
		if !hasAttr {
			continue
		}
		attrs := map[string]string{}
		for {
			k, v, more := z.TagAttr()
			key := string(k)
			if _, dup := attrs[key]; !dup {
				attrs[key] = string(v)
			}
			if !more {
				break
			}
		}
		switch string(name) {
		case "base":
			if href, ok := attrs["href"]; ok && !sawBase {
				sawBase = true
				if u, err := resolve(base, href); err == nil {
					base = u
				}
			}
		case "a":
			href, ok := attrs["href"]
			if !ok {
				continue
			}
			f, err := htmlFile(base, href, attrs)
			if err != nil {
				continue // pip skips links it cannot use
			}
			if len(p.Files) >= maxFilesPerPage {
				return nil, fmt.Errorf("parsing PEP 503 HTML page: more than %d files", maxFilesPerPage)
			}
			p.Files = append(p.Files, f)
		}
	}
}

func htmlFile(base *url.URL, href string, attrs map[string]string) (File, error) {
	u, err := resolve(base, href)
	if err != nil {
		return File{}, err
	}
	name, err := url.PathUnescape(path.Base(u.Path))
	if err != nil || name == "" || name == "/" || name == "." || strings.ContainsAny(name, "/\\") {
		return File{}, fmt.Errorf("link %q has no file name", href)
	}
	f := File{Filename: name}
	if algo, digest, ok := strings.Cut(u.Fragment, "="); ok && algo != "" && digest != "" {
		f.Hashes = map[string]string{strings.ToLower(algo): strings.ToLower(digest)}
	}
	u.Fragment, u.RawFragment = "", ""
	f.URL = u.String()
	f.RequiresPython = attrs["data-requires-python"]
	if reason, ok := attrs["data-yanked"]; ok {
		f.Yanked, f.YankedReason = true, reason
	}
	meta, ok := attrs["data-core-metadata"]
	if !ok {
		meta, ok = attrs["data-dist-info-metadata"]
	}
	if ok {
		if algo, digest, found := strings.Cut(meta, "="); found && algo != "" && digest != "" {
			f.CoreMetadata = true
			f.CoreMetadataHashes = map[string]string{strings.ToLower(algo): strings.ToLower(digest)}
		} else if meta == "true" || meta == "" {
			f.CoreMetadata = true
		}
	}
	return f, nil
}
