package vuln

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseIgnores(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file, data string
		found      bool
		want       []Ignore
		err        string
	}{
		{".pyimg-ignore.yaml", `ignore:
  - id: CVE-2024-1
    reason: not reachable
    expires: 2026-12-31
  - id: GHSA-aaaa-bbbb-cccc
    package: requests
    reason: "vendored copy unused"
`, true, []Ignore{{ID: "CVE-2024-1", Reason: "not reachable", Expires: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}, {ID: "GHSA-aaaa-bbbb-cccc", Package: "requests", Reason: "vendored copy unused"}}, ""},
		{".pyimg-ignore.yaml", ``, true, nil, ""},
		{".pyimg-ignore.yaml", "ignore:\n  - id: CVE-1\n", false, nil, "missing reason"},
		{".pyimg-ignore.yaml", "ignore:\n  - id: CVE-1\n    reason: x\n    until: 2026-01-01\n", false, nil, "field until not found"},
		{".pyimg-ignore.yaml", "ignore:\n  - id: CVE-1\n    reason: x\n    expires: soon\n", false, nil, `expires "soon"`},
		{"pyproject.toml", "[project]\nname = \"x\"\n\n[tool.pyimg.scan]\nignore = [{id = \"CVE-2\", reason = \"r\", expires = \"2027-01-01T00:00:00Z\"}]\n", true, []Ignore{{ID: "CVE-2", Reason: "r", Expires: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}}, ""},
		{"pyproject.toml", "[tool.pyimg.lint]\nignore = [\"PY101\"]\n", false, nil, ""},
		{"pyproject.toml", "[tool.pyimg.scan]\nignores = []\n", false, nil, "unknown key"},
		{".pyimg.toml", "[[scan.ignore]]\nid = \"CVE-3\"\nreason = \"r\"\n", true, []Ignore{{ID: "CVE-3", Reason: "r"}}, ""},
	} {
		ig, found, err := ParseIgnores(tc.file, []byte(tc.data))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), tc.file) {
				t.Errorf("ParseIgnores(%s, %q) = %v, want error with %q naming the file", tc.file, tc.data, err, tc.err)
			}
			continue
		}
		if err != nil || found != tc.found || len(ig.Rules) != len(tc.want) {
			t.Errorf("ParseIgnores(%s, %q) = %+v, %v, %v", tc.file, tc.data, ig, found, err)
			continue
		}
		for i := range tc.want {
			if g, w := ig.Rules[i], tc.want[i]; g.ID != w.ID || g.Package != w.Package || g.Reason != w.Reason || !g.Expires.Equal(w.Expires) {
				t.Errorf("rule %d = %+v, want %+v", i, g, w)
			}
		}
	}
}

func TestLoadIgnoresPrecedence(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pyproject.toml"), []byte("[tool.pyimg.scan]\nignore = [{id = \"CVE-P\", reason = \"r\"}]\n"), 0o644)
	ig, err := LoadIgnores(dir)
	if err != nil || len(ig.Rules) != 1 || ig.Rules[0].ID != "CVE-P" {
		t.Fatalf("LoadIgnores = %+v, %v", ig, err)
	}
	os.WriteFile(filepath.Join(dir, ".pyimg-ignore.yaml"), []byte("ignore:\n  - {id: CVE-Y, reason: r}\n"), 0o644)
	if ig, err = LoadIgnores(dir); err != nil || ig.Rules[0].ID != "CVE-Y" {
		t.Errorf("LoadIgnores with yaml = %+v, %v; want the yaml file first", ig, err)
	}
	if ig, err = LoadIgnores(t.TempDir()); err != nil || len(ig.Rules) != 0 {
		t.Errorf("LoadIgnores(empty dir) = %+v, %v", ig, err)
	}
}

func TestApplyIgnores(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	ms := []Match{
		{ID: "CVE-1", Aliases: []string{"DSA-1"}, Advisories: []string{"DSA-1"}, Package: PackageRef{Name: "libssl3", SourceName: "openssl", Ecosystem: "Debian"}},
		{ID: "CVE-1", Advisories: []string{"DSA-1"}, Package: PackageRef{Name: "libc6", SourceName: "glibc", Ecosystem: "Debian"}},
		{ID: "CVE-2", Aliases: []string{"GHSA-x"}, Package: PackageRef{Name: "requests", Ecosystem: "PyPI"}},
		{ID: "CVE-3", Package: PackageRef{Name: "pip", Ecosystem: "PyPI"}},
	}
	ig := Ignores{Rules: []Ignore{
		{ID: "dsa-1", Package: "openssl", Reason: "source"},
		{ID: "GHSA-x", Reason: "alias", Expires: now.Add(24 * time.Hour)},
		{ID: "CVE-3", Reason: "old", Expires: now},
	}}
	kept, ignored, expired := ig.Apply(ms, now)
	if len(ignored) != 2 || ignored[0].Match.Package.Name != "libssl3" || ignored[1].Reason != "alias" {
		t.Errorf("ignored = %+v", ignored)
	}
	if len(kept) != 2 || kept[0].Package.Name != "libc6" || kept[1].ID != "CVE-3" {
		t.Errorf("kept = %+v, want libc6 (other package) and CVE-3 (expired ignore)", kept)
	}
	if len(expired) != 1 || expired[0].ID != "CVE-3" {
		t.Errorf("expired = %+v", expired)
	}
}

// FuzzParseIgnores feeds arbitrary bytes to the ignore-file reader as YAML,
// .pyimg.toml and pyproject.toml: errors name the file; no panics.
func FuzzParseIgnores(f *testing.F) {
	f.Add([]byte("ignore:\n  - id: CVE-2024-1\n    reason: x\n    expires: 2030-01-01\n"))
	f.Add([]byte("[[scan.ignore]]\nid = \"CVE-2024-1\"\nreason = \"x\"\n"))
	f.Add([]byte("[tool.pyimg.scan]\nignore = [{id = \"GHSA-1\", package = \"requests\"}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{".pyimg-ignore.yaml", ".pyimg.toml", "pyproject.toml"} {
			if _, _, err := ParseIgnores(name, data); err != nil && !strings.Contains(err.Error(), name) {
				t.Errorf("ParseIgnores(%s) = %v: the error does not name the file", name, err)
			}
		}
	})
}
