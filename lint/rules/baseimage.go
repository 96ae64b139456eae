package rules

import (
	"fmt"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// baseImageRules are PY101–PY108: what the FROM lines pull in.
func baseImageRules(k *baseimage.Knowledge) []lint.Rule {
	return []lint.Rule{
		rule{meta: report.Rule{
			ID: "PY101", Name: "base-image-latest", Severity: report.SeverityError,
			Summary: "Base image uses the `latest` tag or no tag.",
			Why: "`FROM python` resolves to whatever `latest` is on the day of the build: a rebuild months later " +
				"silently jumps Python minor version (3.12 → 3.13) and Debian release, and wheels built for the old ABI stop importing.",
			Fix:  "Pin a version tag such as `python:3.13.9-slim-trixie` (and a digest, see PY104).",
			Bad:  "FROM python\nRUN pip install flask\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nRUN pip install flask\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			for _, b := range imageBases(k, c) {
				if b.ref.Digest != "" || b.ref.Invalid && !b.ref.Unresolved {
					continue
				}
				if b.ref.Tag != "" && b.ref.Tag != "latest" {
					continue
				}
				what := "has no tag, so it means :latest"
				if b.ref.Tag == "latest" {
					what = "uses the :latest tag"
				}
				fix := "Pin a version tag and digest for " + b.ref.Short() + "."
				if b.official {
					if t, ok := suggestedTag(k, c, baseimage.VariantSlim); ok {
						fix = fmt.Sprintf("Use `FROM %s:%s` (pinned Python and Debian release), plus a digest.", b.ref.Short(), t)
					}
				}
				out = append(out, lint.Finding(m, b.stage.From,
					fmt.Sprintf("%s: base image %s %s; rebuilds pick up a different image", stageName(b.stage), b.display(), what), fix))
			}
			for _, e := range externalRefs(c) {
				if e.ref.Digest != "" || e.ref.Tag != "" && e.ref.Tag != "latest" {
					continue
				}
				out = append(out, lint.Finding(m, e.in,
					fmt.Sprintf("%s=%s names an image without a version tag; rebuilds copy from a different image", e.via, e.ref.Raw),
					"Pin a version tag and digest, e.g. `--from="+e.ref.Short()+":<version>@sha256:<digest>`."))
			}
			return out
		}},
		rule{meta: report.Rule{
			ID: "PY102", Name: "python-tag-without-os", Severity: report.SeverityWarning,
			Summary: "Official python tag names no OS release (e.g. `3.12-slim` instead of `3.12-slim-bookworm`).",
			Why: "Tags without a Debian codename or Alpine release move when Docker switches the default OS: `3.12-slim` " +
				"went from bookworm to trixie, changing glibc and apt package names under an unchanged Dockerfile and breaking `apt-get install` lines.",
			Fix:  "Append the OS release: `python:3.12-slim-bookworm`, `python:3.12-alpine3.22`.",
			Bad:  "FROM python:3.13.9-slim\n",
			Good: "FROM python:3.13.9-slim-trixie\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			for _, b := range imageBases(k, c) {
				if !b.official || !b.tagOK || b.tag.OS != "" || b.tag.Windows() || b.tag.Raw == "latest" || b.tag.Variant == baseimage.VariantOnbuild {
					continue
				}
				// A digest cannot drift, and a frozen tag (end-of-life
				// series, older patch release) no longer follows the
				// default OS: PY106 reports the OS it is stuck on.
				if b.ref.Digest != "" {
					continue
				}
				if _, ok := frozenTag(k, c, b); ok {
					continue
				}
				fixed := b.tag
				now := k.Defaults.Debian
				if b.tag.Variant == baseimage.VariantAlpine {
					now = "alpine" + k.Defaults.Alpine
				}
				fixed.OS = now
				msg := fmt.Sprintf("%s: %s names no OS release; the image underneath changes when the default OS does (currently %s)",
					stageName(b.stage), b.display(), now)
				fix := fmt.Sprintf("Use `%s:%s` to keep the OS release fixed.", b.ref.Short(), fixed.String())
				if p, ok := k.Python(b.tag.Series()); ok && p.StatusAt(c.Today).Support == baseimage.EOL {
					// Images of end-of-life series are no longer rebuilt, so
					// the current default OS was never published for them.
					fix = "Pin the Debian codename or Alpine release the image was last built on (e.g. `-bookworm`); better, move to a supported Python series (PY105)."
				}
				out = append(out, lint.Finding(m, b.stage.From, msg, fix))
			}
			return out
		}},
		rule{meta: report.Rule{
			ID: "PY103", Name: "python-tag-not-patch-pinned", Severity: report.SeverityInfo,
			Summary: "Official python tag is not pinned to a patch release (`3.12` instead of `3.12.7`).",
			Why: "`3.12-slim-bookworm` is rebuilt for every patch release, so two builds of the same commit can ship different " +
				"interpreters; a regression in a patch release then appears without any change in the repository.",
			Fix:  "Name the patch release, e.g. `python:3.13.9-slim-trixie`, and let Renovate or Dependabot bump it.",
			Bad:  "FROM python:3.13-slim-trixie\n",
			Good: "FROM python:3.13.9-slim-trixie\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			for _, b := range imageBases(k, c) {
				if !b.official || !b.tagOK || b.tag.HasPatch || b.tag.Raw == "latest" || b.tag.Version == "" || b.ref.Digest != "" {
					continue
				}
				if _, ok := frozenTag(k, c, b); ok {
					continue // an end-of-life series gets no new patch releases
				}
				fix := "Name a patch release in the tag."
				if p, ok := k.Python(b.tag.Series()); ok && p.Latest != "" {
					fixed := b.tag
					fixed.Version = p.Latest
					fix = fmt.Sprintf("Use `%s:%s` (newest known %s patch release).", b.ref.Short(), fixed.String(), p.Version)
				}
				what := "series " + b.tag.Series()
				if !b.tag.HasMinor {
					what = "only major version " + b.tag.Version
				}
				out = append(out, lint.Finding(m, b.stage.From,
					fmt.Sprintf("%s: %s pins %s, not a patch release; the interpreter changes between builds", stageName(b.stage), b.display(), what), fix))
			}
			return out
		}},
		rule{meta: report.Rule{
			ID: "PY104", Name: "base-image-no-digest", Severity: report.SeverityWarning,
			Summary: "Base image is not pinned by digest.",
			Why: "Tags are mutable: the same `python:3.12.7-slim-bookworm` is re-pushed with OS updates and can be re-pointed " +
				"by whoever controls the repository, so builds are not reproducible and a compromised tag goes straight into production.",
			Fix:  "Run `pyimg pin Dockerfile` to append the registry's `@sha256:<digest>` (or take it from `docker buildx imagetools inspect IMAGE`); `pyimg pin --update` or Renovate keeps it current.",
			Bad:  "FROM python:3.13.9-slim-trixie\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			for _, b := range imageBases(k, c) {
				if b.ref.Digest != "" || strings.Contains(b.stage.ResolvedBase, "@") {
					continue
				}
				out = append(out, lint.Finding(m, b.stage.From,
					fmt.Sprintf("%s: %s is not pinned by digest; the tag can move to a different image", stageName(b.stage), b.display()),
					fmt.Sprintf("Run `pyimg pin` to rewrite it as `FROM %s@sha256:<digest>` (or get the digest with `docker buildx imagetools inspect %s`).", b.display(), b.display())))
			}
			for _, e := range externalRefs(c) {
				if e.ref.Digest != "" {
					continue
				}
				out = append(out, lint.Finding(m, e.in,
					fmt.Sprintf("%s=%s is not pinned by digest; the tag can move to a different image", e.via, e.ref.Raw),
					fmt.Sprintf("Append the digest: `%s@sha256:<digest>` (from `docker buildx imagetools inspect %s`).", e.ref.Raw, e.ref.Raw)))
			}
			return out
		}},
		rule{meta: report.Rule{
			ID: "PY105", Name: "python-eol", Severity: report.SeverityError,
			Summary: "Python series is past end of life (error) or within 180 days of it (warning).",
			Why: "After end of life CPython gets no security releases: CVEs in the interpreter and stdlib (e.g. tarfile, " +
				"http.server) stay unfixed in every image built on it, and new wheels stop being published for it.",
			Fix:  "Move to a supported series, e.g. `python:3.13.9-slim-trixie`, and test the upgrade.",
			Bad:  "FROM python:3.8.20-slim-bookworm@sha256:" + exampleDigest + "\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			for _, b := range imageBases(k, c) {
				a, ok := abiOfBase(b)
				if !ok || a.series == "" {
					continue
				}
				p, ok := k.Python(a.series)
				if !ok {
					continue
				}
				st := p.StatusAt(c.Today)
				fix := "Move to a supported Python series."
				if t, ok := suggestedTag(k, c, variantOf(b)); ok && b.official {
					fix = fmt.Sprintf("Move to a supported series, e.g. `%s:%s`.", b.ref.Short(), t)
				}
				switch st.Support {
				case baseimage.EOL:
					out = append(out, lint.Finding(m, b.stage.From,
						fmt.Sprintf("%s: Python %s (%s) reached end of life on %s; it gets no security fixes", stageName(b.stage), p.Version, b.display(), day(st.EOL)), fix))
				case baseimage.EOLSoon:
					f := lint.Finding(m, b.stage.From,
						fmt.Sprintf("%s: Python %s (%s) reaches end of life on %s (%d days left)", stageName(b.stage), p.Version, b.display(), day(st.EOL), st.DaysLeft), fix)
					f.Severity = report.SeverityWarning
					out = append(out, f)
				}
			}
			return out
		}},
		rule{meta: report.Rule{
			ID: "PY106", Name: "os-release-eol", Severity: report.SeverityError,
			Summary: "Base OS release (Debian, Alpine) is past all security support or the image is no longer updated (error); only Debian LTS covers it, or support ends within 180 days (warning).",
			Why: "Once a Debian or Alpine release leaves security support, OpenSSL, glibc/musl and zlib CVEs stay unfixed " +
				"in the image; `apt-get update` may even fail when the release moves to archive.debian.org.",
			Fix:  "Move to a supported release, e.g. `python:3.12.12-slim-trixie` or `python:3.12.12-alpine3.22`.",
			Bad:  "FROM python:3.11.4-slim-buster@sha256:" + exampleDigest + "\n",
			Good: "FROM python:3.12.12-slim-trixie@sha256:" + exampleDigest + "\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			for _, b := range imageBases(k, c) {
				rel, ok := osOf(k, b)
				frozenNote := ""
				if fz, isFrozen := frozenTag(k, c, b); isFrozen && b.tag.OS == "" {
					if !fz.osOK {
						fix := "Use the newest patch release of a supported series with an explicit OS release."
						if t, ok := suggestedTag(k, c, b.tag.Variant); ok {
							fix = fmt.Sprintf("Use the newest patch release of a supported series with an explicit OS release, e.g. `%s:%s`.", b.ref.Short(), t)
						}
						f := lint.Finding(m, b.stage.From,
							fmt.Sprintf("%s: %s is frozen: %s; the OS packages in it get no security fixes", stageName(b.stage), b.display(), fz.why), fix)
						f.Severity = report.SeverityWarning
						out = append(out, f)
						continue
					}
					rel, ok = fz.os, true
					frozenNote = "; the tag is frozen there: " + fz.why
				}
				if b.isKnown && b.known.Deprecated {
					out = append(out, lint.Finding(m, b.stage.From,
						fmt.Sprintf("%s: %s is no longer updated by its publisher", stageName(b.stage), b.display()),
						"Move to a maintained image (a newer distroless release or the official python image)."))
					continue
				}
				if !ok {
					continue
				}
				name := osName(rel)
				st := rel.StatusAt(c.Today)
				fix := "Move to a supported " + rel.Distro + " release."
				if b.official && b.tagOK {
					version := b.tag.Version
					if p, ok := k.Python(b.tag.Series()); ok && p.Latest != "" && p.StatusAt(c.Today).Supported() {
						version = p.Latest // old patch releases were never built on the new OS
					} else if t, ok := suggestedTag(k, c, b.tag.Variant); ok {
						version = strings.SplitN(t, "-", 2)[0]
					}
					fix = fmt.Sprintf("Move to a supported release, e.g. `%s:%s`.", b.ref.Short(), pinnedTag(k, version, b.tag.Variant, ""))
				}
				switch {
				case st.Support == baseimage.EOL:
					out = append(out, lint.Finding(m, b.stage.From,
						fmt.Sprintf("%s: %s (%s) has had no security support since %s%s", stageName(b.stage), name, b.display(), day(st.EOL), frozenNote), fix))
				case !finalChainSet(c)[b.stage.Index]:
					// A builder's OS that still gets (LTS) security fixes
					// ships nothing: only an unsupported one is reported.
				case st.Phase == baseimage.PhaseLTS:
					f := lint.Finding(m, b.stage.From,
						fmt.Sprintf("%s: %s (%s) left regular security support on %s; only Debian LTS covers it, until %s%s",
							stageName(b.stage), name, b.display(), day(rel.SecurityEOL), day(st.EOL), frozenNote), fix)
					f.Severity = report.SeverityWarning
					out = append(out, f)
				case st.Support == baseimage.EOLSoon:
					f := lint.Finding(m, b.stage.From,
						fmt.Sprintf("%s: %s (%s) reaches the end of security support on %s (%d days left)%s",
							stageName(b.stage), name, b.display(), day(st.EOL), st.DaysLeft, frozenNote), fix)
					f.Severity = report.SeverityWarning
					out = append(out, f)
				}
			}
			return out
		}},
		rule{meta: report.Rule{
			ID: "PY107", Name: "python-abi-mismatch", Severity: report.SeverityError,
			Summary: "A virtualenv, site-packages or pip --target directory is copied between stages with different Python versions, libc or interpreter paths, or pip installs for another interpreter than the image runs.",
			Why: "Compiled wheels are tagged for one CPython minor version and libc (`cp312-manylinux` vs `musllinux`), and a " +
				"venv's `bin/python` links to the builder's interpreter: copying it into a 3.11 or Alpine stage fails " +
				"at import time with `ModuleNotFoundError` or `Error loading shared library`, and copying a venv made on " +
				"the official image (Python in /usr/local/bin) into distroless (Python in /usr/bin) fails at start with " +
				"`exec /venv/bin/python: no such file or directory`.",
			Fix:  "Build the venv on the same Python series and libc family as the runtime stage (e.g. both `python:3.13.9-slim-trixie`).",
			Bad:  "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + " AS builder\nRUN python -m venv /venv\nFROM gcr.io/distroless/python3-debian12:nonroot@sha256:" + exampleDigest + "\nCOPY --from=builder /venv /venv\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + " AS builder\nRUN python -m venv /venv\nFROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nCOPY --from=builder /venv /venv\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			for _, s := range c.Stages() {
				dst, dstOK := abiOf(k, c, s)
				if !dstOK {
					continue
				}
				for _, in := range s.Instructions {
					if in.Kind != dockerfile.KindCopy || in.CopyFrom == "" || !copiesPythonEnv(in) && !copiesPipTarget(c, in) {
						continue
					}
					var src pythonABI
					var srcOK bool
					if from, ok := c.File.CopySource(in); ok {
						src, srcOK = abiOf(k, c, from)
					} else if !strings.Contains(in.CopyFrom, "$") {
						if _, isStage := c.File.Stage(in.CopyFrom); !isStage {
							src, srcOK = abiOfBase(describeBase(k, c, &dockerfile.Stage{Parent: -1, ResolvedBase: in.CopyFrom, Base: in.CopyFrom}))
						}
					}
					// The path itself may name the series: /usr/local/lib/python3.11/site-packages.
					if ps := pathSeries(in); ps != "" && (!srcOK || src.series == "") {
						src.series, srcOK = ps, true
						if src.image == "" {
							src.image = in.CopyFrom
						}
					}
					if !srcOK {
						continue
					}
					var why []string
					if src.series != "" && dst.series != "" && src.series != dst.series {
						why = append(why, fmt.Sprintf("Python %s vs %s", src.series, dst.series))
					}
					if src.libc != "" && dst.libc != "" && src.libc != dst.libc {
						why = append(why, fmt.Sprintf("%s vs %s", src.libc, dst.libc))
					}
					if len(why) > 0 {
						out = append(out, lint.Finding(m, in,
							fmt.Sprintf("COPY --from=%s %s: built on %s, copied into %s (%s); compiled packages will not load",
								in.CopyFrom, strings.Join(in.Sources, " "), src, dst, strings.Join(why, ", ")),
							fmt.Sprintf("Build %s on the same Python series and libc as %s.", in.CopyFrom, dst.image)))
						continue
					}
					// Same series and libc, but a venv's bin/python is a link
					// to the builder's interpreter, which may live elsewhere
					// in the runtime image.
					if copiesVenv(in) && src.bin != "" && dst.bin != "" && src.bin != dst.bin {
						py := "python" + src.series
						out = append(out, lint.Finding(m, in,
							fmt.Sprintf("COPY --from=%s %s: the venv's bin/python links to %s/%s of %s, but %s has its Python in %s; the entry point fails with 'no such file or directory'",
								in.CopyFrom, strings.Join(in.Sources, " "), src.bin, py, src.image, dst.image, dst.bin),
							fmt.Sprintf("Build the venv on an image with Python in %s, e.g. the Debian release that %s is built on, with `apt-get install python3-venv` (what `pyimg generate --variant distroless` writes).", dst.bin, dst.image)))
					}
				}
			}
			return append(out, interpreterMismatch(k, m, c)...)
		}},
		rule{meta: report.Rule{
			ID: "PY108", Name: "python-prerelease", Severity: report.SeverityWarning,
			Summary: "Base image is a pre-release of Python (alpha, beta, release candidate).",
			Why: "Pre-releases change the C API between candidates and many packages publish no wheels for them, so " +
				"`pip install` falls back to source builds or fails, and behaviour can change before the final release.",
			Fix:  "Use the newest final release, e.g. `python:3.13.9-slim-trixie`, and test pre-releases in a separate CI job.",
			Bad:  "FROM python:3.14.0rc2-slim-trixie@sha256:" + exampleDigest + "\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			for _, b := range imageBases(k, c) {
				if !b.official || !b.tagOK || b.tag.Raw == "latest" {
					continue
				}
				pre := b.tag.Prerelease()
				if !pre && b.tag.HasMinor {
					if p, ok := k.Python(b.tag.Series()); ok && p.StatusAt(c.Today).Support == baseimage.Unreleased {
						pre = true
					}
				}
				if !pre {
					continue
				}
				fix := "Use a final release."
				if t, ok := suggestedTag(k, c, variantOf(b)); ok {
					fix = fmt.Sprintf("Use a final release, e.g. `%s:%s`.", b.ref.Short(), t)
				}
				out = append(out, lint.Finding(m, b.stage.From,
					fmt.Sprintf("%s: %s is a pre-release of Python %s", stageName(b.stage), b.display(), b.tag.Series()), fix))
			}
			return out
		}},
	}
}

