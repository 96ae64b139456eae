package pin

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/dockerfile"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

const digestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

// fakeTarget stands in for the registry: a series moves to patch 6, an
// unpinned OS becomes trixie (alpine3.22 for alpine), the digest is digestA.
func fakeTarget(r Ref) Target {
	t, err := baseimage.ParseTag(r.Tag)
	if err != nil || t.Windows() {
		return Target{Tag: r.Tag, Digest: digestA}
	}
	if !t.HasPatch {
		t.Version += ".6"
		t.Patch, t.HasPatch = 6, true
	}
	if t.OS == "" {
		t.OS = "trixie"
		if t.Variant == baseimage.VariantAlpine {
			t.OS, t.Variant = "alpine3.22", baseimage.VariantAlpine
		}
	}
	return Target{Tag: t.String(), Digest: digestA}
}

func rewrite(t *testing.T, name string, src []byte) []byte {
	t.Helper()
	refs, err := Find(name, src)
	if err != nil {
		t.Fatalf("Find(%s) = %v", name, err)
	}
	var changes []Change
	for _, r := range refs {
		if r.Skip != "" {
			t.Logf("%s:%d skipped: %s", name, r.Line, r.Skip)
			continue
		}
		changes = append(changes, Change{Ref: r, Target: fakeTarget(r)})
	}
	out, err := Apply(src, refs, changes)
	if err != nil {
		t.Fatalf("Apply(%s) = %v", name, err)
	}
	// The rewritten file parses, and every FROM now expands to its target.
	after, err := Find(name, out)
	if err != nil {
		t.Fatalf("Find(rewritten %s) = %v", name, err)
	}
	want := map[int]string{}
	for _, c := range changes {
		want[c.Ref.Line] = c.Target.Image(c.Ref.Repo)
	}
	for _, r := range after {
		if w, ok := want[r.Line]; ok && r.Image != w {
			t.Errorf("rewritten %s:%d expands to %q, want %q", name, r.Line, r.Image, w)
		}
	}
	return out
}

func TestApplyGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.Dockerfile")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := rewrite(t, name, src)
			diff := Diff(name, src, got)
			golden := strings.TrimSuffix(path, ".Dockerfile") + ".golden"
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden+".diff", []byte(diff), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("Apply(%s) =\n%s\nwant\n%s", name, got, want)
			}
			wantDiff, _ := os.ReadFile(golden + ".diff")
			if diff != string(wantDiff) {
				t.Errorf("Diff(%s) =\n%s\nwant\n%s", name, diff, wantDiff)
			}
			// The same file with CRLF line endings gives the same result
			// with CRLF line endings.
			crlf := bytes.ReplaceAll(src, []byte("\n"), []byte("\r\n"))
			if got := rewrite(t, name, crlf); !bytes.Equal(got, bytes.ReplaceAll(want, []byte("\n"), []byte("\r\n"))) {
				t.Errorf("Apply(%s with CRLF) =\n%q\nwant CRLF of\n%q", name, got, want)
			}
		})
	}
}

// TestApplyTouchesOnlyReferences checks that removing the rewritten
// references from input and output leaves identical bytes.
func TestApplyTouchesOnlyReferences(t *testing.T) {
	src := []byte("# c\r\nFROM  python:3.12-slim \t AS  x \r\n\tRUN  echo 'FROM python:3.12'\r\n")
	got := rewrite(t, "x", src)
	want := "# c\r\nFROM  python:3.12.6-slim-trixie@" + digestA + " \t AS  x \r\n\tRUN  echo 'FROM python:3.12'\r\n"
	if string(got) != want {
		t.Errorf("Apply = %q, want %q", got, want)
	}
}

func TestFind(t *testing.T) {
	src, err := os.ReadFile("testdata/args.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	refs, err := Find("args.Dockerfile", src)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		line                      int
		written, image, repo, tag string
	}{
		{7, "python:${PY}-slim", "python:3.12-slim", "python", "3.12-slim"},
		{8, "$BASE", "python:3.13-slim", "python", "3.13-slim"},
		{9, "${REGISTRY}/python:3.12", "docker.io/library/python:3.12", "docker.io/library/python", "3.12"},
		{10, "python:$PY", "python:3.12", "python", "3.12"},
		{11, "python:${TAG}", "python:3.12-alpine", "python", "3.12-alpine"},
	}
	if len(refs) != len(want) {
		t.Fatalf("Find = %d refs, want %d: %+v", len(refs), len(want), refs)
	}
	for i, w := range want {
		r := refs[i]
		if r.Line != w.line || r.Written != w.written || r.Image != w.image || r.Repo != w.repo || r.Tag != w.tag || r.Skip != "" {
			t.Errorf("Find[%d] = line %d %q → %q (%q, %q) skip %q, want line %d %q → %q (%q, %q)", i, r.Line, r.Written, r.Image, r.Repo, r.Tag, r.Skip, w.line, w.written, w.image, w.repo, w.tag)
		}
	}
}

