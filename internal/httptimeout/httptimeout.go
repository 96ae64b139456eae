// Package httptimeout puts deadlines on registry requests: connecting
// (TCP and TLS), waiting for the response headers, and waiting for the
// next bytes of a response body. A registry that accepts the connection
// and never answers (in the token exchange too, which goes through the
// same transport) fails with a *TimeoutError naming the host and the
// phase instead of hanging. TimeoutErrors are temporary, so
// go-containerregistry's retries (with backoff) apply to them.
package httptimeout

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Default is the deadline of each phase when none is given.
const Default = 30 * time.Second

// ErrTimeout matches every *TimeoutError.
var ErrTimeout = errors.New("registry request timed out")

// TimeoutError reports a phase of a request that took too long.
type TimeoutError struct {
	Host  string
	Phase string // "connecting", "waiting for response headers", "reading the response body"
	After time.Duration
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("%s %s timed out after %s (set --timeout to wait longer)", e.Phase, e.Host, e.After)
}

// Is reports whether target is ErrTimeout.
func (e *TimeoutError) Is(target error) bool { return target == ErrTimeout }

// Timeout reports true, as net.Error does.
func (e *TimeoutError) Timeout() bool { return true }

// Temporary reports true: the request is worth retrying.
func (e *TimeoutError) Temporary() bool { return true }

// New returns a transport based on base (an *http.Transport, cloned; nil
// means http.DefaultTransport) whose every phase must finish within d.
func New(base http.RoundTripper, d time.Duration) http.RoundTripper {
	if d <= 0 {
		d = Default
	}
	t, ok := base.(*http.Transport)
	if !ok || t == nil {
		t = http.DefaultTransport.(*http.Transport)
	}
	t = t.Clone()
	dial := t.DialContext // a caller's dialer (tests, proxies) is kept
	if dial == nil {
		dial = (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		dctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		c, err := dial(dctx, network, addr)
		if err != nil && ctx.Err() == nil && (isTimeout(err) || errors.Is(err, context.DeadlineExceeded)) {
			return nil, &TimeoutError{Host: addr, Phase: "connecting to", After: d}
		}
		return c, err
	}
	t.TLSHandshakeTimeout = d
	t.ResponseHeaderTimeout = d
	return &transport{base: t, d: d}
}

type transport struct {
	base http.RoundTripper
	d    time.Duration
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		var te *TimeoutError
		if !errors.As(err, &te) && isTimeout(err) && req.Context().Err() == nil {
			phase := "waiting for response headers from"
			if strings.Contains(err.Error(), "TLS handshake") {
				phase = "the TLS handshake with"
			}
			err = &TimeoutError{Host: req.URL.Host, Phase: phase, After: t.d}
		}
		return nil, err
	}
	b := &idleBody{rc: resp.Body, cancel: cancel, host: req.URL.Host, d: t.d}
	b.timer = time.AfterFunc(t.d, func() {
		b.expired.Store(true)
		cancel()
	})
	resp.Body = b
	return resp, nil
}

// idleBody cancels the request when no bytes arrive for d.
type idleBody struct {
	rc      io.ReadCloser
	cancel  context.CancelFunc
	host    string
	d       time.Duration
	timer   *time.Timer
	expired atomic.Bool
	once    sync.Once
}

func (b *idleBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 && !b.expired.Load() {
		b.timer.Reset(b.d)
	}
	if err != nil && err != io.EOF && b.expired.Load() {
		err = &TimeoutError{Host: b.host, Phase: "reading the response body from", After: b.d}
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.once.Do(func() {
		b.timer.Stop()
		b.cancel()
	})
	return b.rc.Close()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
