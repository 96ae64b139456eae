package check

import (
	"context"
	"slices"
	"strings"

	"github.com/pyimg/pyimg/project"
)

// Musl verdicts.
const (
	MuslFeasible     = "feasible"      // every dependency has a pure or musllinux wheel
	MuslSourceBuilds = "source-builds" // some build from source on Alpine (compilers and headers needed)
	MuslInfeasible   = "infeasible"    // some have neither a musl wheel nor an sdist
	MuslUnknown      = "unknown"       // the files are not known offline (no lock listing them)
)

// Per-package musl statuses.
const (
	StatusPure       = "pure"       // a py3-none-any style wheel
	StatusMuslWheel  = "musl-wheel" // a musllinux wheel
	StatusSource     = "source"     // only an sdist for musl
	StatusImpossible = "impossible" // only glibc (manylinux) or other platform wheels
	StatusUnknown    = "unknown"    // the lock lists no files
)

// MuslVerdict says whether the dependencies install on musl (Alpine).
type MuslVerdict struct {
	// Verdict is one of the Musl constants.
	Verdict string `json:"verdict"`
	// Source says what the verdict rests on.
	Source string `json:"source"`
	// Packages are the per-package statuses, with the file names as
	// evidence, sorted by name.
	Packages []MuslPackage `json:"packages"`
}

// MuslPackage is one dependency's musl status.
type MuslPackage struct {
	// Name and Version of the locked distribution.
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
	// Status is one of the Status constants.
	Status string `json:"status"`
	// Evidence are the file names the status rests on.
	Evidence []string `json:"evidence,omitempty"`
}

// FromLockFiles judges musl compatibility from the wheel and sdist file
// names the project's lock file lists (uv.lock, poetry.lock, pdm.lock,
// pylock.toml do). It reads platform tags only: Python version and
// architecture are the pypi analysis' job (WithMusl).
func FromLockFiles(_ context.Context, p *project.Project) (MuslVerdict, error) {
	own := p.SetupPy || len(p.Generate.BuildPackages) > 0
	l := p.Lock()
	if l == nil && own {
		src := "the project builds its own extension (setup.py or [tool.pyimg.generate] build-packages)"
		if len(p.Dependencies) > 0 {
			src += "; its dependencies' files are not known offline"
		}
		return MuslVerdict{Verdict: MuslSourceBuilds, Source: src, Packages: []MuslPackage{}}, nil
	}
	if l == nil {
		if len(p.Dependencies) == 0 {
			return MuslVerdict{Verdict: MuslFeasible, Source: "no dependencies declared", Packages: []MuslPackage{}}, nil
		}
		return MuslVerdict{Verdict: MuslUnknown, Source: "no lock file lists distribution files; the package index must be asked", Packages: []MuslPackage{}}, nil
	}
	v := MuslVerdict{Source: l.File + " file names (platform tags only)", Packages: []MuslPackage{}}
	counts := map[string]int{}
	for _, lp := range l.Packages {
		if lp.Editable || (lp.Source != "" && !strings.Contains(lp.Source, "://")) || strings.HasPrefix(lp.Source, "git") {
			continue // the project itself, paths and VCS: built locally
		}
		if strings.Contains(lp.Markers, "win32") || strings.Contains(lp.Markers, "Windows") || strings.Contains(lp.Markers, "darwin") {
			continue // not installed on Linux
		}
		mp := classify(lp)
		counts[mp.Status]++
		v.Packages = append(v.Packages, mp)
	}
	switch {
	case counts[StatusImpossible] > 0:
		v.Verdict = MuslInfeasible
	case counts[StatusUnknown] > 0:
		v.Verdict = MuslUnknown
	case counts[StatusSource] > 0:
		v.Verdict = MuslSourceBuilds
	default:
		v.Verdict = MuslFeasible
	}
	return v, nil
}

// classify reads one locked package's file names.
func classify(lp project.Locked) MuslPackage {
	mp := MuslPackage{Name: lp.Name, Version: lp.Version}
	wheels, sdists := lp.Wheels(), lp.Sdists()
	var pure, musl, other []string
	for _, w := range wheels {
		switch plat := platformTag(w); {
		case plat == "any":
			pure = append(pure, w)
		case strings.Contains(plat, "musllinux"):
			musl = append(musl, w)
		default:
			other = append(other, w)
		}
	}
	switch {
	case len(pure) > 0:
		mp.Status, mp.Evidence = StatusPure, pure[:1]
	case len(musl) > 0:
		mp.Status, mp.Evidence = StatusMuslWheel, musl
	case len(sdists) > 0:
		mp.Status, mp.Evidence = StatusSource, sdists
	case len(other) > 0:
		mp.Status, mp.Evidence = StatusImpossible, other
	default:
		mp.Status = StatusUnknown
	}
	slices.Sort(mp.Evidence)
	return mp
}

// platformTag returns the platform tag of a wheel file name
// (name-version[-build]-python-abi-platform.whl).
func platformTag(wheel string) string {
	base := strings.TrimSuffix(wheel, ".whl")
	i := strings.LastIndexByte(base, '-')
	if i < 0 {
		return ""
	}
	return base[i+1:]
}
