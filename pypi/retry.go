package pypi

import (
	"context"
	"errors"
	"net/http"
	"time"
)

// retryDelays are the pauses before the second and third attempt of a GET
// that failed with a connection error or a 502, 503 or 504.
var retryDelays = []time.Duration{250 * time.Millisecond, time.Second}

// do sends a GET, retrying transient failures; the request has no body, so
// it can be sent again as is.
func (c *Client) do(req *http.Request) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		resp, err := c.http.Do(req)
		transient := false
		switch {
		case err != nil:
			transient = !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
		case resp.StatusCode == http.StatusBadGateway || resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusGatewayTimeout:
			transient = true
		}
		if !transient || attempt >= len(retryDelays) {
			return resp, err
		}
		if resp != nil {
			resp.Body.Close()
		}
		c.log.Debug("retrying", "url", req.URL.Redacted(), "attempt", attempt+2)
		select {
		case <-req.Context().Done():
			return nil, req.Context().Err()
		case <-time.After(retryDelays[attempt]):
		}
	}
}
