package pypi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/baseimage"
)

// fakeLister serves project pages from memory.
type fakeLister map[string]*ProjectPage

func (f fakeLister) Project(_ context.Context, name string) (*ProjectPage, error) {
	switch name {
	case "offline-pkg":
		return nil, fmt.Errorf("%w: not cached", ErrOffline)
	case "broken-index":
		return nil, errors.New("connection refused")
	}
	p, ok := f[name]
	if !ok {
		return nil, fmt.Errorf("project %s: %w", name, ErrNotFound)
	}
	return p, nil
}

func page(project string, files ...string) *ProjectPage {
	p := &ProjectPage{Project: project}
	for i, f := range files {
		rp := ""
		if name, spec, ok := strings.Cut(f, " "); ok {
			f, rp = name, spec
		}
		p.Files = append(p.Files, File{Filename: f, RequiresPython: rp, Hashes: map[string]string{"sha256": fmt.Sprintf("%064x", i+1)}})
	}
	return p
}

var testBases = []Base{
	{Name: "bookworm", Libc: Glibc, LibcVersion: "2.36"},
	{Name: "trixie", Libc: Glibc, LibcVersion: "2.41"},
	{Name: "alpine3.22", Libc: Musl, LibcVersion: "1.2.5"},
}

func TestCheckFeasibility(t *testing.T) {
	lister := fakeLister{
		"requests": page("requests", "requests-2.32.3-py3-none-any.whl", "requests-2.32.3.tar.gz", "requests-2.31.0-py3-none-any.whl"),
		"numpy": page("numpy", "numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
			"numpy-2.1.0-cp312-cp312-musllinux_1_1_x86_64.whl", "numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.whl", "numpy-2.1.0.tar.gz"),
		"psycopg2":        page("psycopg2", "psycopg2-2.9.9.tar.gz", "psycopg2-2.9.9-cp312-cp312-win_amd64.whl"),
		"psycopg2-binary": page("psycopg2-binary", "psycopg2_binary-2.9.9-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
		"newglibc":        page("newglibc", "newglibc-1.0-cp312-abi3-manylinux_2_39_x86_64.whl", "newglibc-1.0.tar.gz"),
		"puresdist":       page("puresdist", "puresdist-0.9-py3-none-any.whl", "puresdist-1.0.tar.gz"),
		"oldpy":           page("oldpy", "oldpy-1.0-py3-none-any.whl <3.10"),
		"hashed":          page("hashed", "hashed-1.0-py3-none-any.whl"),
		"mystery":         page("mystery", "mystery-1.0.tar.gz"),
	}
	reqs := []Requirement{
		{Name: "requests", Version: "2.32.3"},
		{Name: "numpy", Version: "2.1"}, // PEP 440: 2.1 == 2.1.0
		{Name: "psycopg2", Version: "2.9.9"},
		{Name: "psycopg2-binary", Version: "2.9.9"},
		{Name: "newglibc", Version: "1.0"},
		{Name: "puresdist", Version: "1.0"},
		{Name: "oldpy", Version: "1.0"},
		{Name: "hashed", Version: "1.0", Hashes: []string{"sha256:" + strings.Repeat("f", 64)}},
		{Name: "mystery", Version: "1.0"},
		{Name: "absent", Version: "1.0"},
		{Name: "requests", Version: "9.9"},
		{Name: "offline-pkg", Version: "1.0"},
	}
	res, err := CheckFeasibility(context.Background(), lister, FeasibilityInput{Python: "3.12", Arch: "x86_64", Requirements: reqs, Bases: testBases})
	if err != nil {
		t.Fatal(err)
	}
	type want struct{ bookworm, trixie, alpine string }
	wants := []want{
		{"wheel requests-2.32.3-py3-none-any.whl", "wheel requests-2.32.3-py3-none-any.whl", "wheel requests-2.32.3-py3-none-any.whl"},
		{"wheel numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "wheel numpy-2.1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "wheel numpy-2.1.0-cp312-cp312-musllinux_1_1_x86_64.whl"},
		{"source_build psycopg2-2.9.9.tar.gz [gcc libc6-dev libpq-dev]", "source_build psycopg2-2.9.9.tar.gz [gcc libc6-dev libpq-dev]", "source_build psycopg2-2.9.9.tar.gz [gcc musl-dev libpq-dev]"},
		{"wheel psycopg2_binary-2.9.9-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "wheel psycopg2_binary-2.9.9-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "impossible"},
		{"source_build newglibc-1.0.tar.gz [gcc libc6-dev]", "wheel newglibc-1.0-cp312-abi3-manylinux_2_39_x86_64.whl", "source_build newglibc-1.0.tar.gz [gcc musl-dev]"},
		{"source_build puresdist-1.0.tar.gz []", "source_build puresdist-1.0.tar.gz []", "source_build puresdist-1.0.tar.gz []"},
		{"impossible", "impossible", "impossible"},
		{"impossible", "impossible", "impossible"},
		{"source_build mystery-1.0.tar.gz [gcc libc6-dev]", "source_build mystery-1.0.tar.gz [gcc libc6-dev]", "source_build mystery-1.0.tar.gz [gcc musl-dev]"},
		{"impossible", "impossible", "impossible"},
		{"impossible", "impossible", "impossible"},
		{"unknown", "unknown", "unknown"},
	}
	show := func(p PackageResult) string {
		switch p.Status {
		case StatusWheel:
			return "wheel " + p.Wheel
		case StatusSourceBuild:
			return fmt.Sprintf("source_build %s %v", p.Sdist, p.BuildPackages)
		}
		return string(p.Status)
	}
	for i, w := range wants {
		for b, exp := range []string{w.bookworm, w.trixie, w.alpine} {
			p := res.Bases[b].Packages[i]
			if got := show(p); got != exp {
				t.Errorf("%s %s on %s = %q (%s), want %q", p.Name, p.Version, res.Bases[b].Base.Name, got, p.Reason, exp)
			}
		}
	}
	reasons := map[string]string{}
	for _, p := range res.Bases[2].Packages {
		reasons[p.Name+" "+p.Version] = p.Reason
	}
	for key, want := range map[string]string{
		"oldpy 1.0":             "Requires-Python of every file of oldpy 1.0 excludes Python 3.12",
		"hashed 1.0":            "matches the locked hashes",
		"absent 1.0":            "not found on any index",
		"requests 9.9":          "the index has no file for requests 9.9",
		"psycopg2-binary 2.9.9": "no wheel for cp312 musl 1.2.5 x86_64 (wheels exist for cp312-manylinux2014_x86_64, cp312-manylinux_2_17_x86_64) and there is no sdist",
		"puresdist 1.0":         "pure Python",
	} {
		if !strings.Contains(reasons[key], want) {
			t.Errorf("reason for %s = %q, want it to contain %q", key, reasons[key], want)
		}
	}
	if ev := res.Bases[0].Packages[1].Evidence; len(ev) != 4 {
		t.Errorf("numpy evidence = %v", ev)
	}
	for i, v := range []Status{StatusImpossible, StatusImpossible, StatusImpossible} {
		if res.Bases[i].Verdict != v {
			t.Errorf("%s verdict = %s", res.Bases[i].Base.Name, res.Bases[i].Verdict)
		}
	}
	// JSON field names are public interface.
	b, err := json.Marshal(res.Bases[0].Packages[2])
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"name"`, `"version"`, `"status":"source_build"`, `"sdist"`, `"build_packages"`, `"build_needs_known":true`, `"reason"`, `"evidence"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("JSON %s lacks %s", b, k)
		}
	}

	// Verdicts without the impossible ones.
	ok, err := CheckFeasibility(context.Background(), lister, FeasibilityInput{Python: "3.12", Arch: "x86_64", Requirements: reqs[:5], Bases: testBases})
	if err != nil {
		t.Fatal(err)
	}
	if v := []Status{ok.Bases[0].Verdict, ok.Bases[1].Verdict, ok.Bases[2].Verdict}; v[0] != StatusSourceBuild || v[1] != StatusSourceBuild || v[2] != StatusImpossible {
		t.Errorf("verdicts = %v", v)
	}
	if s := ok.Bases[0].Summary; !strings.Contains(s, "2 of 5 packages need a source build (psycopg2, newglibc)") || !strings.Contains(s, "gcc libc6-dev libpq-dev") {
		t.Errorf("summary = %s", s)
	}
	if s := ok.Bases[2].Summary; !strings.Contains(s, "not feasible") || !strings.Contains(s, "psycopg2-binary") {
		t.Errorf("alpine summary = %s", s)
	}
	wheelsOnly, _ := CheckFeasibility(context.Background(), lister, FeasibilityInput{Python: "3.12", Arch: "x86_64", Requirements: reqs[:2], Bases: testBases})
	if wheelsOnly.Bases[2].Verdict != StatusWheel || !strings.Contains(wheelsOnly.Bases[2].Summary, "all 2 packages install from wheels") {
		t.Errorf("wheels-only verdict = %+v", wheelsOnly.Bases[2])
	}
}

