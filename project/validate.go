package project

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Validate reports contradictions between the project's files, each an
// *InputError with the file and line (joined with errors.Join; nil when
// consistent):
//   - .python-version names a series requires-python excludes;
//   - a lock file of the project's manager lacks a declared runtime
//     dependency, or (uv.lock, poetry.lock) was locked for other Python
//     series than requires-python allows (the lock is out of date);
//   - two lock files of different kinds lock the same package at
//     different versions.
func (p *Project) Validate() error {
	var errs []error
	if p.PythonVersion != "" && !p.Requires.Empty() {
		if s := p.PythonVersionSeries(); s != "" && !p.Requires.AllowsSeries(s) {
			where := p.RequiresPythonFrom
			file, _, _ := strings.Cut(where, " ")
			if p.RequiresPythonLine > 0 {
				where = fmt.Sprintf("%s:%d (%s)", file, p.RequiresPythonLine, strings.TrimPrefix(where, file+" "))
			}
			errs = append(errs, inputErr(".python-version", p.PythonVersionLine,
				"names Python %s, which requires-python %q in %s excludes", s, p.RequiresPython, where))
		}
	}
	if l := p.managerLock(); l != nil && (l.Kind == LockUV || l.Kind == LockPoetry) && p.Pyproject != nil && p.Pyproject.RequiresPython != "" {
		if s := differingSeries(l.RequiresPython, p.Pyproject.RequiresPython); s != "" {
			errs = append(errs, inputErr(l.File, l.RequiresPythonLine,
				"locked for Python %q, but pyproject.toml:%d says %q (they disagree on %s): the lock is out of date (run %s)",
				l.RequiresPython, p.Pyproject.RequiresPythonLine, p.Pyproject.RequiresPython, s, relockCommand(l.Kind)))
		}
	}
	if l := p.managerLock(); l != nil && l.Kind != LockPipfile && p.Pyproject != nil {
		for _, r := range p.Pyproject.Dependencies {
			if r.Marker != "" || r.URL != "" || r.Normalized() == NormalizeName(p.Name) {
				continue // platform-specific or direct references: locks may omit or name them differently
			}
			if len(l.Find(r.Normalized())) == 0 {
				errs = append(errs, inputErr("pyproject.toml", p.Pyproject.DependencyLine(r.Normalized()),
					"dependency %s is not in %s: the lock is out of date (run %s)", r.Name, l.File, relockCommand(l.Kind)))
			}
		}
	}
	if l := p.managerLock(); l != nil && l.Kind == LockPipfile && p.Pipfile != nil {
		for _, r := range p.Pipfile.Packages {
			if r.Marker != "" || r.URL != "" {
				continue
			}
			if len(l.Find(r.Normalized())) == 0 {
				errs = append(errs, inputErr("Pipfile", p.Pipfile.DependencyLine(r.Normalized()),
					"package %s is not in %s: the lock is out of date (run %s)", r.Name, l.File, relockCommand(l.Kind)))
			}
		}
	}
	for i, a := range p.Locks {
		for _, b := range p.Locks[i+1:] {
			if a.Kind == b.Kind {
				continue
			}
			errs = append(errs, disagreements(a, b)...)
		}
	}
	return errors.Join(errs...)
}

// managerLock is the lock file the manager keeps in step with
// pyproject.toml (nil for requirements-driven or unknown managers).
func (p *Project) managerLock() *Lock {
	want := map[string]string{ManagerUV: LockUV, ManagerPoetry: LockPoetry, ManagerPDM: LockPDM, ManagerPipenv: LockPipfile}[p.Manager]
	for _, l := range p.Locks {
		if l.Kind == want {
			return l
		}
	}
	return nil
}

func relockCommand(kind string) string {
	switch kind {
	case LockUV:
		return "uv lock"
	case LockPoetry:
		return "poetry lock"
	case LockPDM:
		return "pdm lock"
	case LockPipfile:
		return "pipenv lock"
	}
	return "your lock tool"
}

// disagreements lists the packages a and b both lock, at no common version.
func disagreements(a, b *Lock) []error {
	var errs []error
	for _, pa := range a.Packages {
		if pa.Version == "" {
			continue
		}
		others := b.Find(pa.Normalized())
		if len(others) == 0 || slices.ContainsFunc(others, func(o Locked) bool { return o.Version == pa.Version || o.Version == "" }) {
			continue
		}
		if slices.ContainsFunc(a.Find(pa.Normalized()), func(x Locked) bool { return x.Version == others[0].Version }) {
			continue // a locks several versions (per marker), one agrees
		}
		errs = append(errs, inputErr(b.File, others[0].Line, "locks %s %s, but %s:%d locks %s: the lock files disagree",
			others[0].Name, others[0].Version, a.File, pa.Line, pa.Version))
	}
	return errs
}

// NormalizeName returns the PEP 503 normalized form of a project name.
func NormalizeName(name string) string { return Requirement{Name: name}.Normalized() }

// differingSeries returns the first Python 3 series one constraint allows
// and the other does not ("" when they agree, or either does not parse):
// tools rewrite constraints (uv locks ">=3.13,<3.14" as "==3.13.*"), so
// they are compared by what they allow.
func differingSeries(a, b string) string {
	if a == "" || b == "" {
		return ""
	}
	sa, err1 := ParseSpecifier(a)
	sb, err2 := ParseSpecifier(b)
	if err1 != nil || err2 != nil {
		return ""
	}
	for minor := 0; minor <= 40; minor++ {
		series := fmt.Sprintf("3.%d", minor)
		if sa.AllowsSeries(series) != sb.AllowsSeries(series) {
			return series
		}
	}
	return ""
}
