// Package tomlguard bounds the nesting of a TOML document before a parser
// sees it. TOML decoders recurse once per nested array or inline table, so
// a few megabytes of "[[[[…" overflow the stack and "{a={a={…" exhaust
// memory; real configuration files nest a handful of levels.
package tomlguard

import (
	"errors"
	"fmt"
)

// MaxDepth is the nesting Check allows: arrays, inline tables and table
// headers together.
const MaxDepth = 64

// ErrTooDeep matches the errors of Check.
var ErrTooDeep = errors.New("TOML nesting too deep")

// Check scans data (named path in errors) and reports the first line where
// brackets and braces outside strings and comments nest deeper than
// MaxDepth. It does not validate the document otherwise: the parser does.
func Check(path string, data []byte) error {
	depth, line := 0, 1
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '\n':
			line++
		case '#':
			for i+1 < len(data) && data[i+1] != '\n' {
				i++
			}
		case '"', '\'':
			multi := i+2 < len(data) && data[i+1] == c && data[i+2] == c
			if multi {
				i += 2
			}
			for i++; i < len(data); i++ {
				if data[i] == '\n' {
					line++
					if !multi {
						break // unterminated: the parser reports it
					}
				}
				if c == '"' && data[i] == '\\' {
					i++
					if i < len(data) && data[i] == '\n' {
						line++
					}
					continue
				}
				if data[i] == c && (!multi || (i+2 < len(data) && data[i+1] == c && data[i+2] == c)) {
					if multi {
						i += 2
						// Up to two more quotes belong to the string.
						for k := 0; k < 2 && i+1 < len(data) && data[i+1] == c; k++ {
							i++
						}
					}
					break
				}
			}
		case '[', '{':
			depth++
			if depth > MaxDepth {
				return fmt.Errorf("%s:%d: arrays and tables nest more than %d levels deep: %w", path, line, MaxDepth, ErrTooDeep)
			}
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return nil
}
