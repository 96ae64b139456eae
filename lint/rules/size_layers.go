package rules

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// Checks of what layers add and remove (PY305, PY306, PY311).

// isDependencySource reports whether a COPY source is a dependency
// declaration rather than application code.
func isDependencySource(src string) bool {
	b := path.Base(strings.TrimSuffix(src, "/"))
	if dockerfile.IsDependencyFile(b) {
		return true
	}
	for _, pre := range []string{"requirements", "constraints"} {
		if strings.HasPrefix(b, pre) {
			return true
		}
	}
	switch b {
	case "README.md", "README.rst", "README", "LICENSE", "MANIFEST.in", "setup.cfg", ".python-version",
		// A package's __init__.py or version module copied alone is read
		// for the version; build hooks are inputs of the install.
		"__init__.py", "__about__.py", "_version.py", "version.py", "build.py", "hatch_build.py":
		return true
	}
	return false
}

// depsInstalled reports whether s's FROM chain already installed the
// dependencies before s (a RUN with a dependency install), or s copies an
// installed environment from another stage before index upto: a later
// `uv sync` or `poetry install` then only adds the project.
func depsInstalled(c *lint.Context, s *dockerfile.Stage) bool {
	p := s.Parent
	return p >= 0 && p < s.Index && stageInstallsDeps(c, c.File.Stages[p])
}

type depsKey struct{ s *dockerfile.Stage }

// stageInstallsDeps reports whether s or a stage it is built FROM runs a
// dependency install, computed once per stage and lint run.
func stageInstallsDeps(c *lint.Context, s *dockerfile.Stage) bool {
	return c.Memo(depsKey{s}, func() any {
		for _, in := range s.Instructions {
			if in.Kind == dockerfile.KindRun && installsDeps(c, in) {
				return true
			}
		}
		return depsInstalled(c, s)
	}).(bool)
}

// installsDeps reports whether a RUN installs the dependencies (not only
// the project: `poetry install --only-root`, `pip install --no-deps`).
func installsDeps(c *lint.Context, in *dockerfile.Instruction) bool {
	for _, cmd := range runCommands(c, in) {
		if _, ok := shell.DependencyInstall(cmd); ok && !projectOnly(cmd) {
			return true
		}
	}
	return false
}

func projectOnly(cmd shell.Command) bool {
	for _, a := range cmd.Args {
		if a == "--only-root" || a == "--no-deps" {
			return true
		}
	}
	return false
}

// notSource are extensionless files that are not application code.
var notSource = map[string]bool{"Makefile": true, "Dockerfile": true, "Procfile": true,
	"LICENSE": true, "README": true, "NOTICE": true, "VERSION": true, "Pipfile": true}

// copiesAppSource reports whether a COPY/ADD from the context brings in
// application code: the whole context, a directory or Python files. With a
// known build context, a source without an extension counts when it is a
// directory there; without one, when it is not a well-known file name.
func copiesAppSource(in *dockerfile.Instruction, bc *dockerfile.Context) (string, bool) {
	if (in.Kind != dockerfile.KindCopy && in.Kind != dockerfile.KindAdd) || in.CopyFrom != "" {
		return "", false
	}
	for _, s := range in.Sources {
		if strings.HasPrefix(s, "<<") || strings.Contains(s, "://") || isDependencySource(s) {
			continue
		}
		clean := strings.TrimSuffix(s, "/")
		base := path.Base(clean)
		switch {
		case clean == "." || clean == "" || clean == "*" || clean == "./*":
			return s, true
		case strings.HasSuffix(s, "/"), strings.HasSuffix(s, ".py"):
			return s, true
		case path.Ext(clean) == "" && !strings.HasPrefix(base, ".") && !notSource[base] &&
			!strings.Contains(strings.ToLower(base), "entrypoint"):
			if bc != nil && bc.Dir != "" && !strings.ContainsAny(clean, "*?[$") {
				if st, err := os.Stat(filepath.Join(bc.Dir, filepath.FromSlash(clean))); err == nil && !st.IsDir() {
					continue
				}
			}
			return s, true
		}
	}
	return "", false
}

