package dockerfile

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckImageReference(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	for _, tc := range []struct {
		ref  string
		want string // "" for valid
	}{
		{"python:3.12-slim", ""},
		{"python", ""},
		{"localhost:5000/team/app:1.0", ""},
		{"ghcr.io/o/r@" + digest, ""},
		{"python:3.12-slim@" + digest, ""},
		{"python:${PY}-slim", ""},
		{"python:3.12-slim@sha256:zzzz", "invalid"},
		{"../../etc/passwd:latest", "invalid reference format"},
		{"http://evil.example/x", "no scheme"},
		{"python\x00:3.12", "control character"},
		{"Python:3.12", "must be lowercase"},
		{"python:" + strings.Repeat("a", 200), "invalid"},
		{"", "empty"},
	} {
		err := CheckImageReference(tc.ref)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("CheckImageReference(%q) = %v, want nil", tc.ref, err)
		case tc.want != "" && (err == nil || !errors.Is(err, ErrInvalidReference) || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("CheckImageReference(%q) = %v, want an error containing %q", tc.ref, err, tc.want)
		}
	}
}
