package store

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/pyimg/pyimg/vuln/osv"
)

func codecRecords(t testing.TB) []*osv.Record {
	var recs []*osv.Record
	if err := osv.ReadPath(context.Background(), "../osv/testdata", func(r *osv.Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	w := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	recs = append(recs, &osv.Record{
		ID: "X-1", Modified: w, Summary: "all fields",
		Severity:         []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}},
		DatabaseSpecific: json.RawMessage(`{"severity":"HIGH"}`),
		Affected: []osv.Affected{{
			Package:  osv.Package{Ecosystem: "Debian:12", Name: "openssl", PURL: "pkg:deb/debian/openssl"},
			Severity: []osv.Severity{{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N"}},
			Ranges: []osv.Range{{Type: osv.RangeEcosystem, Events: []osv.Event{{Introduced: "0"}, {Fixed: "1"}, {LastAffected: "2"}, {Limit: "3"}}},
				{Type: osv.RangeGit, Repo: "https://example.com/r", Events: []osv.Event{{Introduced: "abc"}}}},
			Versions:          []string{"0.9", "1.0~rc1"},
			EcosystemSpecific: json.RawMessage(`{"urgency":"low"}`),
			DatabaseSpecific:  json.RawMessage(`{"source":"x"}`),
		}},
	})
	return recs
}

func TestCodecRoundTrip(t *testing.T) {
	t.Parallel()
	for _, r := range codecRecords(t) {
		want := slimRecord(r, r.Affected)
		got, err := decodeRecord(encodeRecord(want))
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v", r.ID, got, want)
		}
	}
	enc := encodeRecord(slimRecord(codecRecords(t)[2], nil))
	for i := range enc {
		if _, err := decodeRecord(enc[:i]); err == nil {
			t.Errorf("decodeRecord accepted a record cut at %d of %d bytes", i, len(enc))
		}
	}
}

// FuzzDecodeRecord: a corrupt database must give errors, not panics or
// huge allocations.
func FuzzDecodeRecord(f *testing.F) {
	for _, r := range codecRecords(f) {
		f.Add(encodeRecord(slimRecord(r, r.Affected)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := decodeRecord(b)
		if err == nil && r == nil {
			t.Fatal("nil record without error")
		}
	})
}
