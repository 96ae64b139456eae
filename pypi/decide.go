package pypi

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// maxEvidence bounds the file names listed as evidence per package.
const maxEvidence = 40

// decide works out one requirement on one base.
func decide(r Requirement, page *ProjectPage, pageErr error, base Base, t Target, ranker *Ranker) PackageResult {
	pr := PackageResult{Name: r.Name, Version: r.Version, Evidence: []string{}}
	if page == nil {
		if errors.Is(pageErr, ErrOffline) {
			pr.Status, pr.Reason = StatusUnknown, "not known offline: "+pageErr.Error()
		} else {
			pr.Status, pr.Reason = StatusImpossible, fmt.Sprintf("%s is not on the index", r.Name)
			if pageErr != nil {
				pr.Reason = pageErr.Error()
			}
		}
		return pr
	}
	allowed := allowedHashes(r)
	var wheels []Wheel
	var sdists []Sdist
	var excludedPy, excludedHash []string
	native, anyWheel := false, false
	for _, f := range page.Files {
		w, werr := ParseWheelFilename(f.Filename)
		if werr == nil {
			anyWheel = true
			for _, tag := range w.Tags {
				if tag.Platform != "any" {
					native = true
				}
			}
		}
		var version string
		sd, isSdist := SdistFor(f.Filename, r.Name)
		switch {
		case werr == nil:
			version = w.Version
		case isSdist:
			version = sd.Version
		default:
			continue
		}
		if !sameVersion(version, r.Version) {
			continue
		}
		if len(pr.Evidence) < maxEvidence {
			pr.Evidence = append(pr.Evidence, f.Filename)
		}
		if allowed != nil && !allowed[f.SHA256()] {
			excludedHash = append(excludedHash, f.Filename)
			continue
		}
		if ok, err := RequiresPythonAllows(f.RequiresPython, t.PythonVersion); err == nil && !ok {
			excludedPy = append(excludedPy, f.Filename)
			continue
		}
		if werr == nil {
			wheels = append(wheels, w)
		} else {
			sdists = append(sdists, sd)
		}
	}
	sort.Strings(pr.Evidence)
	if best, ok := ranker.Best(wheels); ok {
		pr.Status, pr.Wheel = StatusWheel, best.Filename
		pr.Reason = fmt.Sprintf("wheel %s fits %s", best.Filename, t)
		return pr
	}
	why := noWheelReason(wheels, t)
	if len(sdists) > 0 {
		sort.Slice(sdists, func(i, j int) bool { return sdistPreference(sdists[i]) < sdistPreference(sdists[j]) })
		sd := sdists[0]
		// A project that publishes only none-any wheels is pure Python; one
		// with platform wheels (or none at all) may need a compiler.
		mayBeNative := native || !anyWheel
		pkgs, known := buildPackagesFor(r.Name, base.PackageManager, mayBeNative, base.PythonHeaders)
		pr.Status, pr.Sdist, pr.BuildPackages, pr.BuildNeedsKnown = StatusSourceBuild, sd.Filename, pkgs, known
		switch {
		case known:
			pr.Reason = fmt.Sprintf("%s; build %s from source with %s", why, sd.Filename, strings.Join(pkgs, " "))
		case mayBeNative:
			pr.Reason = fmt.Sprintf("%s; build %s from source (a C compiler is assumed: %s)", why, sd.Filename, strings.Join(pkgs, " "))
		default:
			pr.Reason = fmt.Sprintf("%s; %s is pure Python (its other wheels are none-any) and builds without a compiler", why, sd.Filename)
		}
		return pr
	}
	pr.Status = StatusImpossible
	switch {
	case len(pr.Evidence) == 0:
		pr.Reason = fmt.Sprintf("the index has no file for %s %s", r.Name, r.Version)
	case len(excludedHash) > 0 && len(wheels) == 0 && len(excludedPy) == 0:
		pr.Reason = fmt.Sprintf("no file of %s %s matches the locked hashes", r.Name, r.Version)
	case len(excludedPy) > 0 && len(wheels) == 0:
		pr.Reason = fmt.Sprintf("Requires-Python of every file of %s %s excludes Python %s", r.Name, r.Version, t.PythonVersion)
	default:
		pr.Reason = why + " and there is no sdist"
	}
	return pr
}

// sdistPreference prefers the PEP 625 .tar.gz.
func sdistPreference(s Sdist) int {
	if s.Ext == ".tar.gz" {
		return 0
	}
	return 1
}

// noWheelReason says why no wheel fits, naming the platforms offered.
func noWheelReason(wheels []Wheel, t Target) string {
	if len(wheels) == 0 {
		return "no wheel"
	}
	seen := map[string]bool{}
	var plats []string
	for _, w := range wheels {
		for _, tag := range w.Tags {
			key := tag.Interpreter + "-" + tag.Platform
			if !seen[key] {
				seen[key] = true
				plats = append(plats, key)
			}
		}
	}
	sort.Strings(plats)
	if len(plats) > 8 {
		plats = append(plats[:8], "…")
	}
	return fmt.Sprintf("no wheel for %s (wheels exist for %s)", t, strings.Join(plats, ", "))
}

// summarize says a base's verdict in one sentence.
func summarize(br BaseResult) string {
	by := map[Status][]string{}
	for _, p := range br.Packages {
		by[p.Status] = append(by[p.Status], p.Name)
	}
	n := len(br.Packages)
	switch br.Verdict {
	case StatusWheel:
		return fmt.Sprintf("%s: all %d packages install from wheels", br.Base.Name, n)
	case StatusSourceBuild:
		return fmt.Sprintf("%s: %d of %d packages need a source build (%s); build packages: %s", br.Base.Name, len(by[StatusSourceBuild]), n, strings.Join(by[StatusSourceBuild], ", "), strings.Join(br.BuildPackages, " "))
	case StatusUnknown:
		return fmt.Sprintf("%s: %d of %d packages unknown offline (%s)", br.Base.Name, len(by[StatusUnknown]), n, strings.Join(by[StatusUnknown], ", "))
	default:
		return fmt.Sprintf("%s: not feasible: %d of %d packages cannot be installed (%s)", br.Base.Name, len(by[StatusImpossible]), n, strings.Join(by[StatusImpossible], ", "))
	}
}
