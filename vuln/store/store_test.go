package store

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyimg/pyimg/vuln/osv/osvtest"
)

var clock = WithClock(func() time.Time { return time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC) })

func rec(id, eco, name, fixed string, extra string) string {
	return fmt.Sprintf(`{"id": %q, "modified": "2024-05-01T00:00:00Z"%s, "affected": [{"package": {"ecosystem": %q, "name": %q}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": %q}]}]}]}`, id, extra, eco, name, fixed)
}

func ids(t *testing.T, db *DB, eco, name string) []string {
	t.Helper()
	recs, err := db.Lookup(eco, name)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range recs {
		out = append(out, r.ID)
	}
	return out
}

func open(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestBuildLookupStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	z := osvtest.WriteZip(t, filepath.Join(dir, "all.zip"), map[string]string{
		"DSA-1.json":   rec("DSA-1", "Debian:12", "openssl", "3.0.15-1~deb12u1", `, "aliases": ["CVE-2024-1"]`),
		"DSA-2.json":   rec("DSA-2", "Debian:11", "openssl", "1.1.1w-0+deb11u2", ""),
		"PYSEC-1.json": rec("PYSEC-1", "PyPI", "Zope.Interface", "5.0", ""),
		"GONE-1.json":  rec("GONE-1", "PyPI", "zope-interface", "6.0", `, "withdrawn": "2024-06-01T00:00:00Z"`),
	})
	db := filepath.Join(dir, "cache", "osv.db")
	st, err := Build(context.Background(), db, []Input{{Path: z, Origin: "test"}}, clock)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 3 || st.Withdrawn != 1 || st.Total != 3 {
		t.Errorf("Build stats = %+v, want 3 records, 1 withdrawn", st)
	}
	d := open(t, db)
	if got := ids(t, d, "Debian", "openssl"); !slices.Equal(got, []string{"DSA-1", "DSA-2"}) {
		t.Errorf("Lookup(Debian, openssl) = %v", got)
	}
	for _, name := range []string{"zope.interface", "zope_interface", "ZOPE-interface"} {
		if got := ids(t, d, "PyPI", name); !slices.Equal(got, []string{"PYSEC-1"}) {
			t.Errorf("Lookup(PyPI, %s) = %v, want [PYSEC-1] (PEP 503, withdrawn dropped)", name, got)
		}
	}
	if got := ids(t, d, "Debian", "openssl-extra"); len(got) != 0 {
		t.Errorf("prefix leak: Lookup(openssl-extra) = %v", got)
	}
	s, err := d.Status()
	if err != nil {
		t.Fatal(err)
	}
	if s.Counts["Debian"] != 2 || s.Counts["PyPI"] != 1 || s.Records != 3 || !s.Built.Equal(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)) || !slices.Equal(s.Sources, []string{"test"}) {
		t.Errorf("Status = %+v", s)
	}
}

