package analyze

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pyimg/pyimg/report"
)

// Rule IDs reported by analyze.
const (
	RuleRoot          = "PY601"
	RuleSecretFile    = "PY602"
	RuleSecretEnv     = "PY603"
	RuleLeftover      = "PY604"
	RuleSetuid        = "PY605"
	RuleWorldWritable = "PY606"
	RuleWaste         = "PY607"
	RuleMissingLib    = "PY701"
	RuleGlibcTooOld   = "PY702"
	RuleLibcMismatch  = "PY703"
)

var rules = []report.Rule{
	{
		ID: RuleRoot, Name: "image-runs-as-root", Severity: report.SeverityWarning,
		Summary: "The image runs its process as root.",
		Why: "The config has no USER (or USER root/0), so the app runs as uid 0: a remote code " +
			"execution in the app, or in one of its dependencies, can write anywhere in the container, " +
			"and with a kernel or runtime bug or a mounted docker socket it escapes to the host as root.",
		Fix:  "Create an unprivileged user in the Dockerfile and switch to it with USER before CMD.",
		Bad:  "An image whose config has no User field, or User \"root\" or \"0:0\".",
		Good: "An image whose config has User \"10001:10001\" (a user created with useradd).",
	},
	{
		ID: RuleSecretFile, Name: "secret-in-layer", Severity: report.SeverityError,
		Summary: "A layer contains a credential file.",
		Why: "Anyone who can pull the image can read every layer: a private key, a .env with a password, " +
			"~/.aws/credentials or a token in .npmrc/.pypirc/.netrc is leaked to them. Deleting the file in a " +
			"later layer does not help; the bytes stay in the earlier layer's blob.",
		Fix: "Never COPY credentials into the build context; pass them with RUN --mount=type=secret, " +
			"add them to .dockerignore, and rotate any credential that was pushed.",
		Bad:  "A layer that adds /app/.env with DATABASE_PASSWORD=s3cr3t, even if a later layer deletes it.",
		Good: "No credential files in any layer; secrets mounted only during RUN with --mount=type=secret.",
	},
	{
		ID: RuleSecretEnv, Name: "secret-in-env", Severity: report.SeverityError,
		Summary: "The image config holds a credential in its env or build history.",
		Why: "ENV values, and ARG values used by RUN, are stored in the image config in clear text: " +
			"`docker inspect`, `docker history` or any registry client shows them, and every process of " +
			"the container inherits the ENV ones.",
		Fix:  "Inject secrets at run time (orchestrator secrets, mounted files) and at build time with RUN --mount=type=secret, never with ENV or ARG.",
		Bad:  "An image config with Env AWS_SECRET_ACCESS_KEY=..., or a history entry \"RUN |1 PIP_TOKEN=... /bin/sh -c pip install ...\".",
		Good: "An image config whose Env holds only non-secret settings such as PYTHONUNBUFFERED=1.",
	},
	{
		ID: RuleLeftover, Name: "build-leftovers", Severity: report.SeverityWarning,
		Summary: "Build-time files remain in the image.",
		Why: "Package caches (pip, uv, poetry), apt lists, compilers, C headers and test suites are only " +
			"needed to build: they make every pull and cold start slower and add attack surface " +
			"(a compiler in a runtime image helps an attacker build exploits).",
		Fix: "Use a multi-stage build and copy only the installed environment; pip install --no-cache-dir " +
			"(or a cache mount), rm -rf /var/lib/apt/lists/* in the same RUN as apt-get install.",
		Bad:  "A final image with /root/.cache/pip (180 MB) and gcc from the build stage.",
		Good: "A final image built FROM a slim base that only receives the virtualenv from the builder stage.",
	},
	{
		ID: RuleSetuid, Name: "setuid-file", Severity: report.SeverityInfo,
		Summary: "The image contains setuid or setgid executables.",
		Why: "A setuid-root binary runs as root whoever starts it: one bug in it turns a compromise of the " +
			"unprivileged app user into root inside the container.",
		Fix:  "Remove the setuid/setgid bit (chmod u-s,g-s) or the binaries the app does not need.",
		Bad:  "A runtime image with /usr/bin/passwd mode 4755 while the app never changes passwords.",
		Good: "A runtime image with no setuid files (find / -perm /6000 returns nothing).",
	},
	{
		ID: RuleWorldWritable, Name: "world-writable", Severity: report.SeverityWarning,
		Summary: "Files or directories are writable by any user.",
		Why: "Any process in the container, whatever its uid, can replace a world-writable file, for " +
			"example the app's code or a script root runs, and escalate through it.",
		Fix:  "chmod o-w the paths; use a sticky directory (mode 1777) only for shared temp space.",
		Bad:  "A layer that adds /app with mode 0777.",
		Good: "/app owned by the app user with mode 0755; /tmp with mode 1777.",
	},
	{
		ID: RuleWaste, Name: "wasted-bytes", Severity: report.SeverityWarning,
		Summary: "Layers repeat or delete files of lower layers.",
		Why: "A file changed or deleted in a later layer still ships in full in the layer that added it " +
			"(dive counts it as wasted): `RUN rm` or `chmod` in a separate step makes the image bigger, not smaller.",
		Fix: "Create, use and delete temporary files in the same RUN; set permissions with COPY --chmod; " +
			"use multi-stage builds.",
		Bad:  "RUN apt-get update && apt-get install -y build-essential, then a later RUN apt-get purge build-essential.",
		Good: "One RUN that installs, builds and purges, or a builder stage whose output is copied.",
	},
	{
		ID: RuleMissingLib, Name: "missing-shared-library", Severity: report.SeverityError,
		Summary: "A native extension needs a shared library the image does not have.",
		Why: "The dynamic loader resolves every DT_NEEDED of an extension module when Python imports it; " +
			"one that is found nowhere (RUNPATH, LD_LIBRARY_PATH, ld.so.conf, the default directories) makes " +
			"the import fail at run time with \"ImportError: libpq.so.5: cannot open shared object file\", " +
			"typically after a multi-stage build copied the venv from a builder that had the -dev packages " +
			"into a slim or distroless runtime that lacks the runtime library.",
		Fix: "Install the runtime package in the final stage (pyimg libs --emit dockerfile prints the apt-get " +
			"or apk line), or for a distroless runtime copy the library and what it needs from the build stage " +
			"(pyimg libs --from BUILD --emit dockerfile --distroless).",
		Bad:  "A runtime stage FROM python:3.12-slim that copies a venv with psycopg2 built against libpq, without installing libpq5.",
		Good: "The same runtime stage with RUN apt-get install -y --no-install-recommends libpq5, or a psycopg2-binary wheel that vendors libpq.",
	},
	{
		ID: RuleGlibcTooOld, Name: "glibc-too-old", Severity: report.SeverityError,
		Summary: "A wheel needs newer glibc (or libstdc++) symbol versions than the image has.",
		Why: "Binary wheels are built against a minimum glibc (manylinux_2_28 means GLIBC_2.28); the loader " +
			"refuses an object that needs a symbol version (GLIBC_2.34, GLIBCXX_3.4.30) its libraries do not " +
			"define, so the import fails with \"version `GLIBC_2.34' not found\".",
		Fix: "Use a base image with a newer glibc (Debian trixie instead of bookworm), or install a wheel " +
			"built for an older manylinux tag (pip --platform, or pin the package version).",
		Bad:  "A manylinux_2_39 wheel installed on a Debian bookworm base (glibc 2.36).",
		Good: "A manylinux_2_28 wheel on bookworm, or the manylinux_2_39 wheel on a base with glibc 2.39 or newer.",
	},
	{
		ID: RuleLibcMismatch, Name: "libc-mismatch", Severity: report.SeverityError,
		Summary: "A native object is linked against the other C library (glibc on musl, or musl on glibc).",
		Why: "A manylinux wheel needs glibc (libc.so.6, ld-linux) and a musllinux wheel needs musl " +
			"(libc.musl-*.so.1, ld-musl); copied into an image with the other libc it fails to load, often " +
			"with a confusing \"not found\" for a file that exists.",
		Fix: "Build and run on the same libc: install musllinux wheels on Alpine and manylinux wheels on " +
			"Debian-based images, and do not copy a venv between the two.",
		Bad:  "A venv built on python:3.12-slim (glibc) copied into a python:3.12-alpine runtime.",
		Good: "Builder and runtime from the same family: python:3.12-slim-bookworm for both.",
	},
}

