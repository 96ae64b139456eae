package osv

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/vuln/osv/osvtest"
)

func TestParseExamples(t *testing.T) {
	t.Parallel()
	var got []*Record
	if err := ReadPath(context.Background(), "testdata", func(r *Record) error { got = append(got, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("read %d records, want 2", len(got))
	}
	dsa, pysec := got[0], got[1]
	if dsa.ID != "DSA-3029-1" || dsa.Affected[0].Package.Ecosystem != "Debian:7" || dsa.Affected[0].Ranges[0].Events[1].Fixed != "1.2.1-2.2+wheezy3" {
		t.Errorf("DSA-3029-1 parsed as %+v", dsa)
	}
	if dsa.Aliases[0] != "CVE-2014-3616" {
		t.Errorf("DSA aliases = %v", dsa.Aliases)
	}
	if pysec.ID != "PYSEC-2023-74" || len(pysec.Affected[0].Ranges) != 2 || pysec.Affected[0].Ranges[0].Type != RangeGit || len(pysec.Affected[0].Versions) == 0 {
		t.Errorf("PYSEC-2023-74 parsed as %+v", pysec)
	}
	if pysec.Published == nil || pysec.Modified.IsZero() {
		t.Errorf("PYSEC-2023-74 dates missing")
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, in, want string }{
		{"empty", ``, "not a JSON object"},
		{"array", `[1,2]`, "not a JSON object"},
		{"garbage", `{"id": "X", "modified": `, "unexpected end"},
		{"no id", `{"modified": "2024-01-01T00:00:00Z"}`, "missing id"},
		{"no modified", `{"id": "X-1"}`, "missing modified"},
		{"bad date", `{"id": "X-1", "modified": "yesterday"}`, "cannot parse"},
		{"no ecosystem", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"name": "a"}}]}`, "no ecosystem"},
		{"bad range type", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"type": "RANGE", "events": [{"introduced": "0"}]}]}]}`, `unknown type "RANGE"`},
		{"two keys in event", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1"}]}]}]}`, "exactly one"},
		{"no events", `{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"}, "ranges": [{"type": "ECOSYSTEM"}]}]}`, "no events"},
		{"wrong type", `{"id": 5, "modified": "2024-01-01T00:00:00Z"}`, "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.in))
			if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse(%q) = %v, want ErrInvalid containing %q", tc.in, err, tc.want)
			}
		})
	}
}

func TestReadZipNamesMember(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "all.zip")
	osvtest.WriteZip(t, p, map[string]string{
		"A-1.json":   `{"id": "A-1", "modified": "2024-01-01T00:00:00Z"}`,
		"README":     `not json, skipped`,
		"BAD-2.json": `{"id": "BAD-2", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"name": "x"}}]}`,
	})
	var ids []string
	err := ReadPath(context.Background(), p, func(r *Record) error { ids = append(ids, r.ID); return nil })
	var oe *Error
	if !errors.As(err, &oe) || oe.File != p || oe.Member != "BAD-2.json" || !strings.Contains(err.Error(), "all.zip: BAD-2.json: ") {
		t.Fatalf("ReadPath = %v, want an *Error naming all.zip and BAD-2.json", err)
	}
	if len(ids) != 1 || ids[0] != "A-1" {
		t.Errorf("records before the bad one = %v, want [A-1]", ids)
	}

	bad := filepath.Join(dir, "truncated.zip")
	data, _ := os.ReadFile(p)
	os.WriteFile(bad, data[:len(data)/2], 0o644)
	err = ReadPath(context.Background(), bad, func(*Record) error { return nil })
	if !errors.As(err, &oe) || oe.File != bad {
		t.Errorf("ReadPath(truncated zip) = %v, want *Error naming the file", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/DSA-3029-1.json", "testdata/PYSEC-2023-74.json"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"id":"X","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"a"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1"}]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse error %v does not wrap ErrInvalid", err)
			}
			return
		}
		if r.ID == "" || r.Modified.IsZero() {
			t.Fatalf("Parse accepted a record without id or modified: %+v", r)
		}
		for _, a := range r.Affected {
			for _, rg := range a.Ranges {
				for _, e := range rg.Events {
					if e.count() != 1 {
						t.Fatalf("accepted event %+v", e)
					}
				}
			}
		}
	})
}
