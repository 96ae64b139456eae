package inventory

import (
	"bytes"
	"strings"
)

// field is one "Key: value" field of an RFC 822-style stanza. Continuation
// lines are joined to the value with "\n".
type field struct {
	key, value string
}

// stanza is one paragraph of a dpkg status file or a METADATA header block.
type stanza []field

// get returns the value of the first field named key, compared
// case-insensitively as dpkg and email headers do.
func (s stanza) get(key string) string {
	for _, f := range s {
		if strings.EqualFold(f.key, key) {
			return f.value
		}
	}
	return ""
}

// all returns the values of every field named key.
func (s stanza) all(key string) []string {
	var out []string
	for _, f := range s {
		if strings.EqualFold(f.key, key) {
			out = append(out, f.value)
		}
	}
	return out
}

// parseStanzas splits b into blank-line separated stanzas of "Key: value"
// fields with continuation lines (lines starting with a space or a tab).
// Lines that are neither are ignored. When headerOnly is set, parsing stops
// at the first blank line (METADATA, PKG-INFO: the body follows).
func parseStanzas(b []byte, headerOnly bool, fn func(stanza) bool) {
	var cur stanza
	// cont holds the continuation lines of the last field, joined at the
	// end so that long folded values cost linear time.
	var cont []string
	endField := func() {
		if len(cont) > 0 {
			f := &cur[len(cur)-1]
			f.value = f.value + "\n" + strings.Join(cont, "\n")
			cont = cont[:0]
		}
	}
	flush := func() bool {
		endField()
		if len(cur) == 0 {
			return true
		}
		s := cur
		cur = nil
		return fn(s)
	}
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		switch {
		case len(line) == 0 || (!headerOnly && len(bytes.TrimSpace(line)) == 0):
			// deb822 allows whitespace-only separators; in email-style
			// headers such a line continues a folded value.
			if headerOnly && len(cur) > 0 {
				flush()
				return
			}
			if !flush() {
				return
			}
		case line[0] == ' ' || line[0] == '\t':
			if len(cur) == 0 {
				continue
			}
			cont = append(cont, strings.TrimSpace(string(line)))
		default:
			k, v, ok := bytes.Cut(line, []byte{':'})
			if !ok || len(k) == 0 || bytes.ContainsAny(k, " \t") {
				continue
			}
			endField()
			cur = append(cur, field{key: string(k), value: strings.TrimSpace(string(v))})
		}
	}
	flush()
}

// completeLines drops a trailing partial line from content that was cut at
// a size limit, so no parser sees half a line.
func completeLines(b []byte, truncated bool) []byte {
	if !truncated {
		return b
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[:i+1]
	}
	return nil
}
