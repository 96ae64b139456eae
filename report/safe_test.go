package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestSafeWriter(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		styles         bool
	}{
		{"plain", "héllo\tworld\n", "héllo\tworld\n", false},
		{"csi clear screen", "a\x1b[2Jb", `a\x1b[2Jb`, false},
		{"osc title", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`, false},
		{"nul and cr", "a\x00b\rc", `a\x00b\x0dc`, false},
		{"c1 csi", "a\u009b2Jb", `a\u009b2Jb`, false},
		{"bidi override", "abc\u202edef", `abc\u202edef`, false},
		{"invalid utf-8", "a\xffb", `a\xffb`, false},
		{"del", "a\x7fb", `a\x7fb`, false},
		{"crlf", "a\r\nb\r", `a` + "\r\n" + `b\x0d`, false},
		{"our style", StyleMark + "[1mbold" + StyleMark + "[0m", "\x1b[1mbold\x1b[0m", true},
		{"our style without styles", StyleMark + "[1mbold", `\ue000[1mbold`, false},
		{"mark that is not a style", StyleMark + "]0;x", `\ue000]0;x`, true},
		{"raw esc with styles", "\x1b[2J", `\x1b[2J`, true},
	} {
		var buf bytes.Buffer
		w := NewSafeWriter(&buf, tc.styles)
		// Write byte by byte too: sequences split across writes.
		for _, split := range []bool{false, true} {
			buf.Reset()
			if split {
				for i := range len(tc.in) {
					w.Write([]byte{tc.in[i]})
				}
			} else {
				w.Write([]byte(tc.in))
			}
			Flush(w)
			if got := buf.String(); got != tc.want {
				t.Errorf("%s (split %v): got %q, want %q", tc.name, split, got, tc.want)
			}
			if strings.ContainsRune(buf.String(), 0x1b) && !tc.styles {
				t.Errorf("%s: ESC reached the output", tc.name)
			}
		}
	}
}
