package tomlguard

import (
	"errors"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestCheck(t *testing.T) {
	deep := "a = " + strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1) + "\n"
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"pyproject", "[project]\nname = \"x\"\ndependencies = [\"a[b]>=1\", {x = [1, [2]]}]\n[tool.pyimg.lint]\nignore = [\"PY101\"]\n", ""},
		{"brackets in strings", "a = \"[[[[\"\nb = '{{{{'\nc = \"\"\"\n[[[[\n\"\"\"\nd = '''{{{{'''\n", ""},
		{"brackets in comments", "# " + strings.Repeat("[", 1000) + "\na = 1\n", ""},
		{"escaped quote", `a = "\"[[[" ` + "\nb = 1\n", ""},
		{"at the limit", "a = " + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + "\n", ""},
		{"deep arrays", "x = 1\n" + deep, "f.toml:2: arrays and tables nest more than 64 levels deep"},
		{"deep inline tables", "a = " + strings.Repeat("{b=", 200) + "1" + strings.Repeat("}", 200), "f.toml:1:"},
		{"multi-line string then deep", "s = \"\"\"\n\n\"\"\"\n" + deep, "f.toml:4:"},
	} {
		err := Check("f.toml", []byte(tc.doc))
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s: Check = %v, want nil", tc.name, err)
			}
			if _, perr := toml.Decode(tc.doc, new(map[string]any)); perr != nil {
				t.Errorf("%s: test document does not parse: %v", tc.name, perr)
			}
			continue
		}
		if err == nil || !errors.Is(err, ErrTooDeep) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Check = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func FuzzCheck(f *testing.F) {
	f.Add([]byte("[a]\nb = [1, {c = \"]\"}]\n"))
	f.Add([]byte("s = '''x'''\n# [\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if Check("f", b) != nil {
			return
		}
		// Whatever passes must not crash the parser.
		_, _ = toml.Decode(string(b), new(map[string]any))
	})
}
