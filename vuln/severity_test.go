package vuln

import (
	"encoding/json"
	"testing"

	"github.com/pyimg/pyimg/report"
	"github.com/pyimg/pyimg/vuln/osv"
)

func TestRate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		rec   osv.Record
		want  Severity
		score float64
	}{
		{"cvss 3.1 critical", osv.Record{Severity: []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}}, SeverityCritical, 9.8},
		{"cvss 3.1 low", osv.Record{Severity: []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N"}}}, SeverityLow, 3.1},
		{"cvss 3.0 medium", osv.Record{Severity: []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N"}}}, SeverityMedium, 5.9},
		{"cvss 3.1 scope changed", osv.Record{Severity: []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"}}}, SeverityMedium, 6.1},
		{"cvss 4.0", osv.Record{Severity: []osv.Severity{{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}}}, SeverityCritical, 9.3},
		{"highest of several", osv.Record{Severity: []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:N/A:N"}, {Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}}}, SeverityHigh, 7.5},
		{"affected-level vector", osv.Record{Affected: []osv.Affected{{Severity: []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}}}}}, SeverityHigh, 7.5},
		{"ghsa label", osv.Record{DatabaseSpecific: json.RawMessage(`{"severity": "MODERATE", "cwe_ids": []}`)}, SeverityMedium, 0},
		{"ecosystem_specific label", osv.Record{Affected: []osv.Affected{{EcosystemSpecific: json.RawMessage(`{"severity": "HIGH"}`)}}}, SeverityHigh, 0},
		{"ubuntu priority", osv.Record{Severity: []osv.Severity{{Type: "Ubuntu", Score: "low"}}}, SeverityLow, 0},
		{"bad vector falls back to label", osv.Record{Severity: []osv.Severity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:X"}}, DatabaseSpecific: json.RawMessage(`{"severity": "CRITICAL"}`)}, SeverityCritical, 0},
		{"debian: nothing", osv.Record{}, SeverityUnknown, 0},
		{"non-string label", osv.Record{DatabaseSpecific: json.RawMessage(`{"severity": 3}`)}, SeverityUnknown, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Rate(&tc.rec)
			if got.Severity != tc.want || got.Score != tc.score {
				t.Errorf("Rate = %+v, want %s %.1f", got, tc.want, tc.score)
			}
		})
	}
}

func TestSeverityNames(t *testing.T) {
	t.Parallel()
	for s := SeverityUnknown; s <= SeverityCritical; s++ {
		got, err := ParseSeverity(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseSeverity("urgent"); err == nil {
		t.Error("ParseSeverity(urgent) succeeded")
	}
	for s, want := range map[Severity]report.Severity{SeverityCritical: report.SeverityError, SeverityHigh: report.SeverityError, SeverityMedium: report.SeverityWarning, SeverityLow: report.SeverityInfo, SeverityUnknown: report.SeverityInfo} {
		if got := s.Report(); got != want {
			t.Errorf("%s.Report() = %s, want %s", s, got, want)
		}
	}
}
