package pypi

import (
	"net/url"
	"strings"
)

// RedactURL returns s with any user information (basic-auth user and
// password, or a token in its place) replaced by "***", so that index URLs
// can appear in errors and logs. Unparsable input is redacted wholesale
// from the scheme to the last "@" before the path.
func RedactURL(s string) string {
	u, err := url.Parse(s)
	if err == nil {
		if u.User == nil {
			return s
		}
		u.User = nil
		r := u.String()
		if i := strings.Index(r, "://"); i >= 0 {
			return r[:i+3] + "***@" + r[i+3:]
		}
		return r
	}
	// Fall back to cutting credentials out textually.
	rest := s
	prefix := ""
	if i := strings.Index(s, "://"); i >= 0 {
		prefix, rest = s[:i+3], s[i+3:]
	}
	host := rest
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		host = rest[:j]
	}
	if k := strings.LastIndexByte(host, '@'); k >= 0 {
		return prefix + "***@" + rest[k+1:]
	}
	return s
}

// IndexURLsFromEnv returns the index URLs pip would use from its
// environment: PIP_INDEX_URL (or "" when unset) and the space-separated
// PIP_EXTRA_INDEX_URL. getenv is usually os.Getenv.
func IndexURLsFromEnv(getenv func(string) string) (index string, extra []string) {
	return strings.TrimSpace(getenv("PIP_INDEX_URL")), strings.Fields(getenv("PIP_EXTRA_INDEX_URL"))
}
