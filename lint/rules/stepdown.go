package rules

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/dockerfile/shell"
	"github.com/pyimg/pyimg/lint"
)

// Images that start as root and drop to an unprivileged user in their
// entrypoint are common by design (the entrypoint fixes volume ownership
// first): gosu, su-exec, setpriv, s6-overlay's s6-setuidgid, runuser,
// chroot --userspec, and NGINX Unit, whose router runs the app as "unit".

// reStepDown matches a privilege step-down in a command line or script.
var reStepDown = regexp.MustCompile(`(?m)(^|[\s;&|("'/\[])(gosu|su-exec|setpriv|s6-setuidgid|s6-applyuidgid|runuser|setuidgid|chpst\s+-u|chroot\s+--userspec|su\s+-s\s+\S+\s+-c|su\s+-c)\b`)

// stepDownTools are the packages that provide a step-down tool.
var stepDownTools = map[string]bool{"gosu": true, "su-exec": true, "s6": true, "s6-overlay": true, "runit": true}

// maxEntrypointScript bounds what is read of an entrypoint script.
const maxEntrypointScript = 1 << 20

// stepDown reports how the target image drops root at run time, "" when
// nothing shows it does.
func stepDown(c *lint.Context) string {
	t := target(c)
	if root := c.File.Root(t); root.IsImage() {
		r := root.Ref()
		if r.Repository == "library/unit" || r.Repository == "nginx/unit" || strings.HasSuffix(r.Repository, "/unit") {
			return "NGINX Unit's router runs the application processes as the unprivileged unit user"
		}
	}
	ep := effective(c, dockerfile.KindEntrypoint)
	cmd := effective(c, dockerfile.KindCmd)
	for _, in := range []*dockerfile.Instruction{ep, cmd} {
		if in == nil {
			continue
		}
		line := strings.Join(in.Command, " ")
		if m := reStepDown.FindStringSubmatch(line); m != nil {
			return in.Kind + " drops privileges with " + strings.Fields(m[2])[0]
		}
		// An entrypoint script: its text from a heredoc COPY or from the
		// build context.
		if len(in.Command) > 0 {
			script := in.Command[0]
			if !in.JSON {
				script = firstWord(line)
			}
			if text, where := entrypointScript(c, script); text != "" {
				if m := reStepDown.FindStringSubmatch(text); m != nil {
					return where + " drops privileges with " + strings.Fields(m[2])[0]
				}
			}
		}
	}
	// A step-down tool installed in the final image with an entrypoint
	// script: the usual docker-entrypoint.sh pattern.
	if ep != nil {
		for _, in := range finalInstructions(c) {
			if tool := installsStepDown(in); tool != "" {
				return "the image installs " + tool + " and starts through ENTRYPOINT " + strings.Join(ep.Command, " ")
			}
		}
	}
	return ""
}

// installsStepDown returns the step-down tool in installs, "" if none.
func installsStepDown(in *dockerfile.Instruction) string {
	switch in.Kind {
	case dockerfile.KindRun:
		for _, s := range runScripts(in) {
			for _, pi := range shell.SystemInstalls(s) {
				if stepDownTools[pi.Package] {
					return pi.Package
				}
			}
		}
		if m := reStepDown.FindStringSubmatch(in.Script()); m != nil && strings.Contains(in.Script(), "/usr/local/bin/") {
			return strings.Fields(m[2])[0] // curl -o /usr/local/bin/gosu …
		}
	case dockerfile.KindCopy, dockerfile.KindAdd:
		for _, s := range append([]string{in.CopyFrom}, in.Sources...) {
			if m := reStepDown.FindStringSubmatch(" " + s); m != nil {
				return strings.Fields(m[2])[0] // COPY --from=tianon/gosu /gosu /usr/local/bin/
			}
		}
	}
	return ""
}

// entrypointScript returns the text of the script at path in the image as
// the target's COPY instructions put it there (heredoc or build-context
// file), and a name for messages.
func entrypointScript(c *lint.Context, p string) (string, string) {
	if p == "" || !strings.Contains(p, "/") && !strings.HasSuffix(p, ".sh") {
		return "", ""
	}
	base := filepath.Base(p)
	for _, in := range finalInstructions(c) {
		if in.Kind != dockerfile.KindCopy && in.Kind != dockerfile.KindAdd || in.CopyFrom != "" {
			continue
		}
		for _, h := range in.Heredocs {
			if strings.HasSuffix(in.Dest, base) || h.Name != "" && strings.Contains(in.Dest, base) {
				return h.Content, base
			}
		}
		if c.Build == nil || c.Build.Dir == "" {
			continue
		}
		for _, src := range in.Sources {
			if filepath.Base(src) != base && !strings.HasSuffix(in.Dest, "/"+base) {
				continue
			}
			if text := readSmall(filepath.Join(c.Build.Dir, filepath.FromSlash(src))); text != "" {
				return text, base
			}
		}
	}
	return "", ""
}

// readSmall reads a regular file up to maxEntrypointScript bytes; "" on
// any error.
func readSmall(p string) string {
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return ""
	}
	f, err := os.Open(p)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxEntrypointScript))
	if err != nil {
		return ""
	}
	return string(b)
}

// knownRootBases are images that run as root by default and that pyimg's
// lifecycle data does not describe.
var knownRootBases = []string{"library/", "nvidia/cuda", "continuumio/", "condaforge/", "pytorch/pytorch", "tensorflow/tensorflow"}

// knownNonRootBases run as an unprivileged user by default.
var knownNonRootBases = map[string]string{"mambaorg/micromamba": "mambauser", "jupyter/": "jovyan", "quay.io/jupyter/": "jovyan"}

// baseUser says what user a base image runs as: root, a non-root user, or
// unknown (ok false).
func baseUser(b base) (user string, nonRoot, ok bool) {
	if b.official {
		return "root", false, true
	}
	if b.isKnown {
		if b.known.NonRoot || b.known.User != "" && !isRootUser(b.known.User) {
			return b.known.User, true, true
		}
		return "root", false, true
	}
	name := b.ref.Registry + "/" + b.ref.Repository
	for prefix, u := range knownNonRootBases {
		if strings.HasPrefix(b.ref.Repository, prefix) || strings.HasPrefix(name, prefix) {
			return u, true, true
		}
	}
	if b.ref.DockerHub() {
		for _, prefix := range knownRootBases {
			if strings.HasPrefix(b.ref.Repository, prefix) {
				return "root", false, true
			}
		}
	}
	return "", false, false
}
