package shell

import (
	"errors"
	"fmt"
)

// maxNesting bounds how deeply a script may nest subshells, command
// substitutions, brace groups and compound commands before it is handed
// to mvdan.cc/sh, whose parser recurses once per level: a million nested
// "(" or "$(" overflow the goroutine stack, which no recover catches.
// Real RUN scripts nest a few levels.
const maxNesting = 500

// errTooDeep is returned for scripts nested deeper than maxNesting.
var errTooDeep = errors.New("shell script nests too deeply")

// checkNesting scans text without parsing it and reports an error when it
// may nest deeper than maxNesting. It over-estimates (a "(" inside a
// here-document counts), never under-estimates: a closer only ends an
// opener of its own kind, so case patterns ("a)") cannot hide depth.
func checkNesting(text string) error {
	var stack []byte // '(' subshell/substitution, '{' brace/parameter, 'k' compound command
	push := func(k byte) error {
		stack = append(stack, k)
		if len(stack) > maxNesting {
			return fmt.Errorf("more than %d levels of subshells, substitutions or compound commands: %w", maxNesting, errTooDeep)
		}
		return nil
	}
	pop := func(k byte) {
		if n := len(stack); n > 0 && stack[n-1] == k {
			stack = stack[:n-1]
		}
	}
	inDouble := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\\':
			i++
		case c == '\'' && !inDouble:
			for i++; i < len(text) && text[i] != '\''; i++ {
			}
		case c == '"':
			inDouble = !inDouble
		case c == '$' && i+1 < len(text) && (text[i+1] == '(' || text[i+1] == '{'):
			i++
			if err := push(text[i]); err != nil {
				return err
			}
		case inDouble:
			// Only substitutions nest inside double quotes.
			switch c {
			case ')':
				pop('(')
			case '}':
				pop('{')
			}
		case c == '(' || c == '{':
			if err := push(c); err != nil {
				return err
			}
		case c == ')':
			pop('(')
		case c == '}':
			pop('{')
		case isWordStart(text, i):
			w := wordAt(text, i)
			switch w {
			case "if", "for", "while", "until", "case", "select":
				if err := push('k'); err != nil {
					return err
				}
			case "fi", "done", "esac":
				pop('k')
			}
			i += len(w) - 1
		}
	}
	return nil
}

func isWordStart(s string, i int) bool {
	c := s[i]
	if !(c >= 'a' && c <= 'z') {
		return false
	}
	return i == 0 || isSep(s[i-1])
}

func wordAt(s string, i int) string {
	j := i
	for j < len(s) && !isSep(s[j]) {
		j++
	}
	return s[i:j]
}

func isSep(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ';', '&', '|', '(', ')', '{', '}', '<', '>':
		return true
	}
	return false
}
