package build

import (
	"context"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/build/wheelinstall"
	"github.com/pyimg/pyimg/native"
)

// NativeError means installed wheels hold native code the base image
// cannot load: a shared library it lacks, a libc mismatch, or a symbol
// version its libraries do not define.
type NativeError struct {
	Base     string
	Problems []string
}

// Error lists every problem, one per line.
func (e *NativeError) Error() string {
	return fmt.Sprintf("wheels need native libraries %s lacks:\n  %s", e.Base, strings.Join(e.Problems, "\n  "))
}

// nativeFiles reads the ELF candidates among installed files (shared
// objects by name), with the distribution that owns them.
func nativeFiles(res *wheelinstall.Result) ([]native.File, error) {
	var out []native.File
	for _, f := range res.Files {
		base := path.Base(f.Path)
		if !strings.HasSuffix(base, ".so") && !strings.Contains(base, ".so.") {
			continue
		}
		if f.Size > native.DefaultMaxELFBytes {
			continue // native lists it as not analysed; nothing to check here
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, native.File{Path: f.Path, Data: b, Distribution: res.Name + "==" + res.Version})
	}
	return out, nil
}

// checkNative resolves the wheels' shared objects against the base image
// as the dynamic loader would, and reports what would fail to load.
func checkNative(ctx context.Context, base v1.Image, baseName string, files []native.File) error {
	if len(files) == 0 {
		return nil
	}
	rep, err := native.Image(ctx, base)
	if err != nil {
		return fmt.Errorf("reading the base image's libraries: %w", err)
	}
	over, err := rep.Overlay(files)
	if err != nil {
		return fmt.Errorf("checking the wheels' libraries: %w", err)
	}
	ours := map[string]bool{}
	for _, f := range files {
		ours[f.Path] = true
	}
	var problems []string
	for _, m := range over.Missing {
		var dists []string
		for _, d := range m.Distributions {
			for _, f := range files {
				if f.Distribution == d {
					dists = append(dists, d)
					break
				}
			}
		}
		if len(dists) == 0 {
			continue // missing in the base itself, not caused by the wheels
		}
		p := fmt.Sprintf("%s: %s not found", strings.Join(dists, ", "), m.Soname)
		var pkgs []string
		for _, pr := range m.Providers {
			pkgs = append(pkgs, pr.Manager+" "+pr.Package)
		}
		if len(pkgs) > 0 {
			p += " (provided by " + strings.Join(pkgs, ", ") + ": use a base that has it)"
		}
		problems = append(problems, p)
	}
	for _, m := range over.Mismatches {
		if ours[m.Path] {
			problems = append(problems, fmt.Sprintf("%s: %s is built for %s, the base has %s", m.Distribution, m.Path, m.ObjectLibc, m.ImageLibc))
		}
	}
	for _, g := range over.VersionGaps {
		if ours[g.Path] {
			problems = append(problems, fmt.Sprintf("%s needs %s from %s, which the base's library does not define", g.Path, g.Version, g.Library))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	sort.Strings(problems)
	return &NativeError{Base: baseName, Problems: problems}
}