func TestCheckFeasibilityErrors(t *testing.T) {
	ctx := context.Background()
	if _, err := CheckFeasibility(ctx, fakeLister{}, FeasibilityInput{Python: "3.12", Arch: "x86_64", Requirements: []Requirement{{Name: "broken-index", Version: "1"}}, Bases: testBases}); err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("index failure: %v", err)
	}
	if _, err := CheckFeasibility(ctx, fakeLister{}, FeasibilityInput{Python: "3.12", Arch: "x86_64", Requirements: []Requirement{{Name: "x"}}, Bases: testBases}); err == nil {
		t.Error("requirement without version accepted")
	}
	if _, err := CheckFeasibility(ctx, fakeLister{}, FeasibilityInput{Python: "3.12", Arch: "x86_64", Bases: []Base{{Name: "bad", Libc: "bionic", LibcVersion: "1.0"}}}); err == nil || !strings.Contains(err.Error(), "base bad") {
		t.Errorf("bad base: %v", err)
	}
}

func TestBaseFromRelease(t *testing.T) {
	k := baseimage.Embedded()
	var names []string
	for _, r := range k.OS {
		if r.LibcVersion == "" {
			continue
		}
		b := BaseFromRelease(r)
		names = append(names, b.Name)
		if _, err := CompatibleTags(Target{PythonVersion: "3.12", Libc: b.Libc, LibcVersion: b.LibcVersion, Arch: "x86_64"}); err != nil {
			t.Errorf("%s: %v", b.Name, err)
		}
		if (b.Libc == Musl) != (b.PackageManager == Apk) {
			t.Errorf("%s: libc %s with %s", b.Name, b.Libc, b.PackageManager)
		}
	}
	all := strings.Join(names, " ")
	for _, want := range []string{"bookworm", "trixie", "alpine3.22"} {
		if !strings.Contains(all, want) {
			t.Errorf("bases %s lack %s", all, want)
		}
	}
}

