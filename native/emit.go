package native

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Packages returns the packages to install with manager ("apt" or "apk")
// so that nothing is missing: for each missing soname the first provider
// of that manager, sorted and without duplicates. Sonames without such a
// provider are returned in unknown.
func (res *Result) Packages(manager string) (pkgs, unknown []string) {
	set := map[string]bool{}
	for _, m := range res.Missing {
		found := false
		for _, p := range m.Providers {
			if p.Manager == manager && p.Package != "" {
				set[p.Package] = true
				found = true
				break
			}
		}
		if !found {
			unknown = append(unknown, m.Soname)
		}
	}
	for p := range set {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	return pkgs, unknown
}

// AptPackages returns the Debian packages that provide the missing
// libraries; see Packages.
func (res *Result) AptPackages() []string {
	p, _ := res.Packages("apt")
	return p
}

// ApkPackages returns the Alpine packages that provide the missing
// libraries; see Packages.
func (res *Result) ApkPackages() []string {
	p, _ := res.Packages("apk")
	return p
}

// Copy is one COPY instruction of a distroless runtime stage: the files of
// a library (its soname link and the real file behind it) and the
// directory they go to.
type Copy struct {
	Soname  string
	Sources []string
	Dest    string
}

// Line renders the COPY instruction, copying from the named stage. Files
// of one directory that all start with the soname are written as one glob
// ("/usr/lib/x86_64-linux-gnu/libpq.so.5*").
func (c Copy) Line(stage string) string {
	return fmt.Sprintf("COPY --from=%s %s %s/", stage, strings.Join(c.Sources, " "), c.Dest)
}

// DistrolessCopies returns the COPY instructions that bring every missing
// library and the libraries it needs that the runtime lacks (its transitive
// closure, with the real files behind symlinks) from the image given to
// AddProvidersFrom. It is empty when no --from image was given or nothing
// is missing.
func (res *Result) DistrolessCopies() []Copy {
	var out []Copy
	for _, g := range res.copies {
		byDir := map[string][]string{}
		var dirs []string
		for _, f := range g.files {
			d := path.Dir(f)
			if byDir[d] == nil {
				dirs = append(dirs, d)
			}
			byDir[d] = append(byDir[d], f)
		}
		for _, d := range dirs {
			files := byDir[d]
			glob := true
			for _, f := range files {
				if !strings.HasPrefix(path.Base(f), g.soname) {
					glob = false
				}
			}
			if glob {
				out = append(out, Copy{Soname: g.soname, Sources: []string{path.Join(d, g.soname) + "*"}, Dest: d})
				continue
			}
			out = append(out, Copy{Soname: g.soname, Sources: files, Dest: d})
		}
	}
	return out
}

// EmitOptions configures Dockerfile.
type EmitOptions struct {
	// Distroless emits COPY lines instead of a package-manager line.
	Distroless bool
	// Stage is the build stage the COPY lines copy from (default "build").
	Stage string
}

// Dockerfile returns the Dockerfile lines that supply the missing
// libraries: an apt-get (or apk) line for a slim runtime, or COPY lines for
// a distroless one. Comments name what could not be resolved. It is empty
// when nothing is missing.
func (res *Result) Dockerfile(o EmitOptions) string {
	if len(res.Missing) == 0 {
		return ""
	}
	if o.Stage == "" {
		o.Stage = "build"
	}
	var b strings.Builder
	if o.Distroless {
		copies := res.DistrolessCopies()
		have := map[string]bool{}
		for _, c := range copies {
			have[c.Soname] = true
			b.WriteString(c.Line(o.Stage) + "\n")
		}
		for _, m := range res.Missing {
			if !have[m.Soname] {
				fmt.Fprintf(&b, "# %s: not found in a --from image; give the build stage's image with --from\n", m.Soname)
			}
		}
		return b.String()
	}
	manager := "apt"
	if res.Libc == LibcMusl || res.Distro.ID == "alpine" {
		manager = "apk"
	}
	pkgs, unknown := res.Packages(manager)
	if len(pkgs) > 0 {
		if manager == "apk" {
			fmt.Fprintf(&b, "RUN apk add --no-cache %s\n", strings.Join(pkgs, " "))
		} else {
			fmt.Fprintf(&b, "RUN apt-get update \\\n && apt-get install -y --no-install-recommends %s \\\n && rm -rf /var/lib/apt/lists/*\n", strings.Join(pkgs, " "))
		}
	}
	for _, s := range unknown {
		fmt.Fprintf(&b, "# %s: no known %s package provides it; pass --from with the build image\n", s, manager)
	}
	return b.String()
}
