package check

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/internal/indextest"
	"github.com/pyimg/pyimg/internal/wheeltest"
	"github.com/pyimg/pyimg/project"
	"github.com/pyimg/pyimg/pypi"
)

// TestMuslVerdictAsksTheIndex: a Pipfile.lock has hashes but no file
// names, so the files come from the package index, narrowed to the lock's
// hashes: a manylinux-only package is impossible on Alpine, a pure one is
// fine.
func TestMuslVerdictAsksTheIndex(t *testing.T) {
	t.Parallel()
	wheels := t.TempDir()
	sha := func(p string) string {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := sha256.Sum256(b)
		return hex.EncodeToString(s[:])
	}
	pure, err := wheeltest.Pure(wheels, wheeltest.Spec{Name: "purelib", Version: "1.0", Files: map[string]string{"purelib/__init__.py": ""}})
	if err != nil {
		t.Fatal(err)
	}
	glibc, err := wheeltest.Pure(wheels, wheeltest.Spec{Name: "fastext", Version: "2.0", Tag: "cp313-cp313-manylinux_2_17_x86_64", Files: map[string]string{"fastext/__init__.py": ""}})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := indextest.New(wheels)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	lock := fmt.Sprintf(`{"_meta": {"requires": {"python_version": "3.13"}, "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": true}]},
"default": {
  "purelib": {"hashes": ["sha256:%s"], "version": "==1.0"},
  "fastext": {"hashes": ["sha256:%s"], "version": "==2.0"}
}, "develop": {}}`, sha(pure), sha(glibc))
	files := map[string]string{
		"Pipfile":      "[packages]\npurelib = \"==1.0\"\nfastext = \"==2.0\"\n\n[requires]\npython_version = \"3.13\"\n",
		"Pipfile.lock": lock,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Detect(dir)
	if err != nil {
		t.Fatal(err)
	}
	client, err := pypi.NewClient(pypi.WithIndexURL(srv.IndexURL()), pypi.WithCacheDir(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	o := options{knowledge: baseimage.Embedded()}
	// Without an index the files are unknown.
	v, ok, err := fromFeasibility(context.Background(), p, "3.13", o)
	if err != nil || !ok || v.Verdict != MuslUnknown {
		t.Fatalf("without an index: %+v, %v, %v; want unknown", v, ok, err)
	}
	o.index = client
	v, ok, err = fromFeasibility(context.Background(), p, "3.13", o)
	if err != nil || !ok {
		t.Fatalf("fromFeasibility() = %v, %v", ok, err)
	}
	got := map[string]string{}
	for _, m := range v.Packages {
		got[m.Name] = m.Status
	}
	if v.Verdict != MuslInfeasible || got["purelib"] != StatusPure || got["fastext"] != StatusImpossible {
		t.Errorf("verdict %s, packages %v; want infeasible with purelib pure and fastext impossible (manylinux only)", v.Verdict, got)
	}
}