// exampleDigest is a syntactically valid digest for rule examples.
const exampleDigest = "6a1e4b7e0c2f3d4a5b6c7d8e9f00112233445566778899aabbccddeeff001122"

func day(t time.Time) string { return t.Format(time.DateOnly) }

func variantOf(b base) string {
	if b.official && b.tagOK {
		return b.tag.Variant
	}
	return baseimage.VariantSlim
}

// osOf returns the OS release a base is built on, when it is pinned
// explicitly (official tags with a codename or Alpine release, debian:12,
// alpine:3.20, known images).
func osOf(k *baseimage.Knowledge, b base) (baseimage.OSRelease, bool) {
	switch {
	case b.official && b.tagOK && b.tag.OS != "":
		return k.TagOS(b.tag)
	case b.isKnown && b.known.OS != "":
		if r, ok := k.Debian(b.known.OS); ok {
			return r, true
		}
		return k.Alpine(b.known.OS)
	case b.ref.DockerHub() && b.ref.Repository == "library/debian" && b.ref.Tag != "":
		return k.Debian(strings.TrimSuffix(b.ref.Tag, "-slim"))
	case b.ref.DockerHub() && b.ref.Repository == "library/alpine" && b.ref.Tag != "":
		return k.Alpine(b.ref.Tag)
	}
	return baseimage.OSRelease{}, false
}

