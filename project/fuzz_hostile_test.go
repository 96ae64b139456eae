package project

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzDetectPyproject writes arbitrary bytes as pyproject.toml and detects
// the project: errors are fine, panics and unbounded recursion are not.
func FuzzDetectPyproject(f *testing.F) {
	f.Add([]byte("[project]\nname = \"app\"\nrequires-python = \">=3.11\"\ndependencies = [\"flask>=3\"]\n"))
	f.Add([]byte("[tool.poetry.dependencies]\npython = \"^3.12\"\n"))
	f.Add([]byte("x = " + strings.Repeat("[", 80) + strings.Repeat("]", 80)))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "pyproject.toml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _ = Detect(dir)
	})
}

// FuzzParseSpecifierHostile parses arbitrary PEP 440 specifier sets.
func FuzzParseSpecifierHostile(f *testing.F) {
	for _, s := range []string{">=3.11", "~=3.12.1,!=3.12.4", "==3.*", "<4,>=3.9", strings.Repeat(">=1,", 1000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { _, _ = ParseSpecifier(s) })
}
