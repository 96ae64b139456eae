package baseimage

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRecommend(t *testing.T) {
	k := Embedded()
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	below314 := func(s string) bool { return compareSeries(s, "3.14") < 0 }
	registryTags := []string{"3.13.1-slim-trixie", "3.13.0-slim-trixie", "3.12.6-slim-bookworm", "3.13.1-trixie", "3.13.1-alpine3.22", "3.14.0rc1-slim-trixie", "3.12.6-slim-trixie"}
	tests := []struct {
		name          string
		in            RecommendInput
		build, run    string
		reasonSubstrs []string
	}{
		{"prod offline picks the newest mature series", RecommendInput{Now: now}, "3.14.7-slim-trixie", "3.14.7-slim-trixie", []string{"registry not consulted", "why not 3.15: scheduled for 2026-10-01, after pyimg's data (as of 2026-08-22)", "pyimg data update", "why not 3.16: not released yet", "why not alpine"}},
		{"before 3.15's scheduled date it is not released", RecommendInput{Now: day("2026-09-01")}, "3.14.7-slim-trixie", "3.14.7-slim-trixie", []string{"why not 3.15: not released yet"}},
		{"requires-python caps the series", RecommendInput{Now: now, Allows: below314, RequiresPython: "<3.14"}, "3.13.15-slim-trixie", "3.13.15-slim-trixie", []string{"excluded by requires-python <3.14"}},
		{".python-version pins", RecommendInput{Now: now, Series: "3.12"}, "3.12.14-slim-trixie", "3.12.14-slim-trixie", []string{".python-version pins 3.12"}},
		{"dev uses the full image", RecommendInput{Now: now, Stage: StageDev}, "3.14.7-trixie", "3.14.7-trixie", nil},
		{"ai builds full, runs slim", RecommendInput{Now: now, Stage: StageAI}, "3.14.7-trixie", "3.14.7-slim-trixie", nil},
		{"policy prefers bookworm", RecommendInput{Now: now, Policy: Policy{PreferredOS: "bookworm"}}, "3.14.7-slim-bookworm", "3.14.7-slim-bookworm", []string{"policy prefers bookworm"}},
		{"registry tags limit the choice", RecommendInput{Now: now, Tags: registryTags}, "3.13.1-slim-trixie", "3.13.1-slim-trixie", []string{"why not 3.14 on trixie", "tags checked against"}},
		{"musl", RecommendInput{Now: now, Libc: LibcMusl, Tags: registryTags}, "3.13.1-alpine3.22", "3.13.1-alpine3.22", []string{"musl requested"}},
		{"min support rules out a short-lived series", RecommendInput{Now: now, Series: "", Allows: func(s string) bool { return s == "3.12" || s == "3.11" }, Policy: Policy{MinSupport: SupportDays(365)}}, "3.12.14-slim-trixie", "3.12.14-slim-trixie", []string{"why not 3.11"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := k.Recommend(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Build.Tag != tc.build || rec.Runtime.Tag != tc.run {
				t.Errorf("Recommend = build %s, runtime %s; want %s, %s\nreasons:\n%s", rec.Build.Tag, rec.Runtime.Tag, tc.build, tc.run, strings.Join(rec.Reasons, "\n"))
			}
			all := strings.Join(rec.Reasons, "\n")
			for _, s := range tc.reasonSubstrs {
				if !strings.Contains(all, s) {
					t.Errorf("Recommend reasons lack %q:\n%s", s, all)
				}
			}
			if !rec.Python.Supported() {
				t.Errorf("Recommend chose %s with status %v", rec.Series.Version, rec.Python)
			}
		})
	}
}

func TestRecommendRefuses(t *testing.T) {
	k := Embedded()
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for name, in := range map[string]RecommendInput{
		"EOL .python-version": {Now: now, Series: "3.8"},
		"nothing allowed":     {Now: now, Allows: func(string) bool { return false }},
		"musl for ai":         {Now: now, Stage: StageAI, Libc: LibcMusl},
		"no tag in registry":  {Now: now, Tags: []string{"3.8.20-slim-bookworm"}},
	} {
		if _, err := k.Recommend(in); !errors.Is(err, ErrNoCandidate) {
			t.Errorf("Recommend(%s) = %v, want ErrNoCandidate", name, err)
		}
	}
}
