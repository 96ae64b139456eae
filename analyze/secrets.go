package analyze

import (
	"bytes"
	"path"
	"regexp"
	"strings"
)

// secretHit is a secret found in the content of one entry of a layer.
type secretHit struct {
	kind string
	rec  int32
}

// secretCandidate returns a hint naming why a path may hold a secret, or ""
// when its content is not searched.
func secretCandidate(p string) string {
	base := path.Base(p)
	dir := path.Base(path.Dir(p))
	switch {
	case base == ".env" || strings.HasPrefix(base, ".env.") || strings.HasSuffix(base, ".env"):
		if strings.HasSuffix(base, ".example") || strings.HasSuffix(base, ".sample") || strings.HasSuffix(base, ".template") {
			return ""
		}
		return "env-file"
	case base == "credentials" && dir == ".aws":
		return "aws-credentials"
	case base == ".npmrc":
		return "npmrc"
	case base == ".pypirc":
		return "pypirc"
	case base == ".netrc" || base == "_netrc":
		return "netrc"
	case base == ".git-credentials":
		return "git-credentials"
	case base == "id_rsa" || base == "id_dsa" || base == "id_ecdsa" || base == "id_ed25519":
		return "key"
	case strings.HasSuffix(base, ".pem") || strings.HasSuffix(base, ".key"):
		if inTestDir(p) || strings.HasPrefix(p, "/usr/share/") || strings.HasPrefix(p, "/etc/ssl/certs/") {
			return ""
		}
		return "key"
	}
	return ""
}

// inTestDir reports whether p is inside a tests directory, where packages
// ship throwaway keys as fixtures.
func inTestDir(p string) bool {
	return strings.Contains(p, "/tests/") || strings.Contains(p, "/test/") || strings.Contains(p, "/testdata/")
}

var (
	privateKeyRe = regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----`)
	awsKeyRe     = regexp.MustCompile(`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`)
	githubRe     = regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{40,})\b`)
	awsSecretRe  = regexp.MustCompile(`(?m)^\s*aws_secret_access_key\s*=\s*\S+`)
	npmTokenRe   = regexp.MustCompile(`(?m)(?:_authToken|_auth|_password)\s*=\s*\S+`)
	pypircPassRe = regexp.MustCompile(`(?m)^\s*password\s*[=:]\s*\S+`)
	netrcPassRe  = regexp.MustCompile(`(?m)\bpassword\s+\S+`)
	gitCredRe    = regexp.MustCompile(`(?m)^[a-z][a-z0-9+.-]*://[^:/@\s]+:[^@\s]+@`)
	envSecretRe  = regexp.MustCompile(`(?mi)^\s*(?:export\s+)?([A-Z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIALS?)[A-Z0-9_]*)\s*=\s*['"]?([^'"\s#]+)`)
)

// scanSecrets returns the kinds of secret found in content.
func scanSecrets(p, hint string, content []byte) []string {
	var kinds []string
	add := func(k string) {
		for _, x := range kinds {
			if x == k {
				return
			}
		}
		kinds = append(kinds, k)
	}
	if privateKeyRe.Match(content) {
		add("private-key")
	}
	if awsKeyRe.Match(content) {
		add("aws-access-key")
	}
	if githubRe.Match(content) {
		add("github-token")
	}
	if c, ok := credentialFiles[hint]; ok && c.re.Match(content) {
		add(c.kind)
	}
	if hint == "env-file" {
		for _, m := range envSecretRe.FindAllSubmatch(content, -1) {
			if !placeholder(string(m[2])) {
				add("env-file")
				break
			}
		}
	}
	return kinds
}

// placeholder reports whether a secret-looking value is an obvious
// placeholder or a reference to another variable.
func placeholder(v string) bool {
	v = strings.ToLower(strings.Trim(v, `'"`))
	if v == "" || strings.HasPrefix(v, "$") || strings.HasPrefix(v, "<") || strings.HasPrefix(v, "{{") {
		return true
	}
	for _, p := range []string{"changeme", "change-me", "change_me", "xxx", "example", "placeholder", "your", "dummy", "none", "null", "false", "true", "todo", "secret", "password"} {
		if v == p || strings.HasPrefix(v, p) && len(v) < len(p)+4 {
			return true
		}
	}
	return bytes.Count([]byte(v), []byte("*")) == len(v)
}

// envSecretNames matches config variables whose value is a credential.
var envSecretNames = regexp.MustCompile(`(?i)(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|ACCESS_KEY|PRIVATE_KEY|CREDENTIAL|AUTH)`)

// envNotSecret matches variables that look like secrets by name but hold
// public values (the official python image's GPG_KEY is a key fingerprint).
var envNotSecret = regexp.MustCompile(`(?i)(^GPG_KEY$|_SHA256$|_SHA512$|_VERSION$|_URL$|_FILE$|_PATH$|_DIR$|^PATH$)`)

// envSecret returns the kind of secret in one KEY=VALUE of the config
// env, or "".
// credentialFiles maps a credential file's hint to what marks a real secret
// in it and the kind reported.
var credentialFiles = map[string]struct {
	re   *regexp.Regexp
	kind string
}{
	"aws-credentials": {awsSecretRe, "aws-credentials"},
	"npmrc":           {npmTokenRe, "npmrc-token"},
	"pypirc":          {pypircPassRe, "pypirc-password"},
	"netrc":           {netrcPassRe, "netrc-password"},
	"git-credentials": {gitCredRe, "git-credentials"},
}

func envSecret(kv string) (name, kind string) {
	k, v, _ := strings.Cut(kv, "=")
	switch {
	case awsKeyRe.MatchString(v):
		return k, "aws-access-key"
	case githubRe.MatchString(v):
		return k, "github-token"
	case privateKeyRe.MatchString(v):
		return k, "private-key"
	case gitCredRe.MatchString(v):
		return k, "url-credentials"
	case envSecretNames.MatchString(k) && !envNotSecret.MatchString(k) && !placeholder(v):
		return k, "env"
	}
	return k, ""
}
