package rules

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

// securityRules are PY201–PY207.
func securityRules(k *baseimage.Knowledge) []lint.Rule {
	return append([]lint.Rule{
		rule{meta: report.Rule{
			ID: "PY201", Name: "runs-as-root", Severity: report.SeverityWarning,
			Summary: "The final stage runs as root.",
			Why: "A process running as root in the container turns any remote code execution in the app (a pickle, " +
				"template or path traversal bug) into root in the container, able to rewrite the venv and abuse a mounted " +
				"socket or a kernel bug to escape; Kubernetes `runAsNonRoot` rejects the pod outright.",
			Fix:  "Create a user and switch to it by UID at the end of the final stage: `RUN useradd --uid 10001 app` then `USER 10001`.",
			Bad:  "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nCMD [\"python\", \"-m\", \"app\"]\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nRUN useradd --uid 10001 app\nUSER 10001\nCMD [\"python\", \"-m\", \"app\"]\n",
		}, check: checkRoot(k)},
		rule{meta: report.Rule{
			ID: "PY202", Name: "secret-in-env-or-arg", Severity: report.SeverityError,
			Summary: "ENV or ARG holds a secret-looking value.",
			Why: "ENV values are stored in the image config and ARG values in the build history (`docker history`, " +
				"`docker inspect`): anyone who can pull the image can read the token, password or private key, long after it was rotated out of CI.",
			Fix:  "Use `RUN --mount=type=secret,id=pypi_token` with `docker build --secret id=pypi_token,env=PYPI_TOKEN`, or inject the value at run time.",
			Bad:  "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nRUN --mount=type=secret,id=aws,env=AWS_SECRET_ACCESS_KEY python -m app.fetch\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			inChain := finalChainSet(c)
			for _, in := range c.File.Instructions() {
				if in.Kind != dockerfile.KindEnv && in.Kind != dockerfile.KindArg {
					continue
				}
				// ENV lands in the image config and ARG in the history of
				// the target and the stages it is built FROM; a builder's
				// are never pushed. A credential written into the
				// Dockerfile is exposed wherever it is used.
				stored := in.Stage < 0 || inChain[in.Stage]
				for _, kv := range in.KeyValues {
					fix := fmt.Sprintf("Remove %s from %s and pass it with `RUN --mount=type=secret,id=%s` (docker build --secret) or at run time.",
						kv.Key, in.Kind, strings.ToLower(kv.Key))
					if !stored {
						if why := secretReason(kv); why != "" {
							out = append(out, lint.Finding(m, in,
								fmt.Sprintf("%s %s %s; %s does not reach the final image, but the value is written into the Dockerfile for everyone who can read the source",
									in.Kind, kv.Key, why, stageName(c.File.Stages[in.Stage])), fix))
						}
						continue
					}
					if why := secretReason(kv); why != "" {
						out = append(out, lint.Finding(m, in,
							fmt.Sprintf("%s %s %s; the value is stored in the image and visible to anyone who can pull it", in.Kind, kv.Key, why), fix))
						continue
					}
					if !secretName(kv.Key) {
						continue
					}
					v := strings.TrimSpace(kv.Value)
					switch {
					case in.Kind == dockerfile.KindEnv && reVarOnly.MatchString(v):
						// ENV TOKEN=${TOKEN} bakes the build argument's value
						// into the image config.
						out = append(out, lint.Finding(m, in,
							fmt.Sprintf("ENV %s copies %s into the image config; whatever value the build passes is stored in the image and visible to anyone who can pull it", kv.Key, v), fix))
					case in.Kind == dockerfile.KindArg && v == "" && runFollows(c, in):
						// Build arguments in scope are recorded, with their
						// values, in the history of every later RUN.
						f := lint.Finding(m, in,
							fmt.Sprintf("ARG %s is recorded with its value in the history of every later RUN (`docker history --no-trunc`)", kv.Key), fix)
						f.Severity = report.SeverityWarning
						out = append(out, f)
					}
				}
			}
			return out
		}},
		rule{meta: report.Rule{
			ID: "PY203", Name: "copy-context-unfiltered", Severity: report.SeverityError,
			Summary: "The whole build context is copied without a .dockerignore that excludes .env, .git and keys.",
			Why: "`COPY . .` sends everything in the directory into a layer: a developer's `.env` with database passwords, " +
				"`.git` with history (including deleted secrets) and `id_rsa`/`*.pem` keys end up in the pushed image, where layer extraction recovers them.",
			Fix:  "Add a .dockerignore with at least `.env`, `.git`, `*.pem`, `id_rsa*` (or an allow-list starting with `*`), or copy only what the app needs.",
			Bad:  "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nCOPY . /app\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nCOPY app/ /app/app/\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			if c.Build == nil {
				return nil // stdin: the context is unknown
			}
			// Only a copy whose destination reaches the target whole
			// leaks: a builder that copies the context (.git for
			// setuptools_scm included) and hands over only its build
			// output does not.
			r := reaching(c)
			var copies []*dockerfile.Instruction
			for _, s := range c.Stages() {
				for _, in := range s.Instructions {
					if (in.Kind == dockerfile.KindCopy || in.Kind == dockerfile.KindAdd) && in.CopyFrom == "" && copiesWholeContext(in) {
						dest := resolvePath(in.State.Workdir, in.Dest)
						if dest == "" || r.whole(s.Index, dest) {
							copies = append(copies, in)
						}
					}
				}
			}
			if len(copies) == 0 {
				return nil
			}
			// Apply the ignore file's own matcher to files that would
			// leak: allow-lists (`*` then `!src`), `.*` and `**/.git`
			// all count. Keys alone are not reported once .env and .git
			// are excluded: most contexts have none.
			var missing []string
			if !c.Build.Excludes(".env") {
				missing = append(missing, ".env")
			}
			if !c.Build.Excludes(".git/config") {
				missing = append(missing, ".git")
			}
			if len(missing) == 0 {
				return nil
			}
			if !c.Build.Excludes("id_rsa") || !c.Build.Excludes("server.pem") {
				missing = append(missing, "private keys (id_rsa, *.pem)")
			}
			where := "there is no .dockerignore"
			if c.Build.HasIgnoreFile() {
				where = c.Build.IgnoreFile + " does not exclude " + strings.Join(missing, ", ")
			}
			var out []report.Finding
			for _, in := range copies {
				out = append(out, lint.Finding(m, in,
					fmt.Sprintf("%s %s copies the whole build context and %s", in.Kind, strings.Join(in.Sources, " "), where),
					"Add to .dockerignore: `.env`, `.git`, `*.pem`, `id_rsa*`, `**/__pycache__`; or COPY only the files the app needs."))
			}
			return out
		}},
		rule{meta: report.Rule{
			ID: "PY204", Name: "add-instead-of-copy", Severity: report.SeverityWarning,
			Summary: "ADD used where COPY suffices, or ADD of a URL without --checksum.",
			Why: "ADD silently unpacks archives and fetches URLs: a local file that happens to be a tarball is extracted, " +
				"and a remote file whose content changes (or is replaced by an attacker) is baked into the image unverified.",
			Fix:  "Use COPY for local files; for downloads use `ADD --checksum=sha256:<hash> URL DEST`.",
			Bad:  "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nADD requirements.txt /app/\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nCOPY requirements.txt /app/\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			var out []report.Finding
			for _, s := range c.Stages() {
				for _, in := range s.Instructions {
					if in.Kind != dockerfile.KindAdd {
						continue
					}
					var local []string
					for _, src := range in.Sources {
						switch {
						case isGitSource(src):
						case isURL(src):
							if in.Checksum == "" {
								out = append(out, lint.Finding(m, in,
									fmt.Sprintf("ADD %s downloads without --checksum; a changed or tampered file is not detected", src),
									fmt.Sprintf("Use `ADD --checksum=sha256:<hash> %s %s`.", src, in.Dest)))
							}
						case !isArchive(src):
							local = append(local, src)
						}
					}
					if len(local) > 0 {
						out = append(out, lint.Finding(m, in,
							fmt.Sprintf("ADD %s copies local files; ADD would also unpack them if they were archives", strings.Join(local, " ")),
							fmt.Sprintf("Use `COPY %s %s`.", strings.Join(local, " "), in.Dest)))
					}
				}
			}
			return out
		}},
		rule{meta: report.Rule{
			ID: "PY207", Name: "user-not-numeric", Severity: report.SeverityInfo,
			Summary: "The final USER is a name, not a numeric UID.",
			Why: "Kubernetes `runAsNonRoot: true` cannot check a user name against /etc/passwd and refuses to start the pod " +
				"(`container has runAsNonRoot and image has non-numeric user`), and names can map to UID 0 in a changed base image.",
			Fix:  "Use the numeric UID (and GID): `USER 10001:10001`.",
			Bad:  "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nRUN useradd app\nUSER app\n",
			Good: "FROM python:3.13.9-slim-trixie@sha256:" + exampleDigest + "\nRUN useradd --uid 10001 app\nUSER 10001\n",
		}, check: func(m report.Rule, c *lint.Context) []report.Finding {
			t := c.Target
			user := t.Final.User
			if user == "" || strings.Contains(user, "$") || isRootUser(user) {
				return nil
			}
			name, group, _ := strings.Cut(user, ":")
			if isNumeric(name) && (group == "" || isNumeric(group)) {
				return nil
			}
			return []report.Finding{lint.Finding(m, instructionAt(c.File, t.Final.UserLine, t.From),
				fmt.Sprintf("final %s sets USER %s by name; Kubernetes runAsNonRoot cannot verify it is not root", stageName(t), user),
				fmt.Sprintf("Use the numeric UID of %s, e.g. `RUN useradd --uid 10001 %s` and `USER 10001`.", name, name))}
		}},
	}, shellSecurityRules()...)
}

