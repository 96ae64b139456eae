package report

import (
	"fmt"
	"io"
	"unicode/utf8"
)

// StyleMark starts a text style in output meant for a SafeWriter: the
// renderers write StyleMark+"[1m" where a terminal wants ESC+"[1m", and
// the SafeWriter, when styles are allowed, turns exactly that shape
// (StyleMark, '[', digits and ';', 'm') into the escape sequence. Any other
// escape character, including one taken from an image or a file, is shown
// escaped.
const StyleMark = "\uE000"

// NewSafeWriter returns a writer for human-readable output that shows
// control characters instead of sending them to the terminal: C0 controls
// other than newline and tab, DEL, C1 controls, bidirectional overrides
// and invalid UTF-8 come out as \x1b, \u009b, \u202e, \xff. File names,
// package names and config values of a crafted image can then neither
// clear the screen, set the window title, nor hide text. With styles,
// StyleMark SGR sequences become real ones (colour and bold only).
func NewSafeWriter(w io.Writer, styles bool) io.Writer {
	return &safeWriter{w: w, styles: styles}
}

type safeWriter struct {
	w       io.Writer
	styles  bool
	pending []byte // an incomplete UTF-8 sequence or style sequence from the last Write
	buf     []byte
}

// Write escapes p. It reports len(p) written when the escaped bytes were
// written.
func (s *safeWriter) Write(p []byte) (int, error) {
	data := p
	if len(s.pending) > 0 {
		data = append(s.pending, p...)
		s.pending = nil
	}
	out := s.buf[:0]
	for i := 0; i < len(data); {
		c := data[i]
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' {
			out = append(out, c)
			i++
			continue
		}
		if c == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			out = append(out, c) // CRLF line ends are harmless (and diffs keep them)
			i++
			continue
		}
		if c == '\r' && i+1 == len(data) {
			s.pending = append(s.pending, c)
			break
		}
		if c < 0x80 { // C0 control or DEL
			out = fmt.Appendf(out, `\x%02x`, c)
			i++
			continue
		}
		if !utf8.FullRune(data[i:]) && len(data)-i < utf8.UTFMax {
			s.pending = append(s.pending, data[i:]...)
			break
		}
		r, n := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			out = fmt.Appendf(out, `\x%02x`, c)
		case r == 0xE000:
			if end, complete := styleEnd(data[i+n:]); s.styles && end > 0 {
				out = append(out, 0x1b)
				out = append(out, data[i+n:i+n+end]...)
				i += n + end
				continue
			} else if !complete {
				s.pending = append(s.pending, data[i:]...)
				i = len(data)
				continue
			}
			out = fmt.Appendf(out, `\u%04x`, r)
		case r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069,
			r == 0x200e, r == 0x200f, r == 0x061c, r == 0x2028, r == 0x2029, r == 0xfeff:
			out = fmt.Appendf(out, `\u%04x`, r)
		default:
			out = append(out, data[i:i+n]...)
		}
		i += n
	}
	s.buf = out
	if _, err := s.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// styleEnd returns the length of "[digits;…m" at the start of b, or 0;
// complete is false when b ends before the shape is decided.
func styleEnd(b []byte) (end int, complete bool) {
	if len(b) == 0 {
		return 0, false
	}
	if b[0] != '[' {
		return 0, true
	}
	for i := 1; i < len(b) && i < 16; i++ {
		switch c := b[i]; {
		case c == 'm':
			return i + 1, true
		case c >= '0' && c <= '9', c == ';':
		default:
			return 0, true
		}
	}
	return 0, len(b) >= 16
}

// Flush writes what a final incomplete sequence held back, escaped.
func Flush(w io.Writer) error {
	s, ok := w.(*safeWriter)
	if !ok || len(s.pending) == 0 {
		return nil
	}
	p := s.pending
	s.pending = nil
	out := s.buf[:0]
	for _, c := range p {
		out = fmt.Appendf(out, `\x%02x`, c)
	}
	_, err := s.w.Write(out)
	return err
}
