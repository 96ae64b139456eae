package project

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pyimg/pyimg/internal/tomlguard"
)

// InputError is unparsable or contradictory project input: the file, the
// line (0 when the whole file is meant) and what is wrong.
type InputError struct {
	// File is the file at fault, relative to the project directory when it
	// lies inside it.
	File string
	// Line is the 1-based line, 0 when unknown or the whole file.
	Line int
	// Msg says what is wrong.
	Msg string
	// Err is the underlying error, if any.
	Err error
}

// Error renders "file:line: msg".
func (e *InputError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Err != nil && e.Msg == "" {
		return fmt.Sprintf("%s: %v", loc, e.Err)
	}
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", loc, e.Msg, e.Err)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// Unwrap returns the underlying error.
func (e *InputError) Unwrap() error { return e.Err }

// inputErr builds an InputError.
func inputErr(file string, line int, format string, args ...any) *InputError {
	return &InputError{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// lineOf returns the 1-based line of the first occurrence of needle in data
// at or after line from (1-based), or 0 when absent.
func lineOf(data []byte, needle string, from int) int {
	if needle == "" {
		return 0
	}
	line := 1
	rest := data
	for line < from {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			return 0
		}
		rest, line = rest[i+1:], line+1
	}
	i := bytes.Index(rest, []byte(needle))
	if i < 0 {
		return 0
	}
	return line + bytes.Count(rest[:i], []byte("\n"))
}

// lineOfKey finds the line where a TOML key or a quoted string value
// appears: `key =`, `"key" =` or `"value"`.
func lineOfKey(data []byte, key string) int {
	for _, n := range []string{"\n" + key + " ", "\n" + key + "=", "\n\"" + key + "\"", "\"" + key, "'" + key, key} {
		if l := lineOf(data, n, 1); l > 0 {
			if strings.HasPrefix(n, "\n") {
				l++
			}
			return l
		}
	}
	return 0
}

// affordable reports whether looking up n lines in data stays cheap; when
// not (huge hostile inputs), callers leave lines out except for errors.
func affordable(data []byte, n int) bool { return len(data)*n < 1<<28 }

// checkTOML bounds the nesting of a TOML document before it is decoded
// (tomlguard), as an *InputError with the line.
func checkTOML(file string, data []byte) error {
	err := tomlguard.Check(file, data)
	if err == nil {
		return nil
	}
	ie := &InputError{File: file, Msg: "TOML nesting too deep", Err: err}
	// tomlguard writes "FILE:LINE: what": keep the line, drop the repeat.
	if rest, ok := strings.CutPrefix(err.Error(), file+":"); ok {
		if n, what, ok := strings.Cut(rest, ": "); ok {
			if line, convErr := strconv.Atoi(n); convErr == nil {
				ie.Line, ie.Msg, ie.Err = line, what, errors.Unwrap(err)
				if ie.Err != nil && strings.HasSuffix(what, ie.Err.Error()) {
					ie.Msg = strings.TrimSuffix(strings.TrimSuffix(what, ie.Err.Error()), ": ")
				}
			}
		}
	}
	return ie
}