// checkRoot is PY201. An image that starts as root and drops privileges
// in its entrypoint is reported at info level with what was found; a base
// pyimg does not know is reported as an unknown user, not as root.
func checkRoot(k *baseimage.Knowledge) func(m report.Rule, c *lint.Context) []report.Finding {
	return func(m report.Rule, c *lint.Context) []report.Finding {
		t := c.Target
		user := t.Final.User
		if strings.Contains(user, "$") {
			return nil
		}
		info := func(in *dockerfile.Instruction, msg, fix string) []report.Finding {
			f := lint.Finding(m, in, msg, fix)
			f.Severity = report.SeverityInfo
			return []report.Finding{f}
		}
		if user != "" {
			if !isRootUser(user) {
				return nil
			}
			at := instructionAt(c.File, t.Final.UserLine, t.From)
			if how := stepDown(c); how != "" {
				return info(at, fmt.Sprintf("final %s starts as root (USER %s); %s", stageName(t), user, how),
					"Nothing to do if the step-down is intended; make sure every process the entrypoint starts runs as the unprivileged user.")
			}
			return []report.Finding{lint.Finding(m, at,
				fmt.Sprintf("final %s runs as root (USER %s)", stageName(t), user),
				"Switch to a non-root UID after the steps that need root: `USER 10001`.")}
		}
		root := c.File.Root(t)
		what := "scratch"
		if root.IsImage() {
			b := describeBase(k, c, root)
			if b.fullyVariable() {
				return nil
			}
			u, nonRoot, known := baseUser(b)
			if known && nonRoot {
				return nil
			}
			if !known {
				return info(t.From,
					fmt.Sprintf("final %s sets no USER; which user %s runs as is unknown to pyimg", stageName(t), b.display()),
					"Check with `docker inspect -f '{{.Config.User}}' IMAGE`; if it is root, add `USER 10001` at the end of the final stage.")
			}
			what = b.display() + " runs as " + u + " by default"
		} else {
			what += " runs as root by default"
		}
		if how := stepDown(c); how != "" {
			return info(t.From, fmt.Sprintf("final %s starts as root (no USER instruction); %s", stageName(t), how),
				"Nothing to do if the step-down is intended; make sure every process the entrypoint starts runs as the unprivileged user.")
		}
		return []report.Finding{lint.Finding(m, t.From,
			fmt.Sprintf("final %s runs as root: no USER instruction, and %s", stageName(t), what),
			"Add `RUN useradd --uid 10001 app` and `USER 10001` at the end of the final stage, or use a non-root base such as a distroless `:nonroot` image.")}
	}
}

