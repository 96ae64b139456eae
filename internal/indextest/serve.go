package indextest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pyimg/pyimg/pydist"
)

// statusWriter remembers the status and content type written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	rec := Request{Method: r.Method, Path: r.URL.Path, Accept: r.Header.Get("Accept"), IfNoneMatch: r.Header.Get("If-None-Match"), Authorized: true}
	defer func() {
		rec.Status = sw.status
		rec.ContentType = sw.Header().Get("Content-Type")
		s.record(rec)
	}()
	if s.opts.auth {
		u, p, ok := r.BasicAuth()
		rec.Authorized = ok && subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.user)) == 1 &&
			subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.pass)) == 1
		if !rec.Authorized {
			sw.Header().Set("WWW-Authenticate", `Basic realm="indextest"`)
			http.Error(sw, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(sw, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := r.URL.Path
	switch {
	case p == "/simple":
		http.Redirect(sw, r, "/simple/", http.StatusMovedPermanently)
	case p == "/simple/":
		s.serveRoot(sw, r)
	case strings.HasPrefix(p, "/simple/"):
		name := strings.TrimPrefix(p, "/simple/")
		name, slash := strings.CutSuffix(name, "/")
		if name == "" || strings.Contains(name, "/") {
			http.NotFound(sw, r)
			return
		}
		if norm := pydist.NormalizeName(name); norm != name || !slash {
			http.Redirect(sw, r, "/simple/"+norm+"/", http.StatusMovedPermanently)
			return
		}
		s.serveProject(sw, r, name)
	case strings.HasPrefix(p, "/files/"):
		s.serveFile(sw, r, strings.TrimPrefix(p, "/files/"))
	default:
		http.NotFound(sw, r)
	}
}

// negotiate picks the response media type for the Accept header, or "" when
// nothing acceptable can be served.
func (s *Server) negotiate(r *http.Request) string {
	if s.opts.only == HTMLOnly {
		return MediaHTML
	}
	if f := r.URL.Query().Get("format"); f != "" {
		switch {
		case f == MediaJSON:
			return f
		case (f == MediaHTMLv1 || f == MediaHTML) && s.opts.only != JSONOnly:
			return f
		}
		return ""
	}
	accept := r.Header.Get("Accept")
	if strings.TrimSpace(accept) == "" {
		if s.opts.only == JSONOnly {
			return MediaJSON
		}
		return MediaHTML
	}
	best, bestQ := "", 0.0
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		mt := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, f := range fields[1:] {
			k, v, ok := strings.Cut(strings.TrimSpace(f), "=")
			if ok && strings.TrimSpace(k) == "q" {
				if x, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = x
				}
			}
		}
		var got string
		switch mt {
		case MediaJSON, "application/vnd.pypi.simple.latest+json":
			got = MediaJSON
		case MediaHTMLv1, "application/vnd.pypi.simple.latest+html":
			got = MediaHTMLv1
		case MediaHTML, "text/*", "*/*":
			got = MediaHTML
		}
		if got == "" || q <= 0 || (s.opts.only == JSONOnly && got != MediaJSON) {
			continue
		}
		if q > bestQ {
			best, bestQ = got, q
		}
	}
	if best == "" && s.opts.only == JSONOnly && strings.Contains(accept, "*/*") {
		return MediaJSON
	}
	return best
}

// writePage writes body with validators and answers 304 when the client's
// ETag matches.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, ctype string, body []byte, modified time.Time) {
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Vary", "Accept")
	if !s.opts.noETag {
		sum := sha256.Sum256(append([]byte(ctype), body...))
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		h.Set("ETag", etag)
		if !modified.IsZero() {
			h.Set("Last-Modified", modified.UTC().Format(http.TimeFormat))
		}
		if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if ims := r.Header.Get("If-Modified-Since"); ims != "" && r.Header.Get("If-None-Match") == "" && !modified.IsZero() {
			if t, err := http.ParseTime(ims); err == nil && !modified.Truncate(time.Second).After(t) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body) //nolint:errcheck // the client went away
}

func (s *Server) serveRoot(w http.ResponseWriter, r *http.Request) {
	mt := s.negotiate(r)
	if mt == "" {
		http.Error(w, "not acceptable", http.StatusNotAcceptable)
		return
	}
	dists, err := s.files.scan(s.Dir)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var names []string
	seen := map[string]bool{}
	var newest time.Time
	for _, d := range dists {
		if !seen[d.Project] {
			seen[d.Project] = true
			names = append(names, d.Project)
		}
		if d.ModTime.After(newest) {
			newest = d.ModTime
		}
	}
	sort.Strings(names)
	var body []byte
	if mt == MediaJSON {
		type project struct {
			Name string `json:"name"`
		}
		v := struct {
			Meta     map[string]string `json:"meta"`
			Projects []project         `json:"projects"`
		}{Meta: map[string]string{"api-version": "1.1"}, Projects: []project{}}
		for _, n := range names {
			v.Projects = append(v.Projects, project{n})
		}
		body, _ = json.Marshal(v)
	} else {
		var b strings.Builder
		b.WriteString("<!DOCTYPE html>\n<html>\n<head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Simple index</title></head>\n<body>\n")
		for _, n := range names {
			fmt.Fprintf(&b, "<a href=\"/simple/%s/\">%s</a>\n", n, html.EscapeString(n))
		}
		b.WriteString("</body>\n</html>\n")
		body = []byte(b.String())
	}
	s.writePage(w, r, mt, body, newest)
}