func TestApplyErrors(t *testing.T) {
	tests := []struct {
		name, src string
		target    func(Ref) Target
		want      string
	}{
		{
			"ARG needs two values",
			"ARG PY=3.12\nFROM python:${PY}-slim\nFROM python:${PY}-alpine\n",
			func(r Ref) Target {
				if strings.HasSuffix(r.Tag, "alpine") {
					return Target{Tag: "3.12.5-alpine3.22", Digest: digestA}
				}
				return Target{Tag: "3.12.6-slim-trixie", Digest: digestA}
			},
			"two values",
		},
		{
			"variable in the middle of the tag",
			"ARG V=slim\nFROM python:3.12-${V}\n",
			fakeTarget,
			"other than the version",
		},
		{
			"repository change under a variable",
			"ARG R=docker.io/library\nFROM ${R}/python:3.12\n",
			func(r Ref) Target {
				return Target{Repo: "127.0.0.1:5000/python", Tag: "3.12.6-trixie", Digest: digestA}
			},
			"cannot change the repository",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			refs, err := Find("Dockerfile", []byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			var cs []Change
			for _, r := range refs {
				cs = append(cs, Change{Ref: r, Target: tc.target(r)})
			}
			_, err = Apply([]byte(tc.src), refs, cs)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Apply(%q) error = %v, want it to mention %q", tc.src, err, tc.want)
			}
		})
	}
}

func TestApplyARGUsedByUnchangedFROM(t *testing.T) {
	src := []byte("ARG PY=3.12\nFROM python:${PY}-slim\nFROM python:${PY}-alpine\n")
	refs, err := Find("Dockerfile", src)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Apply(src, refs, []Change{{Ref: refs[0], Target: fakeTarget(refs[0])}})
	if err == nil || !strings.Contains(err.Error(), "unchanged") {
		t.Errorf("Apply changing only line 2 = %v, want an error about line 3", err)
	}
}

func TestApplyRepoChange(t *testing.T) {
	src := []byte("FROM python:3.12-slim AS b\n")
	refs, err := Find("Dockerfile", src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Apply(src, refs, []Change{{Ref: refs[0], Target: Target{Repo: "127.0.0.1:5000/library/python", Tag: "3.12.6-slim-trixie", Digest: digestA}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "FROM 127.0.0.1:5000/library/python:3.12.6-slim-trixie@" + digestA + " AS b\n"; string(got) != want {
		t.Errorf("Apply = %q, want %q", got, want)
	}
}

func TestWriteFileAtomicKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(p, []byte("old"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("Dockerfile", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("after WriteFile the target holds %q, want %q", b, "new")
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("WriteFile replaced the symbolic link")
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode after WriteFile = %v, want 0640", fi.Mode().Perm())
	}
	if es, _ := os.ReadDir(dir); len(es) != 2 {
		t.Errorf("WriteFile left %d entries in the directory, want 2", len(es))
	}
}

func TestDiff(t *testing.T) {
	old := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl\n"
	new := strings.Replace(strings.Replace(old, "b\n", "B\n", 1), "k\n", "K\n", 1)
	got := Diff("f", []byte(old), []byte(new))
	want := `--- a/f
+++ b/f
@@ -1,5 +1,5 @@
 a
-b
+B
 c
 d
 e
@@ -8,5 +8,5 @@
 h
 i
 j
-k
+K
 l
`
	if got != want {
		t.Errorf("Diff =\n%s\nwant\n%s", got, want)
	}
	if d := Diff("f", []byte(old), []byte(old)); d != "" {
		t.Errorf("Diff of equal inputs = %q, want \"\"", d)
	}
}

func TestFindRefusesInvalidReferences(t *testing.T) {
	for _, src := range []string{
		"FROM python:3.12-slim@sha256:zzzz\n",
		"FROM ../../etc/passwd:latest\n",
		"FROM http://evil.example/x\n",
		"ARG X=\"py\x00thon\"\nFROM ${X}:3\n",
	} {
		_, err := Find("Dockerfile", []byte(src))
		if err == nil || !errors.Is(err, dockerfile.ErrInvalidReference) || !strings.Contains(err.Error(), "Dockerfile:") {
			t.Errorf("Find(%q) = %v, want an ErrInvalidReference naming Dockerfile:line", src, err)
		}
	}
}

func TestWriteFileRemovesStaleTemporaries(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(p, []byte("FROM a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, ".Dockerfile.pyimg-123")
	fresh := filepath.Join(dir, ".Dockerfile.pyimg-456")
	other := filepath.Join(dir, ".Other.pyimg-789")
	for _, f := range []string{stale, fresh, other} {
		if err := os.WriteFile(f, []byte("torn"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-time.Hour)
	for _, f := range []string{stale, other} {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteFile(p, []byte("FROM b\n")); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]bool{stale: false, fresh: true, other: true} {
		if _, err := os.Stat(f); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", filepath.Base(f), err == nil, want)
		}
	}
}
