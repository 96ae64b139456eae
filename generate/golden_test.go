package generate

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/patternmatcher/ignorefile"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/lint/rules"
	"github.com/pyimg/pyimg/report"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// today is the date the golden files and lint runs are pinned to.
var today = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)

const fakeDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// baseSpec is a spec of variant v with install mode i, as FromProject
// would build it for a typical web service.
func baseSpec(v Variant, i Install) Spec {
	s := Spec{
		Name:         "shop-api",
		Variant:      v,
		Python:       "3.13",
		BuildImage:   "python:3.13.9-slim-trixie@" + fakeDigest,
		RuntimeImage: "python:3.13.9-slim-trixie@" + fakeDigest,
		Pinned:       true,
		Install:      i,
		Command:      []string{"gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi:application"},
		Env:          []string{"DJANGO_SETTINGS_MODULE=shop.settings"},
		Port:         8000,
		HealthPath:   "/healthz",
		UID:          DefaultUID,
	}
	// The images the embedded data recommends at today, as Run picks them.
	b, err := ChooseBases(baseimage.Embedded(), baseimage.RecommendInput{Now: today}, v)
	if err != nil {
		panic(err)
	}
	s.Python, s.BuildImage, s.RuntimeImage = b.Python, b.Build.Ref()+"@"+fakeDigest, b.Runtime.Ref()+"@"+fakeDigest
	if v == VariantDistroless {
		s.UID = DistrolessUID
	}
	if v != VariantAlpine {
		s.BuildPackages = []string{"build-essential", "libpq-dev"}
		s.RuntimePackages = []string{"libpq5"}
	}
	switch i {
	case InstallUV:
		s.UVImage = UVImage + "@" + fakeDigest
		s.InstallProject = true
	case InstallRequirements:
		s.Requirements, s.RequireHashes = "requirements.txt", true
	case InstallPyproject:
		s.InstallProject = true
	}
	return s
}

func goldenSpecs() map[string]Spec {
	out := map[string]Spec{}
	for _, v := range Variants {
		for _, i := range []Install{InstallNone, InstallUV, InstallPoetry, InstallRequirements, InstallPyproject} {
			out[string(v)+"-"+string(i)] = baseSpec(v, i)
		}
	}
	// Shapes beyond the matrix.
	s := baseSpec(VariantSlim, InstallRequirements)
	s.Pinned, s.BuildImage, s.RuntimeImage = false, strings.TrimSuffix(s.BuildImage, "@"+fakeDigest), strings.TrimSuffix(s.RuntimeImage, "@"+fakeDigest)
	s.Port, s.HealthPath, s.Env, s.BuildPackages, s.RuntimePackages = 0, "", nil, nil, nil
	s.Command, s.RequireHashes = []string{"python", "-m", "worker"}, false
	out["slim-unpinned-worker"] = s
	s = baseSpec(VariantDistroless, InstallNone)
	s.BuildPackages, s.RuntimePackages = nil, nil
	s.Command, s.Env = []string{"python", "app.py"}, nil
	out["distroless-stdlib"] = s
	return out
}

func TestGolden(t *testing.T) {
	for name, s := range goldenSpecs() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			path := filepath.Join("testdata", name+".Dockerfile")
			if *update {
				if err := os.WriteFile(path, files.Dockerfile, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("reading golden file (run go test -update): %v", err)
			}
			if !bytes.Equal(files.Dockerfile, want) {
				t.Errorf("Render(%s) differs from %s (run go test -update and review the diff):\n%s", name, path, files.Dockerfile)
			}
		})
	}
}

// TestGeneratedFilesLintClean lints every golden shape with pyimg's own
// rules, in a build context holding the generated .dockerignore and the
// dependency files the install mode reads: no finding may be a warning or
// worse.
func TestGeneratedFilesLintClean(t *testing.T) {
	k := baseimage.Embedded()
	l := lint.New(rules.All(k), lint.WithToday(today), lint.WithConfig(lint.DefaultConfig()))
	for name, s := range goldenSpecs() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatalf("Render() error = %v", err)
			}
			pats, err := ignorefile.ReadAll(bytes.NewReader(files.Dockerignore))
			if err != nil {
				t.Fatalf("reading generated .dockerignore: %v", err)
			}
			bc := &dockerfile.Context{Dir: t.TempDir(), IgnoreFile: ".dockerignore", Ignore: pats, DependencyFiles: depFiles(s)}
			fs, err := l.LintBytes(context.Background(), "Dockerfile", files.Dockerfile, bc)
			if err != nil {
				t.Fatalf("LintBytes() error = %v\n%s", err, files.Dockerfile)
			}
			for _, f := range fs {
				if f.Severity >= report.SeverityWarning {
					t.Errorf("%s:%d %s (%s): %s", name, f.Line, f.Rule, f.Severity, f.Message)
				}
			}
			if t.Failed() {
				t.Logf("Dockerfile:\n%s", numbered(files.Dockerfile))
			}
		})
	}
}

func depFiles(s Spec) []string {
	switch s.Install {
	case InstallUV:
		return []string{"pyproject.toml", "uv.lock"}
	case InstallPoetry:
		return []string{"poetry.lock", "pyproject.toml"}
	case InstallRequirements:
		return []string{s.Requirements}
	case InstallPyproject:
		return []string{"pyproject.toml"}
	}
	return nil
}

func numbered(b []byte) string {
	var sb strings.Builder
	for i, l := range strings.Split(string(b), "\n") {
		fmt.Fprintf(&sb, "%3d  %s\n", i+1, l)
	}
	return sb.String()
}
