package dockerfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
)

// MaxLineBytes is the longest physical line BuildKit's parser reads
// (bufio.MaxScanTokenSize less the newline); docker build refuses longer
// ones.
const MaxLineBytes = bufio.MaxScanTokenSize - 1

// ErrLineTooLong matches the errors of CheckLineLengths.
var ErrLineTooLong = errors.New("line too long")

// CheckLineLengths reports the first line of src (named path) longer than
// MaxLineBytes, naming the line and the limit. BuildKit's parser stops at
// such a line and says only that the file has no instructions.
func CheckLineLengths(path string, src []byte) error {
	line := 1
	for len(src) > 0 {
		n := bytes.IndexByte(src, '\n')
		if n < 0 {
			n = len(src)
		}
		if l := len(bytes.TrimSuffix(src[:n], []byte("\r"))); l > MaxLineBytes {
			return fmt.Errorf("%s:%d: line is %d bytes, over the limit of %d bytes per line (BuildKit's): %w", path, line, l, MaxLineBytes, ErrLineTooLong)
		}
		if n == len(src) {
			break
		}
		src = src[n+1:]
		line++
	}
	return nil
}
