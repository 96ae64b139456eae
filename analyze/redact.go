package analyze

import (
	"regexp"
	"strings"
)

// assignmentRe finds NAME=VALUE words in a history command: build arguments
// ("|1 PIP_TOKEN=abc /bin/sh -c ..."), "ENV NAME=VALUE" as buildah and
// docker record it, and env prefixes inside RUN commands.
var assignmentRe = regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|]*)`)

// redacted replaces a secret value in output.
const redacted = "<redacted>"

// redactCommand returns a history command with credential values replaced,
// so reports never repeat a secret they flag: values of secret-looking
// assignments, and literal tokens (AWS keys, GitHub tokens, private keys).
func redactCommand(s string) string {
	s = assignmentRe.ReplaceAllStringFunc(s, func(kv string) string {
		name, value, _ := strings.Cut(kv, "=")
		if _, kind := envSecret(name + "=" + strings.Trim(value, `"'`)); kind != "" {
			return name + "=" + redacted
		}
		return kv
	})
	for _, re := range []*regexp.Regexp{awsKeyRe, githubRe, privateKeyRe} {
		s = re.ReplaceAllString(s, redacted)
	}
	return s
}

// commandSecrets finds credentials assigned anywhere in a history command:
// "ENV A=B" lines and build arguments in forms BuildKit ("RUN |1 A=B ...")
// and buildah ("|1 A=B /bin/sh -c ...") write.
func commandSecrets(createdBy string) [][2]string {
	var out [][2]string
	for _, m := range assignmentRe.FindAllStringSubmatch(createdBy, -1) {
		if name, kind := envSecret(m[1] + "=" + strings.Trim(m[2], `"'`)); kind != "" {
			out = append(out, [2]string{name, kind})
		}
	}
	return out
}
