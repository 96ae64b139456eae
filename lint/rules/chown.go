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

// chownRule is PY409: COPY --chown=NAME for a user or group the stage's
// image does not have. BuildKit resolves names in the stage's
// /etc/passwd and /etc/group and fails the build when they are missing.
func chownRule(k *baseimage.Knowledge) lint.Rule {
	return rule{meta: report.Rule{
		ID: "PY409", Name: "copy-chown-unknown-user", Severity: report.SeverityError,
		Summary: "COPY --chown names a user or group that does not exist in the stage's image.",
		Why: "BuildKit looks names up in the stage's /etc/passwd and /etc/group: `COPY --chown=app:app` before the user is " +
			"created (or on a base without it) fails the build with `unable to find user app`.",
		Fix:  "Create the user first (`RUN useradd --uid 10001 app`), or use numeric IDs: `COPY --chown=10001:10001`.",
		Bad:  pyFrom + "COPY --chown=app:app . /app\n",
		Good: pyFrom + "RUN useradd --uid 10001 app\nCOPY --chown=app:app . /app\n",
	}, check: func(m report.Rule, c *lint.Context) []report.Finding { return checkChownUser(k, m, c) }}
}

// Users and groups present in base images pyimg knows.
var (
	debianUsers = wordSet("root daemon bin sys sync games man lp mail news uucp proxy www-data backup list irc _apt nobody nogroup " +
		"adm tty disk kmem dialout fax voice cdrom floppy tape sudo audio dip operator src shadow utmp video sasl plugdev staff users")
	alpineUsers = wordSet("root bin daemon adm lp sync shutdown halt mail news uucp operator man postmaster cron ftp sshd at squid xfs " +
		"games cyrus vpopmail ntp smmsp guest nobody nogroup www-data sys tty disk wheel floppy audio cdrom dialout tape video netdev kvm abuild utmp users ping")
	distrolessUsers = wordSet("root nonroot nobody")
)

func wordSet(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.Fields(s) {
		out[w] = true
	}
	return out
}

// reUserCreate matches commands that create users or groups.
var reUserCreate = regexp.MustCompile(`\b(useradd|adduser|groupadd|addgroup|usermod|groupmod)\b`)

func checkChownUser(k *baseimage.Knowledge, m report.Rule, c *lint.Context) []report.Finding {
	var out []report.Finding
	for _, s := range c.Stages() {
		if !hasNamedChown(s) {
			continue
		}
		root := c.File.Root(s)
		if !root.IsImage() {
			continue
		}
		known := baseUsers(describeBase(k, c, root))
		if known == nil {
			continue
		}
		// Names created by RUNs of the stage's FROM chain before the COPY.
		var chain []*dockerfile.Stage
		for x := s; ; x = c.File.Stages[x.Parent] {
			chain = append(chain, x)
			if x.Parent < 0 || x.Parent >= x.Index {
				break
			}
		}
		if len(chain) > maxChownChain {
			continue // too deep to say what exists; stay silent
		}
		var created strings.Builder
		for i := len(chain) - 1; i >= 0; i-- {
			for _, in := range chain[i].Instructions {
				switch {
				case in.Kind == dockerfile.KindRun:
					if sc := in.Script(); reUserCreate.MatchString(sc) {
						created.WriteString(sc)
						created.WriteByte('\n')
					}
				case in.Kind == dockerfile.KindCopy && (strings.HasPrefix(in.Dest, "/etc/passwd") || strings.HasPrefix(in.Dest, "/etc/group") || in.Dest == "/etc" || in.Dest == "/etc/"):
					created.WriteString("useradd *\n") // passwd copied in: anything may exist
				case in.Kind == dockerfile.KindCopy && in.Chown != "" && chainInstruction(chain[0], in):
					if name := missingOwner(in.Chown, known, created.String()); name != "" {
						out = append(out, lint.Finding(m, in,
							fmt.Sprintf("COPY --chown=%s: %s %q does not exist in %s at this point; BuildKit fails with `unable to find user`",
								in.Chown, ownerKind(in.Chown, name), name, root.ResolvedBase),
							fmt.Sprintf("Create it before this COPY (`RUN useradd --uid 10001 %s`), or use numeric IDs (`--chown=10001:10001`).", name)))
					}
				}
			}
		}
	}
	return out
}

// maxChownChain bounds the FROM chain PY409 reads for each stage.
const maxChownChain = 64

// hasNamedChown reports a COPY --chown with a user or group name in s.
func hasNamedChown(s *dockerfile.Stage) bool {
	for _, in := range s.Instructions {
		if in.Kind == dockerfile.KindCopy && in.Chown != "" && strings.Trim(in.Chown, "0123456789:") != "" {
			return true
		}
	}
	return false
}

func chainInstruction(s *dockerfile.Stage, in *dockerfile.Instruction) bool {
	return in.Stage == s.Index
}

// missingOwner returns the user or group name of spec that is neither
// numeric, nor known in the base, nor created so far; "" if all exist.
func missingOwner(spec string, known map[string]bool, created string) string {
	if strings.Contains(spec, "$") {
		return ""
	}
	if strings.Contains(created, "useradd *") {
		return ""
	}
	u, g, _ := strings.Cut(spec, ":")
	for _, name := range []string{u, g} {
		if name == "" || isNumeric(name) || known[name] {
			continue
		}
		if regexp.MustCompile(`(^|[\s'"=:])` + regexp.QuoteMeta(name) + `($|[\s'";:&|])`).MatchString(created) {
			continue
		}
		return name
	}
	return ""
}

func ownerKind(spec, name string) string {
	if u, _, _ := strings.Cut(spec, ":"); u == name {
		return "user"
	}
	return "group"
}

// baseUsers returns the users and groups of a base pyimg knows, nil when
// it does not know them.
func baseUsers(b base) map[string]bool {
	switch {
	case b.official && b.tagOK && b.tag.Variant == baseimage.VariantAlpine:
		return alpineUsers
	case b.official && b.tagOK && !b.tag.Windows():
		return debianUsers
	case b.isKnown && strings.Contains(b.known.Repo, "distroless"):
		return distrolessUsers
	case b.ref.DockerHub() && (b.ref.Repository == "library/debian"):
		return debianUsers
	case b.ref.DockerHub() && b.ref.Repository == "library/alpine":
		return alpineUsers
	}
	return nil
}