func (s *Server) serveProject(w http.ResponseWriter, r *http.Request, project string) {
	mt := s.negotiate(r)
	if mt == "" {
		http.Error(w, "not acceptable", http.StatusNotAcceptable)
		return
	}
	all, err := s.files.scan(s.Dir)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var dists []dist
	var newest time.Time
	for _, d := range all {
		if d.Project == project {
			dists = append(dists, d)
			if d.ModTime.After(newest) {
				newest = d.ModTime
			}
		}
	}
	if len(dists) == 0 {
		http.NotFound(w, r)
		return
	}
	var body []byte
	if mt == MediaJSON {
		body = s.projectJSON(project, dists)
	} else {
		body = s.projectHTML(project, dists)
	}
	s.writePage(w, r, mt, body, newest)
}

func (s *Server) requiresPython(d dist) string {
	if v, ok := s.opts.requiresPy[d.Filename]; ok {
		return v
	}
	return d.RequiresPython
}

// sha256 returns the hash advertised for d.
func (s *Server) sha256(d dist) string {
	if h, ok := s.opts.hashes[d.Filename]; ok {
		return h
	}
	return d.SHA256
}

func metadataHash(d dist) string {
	sum := sha256.Sum256(d.Metadata)
	return hex.EncodeToString(sum[:])
}

func (s *Server) projectJSON(project string, dists []dist) []byte {
	type file struct {
		Filename         string            `json:"filename"`
		URL              string            `json:"url"`
		Hashes           map[string]string `json:"hashes"`
		RequiresPython   *string           `json:"requires-python,omitempty"`
		CoreMetadata     any               `json:"core-metadata,omitempty"`
		DistInfoMetadata any               `json:"dist-info-metadata,omitempty"`
		Yanked           any               `json:"yanked"`
		Size             int64             `json:"size"`
		UploadTime       string            `json:"upload-time"`
	}
	v := struct {
		Meta     map[string]string `json:"meta"`
		Name     string            `json:"name"`
		Versions []string          `json:"versions"`
		Files    []file            `json:"files"`
	}{Meta: map[string]string{"api-version": "1.1"}, Name: project, Versions: []string{}}
	seen := map[string]bool{}
	for _, d := range dists {
		if !seen[d.Version] {
			seen[d.Version] = true
			v.Versions = append(v.Versions, d.Version)
		}
		f := file{
			Filename:   d.Filename,
			URL:        "/files/" + url.PathEscape(d.Filename),
			Hashes:     map[string]string{"sha256": s.sha256(d)},
			Yanked:     false,
			Size:       d.Size,
			UploadTime: d.ModTime.UTC().Format("2006-01-02T15:04:05.000000Z"),
		}
		if rp := s.requiresPython(d); rp != "" {
			f.RequiresPython = &rp
		}
		if reason, ok := s.opts.yanked[d.Filename]; ok {
			f.Yanked = true
			if reason != "" {
				f.Yanked = reason
			}
		}
		if s.opts.metadata && d.Metadata != nil {
			h := map[string]string{"sha256": metadataHash(d)}
			f.CoreMetadata, f.DistInfoMetadata = h, h
		}
		v.Files = append(v.Files, f)
	}
	b, _ := json.Marshal(v)
	return b
}

func (s *Server) projectHTML(project string, dists []dist) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html>\n<head><meta name=\"pypi:repository-version\" content=\"1.1\"><title>Links for %s</title></head>\n<body>\n<h1>Links for %s</h1>\n", html.EscapeString(project), html.EscapeString(project))
	for _, d := range dists {
		fmt.Fprintf(&b, "<a href=\"../../files/%s#sha256=%s\"", html.EscapeString(url.PathEscape(d.Filename)), s.sha256(d))
		if rp := s.requiresPython(d); rp != "" {
			fmt.Fprintf(&b, " data-requires-python=\"%s\"", html.EscapeString(rp))
		}
		if s.opts.metadata && d.Metadata != nil {
			fmt.Fprintf(&b, " data-dist-info-metadata=\"sha256=%s\" data-core-metadata=\"sha256=%s\"", metadataHash(d), metadataHash(d))
		}
		if reason, ok := s.opts.yanked[d.Filename]; ok {
			fmt.Fprintf(&b, " data-yanked=\"%s\"", html.EscapeString(reason))
		}
		fmt.Fprintf(&b, ">%s</a><br />\n", html.EscapeString(d.Filename))
	}
	b.WriteString("</body>\n</html>\n")
	return []byte(b.String())
}

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	if strings.ContainsAny(name, "/\\") || name == "" || name == "." || name == ".." {
		http.NotFound(w, r)
		return
	}
	if base, ok := strings.CutSuffix(name, ".metadata"); ok && s.opts.metadata {
		all, err := s.files.scan(s.Dir)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, d := range all {
			if d.Filename == base && d.Metadata != nil {
				s.writePage(w, r, "text/plain; charset=utf-8", d.Metadata, d.ModTime)
				return
			}
		}
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(filepath.Join(s.Dir, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	mod := info.ModTime()
	if s.opts.noETag {
		mod = time.Time{} // ServeContent then sends no Last-Modified
	}
	http.ServeContent(w, r, name, mod, f)
}
