package analyze

import (
	"strings"
	"testing"

	"github.com/pyimg/pyimg/native"
)

func TestNativeFindings(t *testing.T) {
	ext := "/opt/venv/lib/python3.12/site-packages/pq/_pq.cpython-312-x86_64-linux-gnu.so"
	tests := []struct {
		name  string
		res   *native.Result
		rules []string
		want  string // substring of the first finding's message
	}{
		{"nothing", &native.Result{GlibcRequired: "2.17", GlibcAvailable: "2.36"}, nil, ""},
		{"missing", &native.Result{Missing: []native.Missing{{Soname: "libpq.so.5", NeededBy: []string{ext}, Extensions: []string{ext},
			Distributions: []string{"pq==1.0"}, Providers: []native.Provider{{Package: "libpq5", Manager: "apt"}}}}},
			[]string{RuleMissingLib}, "libpq.so.5 is needed by " + ext + " (pq==1.0)"},
		{"glibc too old", &native.Result{GlibcRequired: "2.39", GlibcRequiredBy: ext, GlibcAvailable: "2.36",
			VersionGaps: []native.VersionGap{{Path: ext, Library: "/usr/lib/x86_64-linux-gnu/libc.so.6", Version: "GLIBC_2.39"}}},
			[]string{RuleGlibcTooOld}, "requires GLIBC_2.39"},
		{"libstdc++ too old", &native.Result{GlibcRequired: "2.17", GlibcAvailable: "2.36",
			VersionGaps: []native.VersionGap{{Path: ext, Library: "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", Version: "GLIBCXX_3.4.32"}}},
			[]string{RuleGlibcTooOld}, "GLIBCXX_3.4.32"},
		{"musl on glibc", &native.Result{Mismatches: []native.Mismatch{{Path: ext, ObjectLibc: "musl", ImageLibc: "glibc", Reason: "linked against musl"}}},
			[]string{RuleLibcMismatch}, "linked against musl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := NativeFindings(tc.res)
			if len(got) != len(tc.rules) {
				t.Fatalf("NativeFindings() = %+v, want rules %v", got, tc.rules)
			}
			for i, f := range got {
				if f.Rule != tc.rules[i] || f.Fix == "" {
					t.Errorf("finding %d = %+v, want rule %s with a fix", i, f, tc.rules[i])
				}
			}
			if tc.want != "" && !strings.Contains(got[0].Message, tc.want) {
				t.Errorf("message %q lacks %q", got[0].Message, tc.want)
			}
		})
	}
}