// A failed import must leave the previous database usable and unchanged.
func TestFailedImportKeepsPreviousDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := osvtest.WriteZip(t, filepath.Join(dir, "good.zip"), map[string]string{"DSA-1.json": rec("DSA-1", "Debian:12", "openssl", "3.0.15-1~deb12u1", "")})
	corrupt := osvtest.WriteZip(t, filepath.Join(dir, "corrupt.zip"), map[string]string{
		"DSA-2.json": rec("DSA-2", "Debian:12", "glibc", "2.36-9+deb12u9", ""),
		"DSA-3.json": `{"id": "DSA-3", "modified": "not a date"}`,
	})
	db := filepath.Join(dir, "osv.db")
	if _, err := Build(context.Background(), db, []Input{{Path: good}}, clock); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(db)
	_, err := Build(context.Background(), db, []Input{{Path: corrupt}}, WithMerge(true))
	if err == nil || !strings.Contains(err.Error(), "corrupt.zip: DSA-3.json") {
		t.Fatalf("Build(corrupt) = %v, want an error naming corrupt.zip: DSA-3.json", err)
	}
	// A zip cut short (an interrupted download).
	data, _ := os.ReadFile(good)
	os.WriteFile(filepath.Join(dir, "short.zip"), data[:len(data)-30], 0o644)
	if _, err := Build(context.Background(), db, []Input{{Path: filepath.Join(dir, "short.zip")}}); err == nil {
		t.Fatal("Build(truncated zip) succeeded")
	}
	after, _ := os.ReadFile(db)
	if string(before) != string(after) {
		t.Error("database file changed after failed imports")
	}
	d := open(t, db)
	if got := ids(t, d, "Debian", "openssl"); !slices.Equal(got, []string{"DSA-1"}) {
		t.Errorf("after failed import, Lookup = %v, want [DSA-1]", got)
	}
	if got := ids(t, d, "Debian", "glibc"); len(got) != 0 {
		t.Errorf("records of the failed import leaked: %v", got)
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".*tmp"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestMergeReplacesByID(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := filepath.Join(dir, "osv.db")
	d1 := filepath.Join(dir, "one")
	os.MkdirAll(filepath.Join(d1, "sub"), 0o755)
	os.WriteFile(filepath.Join(d1, "sub", "A-1.json"), []byte(rec("A-1", "PyPI", "old-name", "1.0", "")), 0o644)
	os.WriteFile(filepath.Join(d1, "B-1.json"), []byte(rec("B-1", "Alpine:v3.20", "openssl", "3.3.2-r0", "")), 0o644)
	if _, err := Build(context.Background(), db, []Input{{Path: d1}}); err != nil {
		t.Fatal(err)
	}
	single := filepath.Join(dir, "A-1.json")
	os.WriteFile(single, []byte(strings.Replace(rec("A-1", "PyPI", "new-name", "2.0", ""), "2024-05-01", "2024-06-01", 1)), 0o644)
	st, err := Build(context.Background(), db, []Input{{Path: single}}, WithMerge(true))
	if err != nil {
		t.Fatal(err)
	}
	if st.Replaced != 1 || st.Total != 2 {
		t.Errorf("stats = %+v, want 1 replaced, 2 total", st)
	}
	d := open(t, db)
	if got := ids(t, d, "PyPI", "old-name"); len(got) != 0 {
		t.Errorf("replaced record still indexed under its old package: %v", got)
	}
	if got := ids(t, d, "PyPI", "new-name"); !slices.Equal(got, []string{"A-1"}) {
		t.Errorf("Lookup(new-name) = %v", got)
	}
	if got := ids(t, d, "Alpine", "openssl"); !slices.Equal(got, []string{"B-1"}) {
		t.Errorf("merge lost B-1: %v", got)
	}
	s, _ := d.Status()
	if len(s.Sources) != 2 {
		t.Errorf("sources = %v, want both inputs", s.Sources)
	}
}

func TestOpenMissing(t *testing.T) {
	t.Parallel()
	_, err := Open(filepath.Join(t.TempDir(), "nope.db"))
	if !errors.Is(err, ErrNoDatabase) {
		t.Errorf("Open(missing) = %v, want ErrNoDatabase", err)
	}
}

func TestDefaultPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"PYIMG_DB": "/x/db", "XDG_CACHE_HOME": "/c", "HOME": "/h"}, "/x/db"},
		{map[string]string{"XDG_CACHE_HOME": "/c", "HOME": "/h"}, "/c/pyimg/osv.db"},
		{map[string]string{"XDG_CACHE_HOME": "relative", "HOME": "/h"}, "/h/.cache/pyimg/osv.db"},
		{map[string]string{"HOME": "/h"}, "/h/.cache/pyimg/osv.db"},
	} {
		got, err := DefaultPath(func(k string) string { return tc.env[k] })
		if err != nil || got != tc.want {
			t.Errorf("DefaultPath(%v) = %q, %v; want %q", tc.env, got, err, tc.want)
		}
	}
}

func TestUpdateOverHTTP(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zips := map[string]string{
		"/osv/Debian/all.zip": osvtest.WriteZip(t, filepath.Join(dir, "d.zip"), map[string]string{"DSA-1.json": rec("DSA-1", "Debian:12", "openssl", "3.0.15-1~deb12u1", "")}),
		"/osv/Alpine/all.zip": osvtest.WriteZip(t, filepath.Join(dir, "a.zip"), map[string]string{"ALPINE-1.json": rec("ALPINE-1", "Alpine:v3.20", "openssl", "3.3.2-r0", "")}),
		"/osv/PyPI/all.zip":   osvtest.WriteZip(t, filepath.Join(dir, "p.zip"), map[string]string{"PYSEC-1.json": rec("PYSEC-1", "PyPI", "requests", "2.31.0", "")}),
	}
	var fail bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail && r.URL.Path == "/osv/PyPI/all.zip" {
			http.Error(w, "nope", http.StatusServiceUnavailable)
			return
		}
		p, ok := zips[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, p)
	}))
	defer srv.Close()
	db := filepath.Join(dir, "cache", "osv.db")
	st, err := Update(context.Background(), db, srv.URL+"/osv/", WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 3 {
		t.Errorf("Update stats = %+v, want 3 records", st)
	}
	d := open(t, db)
	s, _ := d.Status()
	if s.Counts["Debian"] != 1 || s.Counts["Alpine"] != 1 || s.Counts["PyPI"] != 1 || len(s.Sources) != 3 || !strings.HasPrefix(s.Sources[0], srv.URL) {
		t.Errorf("Status after update = %+v", s)
	}
	d.Close()

	fail = true
	_, err = Update(context.Background(), db, srv.URL+"/osv")
	if !errors.Is(err, ErrDownload) || !strings.Contains(err.Error(), "503") {
		t.Errorf("Update with a failing server = %v, want ErrDownload with the status", err)
	}
	_, err = Update(context.Background(), db, "http://127.0.0.1:1")
	if !errors.Is(err, ErrDownload) {
		t.Errorf("Update offline = %v, want ErrDownload", err)
	}
	d = open(t, db)
	if got := ids(t, d, "PyPI", "requests"); !slices.Equal(got, []string{"PYSEC-1"}) {
		t.Errorf("after failed updates Lookup = %v, want the previous data", got)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "cache", ".*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
