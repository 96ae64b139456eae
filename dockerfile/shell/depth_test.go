package shell

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckNesting(t *testing.T) {
	n := maxNesting + 1
	for _, tc := range []struct {
		name, script string
		deep         bool
	}{
		{"ordinary", `apt-get update && (cd /x && make) && echo "$(date) ${HOME}" && if true; then for a in b; do :; done; fi`, false},
		{"case patterns", strings.Repeat("case x in a) echo;; esac; ", 2000), false},
		{"sequential subshells", strings.Repeat("(true); ", 5000), false},
		{"quoted parens", "echo '" + strings.Repeat("(", 5000) + "' \"" + strings.Repeat("(", 5000) + "\"", false},
		{"subshells", strings.Repeat("(", n) + "true" + strings.Repeat(")", n), true},
		{"substitutions", strings.Repeat("$(", n) + "true" + strings.Repeat(")", n), true},
		{"quoted substitutions", strings.Repeat(`"$(`, n) + "true" + strings.Repeat(`)"`, n), true},
		{"ifs", strings.Repeat("if true; then ", n) + "true" + strings.Repeat("; fi", n), true},
		{"nested cases", strings.Repeat("case x in a) ", n) + "true" + strings.Repeat(";; esac", n), true},
	} {
		err := checkNesting(tc.script)
		if (err != nil) != tc.deep || (err != nil && !errors.Is(err, errTooDeep)) {
			t.Errorf("%s: checkNesting = %v, want deep %v", tc.name, err, tc.deep)
		}
	}
}

// TestParseDeepNesting feeds the million-level scripts that overflowed the
// stack of mvdan.cc/sh's parser.
func TestParseDeepNesting(t *testing.T) {
	const n = 1_000_000
	for _, script := range []string{
		strings.Repeat("(", n) + "true" + strings.Repeat(")", n),
		strings.Repeat("$(", n) + "true" + strings.Repeat(")", n),
	} {
		_, err := Parse(script)
		if err == nil || !strings.Contains(err.Error(), "levels of subshells") {
			t.Errorf("Parse(%q…) = %v, want the nesting error", script[:10], err)
		}
	}
}
