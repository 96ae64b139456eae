package check

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyimg/pyimg/report"
)

// maxSteps keeps the list short.
const maxSteps = 5

// nextSteps builds the numbered "what to do next" list: commands that
// exist (lint, pin, data update, scan) or are planned (generate, libs,
// build).
func nextSteps(r *Report) []Step {
	var s []Step
	dir := shellQuote(r.Dir)
	p := r.Project
	if len(r.Data.Stale) > 0 {
		s = append(s, Step{"pyimg data update", "the lifecycle data predates a release it expected (" + firstWords(r.Data.Stale[0]) + ")"})
	}
	alpine := r.Musl.Verdict == MuslFeasible && len(p.Dependencies) > 0
	if len(p.Dockerfiles) == 0 && (p.Manager != "" || p.App.Framework != "") {
		why := "no Dockerfile yet: write a multi-stage Dockerfile and .dockerignore"
		if p.App.Framework != "" && len(p.App.Command) > 0 {
			why += fmt.Sprintf(" for this %s project (%s)", p.App.Framework, strings.Join(p.App.Command, " "))
		}
		if alpine {
			why += "; --variant alpine works too: every dependency has a pure or musllinux wheel"
		}
		s = append(s, Step{"pyimg generate " + dir, why})
	}
	unpinned := false
	for _, l := range r.Lint {
		n := 0
		for _, f := range l.Findings {
			if f.Rule == "PY104" {
				unpinned = true
			}
			if f.Severity >= report.SeverityWarning {
				n++
			}
		}
		switch {
		case l.Error != "":
			s = append(s, Step{"pyimg lint " + shellQuote(filepath.Join(r.Dir, l.File)), l.File + " does not parse: " + l.Error})
		case n > 0:
			s = append(s, Step{"pyimg lint " + shellQuote(filepath.Join(r.Dir, l.File)), fmt.Sprintf("%d findings of severity warning or above in %s", n, l.File)})
		}
	}
	if unpinned {
		files := []string{}
		for _, l := range r.Lint {
			files = append(files, shellQuote(filepath.Join(r.Dir, l.File)))
		}
		s = append(s, Step{"pyimg pin " + strings.Join(files, " "), "pin the base images to an exact tag and digest"})
	}
	if alpine && len(p.Dockerfiles) > 0 {
		s = append(s, Step{"pyimg generate --variant alpine --stdout " + dir, "every dependency has a pure or musllinux wheel, so an Alpine image is possible; compare it with your Dockerfile"})
	}
	if len(r.Native) > 0 {
		s = append(s, Step{"pyimg libs IMAGE", "after building, check the image carries the shared libraries the extensions load (" + strings.Join(runtimeOf(r.Native), ", ") + ")"})
	}
	s = append(s, Step{"pyimg scan IMAGE", "after building, scan the image's OS and Python packages for known vulnerabilities ('pyimg db update' first)"})
	if len(s) > maxSteps {
		s = s[:maxSteps]
	}
	return s
}

func runtimeOf(needs []NativeNeed) []string {
	var out []string
	for _, n := range needs {
		out = append(out, n.RuntimePackages...)
	}
	if len(out) == 0 {
		return []string{"none declared"}
	}
	return out
}

// firstWords shortens a stale-data note to its subject.
func firstWords(s string) string {
	if i := strings.Index(s, " is older than "); i >= 0 {
		rest := s[i+len(" is older than "):]
		if j := strings.Index(rest, ":"); j >= 0 {
			return rest[:j]
		}
	}
	return s
}

// shellQuote quotes s for a POSIX shell when it holds anything but safe
// characters.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=@+,%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// readBounded reads a file of the project, at most limit bytes.
func readBounded(dir, name string, limit int64) ([]byte, error) {
	p := filepath.Join(dir, name)
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", p, limit)
	}
	return os.ReadFile(p)
}
