package httptimeout

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestDeadlines(t *testing.T) {
	const d = 200 * time.Millisecond
	release := make(chan struct{})
	defer close(release)
	mux := http.NewServeMux()
	mux.HandleFunc("/silent", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("first bytes"))
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/slow-but-steady", func(w http.ResponseWriter, r *http.Request) {
		for range 6 {
			w.Write([]byte("x"))
			w.(http.Flusher).Flush()
			time.Sleep(d / 2)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// A TLS port that accepts and never speaks.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()

	client := &http.Client{Transport: New(nil, d)}
	host := strings.TrimPrefix(srv.URL, "http://")
	for _, tc := range []struct {
		url, phase, host string
	}{
		{srv.URL + "/silent", "waiting for response headers from", host},
		{srv.URL + "/stall", "reading the response body from", host},
		{"https://" + ln.Addr().String() + "/v2/", "the TLS handshake with", ln.Addr().String()},
	} {
		start := time.Now()
		resp, err := client.Get(tc.url)
		if err == nil {
			_, err = io.ReadAll(resp.Body)
			resp.Body.Close()
		}
		var te *TimeoutError
		if !errors.As(err, &te) || te.Phase != tc.phase || te.Host != tc.host || !errors.Is(err, ErrTimeout) {
			t.Errorf("GET %s = %v, want a TimeoutError %q %s", tc.url, err, tc.phase, tc.host)
		}
		if el := time.Since(start); el > 10*d {
			t.Errorf("GET %s took %s", tc.url, el)
		}
	}
	resp, err := client.Get(srv.URL + "/slow-but-steady")
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || string(b) != "xxxxxx" {
		t.Errorf("a body that keeps coming = %q, %v; want it whole", b, err)
	}
}

// TestKeepsCallerDialer checks that a base transport's own dialer is used.
func TestKeepsCallerDialer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	base := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	resp, err := (&http.Client{Transport: New(base, time.Second)}).Get("http://registry.invalid/")
	if err != nil {
		t.Fatalf("GET through the caller's dialer = %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "ok" {
		t.Errorf("body = %q", b)
	}
}