func checkSourceBeforeDeps(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range c.Stages() {
		if depsInstalled(c, s) {
			continue
		}
		var src *dockerfile.Instruction
		var what string
	scan:
		for _, in := range s.Instructions {
			if in.Kind == dockerfile.KindCopy && in.CopyFrom != "" && src == nil && copiesPythonEnv(in) {
				break // an environment installed elsewhere comes first
			}
			if w, ok := copiesAppSource(in, c.Build); ok && src == nil {
				src, what = in, w
				continue
			}
			if in.Kind != dockerfile.KindRun {
				continue
			}
			for _, cmd := range runCommands(c, in) {
				step, ok := shell.DependencyInstall(cmd)
				if !ok || projectOnly(cmd) {
					continue
				}
				if src != nil {
					out = append(out, lint.Finding(m, src,
						fmt.Sprintf("%s %s copies application source before `%s` (line %d); every code change reinstalls all dependencies",
							src.Kind, what, step, in.StartLine),
						"Copy only the dependency files first, run the install, then copy the source."))
				}
				break scan
			}
		}
	}
	return out
}

// created is a path an instruction put in a layer.
type created struct {
	path string
	in   *dockerfile.Instruction
	// tree is set for COPY/ADD destinations: removing a part of it also
	// leaves the bytes behind.
	tree bool
	what string
}

// writes returns the paths a RUN leaves in its layer, as far as the command
// model can tell.
func writes(in *dockerfile.Instruction, cmds []shell.Command) []created {
	var out []created
	add := func(p, what string) {
		if p != "" && p != "/" && !mountCovers(in, p) {
			out = append(out, created{path: p, in: in, what: what})
		}
	}
	for i, cmd := range cmds {
		if isAptUpdate(cmd) {
			add(aptLists, "apt package lists")
		}
		if t, off, dir, ok := installCache(cmd); ok && cacheKept(in, cmds, i, t, off, dir) {
			dirs := cacheDirs(in, cmds, i, t)
			if dir != "" {
				dirs = []string{resolvePath(in.State.Workdir, dir)}
			}
			for _, d := range dirs {
				add(d, "the "+t.sub+" cache")
			}
		}
		if a, ok := shell.AsApk(cmd); ok && a.Sub == "add" && !a.NoCache || ok && a.Sub == "update" {
			add("/var/cache/apk", "the apk cache")
		}
		for _, r := range cmd.Redirects {
			if strings.HasPrefix(r.Op, ">") || strings.HasPrefix(r.Op, "&>") {
				add(resolvePath(in.State.Workdir, r.Target), "")
			}
		}
		for _, p := range madeBy(cmd) {
			add(resolvePath(in.State.Workdir, p), "")
		}
	}
	return out
}

// madeBy returns the paths a command creates, for the commands whose
// operands say so: mkdir, touch, cp/mv/ln/install (the last operand),
// git clone, curl -o / wget -O, unzip -d, venv creation and pip --target
// or --prefix.
func madeBy(cmd shell.Command) []string {
	var ops []string
	for _, a := range cmd.Args {
		if !strings.HasPrefix(a, "-") {
			ops = append(ops, a)
		}
	}
	switch cmd.Name {
	case "mkdir", "touch":
		return ops
	case "cp", "mv", "ln", "install":
		if len(ops) > 1 {
			return ops[len(ops)-1:]
		}
	case "git":
		if len(ops) > 2 && ops[0] == "clone" {
			return ops[len(ops)-1:]
		}
	case "curl", "wget":
		d := shell.Downloads(&shell.Script{Commands: []shell.Command{cmd}})
		if len(d) == 1 && d[0].Output != "" && d[0].Output != "-" {
			return []string{d[0].Output}
		}
	case "unzip":
		for i, a := range cmd.Args {
			if a == "-d" && i+1 < len(cmd.Args) {
				return []string{cmd.Args[i+1]}
			}
		}
	}
	if v, ok := shell.AsVenv(cmd); ok {
		return []string{v.Path}
	}
	if p, ok := shell.AsPip(cmd); ok && p.Sub == "install" {
		for _, d := range []string{p.Target, p.Prefix} {
			if d != "" {
				return []string{d}
			}
		}
	}
	return nil
}