// isRootUser reports USER root, 0, root:root, 0:0 and the like.
func isRootUser(u string) bool {
	name, _, _ := strings.Cut(strings.TrimSpace(u), ":")
	return name == "root" || name == "0"
}

func isNumeric(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// instructionAt returns the instruction starting at line, else def.
func instructionAt(f *dockerfile.File, line int, def *dockerfile.Instruction) *dockerfile.Instruction {
	if line > 0 {
		for _, in := range f.Instructions() {
			if in.StartLine == line {
				return in
			}
		}
	}
	return def
}

var (
	reSecretName = regexp.MustCompile(`(^|_)(PASSWORD|PASSWD|PASS|SECRET|TOKEN|APIKEY|API_KEY|PRIVATE_KEY|ACCESS_KEY|SECRET_KEY|CREDENTIALS?|AUTH_TOKEN|CLIENT_SECRET)(_|$)`)
	// Names that end like this hold a reference to the secret, not the secret.
	reSecretRef   = regexp.MustCompile(`_(FILE|PATH|DIR|URL|URI|ENDPOINT|HOST|NAME|USER|USERNAME|ID_FILE|LENGTH|TTL|EXPIRY|HEADER)$`)
	reVarOnly     = regexp.MustCompile(`^\$(\{[A-Za-z_][A-Za-z0-9_]*(:?[-+?=][^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)$`)
	reSecretValue = []struct {
		re   *regexp.Regexp
		what string
	}{
		{regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`), "an AWS access key ID"},
		{regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{36,}\b`), "a GitHub token"},
		{regexp.MustCompile(`\bgithub_pat_[A-Za-z0-9_]{22,}`), "a GitHub token"},
		{regexp.MustCompile(`\bglpat-[A-Za-z0-9_-]{20,}`), "a GitLab token"},
		{regexp.MustCompile(`\bxox[abprs]-[A-Za-z0-9-]{10,}`), "a Slack token"},
		{regexp.MustCompile(`\b(sk|rk)_live_[A-Za-z0-9]{16,}`), "a Stripe key"},
		{regexp.MustCompile(`\bpypi-AgE[A-Za-z0-9_-]{20,}`), "a PyPI token"},
		{regexp.MustCompile(`-----BEGIN ([A-Z]+ )?PRIVATE KEY`), "a private key"},
		{regexp.MustCompile(`://[^/\s:@]+:[^/\s@$]+@`), "a URL with a password"},
	}
)

