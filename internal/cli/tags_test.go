package cli

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pyimg/pyimg/baseimage"
)

func TestTags(t *testing.T) {
	repo, digests, faults := pythonRegistry(t)
	faults.Paginate(4)
	r := run(t, []runOpt{withCache(t)}, "tags", "--now", "2026-11-22", repo)
	if r.code != ExitOK {
		t.Fatalf("tags = exit %d\n%s", r.code, r.stderr)
	}
	for _, want := range []string{"3.13", "3.12.6-slim-bookworm", "3.12.6-alpine3.22", "EOL since", "3.8"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("tags output lacks %q:\n%s", want, r.stdout)
		}
	}

	r = run(t, []runOpt{withCache(t)}, "tags", "--python", "3.12", "--variant", "slim", "--os", "bookworm", "--format", "json", "--now", "2026-11-22", repo)
	if r.code != ExitOK {
		t.Fatalf("tags --format json = exit %d\n%s", r.code, r.stderr)
	}
	var got struct {
		Total  int            `json:"total_tags"`
		Groups []tagGroupJSON `json:"groups"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("tags json: %v\n%s", err, r.stdout)
	}
	if got.Total != len(digests) || len(got.Groups) != 1 {
		t.Fatalf("tags --python 3.12 --variant slim --os bookworm = %d tags, groups %+v; want %d tags, 1 group", got.Total, got.Groups, len(digests))
	}
	g := got.Groups[0]
	if g.Newest != "3.12.6-slim-bookworm" || strings.Join(g.Tags, " ") != "3.12.6-slim-bookworm 3.12.5-slim-bookworm 3.12-slim-bookworm" || g.Python == nil || g.Python.Support != "supported" || g.OSStatus == nil {
		t.Errorf("tags group = %+v", g)
	}

	// The 3.8 series is past its end of life at --now.
	r = run(t, []runOpt{withCache(t)}, "tags", "--python", "3.8", "--format", "json", "--now", "2026-11-22", repo)
	if !strings.Contains(r.stdout, `"support": "eol"`) {
		t.Errorf("tags --python 3.8 does not report eol:\n%s", r.stdout)
	}

	faults.Fail500("/tags/")
	if r := run(t, nil, "tags", repo); r.code != ExitRuntime {
		t.Errorf("tags against a failing registry = exit %d, want 3", r.code)
	}
}

func TestTagsCache(t *testing.T) {
	repo, _, faults := pythonRegistry(t)
	cache := withCache(t)
	if r := run(t, []runOpt{cache}, "tags", repo); r.code != ExitOK {
		t.Fatalf("tags = exit %d\n%s", r.code, r.stderr)
	}
	faults.Fail500("/v2/")
	// Fresh in the cache: the failing registry is not asked.
	if r := run(t, []runOpt{cache}, "tags", repo); r.code != ExitOK || !strings.Contains(r.stdout, "3.12.6-slim-bookworm") {
		t.Errorf("tags from the cache = exit %d\n%s", r.code, r.stderr)
	}
	// --cache-ttl 0 goes to the registry.
	if r := run(t, []runOpt{cache}, "tags", "--cache-ttl", "0", repo); r.code != ExitRuntime {
		t.Errorf("tags --cache-ttl 0 against a failing registry = exit %d, want 3", r.code)
	}
}

func TestStatusTextUnconfirmed(t *testing.T) {
	k := baseimage.Embedded()
	p, ok := k.Python("3.15")
	if !ok {
		t.Fatal("no 3.15 in the embedded data")
	}
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	if got := statusText(p.StatusAt(now), true); got != "unconfirmed (data older than release)" {
		t.Errorf("statusText(3.15 at %s) = %q, want it unconfirmed, not unreleased", now.Format(time.DateOnly), got)
	}
	if got := statusText(p.StatusAt(now.AddDate(0, -3, 0)), true); got != "unreleased" {
		t.Errorf("statusText(3.15 before its scheduled date) = %q, want unreleased", got)
	}
}