// copyDests returns what a COPY/ADD puts in the layer: a tree for
// directory sources (".", "src/", names without an extension), a file for
// the others.
func copyDests(in *dockerfile.Instruction) []created {
	if in.Kind != dockerfile.KindCopy && in.Kind != dockerfile.KindAdd {
		return nil
	}
	d := resolvePath(in.State.Workdir, in.Dest)
	if d == "" {
		return nil
	}
	intoDir := strings.HasSuffix(in.Dest, "/") || in.Dest == "." || len(in.Sources) > 1
	var out []created
	for _, s := range in.Sources {
		if strings.HasPrefix(s, "<<") {
			continue
		}
		clean := strings.TrimSuffix(s, "/")
		b := path.Base(clean)
		dirLike := clean == "." || clean == "" || strings.HasSuffix(s, "/") || path.Ext(b) == "" || strings.ContainsAny(b, "*?")
		switch {
		case dirLike && d != "/":
			out = append(out, created{path: d, in: in, tree: true})
		case !dirLike && intoDir:
			out = append(out, created{path: path.Join(d, b), in: in, tree: true})
		case !dirLike && d != "/":
			out = append(out, created{path: d, in: in, tree: true})
		}
	}
	return out
}

// installedPackages returns the apt/apk packages and apk virtual names
// installed by cmds.
func installedPackages(cmds []shell.Command) map[string]bool {
	set := map[string]bool{}
	for _, cmd := range cmds {
		if a, ok := shell.AsApt(cmd); ok && a.Sub == "install" {
			for _, p := range a.Packages {
				set[shell.PackageName(p)] = true
			}
		}
		if a, ok := shell.AsApk(cmd); ok && a.Sub == "add" {
			for _, p := range a.Packages {
				set[shell.PackageName(p)] = true
			}
			if a.Virtual != "" {
				set[a.Virtual] = true
			}
		}
	}
	return set
}

// removedPackages returns the packages cmds uninstall.
func removedPackages(cmds []shell.Command) []string {
	var out []string
	for _, cmd := range cmds {
		// apt-get autoremove --purge PKG removes PKG too.
		if a, ok := shell.AsApt(cmd); ok && (a.Sub == "remove" || a.Sub == "purge" || a.Sub == "autoremove") {
			for _, p := range a.Packages {
				out = append(out, shell.PackageName(p))
			}
		}
		if a, ok := shell.AsApk(cmd); ok && a.Sub == "del" {
			for _, p := range a.Packages {
				out = append(out, shell.PackageName(p))
			}
		}
	}
	return out
}

func checkLateCleanup(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	var earlier []created
	pkgs := map[string]*dockerfile.Instruction{}
	for _, in := range finalInstructions(c) {
		if in.Kind != dockerfile.KindRun {
			earlier = append(earlier, copyDests(in)...)
			continue
		}
		cmds := runCommands(c, in)
		own := writes(in, cmds)
		ownPkgs := installedPackages(cmds)
		var msgs []string
		for i, cmd := range cmds {
			var paths []string
			if r, ok := shell.AsRm(cmd); ok {
				paths = r.Paths
			} else if p, ok := shell.AsPip(cmd); ok && p.Sub == "cache" && p.Launcher != "uv pip" {
				paths = cacheDirs(in, cmds, i, pipCache) // pip cache purge
			} else if iv, ok := shell.AsProjectTool(cmd); ok && iv.Tool == "uv" && (iv.Sub == "cache clean" || iv.Sub == "cache prune") {
				paths = cacheDirs(in, cmds, i, uvCache)
			}
			for _, raw := range paths {
				p := resolvePath(in.State.Workdir, stripGlob(raw))
				if p == "" || p == "/" || createdIn(own, p) != nil {
					continue
				}
				if cr := createdIn(earlier, p); cr != nil {
					what := raw
					if cr.what != "" {
						what = raw + " (" + cr.what + ")"
					}
					msgs = append(msgs, fmt.Sprintf("%s, written by %s at line %d", what, cr.in.Kind, cr.in.StartLine))
				}
			}
		}
		for _, p := range removedPackages(cmds) {
			if src, ok := pkgs[p]; ok && !ownPkgs[p] {
				msgs = append(msgs, fmt.Sprintf("package %s, installed by RUN at line %d", p, src.StartLine))
			}
		}
		if len(msgs) > 0 {
			out = append(out, lint.Finding(m, in,
				"RUN removes "+strings.Join(msgs, "; ")+"; the bytes stay in the earlier layer",
				"Remove the files in the RUN that creates them (or use a cache/bind mount, .dockerignore or a builder stage), then drop this cleanup."))
		}
		earlier = append(earlier, own...)
		for p := range ownPkgs {
			if _, ok := pkgs[p]; !ok {
				pkgs[p] = in
			}
		}
	}
	return out
}

