package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

type recommendOut struct {
	Build struct {
		Image, Tag, Digest string
	} `json:"build"`
	Runtime struct {
		Image, Tag, Digest string
	} `json:"runtime"`
	DigestsResolved bool     `json:"digests_resolved"`
	Reasons         []string `json:"reasons"`
	Warnings        []string `json:"warnings"`
}

func recommendJSONRun(t *testing.T, opts []runOpt, args ...string) (recommendOut, result) {
	t.Helper()
	r := run(t, opts, append([]string{"recommend", "--format", "json", "--now", "2026-11-22"}, args...)...)
	var out recommendOut
	if r.code == ExitOK {
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("recommend json: %v\n%s", err, r.stdout)
		}
	}
	return out, r
}

func TestRecommendAgainstRegistry(t *testing.T) {
	repo, digests, _ := pythonRegistry(t)
	dir := t.TempDir()
	writeFile(t, dir, "pyproject.toml", "[project]\nname = \"app\"\nrequires-python = \">=3.11\"\n")
	writeFile(t, dir, "Dockerfile", "FROM python:3.9-slim\n")

	out, r := recommendJSONRun(t, []runOpt{withCache(t)}, "--repo", repo, dir)
	if r.code != ExitOK {
		t.Fatalf("recommend = exit %d\n%s", r.code, r.stderr)
	}
	// 3.14 is the newest mature series, but the registry has no 3.14 tag.
	want := repo + ":3.13.1-slim-trixie@" + digests["3.13.1-slim-trixie"]
	if out.Build.Image != want || out.Runtime.Image != want || !out.DigestsResolved {
		t.Errorf("recommend = build %s, runtime %s, resolved %v; want %s", out.Build.Image, out.Runtime.Image, out.DigestsResolved, want)
	}
	all := strings.Join(out.Reasons, "\n")
	for _, s := range []string{"why not 3.14 on trixie", "requires-python >=3.11", "Dockerfile:1 uses python:3.9-slim: Python 3.9 is eol"} {
		if !strings.Contains(all, s) {
			t.Errorf("recommend reasons lack %q:\n%s", s, all)
		}
	}

	// .python-version pins 3.12; the stage ai builds on the full image,
	// which this registry lacks for 3.12: no candidate, exit 2.
	writeFile(t, dir, ".python-version", "3.12\n")
	out, r = recommendJSONRun(t, []runOpt{withCache(t)}, "--repo", repo, dir)
	if r.code != ExitOK || out.Runtime.Tag != "3.12.6-slim-trixie" {
		t.Errorf("recommend with .python-version 3.12 = %s (exit %d %s)", out.Runtime.Tag, r.code, r.stderr)
	}
	if _, r = recommendJSONRun(t, []runOpt{withCache(t)}, "--repo", repo, "--stage", "ai", dir); r.code != ExitUsage {
		t.Errorf("recommend --stage ai with no 3.12 full image = exit %d, want 2\n%s", r.code, r.stderr)
	}
}

func TestRecommendOffline(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pyproject.toml", "[tool.poetry.dependencies]\npython = \"^3.11,<3.14\"\n\n[tool.pyimg.base]\npreferred-os = \"bookworm\"\n")
	out, r := recommendJSONRun(t, nil, "--offline", dir)
	if r.code != ExitOK {
		t.Fatalf("recommend --offline = exit %d\n%s", r.code, r.stderr)
	}
	if out.Build.Tag != "3.13.15-slim-bookworm" || out.Build.Digest != "" || out.DigestsResolved {
		t.Errorf("recommend --offline = %+v", out.Build)
	}
	if !strings.Contains(strings.Join(out.Warnings, "\n"), "digests were not resolved") {
		t.Errorf("recommend --offline warnings = %q", out.Warnings)
	}
	// Text output says so too.
	r = run(t, nil, "recommend", "--offline", "--now", "2026-11-22", dir)
	if r.code != ExitOK || !strings.Contains(r.stdout, "digests: not resolved") || !strings.Contains(r.stdout, "build:   docker.io/library/python:3.13.15-slim-bookworm") {
		t.Errorf("recommend --offline text =\n%s\n%s", r.stdout, r.stderr)
	}
	// An unreachable registry degrades to the same answer, with a warning.
	out, r = recommendJSONRun(t, []runOpt{withCache(t)}, "--repo", "127.0.0.1:1/library/python", dir)
	if r.code != ExitOK || out.DigestsResolved || out.Build.Tag != "3.13.15-slim-bookworm" || !strings.Contains(strings.Join(out.Warnings, "\n"), "registry unreachable") {
		t.Errorf("recommend with a stopped registry = exit %d %+v %q", r.code, out.Build, out.Warnings)
	}
}

func TestRecommendPolicyAndUsage(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "pyproject.toml", "[tool.pyimg.base]\nallowed-registries = [\"registry.example.com\"]\n")
	if r := run(t, nil, "recommend", "--offline", dir); r.code != ExitUsage || !strings.Contains(r.stderr, "allowed-registries") {
		t.Errorf("recommend from a registry the policy forbids = exit %d %s", r.code, r.stderr)
	}
	for _, args := range [][]string{
		{"recommend", "--stage", "staging"},
		{"recommend", "--libc", "uclibc"},
		{"recommend", t.TempDir() + "/missing"},
	} {
		if r := run(t, nil, args...); r.code != ExitUsage {
			t.Errorf("pyimg %v = exit %d, want 2", args, r.code)
		}
	}
}

// TestStaleDataRelease: on 2026-11-30 the embedded data (as of 2026-08-22)
// predates Python 3.15's scheduled release (2026-10-01); recommend and tags
// must say the data is older than that release, not that it does not exist.
func TestStaleDataRelease(t *testing.T) {
	dir := t.TempDir()
	r := run(t, nil, "recommend", "--offline", "--now", "2026-11-30", dir)
	if r.code != ExitOK {
		t.Fatalf("recommend = exit %d\n%s", r.code, r.stderr)
	}
	for _, out := range []string{r.stdout, r.stderr} {
		if !strings.Contains(out, "older than") || !strings.Contains(out, "pyimg data update") {
			t.Errorf("recommend output lacks the stale-data note:\n%s", out)
		}
	}
	if strings.Contains(r.stdout, "why not 3.15: not released yet") {
		t.Errorf("recommend asserts 3.15 is not released:\n%s", r.stdout)
	}
	out, r := recommendJSONRun(t, nil, "--offline", "--now", "2026-11-30", dir)
	if r.code != ExitOK || !strings.Contains(strings.Join(out.Warnings, "\n"), "older than Python 3.15") {
		t.Errorf("recommend --format json warnings = %q (exit %d), want the stale-data warning", out.Warnings, r.code)
	}
	// Before the scheduled date nothing is stale.
	r = run(t, nil, "recommend", "--offline", "--now", "2026-09-15", dir)
	if strings.Contains(r.stderr, "older than Python") {
		t.Errorf("recommend before 3.15's scheduled date warns:\n%s", r.stderr)
	}

	repo, _, _ := pythonRegistry(t)
	r = run(t, []runOpt{withCache(t)}, "tags", "--now", "2026-11-30", repo)
	if r.code != ExitOK || !strings.Contains(r.stderr, "older than Python 3.15") || !strings.Contains(r.stderr, "pyimg data update") {
		t.Errorf("tags = exit %d, stderr lacks the stale-data warning:\n%s", r.code, r.stderr)
	}
}
