package lint

import (
	"strings"
	"testing"
)

// FuzzParseConfig feeds arbitrary TOML to the lint configuration reader,
// as .pyimg.toml and as pyproject.toml: errors name the file; no panics,
// no stack overflow on deep nesting.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("[lint]\nignore = [\"PY101\"]\nfail-on = \"warning\"\n"))
	f.Add([]byte("[tool.pyimg.lint]\nseverity = {PY104 = \"error\"}\n"))
	f.Add([]byte("[lint]\nx = " + strings.Repeat("[", 100) + strings.Repeat("]", 100)))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{".pyimg.toml", "pyproject.toml"} {
			if _, _, err := ParseConfig(name, data); err != nil && !strings.Contains(err.Error(), name) {
				t.Errorf("ParseConfig(%s) = %v: the error does not name the file", name, err)
			}
		}
	})
}