// createdIn returns the entry of list that removing p throws away.
func createdIn(list []created, p string) *created {
	for i := len(list) - 1; i >= 0; i-- {
		cr := &list[i]
		if within(cr.path, p) || cr.tree && within(p, cr.path) {
			return cr
		}
	}
	return nil
}

func checkChownAfterCopy(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	var copies []created
	for _, in := range finalInstructions(c) {
		if in.Kind != dockerfile.KindRun {
			copies = append(copies, copyDests(in)...)
			continue
		}
		for _, cmd := range runCommands(c, in) {
			o, ok := shell.AsOwnership(cmd)
			if !ok || !o.Recursive {
				continue
			}
			hit := ""
			for _, raw := range o.Paths {
				p := resolvePath(in.State.Workdir, stripGlob(raw))
				if p == "" || p == "/" {
					continue
				}
				for _, cp := range copies {
					if o.From != "" && !sameOwner(o.From, copyOwner(cp.in)) {
						continue // chown --from=OLD leaves files owned by others alone
					}
					if within(cp.path, p) || within(p, cp.path) {
						hit = fmt.Sprintf("%s -R %s rewrites %s, copied by %s at line %d", o.Tool, o.Spec, raw, cp.in.Kind, cp.in.StartLine)
						break
					}
				}
				if hit != "" {
					break
				}
			}
			if hit != "" {
				flag := "--chown=" + o.Spec
				if o.Tool == "chmod" {
					flag = "--chmod=" + o.Spec
				}
				out = append(out, lint.Finding(m, in, hit+"; the files are stored twice",
					fmt.Sprintf("Use `COPY %s …` and drop the %s.", flag, o.Tool)))
				break
			}
		}
	}
	return out
}

// copyOwner returns the owner COPY gives its files: --chown, else root.
func copyOwner(in *dockerfile.Instruction) string {
	if in.Chown != "" {
		return in.Chown
	}
	return "0:0"
}

// sameOwner reports whether two owner[:group] specs name the same user
// (root and 0 are the same; other names are compared as written).
func sameOwner(a, b string) bool {
	norm := func(s string) string {
		u, _, _ := strings.Cut(s, ":")
		if u == "root" {
			return "0"
		}
		return u
	}
	return norm(a) == norm(b)
}

// installsPackages reports whether a RUN installs system or Python
// packages: such RUNs are often kept apart on purpose for caching.
func installsPackages(cmds []shell.Command) bool {
	for _, cmd := range cmds {
		if a, ok := shell.AsApt(cmd); ok && a.Sub == "install" {
			return true
		}
		if a, ok := shell.AsApk(cmd); ok && a.Sub == "add" {
			return true
		}
		if p, ok := shell.AsPip(cmd); ok && p.Sub == "install" {
			return true
		}
		if _, ok := shell.DependencyInstall(cmd); ok {
			return true
		}
	}
	return false
}

func checkMergeableRuns(m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range finalChain(c) {
		var prev *dockerfile.Instruction
		prevInstalls := false
		reported := false
		for _, in := range s.Instructions {
			if in.Kind != dockerfile.KindRun {
				prev, reported = nil, false
				continue
			}
			inst := installsPackages(runCommands(c, in))
			if prev != nil && !reported && !(inst && prevInstalls) && strings.Join(prev.Flags, " ") == strings.Join(in.Flags, " ") {
				out = append(out, lint.Finding(m, in,
					fmt.Sprintf("RUN follows the RUN at line %d directly; they could be one layer", prev.StartLine),
					"Join the commands with `&&` in one RUN."))
				reported = true
			}
			prev, prevInstalls = in, inst
		}
	}
	return out
}
