package cli

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyimg/pyimg/baseimage/registrytest"
)

var testNow = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// pythonRegistry starts an in-process registry seeded with
// registrytest.PythonImages and returns its python repository, the digest
// of every tag, and the fault switch.
func pythonRegistry(t *testing.T) (string, map[string]string, *registrytest.Faults) {
	t.Helper()
	faults := &registrytest.Faults{}
	host := registrytest.Server(t, faults)
	repo := host + "/library/python"
	digests, err := registrytest.Push(context.Background(), repo, registrytest.PythonImages(testNow))
	if err != nil {
		t.Fatal(err)
	}
	return repo, digests, faults
}

// withCache points the registry cache at a fresh directory.
func withCache(t *testing.T) runOpt { return withEnv("XDG_CACHE_HOME", t.TempDir()) }

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestPinRewrites(t *testing.T) {
	repo, digests, _ := pythonRegistry(t)
	dir := t.TempDir()
	src := "# syntax=docker/dockerfile:1\r\n" +
		"ARG PY=3.12\r\n" +
		"FROM " + repo + ":${PY}-slim AS build\r\n" +
		"from " + repo + ":3.12-slim-bookworm\r\n" +
		"FROM build AS final\r\n"
	p := writeFile(t, dir, "Dockerfile", src)
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}

	// --dry-run prints the diff and writes nothing.
	before := sum(t, p)
	r := run(t, []runOpt{withCache(t)}, "pin", "--dry-run", p)
	if r.code != ExitOK {
		t.Fatalf("pin --dry-run = exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, "+FROM "+repo+":${PY}-slim-trixie@"+digests["3.12.6-slim-trixie"]) || !strings.Contains(r.stdout, "-ARG PY=3.12\r\n") {
		t.Errorf("pin --dry-run diff =\n%s", r.stdout)
	}
	if sum(t, p) != before {
		t.Errorf("pin --dry-run changed the file")
	}

	r = run(t, []runOpt{withCache(t)}, "pin", p)
	if r.code != ExitOK {
		t.Fatalf("pin = exit %d\n%s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(p)
	want := "# syntax=docker/dockerfile:1\r\n" +
		"ARG PY=3.12.6\r\n" +
		"FROM " + repo + ":${PY}-slim-trixie@" + digests["3.12.6-slim-trixie"] + " AS build\r\n" +
		"from " + repo + ":3.12.6-slim-bookworm@" + digests["3.12.6-slim-bookworm"] + "\r\n" +
		"FROM build AS final\r\n"
	if string(got) != want {
		t.Errorf("pin wrote\n%q\nwant\n%q", got, want)
	}
	if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
		t.Errorf("pin changed the mode to %v", fi.Mode().Perm())
	}

	// Pinned now: --check passes, and a second pin changes nothing.
	if r := run(t, []runOpt{withCache(t)}, "pin", "--check", p); r.code != ExitOK {
		t.Errorf("pin --check after pin = exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	before = sum(t, p)
	if r := run(t, []runOpt{withCache(t)}, "pin", p); r.code != ExitOK || sum(t, p) != before {
		t.Errorf("second pin = exit %d, changed %v", r.code, sum(t, p) != before)
	}
}

func TestPinCheckAndUpdate(t *testing.T) {
	repo, digests, _ := pythonRegistry(t)
	dir := t.TempDir()
	old := repo + ":3.12.5-slim-bookworm@" + digests["3.12.5-slim-bookworm"]
	p := writeFile(t, dir, "Dockerfile", "FROM "+old+"\nFROM "+repo+":3.13-slim AS x\n")

	r := run(t, []runOpt{withCache(t)}, "pin", "--check", "--format", "json", p)
	if r.code != ExitFindings {
		t.Fatalf("pin --check = exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep struct {
		Items []pinItem `json:"items"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("pin --check --format json: %v\n%s", err, r.stdout)
	}
	if len(rep.Items) != 2 || rep.Items[0].Status != "outdated" || rep.Items[1].Status != "unpinned" {
		t.Errorf("pin --check items = %+v, want outdated then unpinned", rep.Items)
	}

	// --min-age 30d: 3.12.6 is 10 days old, so 3.12.5 stays.
	r = run(t, []runOpt{withCache(t)}, "pin", "--check", "--min-age", "30d", "--now", "2026-11-22", p)
	if strings.Contains(r.stdout, "3.12.5-slim-bookworm@"+digests["3.12.5-slim-bookworm"]+": outdated") {
		t.Errorf("pin --check --min-age 30d reports 3.12.5 outdated:\n%s", r.stdout)
	}
	// ... and 20 days later it has aged enough.
	r = run(t, []runOpt{withCache(t)}, "pin", "--update", "--min-age", "30d", "--now", "2026-12-12", p)
	if r.code != ExitOK {
		t.Fatalf("pin --update = exit %d\n%s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(p)
	want := "FROM " + repo + ":3.12.6-slim-bookworm@" + digests["3.12.6-slim-bookworm"] + "\n" +
		"FROM " + repo + ":3.13.1-slim-trixie@" + digests["3.13.1-slim-trixie"] + " AS x\n"
	if string(got) != want {
		t.Errorf("pin --update wrote\n%s\nwant\n%s", got, want)
	}
}

func TestPinRegistryFaultsLeaveFileIntact(t *testing.T) {
	repo, _, faults := pythonRegistry(t)
	dir := t.TempDir()
	p := writeFile(t, dir, "Dockerfile", "FROM "+repo+":3.12-slim\n")
	before := sum(t, p)
	tests := []struct {
		name   string
		set    func()
		substr string
	}{
		{"HTTP 500", func() { faults.Fail500("/manifests/") }, "500"},
		{"digest mismatch", func() { faults.Fail500(""); faults.CorruptManifests(true) }, "hashes to"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.set()
			r := run(t, []runOpt{withCache(t)}, "pin", p)
			if r.code != ExitRuntime || !strings.Contains(r.stderr, tc.substr) {
				t.Errorf("pin with %s = exit %d, stderr %q; want exit 3 mentioning %q", tc.name, r.code, r.stderr, tc.substr)
			}
			if sum(t, p) != before {
				t.Errorf("pin with %s changed the Dockerfile", tc.name)
			}
		})
	}
	// A registry that is gone.
	stopped := writeFile(t, dir, "stopped/Dockerfile", "FROM 127.0.0.1:1/library/python:3.12-slim\n")
	before = sum(t, stopped)
	r := run(t, []runOpt{withCache(t)}, "pin", stopped)
	if r.code != ExitRuntime || sum(t, stopped) != before {
		t.Errorf("pin against a stopped registry = exit %d (%s), file changed %v; want exit 3, unchanged", r.code, r.stderr, sum(t, stopped) != before)
	}
}

func TestPinRepoFlagAndUsage(t *testing.T) {
	repo, digests, _ := pythonRegistry(t)
	dir := t.TempDir()
	p := writeFile(t, dir, "Dockerfile", "FROM python:3.12-alpine\n")
	r := run(t, []runOpt{withCache(t)}, "pin", "--repo", repo, dir)
	if r.code != ExitOK {
		t.Fatalf("pin --repo = exit %d\n%s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(p)
	if want := "FROM " + repo + ":3.12.6-alpine3.22@" + digests["3.12.6-alpine3.22"] + "\n"; string(got) != want {
		t.Errorf("pin --repo wrote %q, want %q", got, want)
	}
	for _, args := range [][]string{
		{"pin", "--min-age", "30d", p},
		{"pin", "--update", "--min-age", "soon", p},
		{"pin", "--check", "--dry-run", p},
		{"pin", filepath.Join(dir, "missing")},
	} {
		if r := run(t, []runOpt{withCache(t)}, args...); r.code != ExitUsage {
			t.Errorf("pyimg %v = exit %d, want 2\n%s", args, r.code, r.stderr)
		}
	}
}

func TestPinRegistryMirror(t *testing.T) {
	repo, digests, _ := pythonRegistry(t)
	host, _, _ := strings.Cut(repo, "/")
	dir := t.TempDir()
	p := writeFile(t, dir, "Dockerfile", "FROM python:3.12-slim-bookworm\n")
	r := run(t, []runOpt{withCache(t)}, "pin", "--registry-mirror", host, p)
	if r.code != ExitOK {
		t.Fatalf("pin --registry-mirror = exit %d\n%s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(p)
	if want := "FROM python:3.12.6-slim-bookworm@" + digests["3.12.6-slim-bookworm"] + "\n"; string(got) != want {
		t.Errorf("pin --registry-mirror wrote %q, want %q (Docker Hub name, mirror's digest)", got, want)
	}
}

func TestPinSameFileTwiceAndJSONDryRun(t *testing.T) {
	repo, digests, _ := pythonRegistry(t)
	dir := t.TempDir()
	p := writeFile(t, dir, "Dockerfile", "FROM "+repo+":3.12-slim-bookworm\n")
	r := run(t, []runOpt{withCache(t)}, "pin", "--dry-run", "--format", "json", p)
	var out struct {
		DryRun bool              `json:"dry_run"`
		Diffs  map[string]string `json:"diffs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || !out.DryRun || !strings.Contains(out.Diffs[p], "+FROM "+repo+":3.12.6-slim-bookworm@") {
		t.Errorf("pin --dry-run --format json = %v %+v\n%s", err, out, r.stdout)
	}
	if r := run(t, []runOpt{withCache(t)}, "pin", p, dir, p); r.code != ExitOK {
		t.Fatalf("pin of one file three times = exit %d\n%s", r.code, r.stderr)
	}
	got, _ := os.ReadFile(p)
	if want := "FROM " + repo + ":3.12.6-slim-bookworm@" + digests["3.12.6-slim-bookworm"] + "\n"; string(got) != want {
		t.Errorf("pin wrote %q, want %q", got, want)
	}
}

func TestPinSharedTagWithCurrentDigestIsOK(t *testing.T) {
	repo, digests, _ := pythonRegistry(t)
	dir := t.TempDir()
	src := "FROM " + repo + ":3.12-slim@" + digests["3.12-slim"] + "\n"
	p := writeFile(t, dir, "Dockerfile", src)
	for _, args := range [][]string{{"pin", "--check", p}, {"pin", "--update", p}} {
		if r := run(t, []runOpt{withCache(t)}, args...); r.code != ExitOK {
			t.Errorf("pyimg %v = exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	if got, _ := os.ReadFile(p); string(got) != src {
		t.Errorf("pin --update rewrote a current pin: %q", got)
	}
}
