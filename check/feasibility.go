package check

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/pyimg/pyimg/project"
	"github.com/pyimg/pyimg/pypi"
)

// WithIndex lets the musl verdict ask a package index (a *pypi.Client,
// offline from its cache or online) for the files of the locked
// dependencies whose lock entry lists none (requirements files, Pipfile.lock).
// Without it, only the lock's own file names are used.
func WithIndex(index pypi.Lister) Option { return func(o *options) { o.index = index } }

// WithArch sets the machine the verdict is for (x86_64, aarch64; default
// x86_64).
func WithArch(arch string) Option { return func(o *options) { o.arch = arch } }

// fromFeasibility judges musl with package pypi's compatible tags for the
// recommended Python series on the default Alpine release: Python version,
// ABI and architecture count, not only the platform tag. Files come from
// the lock where it lists them (uv.lock, poetry.lock, pdm.lock,
// pylock.toml), else from the index. It returns ok=false when it cannot
// judge (no series, no lock), leaving the verdict to FromLockFiles.
func fromFeasibility(ctx context.Context, p *project.Project, series string, o options) (MuslVerdict, bool, error) {
	l := p.Lock()
	if series == "" || l == nil {
		return MuslVerdict{}, false, nil
	}
	alpine, ok := o.knowledge.Alpine(o.knowledge.Defaults.Alpine)
	if !ok || alpine.LibcVersion == "" {
		return MuslVerdict{}, false, nil
	}
	arch := o.arch
	if arch == "" {
		arch = "x86_64"
	}
	// With a dependency graph (uv.lock), only what the project's runtime
	// dependencies reach on Linux counts: not development tools, not
	// Windows-only packages. A marker that does not parse falls back to
	// every package.
	needed, err := l.Reachable(project.LinuxMarkerEnv(series, "", arch))
	if err != nil {
		needed = nil
	}
	lister := lockLister{files: map[string][]string{}, index: o.index}
	var reqs []pypi.Requirement
	fromLock, fromIndex := 0, 0
	for _, lp := range l.Packages {
		if skipForLinux(lp) || needed != nil && !needed[lp.Normalized()] {
			continue
		}
		name := project.NormalizeName(lp.Name)
		files := append(lp.Wheels(), lp.Sdists()...)
		if len(files) > 0 {
			lister.files[name] = files
			fromLock++
		} else {
			fromIndex++
		}
		r := pypi.Requirement{Name: lp.Name, Version: lp.Version}
		if len(files) == 0 {
			r.Hashes = lp.Hashes // the index's files carry hashes to match
		}
		reqs = append(reqs, r)
	}
	base := pypi.BaseFromRelease(alpine)
	f, err := pypi.CheckFeasibility(ctx, lister, pypi.FeasibilityInput{Python: series, Arch: arch, Requirements: reqs, Bases: []pypi.Base{base}})
	if err != nil {
		return MuslVerdict{}, false, err
	}
	src := fmt.Sprintf("compatible tags of CPython %s on Alpine %s (musl %s, %s), from %s file names", series, alpine.Version, alpine.LibcVersion, arch, l.File)
	switch {
	case fromIndex > 0 && o.index != nil:
		src += fmt.Sprintf(" and the package index for %d packages", fromIndex)
	case fromIndex > 0:
		src += fmt.Sprintf("; %d packages list no files (pass an index to ask it)", fromIndex)
	}
	v := MuslVerdict{Source: src, Packages: []MuslPackage{}}
	counts := map[string]int{}
	for _, pr := range f.Bases[0].Packages {
		mp := MuslPackage{Name: pr.Name, Version: pr.Version}
		switch pr.Status {
		case pypi.StatusWheel:
			mp.Status, mp.Evidence = StatusMuslWheel, []string{pr.Wheel}
			if strings.HasSuffix(pr.Wheel, "-any.whl") {
				mp.Status = StatusPure
			}
		case pypi.StatusSourceBuild:
			mp.Status, mp.Evidence = StatusSource, []string{pr.Sdist}
		case pypi.StatusImpossible:
			mp.Status, mp.Evidence = StatusImpossible, pr.Evidence
		default:
			mp.Status = StatusUnknown
		}
		if mp.Evidence == nil {
			mp.Evidence = []string{}
		}
		counts[mp.Status]++
		v.Packages = append(v.Packages, mp)
	}
	slices.SortFunc(v.Packages, func(a, b MuslPackage) int { return strings.Compare(a.Name, b.Name) })
	v.Verdict = verdictOf(counts)
	return v, true, nil
}

// skipForLinux reports the lock entries a Linux image never installs from
// an index: the project itself, local paths, VCS checkouts, and packages
// whose markers restrict them to Windows or macOS.
func skipForLinux(lp project.Locked) bool {
	if lp.Editable || (lp.Source != "" && !strings.Contains(lp.Source, "://")) || strings.HasPrefix(lp.Source, "git") {
		return true
	}
	return strings.Contains(lp.Markers, "win32") || strings.Contains(lp.Markers, "Windows") || strings.Contains(lp.Markers, "darwin")
}

// lockLister serves the file names a lock lists, and asks index for the
// projects it lists none for.
type lockLister struct {
	files map[string][]string
	index pypi.Lister
}

func (l lockLister) Project(ctx context.Context, name string) (*pypi.ProjectPage, error) {
	n := project.NormalizeName(name)
	if files, ok := l.files[n]; ok {
		page := &pypi.ProjectPage{Project: n}
		for _, f := range files {
			page.Files = append(page.Files, pypi.File{Filename: f})
		}
		return page, nil
	}
	if l.index == nil {
		return nil, fmt.Errorf("%s: the lock lists no files and no package index was given: %w", name, pypi.ErrOffline)
	}
	return l.index.Project(ctx, name)
}

// seriesOf returns the major.minor of a Python version ("3.13.15" → "3.13").
func seriesOf(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return ""
	}
	return parts[0] + "." + parts[1]
}