func osName(r baseimage.OSRelease) string {
	if r.Distro == "debian" {
		if r.Codename != "" {
			return fmt.Sprintf("Debian %s %s", r.Version, r.Codename)
		}
		return "Debian " + r.Version
	}
	return "Alpine " + r.Version
}

var rePySeriesPath = regexp.MustCompile(`python(3\.[0-9]+)`)

// copiesPythonEnv reports whether a COPY moves a virtualenv, site-packages
// or a Python prefix.
func copiesPythonEnv(in *dockerfile.Instruction) bool {
	for _, p := range append(append([]string(nil), in.Sources...), in.Dest) {
		p = strings.ToLower(path.Clean("/" + in.Expand(p)))
		switch {
		case strings.Contains(p, "site-packages"), strings.Contains(p, "dist-packages"),
			strings.Contains(p, "venv"), strings.Contains(p, "/.local"),
			rePySeriesPath.MatchString(p), p == "/usr/local" || p == "/usr/local/lib",
			p == "/install", strings.HasPrefix(p, "/opt/poetry"), strings.HasSuffix(p, "/__pypackages__"):
			return true
		}
	}
	return false
}

// copiesVenv reports a COPY of a virtual environment (a source named like
// venv, .venv or virtualenv), whose bin/python is a link to the
// interpreter it was made with.
func copiesVenv(in *dockerfile.Instruction) bool {
	for _, p := range in.Sources {
		p = strings.ToLower(path.Base(path.Clean("/" + in.Expand(p))))
		if strings.Contains(p, "venv") || strings.Contains(p, "virtualenv") {
			return true
		}
	}
	return false
}

// pathSeries returns the series a copied source path names
// (/usr/local/lib/python3.11/site-packages → "3.11").
func pathSeries(in *dockerfile.Instruction) string {
	for _, p := range in.Sources {
		if m := rePySeriesPath.FindStringSubmatch(in.Expand(p)); m != nil {
			return m[1]
		}
	}
	return ""
}