// secretReason says why an ENV/ARG pair looks like a secret, "" if not.
func secretReason(kv dockerfile.KeyValue) string {
	v := strings.TrimSpace(kv.Value)
	if v == "" || reVarOnly.MatchString(v) {
		return ""
	}
	for _, p := range reSecretValue {
		if p.re.MatchString(v) {
			return "contains " + p.what
		}
	}
	name := strings.ToUpper(kv.Key)
	if reSecretName.MatchString(name) && !reSecretRef.MatchString(name) && !isPlaceholder(v) {
		return "has a secret-looking name and a hard-coded value"
	}
	return ""
}

// secretName reports a secret-looking variable name (API_TOKEN, not
// API_TOKEN_FILE).
func secretName(key string) bool {
	name := strings.ToUpper(key)
	return reSecretName.MatchString(name) && !reSecretRef.MatchString(name)
}

// runFollows reports whether a RUN comes after in within its stage, so that
// the build argument in declares is recorded in that RUN's history.
func runFollows(c *lint.Context, in *dockerfile.Instruction) bool {
	if in.Stage < 0 || in.Stage >= len(c.File.Stages) {
		return false
	}
	for _, x := range c.File.Stages[in.Stage].Instructions {
		if x.Kind == dockerfile.KindRun && x.StartLine > in.StartLine {
			return true
		}
	}
	return false
}

// isPlaceholder reports values that cannot be a real secret: booleans and
// words meaning "unset".
func isPlaceholder(v string) bool {
	switch strings.ToLower(strings.Trim(v, `"'`)) {
	case "", "true", "false", "0", "1", "yes", "no", "none", "null", "unset", "-":
		return true
	}
	return false
}

// copiesWholeContext reports COPY . ., COPY ./ /app, COPY * /app.
func copiesWholeContext(in *dockerfile.Instruction) bool {
	for _, s := range in.Sources {
		switch strings.TrimSpace(s) {
		case ".", "./", "*", "./*", "/", "./.":
			return true
		}
	}
	return false
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

func isGitSource(s string) bool {
	return strings.HasPrefix(s, "git@") || strings.HasPrefix(s, "git://") ||
		isURL(s) && (strings.Contains(s, ".git#") || strings.HasSuffix(s, ".git"))
}

func isArchive(s string) bool {
	s = strings.ToLower(s)
	for _, ext := range []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".tar.lz", ".tar.lzma"} {
		if strings.HasSuffix(s, ext) {
			return true
		}
	}
	return false
}
