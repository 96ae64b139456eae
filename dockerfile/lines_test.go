package dockerfile

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckLineLengths(t *testing.T) {
	long := strings.Repeat("A", MaxLineBytes+1)
	for _, tc := range []struct {
		src  string
		want string
	}{
		{"FROM python:3.12\nRUN true\n", ""},
		{"FROM python:3.12 " + long + "\n", "Dockerfile:1: line is 65553 bytes, over the limit of 65535 bytes"},
		{"FROM x\r\n# " + long, "Dockerfile:2: line is 65538 bytes"},
		{strings.Repeat("A", MaxLineBytes) + "\r\n", ""},
	} {
		err := CheckLineLengths("Dockerfile", []byte(tc.src))
		if tc.want == "" {
			if err != nil {
				t.Errorf("CheckLineLengths = %v, want nil", err)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrLineTooLong) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckLineLengths = %v, want %q", err, tc.want)
		}
	}
}