func TestRequiresPythonAllows(t *testing.T) {
	for _, tt := range []struct {
		spec, py string
		want     bool
	}{
		{"", "3.12", true},
		{">=3.8", "3.12", true},
		{">=3.8.1", "3.8", true},
		{"<3.10", "3.12", false},
		{">=2.7, !=3.0.*, !=3.1.*, !=3.2.*", "3.12", true},
		{">=2.7, !=3.0.*, !=3.1.*, !=3.2.*", "3.1", false},
		{"~=3.9", "3.12", true},
		{"~=3.9.2", "3.10", false},
		{"==3.12.*", "3.12", true},
		{"==3.12", "3.12", true},
		{"==3.11", "3.12", false},
		{">3.12", "3.12", true}, // 3.12 stands for 3.12.999
		{"<=3.12", "3.12.1", false},
		{">=3.13", "3.12", false},
	} {
		got, err := RequiresPythonAllows(tt.spec, tt.py)
		if err != nil || got != tt.want {
			t.Errorf("RequiresPythonAllows(%q, %q) = %v, %v; want %v", tt.spec, tt.py, got, err, tt.want)
		}
	}
	for _, bad := range []string{"3.8", ">=", ">=3.*", "~=3"} {
		if _, err := RequiresPythonAllows(bad, "3.12"); err == nil {
			t.Errorf("RequiresPythonAllows(%q) accepted", bad)
		}
	}
}

func TestKnownBuildNeeds(t *testing.T) {
	if len(KnownBuildProjects()) < 20 {
		t.Errorf("only %d known projects", len(KnownBuildProjects()))
	}
	for name, want := range map[string]string{"psycopg2": "libpq-dev", "mysqlclient": "default-libmysqlclient-dev", "LXML": "libxslt1-dev", "Pillow": "zlib1g-dev", "cffi": "libffi-dev"} {
		n, ok := KnownBuildNeeds(name)
		if !ok || !strings.Contains(strings.Join(n.Apt, " "), want) || len(n.Apk) == 0 {
			t.Errorf("KnownBuildNeeds(%q) = %+v, %v; want apt %s and apk names", name, n, ok, want)
		}
	}
}

func TestWheelhouse(t *testing.T) {
	ctx := context.Background()
	dir := indexDir(t)
	wh, err := NewWheelhouse(dir)
	if err != nil {
		t.Fatal(err)
	}
	p, err := wh.Project(ctx, "Demo")
	if err != nil {
		t.Fatal(err)
	}
	if got := summaryNames(p); got != "demo-1.0-py3-none-any.whl demo-1.1-py2.py3-none-any.whl demo-1.1.tar.gz" {
		t.Errorf("files = %s", got)
	}
	f := p.Files[0]
	path, err := wh.Path(f, f.SHA256())
	if err != nil || filepath.Base(path) != f.Filename {
		t.Fatalf("Path = %s, %v", path, err)
	}
	if _, err := wh.Path(f, strings.Repeat("0", 64)); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("lock mismatch: %v", err)
	}
	if err := os.WriteFile(path, []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := wh.Path(f, ""); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("changed file: %v", err)
	}
	if _, err := wh.Project(ctx, "absent"); !errors.Is(err, ErrNotFound) {
		t.Errorf("absent project: %v", err)
	}
	res, err := CheckFeasibility(ctx, wh, FeasibilityInput{Python: "3.12", Arch: "x86_64", Requirements: []Requirement{{Name: "other.pkg", Version: "2.0"}}, Bases: testBases[:1]})
	if err != nil || res.Bases[0].Verdict != StatusWheel {
		t.Errorf("feasibility on a wheelhouse: %+v %v", res, err)
	}
	if _, err := NewWheelhouse(filepath.Join(dir, "nope")); err == nil {
		t.Error("missing wheelhouse accepted")
	}
}

func summaryNames(p *ProjectPage) string {
	var s []string
	for _, f := range p.Files {
		s = append(s, f.Filename)
	}
	return strings.Join(s, " ")
}