// Rules returns the metadata of the rules analyze reports, for docs and
// SARIF.
func Rules() []report.Rule {
	out := append(append([]report.Rule(nil), rules...), hostileRules...)
	slices.SortStableFunc(out, func(a, b report.Rule) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func ruleByID(id string) report.Rule {
	for _, r := range Rules() {
		if r.ID == id {
			return r
		}
	}
	return report.Rule{ID: id}
}

func finding(id, path string, layer *int, msg string) report.Finding {
	r := ruleByID(id)
	return report.Finding{Rule: r.ID, Name: r.Name, Severity: r.Severity, Path: path, Layer: layer, Message: msg, Fix: r.Fix}
}

func (a *Analyzer) findings(res *Result, ls []*layerData) []report.Finding {
	out := []report.Finding{}
	sec := res.Security
	if sec.RunsAsRoot {
		u := sec.User
		if u == "" {
			u = "(none)"
		}
		out = append(out, finding(RuleRoot, "", nil, fmt.Sprintf("the image config user is %s, so the process runs as root", u)))
	}
	out = append(out, hostileFindings(ls)...)
	out = append(out, secretFindings(sec.Secrets)...)
	for _, l := range res.Leftovers {
		layer := l.Layer
		out = append(out, finding(RuleLeftover, l.Path, &layer, fmt.Sprintf("%s: %s in %d files", l.Kind, humanBytes(l.SizeBytes), l.Files)))
	}
	out = append(out, factFindings(RuleSetuid, sec.Setuid, "setuid/setgid file")...)
	out = append(out, worldWritableFindings(sec.WorldWritable)...)
	if a.opts.wasteThreshold >= 0 && res.WastedBytes > a.opts.wasteThreshold {
		f := finding(RuleWaste, "", nil, fmt.Sprintf("%s wasted across layers (efficiency %.1f%%, threshold %s)",
			humanBytes(res.WastedBytes), res.Efficiency*100, humanBytes(a.opts.wasteThreshold)))
		if len(res.WastedFiles) > 0 {
			f.Message += fmt.Sprintf("; largest: %s (%s in %d layers)", res.WastedFiles[0].Path,
				humanBytes(res.WastedFiles[0].SizeBytes), res.WastedFiles[0].Count)
		}
		out = append(out, f)
	}
	for i := range out {
		if l := out[i].Layer; l != nil && *l >= 0 && *l < len(res.Layers) {
			out[i].LayerDigest = res.Layers[*l].Digest
		}
	}
	return out
}

// secretFindings reports config env secrets one by one and file secrets
// once per path: at the layer of the file's final version when that still
// holds the secret, else at the last layer that held it.
func secretFindings(secrets []Secret) []report.Finding {
	var out []report.Finding
	type fileSecrets struct {
		kinds   []string
		layers  []int
		current int // layer of the final version, -1 if deleted or replaced
	}
	byPath := map[string]*fileSecrets{}
	var paths []string
	for _, s := range secrets {
		switch {
		case s.History != nil && s.Env != "":
			out = append(out, finding(RuleSecretEnv, "", nil, fmt.Sprintf("build argument %s in history entry %d holds a credential (%s)", s.Env, *s.History, s.Kind)))
			continue
		case s.History != nil:
			out = append(out, finding(RuleSecretEnv, "", nil, fmt.Sprintf("history entry %d's command holds a credential (%s)", *s.History, s.Kind)))
			continue
		case s.Env != "":
			out = append(out, finding(RuleSecretEnv, "", nil, fmt.Sprintf("config env %s holds a credential (%s)", s.Env, s.Kind)))
			continue
		}
		fs := byPath[s.Path]
		if fs == nil {
			fs = &fileSecrets{current: -1}
			byPath[s.Path] = fs
			paths = append(paths, s.Path)
		}
		if !slices.Contains(fs.kinds, s.Kind) {
			fs.kinds = append(fs.kinds, s.Kind)
		}
		if !slices.Contains(fs.layers, *s.Layer) {
			fs.layers = append(fs.layers, *s.Layer)
		}
		if !s.Deleted {
			fs.current = *s.Layer
		}
	}
	slices.Sort(paths)
	for _, p := range paths {
		fs := byPath[p]
		slices.Sort(fs.layers)
		layer := fs.current
		msg := fmt.Sprintf("%s in %s", strings.Join(fs.kinds, ", "), p)
		if layer < 0 {
			layer = fs.layers[len(fs.layers)-1]
			msg += fmt.Sprintf(" (deleted or replaced by a later layer, but still in layer %d's blob)", layer)
		}
		var others []string
		for _, l := range fs.layers {
			if l != layer {
				others = append(others, strconv.Itoa(l))
			}
		}
		if len(others) > 0 {
			msg += fmt.Sprintf("; also in layer %s", strings.Join(others, ", "))
		}
		out = append(out, finding(RuleSecretFile, p, &layer, msg))
	}
	return out
}

func factFindings(id string, facts []FileFact, what string) []report.Finding {
	var out []report.Finding
	for _, ff := range facts {
		layer := ff.Layer
		out = append(out, finding(id, ff.Path, &layer, fmt.Sprintf("%s (mode %s)", what, ff.Mode)))
	}
	return out
}

// worldWritableFindings reports world-writable paths, folding those below a
// reported world-writable directory into its finding (chmod -R 777 makes
// thousands).
func worldWritableFindings(facts []FileFact) []report.Finding {
	var out []report.Finding
	var top string
	below := 0
	flush := func() {
		if below > 0 {
			out[len(out)-1].Message += fmt.Sprintf(", and %d world-writable paths below it", below)
		}
		below = 0
	}
	for _, ff := range facts { // sorted by path: a directory precedes its contents
		if top != "" && strings.HasPrefix(ff.Path, top+"/") {
			below++
			continue
		}
		flush()
		layer := ff.Layer
		out = append(out, finding(RuleWorldWritable, ff.Path, &layer, fmt.Sprintf("writable by any user (mode %s)", ff.Mode)))
		top = ff.Path
	}
	flush()
	return out
}

// humanBytes renders n with binary units ("1.5 MiB").
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
