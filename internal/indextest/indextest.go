// Package indextest serves a directory of distribution files (wheels and
// sdists) as a Python package index for tests: PEP 691 JSON
// (application/vnd.pypi.simple.v1+json) and PEP 503 HTML chosen by the
// Accept header, sha256 hashes in links and JSON, data-requires-python from
// each wheel's METADATA, optional PEP 658/714 core metadata, PEP 592 yanked
// files, optional basic auth, ETag revalidation, and a request log. The
// server listens on a real TCP port (127.0.0.1 by default) so that pip run
// by buildah with the host network can use it too.
//
// Layout of URLs: /simple/ (project list), /simple/<normalized>/ (project
// page; other spellings redirect), /files/<filename> (downloads) and
// /files/<filename>.metadata (core metadata). HTML links are relative
// ("../../files/…#sha256=…"); JSON URLs are absolute paths ("/files/…"), so
// clients must resolve both against the page URL.
package indextest

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
)

// Media types of the simple repository API.
const (
	MediaJSON   = "application/vnd.pypi.simple.v1+json"
	MediaHTMLv1 = "application/vnd.pypi.simple.v1+html"
	MediaHTML   = "text/html"
)

// Server is a running index over a directory.
type Server struct {
	// URL is the server's base URL without credentials, e.g. http://127.0.0.1:40123.
	URL string
	// Dir is the directory served; files added to it later are served too.
	Dir string

	opts  options
	srv   *httptest.Server
	files *fileCache

	mu       sync.Mutex
	requests []Request
}

// Request is one request the server answered.
type Request struct {
	// Method and Path of the request (Path without query).
	Method, Path string
	// Accept is the request's Accept header.
	Accept string
	// IfNoneMatch is the request's If-None-Match header.
	IfNoneMatch string
	// Authorized says whether valid credentials came with it (always true
	// without WithBasicAuth).
	Authorized bool
	// Status is the response status code.
	Status int
	// ContentType is the response Content-Type.
	ContentType string
}

// Format restricts what a server can answer.
type Format int

// Formats for WithOnly.
const (
	// Both answers JSON or HTML by content negotiation (the default).
	Both Format = iota
	// HTMLOnly ignores Accept and always answers text/html, as pre-PEP 691 indexes do.
	HTMLOnly
	// JSONOnly answers only JSON; a request that does not accept it gets 406.
	JSONOnly
)

type options struct {
	user, pass string
	auth       bool
	metadata   bool
	only       Format
	addr       string
	yanked     map[string]string
	requiresPy map[string]string
	hashes     map[string]string
	noETag     bool
}

// Option configures a Server.
type Option func(*options)

// WithBasicAuth requires HTTP basic auth with user and password on every path.
func WithBasicAuth(user, password string) Option {
	return func(o *options) { o.user, o.pass, o.auth = user, password, true }
}

// WithCoreMetadata serves each wheel's METADATA at <file>.metadata and
// advertises it (data-core-metadata and data-dist-info-metadata in HTML,
// core-metadata and dist-info-metadata in JSON).
func WithCoreMetadata() Option { return func(o *options) { o.metadata = true } }

// WithOnly restricts the formats the server answers.
func WithOnly(f Format) Option { return func(o *options) { o.only = f } }

// WithAddr sets the listen address (default "127.0.0.1:0"); "0.0.0.0:0"
// makes the index reachable from containers on a bridge network.
func WithAddr(addr string) Option { return func(o *options) { o.addr = addr } }

// WithYanked marks filename as yanked (PEP 592) with reason (may be empty).
func WithYanked(filename, reason string) Option {
	return func(o *options) {
		if o.yanked == nil {
			o.yanked = map[string]string{}
		}
		o.yanked[filename] = reason
	}
}

// WithRequiresPython sets the Requires-Python advertised for filename,
// overriding what its METADATA says (sdists have none by default).
func WithRequiresPython(filename, spec string) Option {
	return func(o *options) {
		if o.requiresPy == nil {
			o.requiresPy = map[string]string{}
		}
		o.requiresPy[filename] = spec
	}
}

// WithHashOverride advertises sha256 for filename instead of its real
// hash, so that clients' hash verification can be tested against an index
// that lies.
func WithHashOverride(filename, sha256 string) Option {
	return func(o *options) {
		if o.hashes == nil {
			o.hashes = map[string]string{}
		}
		o.hashes[filename] = sha256
	}
}

// WithoutETag stops the server from sending ETag and Last-Modified and from
// answering 304, like indexes without validators.
func WithoutETag() Option { return func(o *options) { o.noETag = true } }

// New starts an index over dir. Close it when done.
func New(dir string, opts ...Option) (*Server, error) {
	o := options{addr: "127.0.0.1:0"}
	for _, opt := range opts {
		opt(&o)
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", o.addr, err)
	}
	s := &Server{Dir: dir, opts: o, files: newFileCache()}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Listener.Close()
	s.srv.Listener = ln
	s.srv.Start()
	port := ln.Addr().(*net.TCPAddr).Port
	s.URL = fmt.Sprintf("http://127.0.0.1:%d", port)
	return s, nil
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Port is the TCP port the server listens on.
func (s *Server) Port() int { return s.srv.Listener.Addr().(*net.TCPAddr).Port }

// IndexURL is the simple index URL ("…/simple/"), with the basic-auth
// credentials embedded when the server requires them.
func (s *Server) IndexURL() string {
	u, _ := url.Parse(s.URL + "/simple/")
	if s.opts.auth {
		u.User = url.UserPassword(s.opts.user, s.opts.pass)
	}
	return u.String()
}

// FileURL is the download URL of filename (without credentials).
func (s *Server) FileURL(filename string) string {
	return s.URL + "/files/" + url.PathEscape(filename)
}

// Requests returns the requests answered so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// ResetRequests forgets the requests answered so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) record(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
}
