package native

import (
	"fmt"
	"io"
	"strings"
)

// TextOptions configures WriteText.
type TextOptions struct {
	// Color marks missing libraries and failures with ANSI colours.
	Color bool
	// Stage is the build stage named in the suggested COPY lines.
	Stage string
	// All shows the interpreter and standard-library objects even when
	// nothing they need is missing.
	All bool
}

// WriteText writes the report for people: each object Python loads with
// its libraries as a tree (library → real file → OS package), then the
// missing libraries with their providers, the glibc versions and the
// mismatches.
func (res *Result) WriteText(w io.Writer, o TextOptions) error {
	red, bold, reset := "", "", ""
	if o.Color {
		red, bold, reset = "\x1b[31m", "\x1b[1m", "\x1b[0m"
	}
	ew := &errWriter{w: w}
	libs := map[string]*Library{}
	for i := range res.Libraries {
		libs[res.Libraries[i].RealPath] = &res.Libraries[i]
	}
	bad := map[string]bool{}
	for _, m := range res.Missing {
		for _, e := range m.Extensions {
			bad[e] = true
		}
	}
	for _, m := range res.Mismatches {
		bad[m.Path] = true
	}
	hidden := 0
	for _, r := range res.Roots {
		// The interpreter and the standard library are the base image's
		// business: shown only when something they need is missing.
		if (r.Kind == "stdlib" || r.Kind == "interpreter" || r.Kind == "libpython") && !bad[r.Path] && !o.All {
			hidden++
			continue
		}
		owner := r.Distribution
		if owner == "" {
			owner = r.Package
		}
		if owner != "" {
			owner = "  (" + owner + ")"
		}
		ew.printf("%s%s%s [%s]%s\n", bold, r.Path, reset, r.Kind, owner)
		seen := map[string]bool{}
		var tree func(needs []Need, indent string)
		tree = func(needs []Need, indent string) {
			for i, n := range needs {
				branch, next := "├── ", "│   "
				if i == len(needs)-1 {
					branch, next = "└── ", "    "
				}
				if n.Path == "" {
					ew.printf("%s%s%s%s  NOT FOUND%s\n", indent, branch, red, n.Soname, reset)
					continue
				}
				l := libs[n.Path]
				pkg := ""
				if l != nil && l.Package != "" {
					pkg = "  [" + l.Package + "]"
				}
				if seen[n.Path] {
					ew.printf("%s%s%s  %s (see above)\n", indent, branch, n.Soname, n.Path)
					continue
				}
				seen[n.Path] = true
				ew.printf("%s%s%s  %s%s\n", indent, branch, n.Soname, n.Path, pkg)
				if l != nil && !l.glibc {
					tree(l.Needs, indent+next)
				}
			}
		}
		tree(r.Needs, "")
	}
	if len(res.Roots) == 0 {
		ew.printf("no ELF objects that Python loads were found\n")
	}
	if hidden > 0 {
		ew.printf("(%d interpreter and standard-library objects resolve completely; --all shows them)\n", hidden)
	}
	ew.printf("\nlibc: %s", orNone(res.Libc))
	if res.LibcVersion != "" {
		ew.printf(" %s", res.LibcVersion)
	}
	ew.printf("\nglibc required: %s", orNone(res.GlibcRequired))
	if res.GlibcRequiredBy != "" {
		ew.printf(" (by %s)", res.GlibcRequiredBy)
	}
	ew.printf("\nglibc available: %s\n", orNone(res.GlibcAvailable))
	if res.GlibcTooOld() {
		ew.printf("%sglibc %s is older than the %s required%s\n", red, res.GlibcAvailable, res.GlibcRequired, reset)
	}
	if len(res.Missing) > 0 {
		ew.printf("\n%smissing libraries: %d%s\n", red, len(res.Missing), reset)
		for _, m := range res.Missing {
			ew.printf("  %s\n", m.Soname)
			ew.printf("    needed by: %s\n", strings.Join(m.NeededBy, ", "))
			if len(m.Distributions) > 0 {
				ew.printf("    python distributions: %s\n", strings.Join(m.Distributions, ", "))
			}
			if len(m.Providers) == 0 {
				ew.printf("    provided by: unknown\n")
			}
			for _, p := range m.Providers {
				ew.printf("    provided by: %s (%s, %s)\n", p.Package, p.Manager, p.Source)
			}
		}
	}
	if len(res.External) > 0 {
		ew.printf("\nexpected from the base image: ")
		var s []string
		for _, m := range res.External {
			s = append(s, m.Soname)
		}
		ew.printf("%s\n", strings.Join(s, ", "))
	}
	for _, m := range res.Mismatches {
		ew.printf("%slibc mismatch:%s %s: %s\n", red, reset, m.Path, m.Reason)
	}
	for _, g := range res.VersionGaps {
		ew.printf("%sversion not found:%s %s needs %s from %s\n", red, reset, g.Path, g.Version, g.Library)
	}
	if res.Truncated {
		ew.printf("%sthe image has more entries than the record budget; libraries may be reported missing that are present%s\n", red, reset)
	}
	for _, n := range res.NotAnalysed {
		ew.printf("not analysed: %s: %s\n", n.Path, n.Reason)
	}
	if len(res.Missing) > 0 {
		ew.printf("\nsuggested Dockerfile lines:\n%s", res.Dockerfile(EmitOptions{Stage: o.Stage}))
	}
	return ew.err
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
