package vuln

import (
	"regexp"

	"github.com/pyimg/pyimg/inventory"
)

// The version grammars of the ecosystems. semantic.Parse accepts anything
// (a Debian "zzz" sorts above every real version), so a version outside
// its ecosystem's grammar is caught here and reported.
var versionGrammar = map[string]*regexp.Regexp{
	// PEP 440, the pattern the packaging project publishes (VERSION_PATTERN).
	inventory.EcosystemPyPI: regexp.MustCompile(`(?i)^\s*v?(?:(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*` +
		`(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?` +
		`(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?` +
		`(?:[-_.]?dev[-_.]?[0-9]*)?)(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?\s*$`),
	// Debian policy 5.6.12: [epoch:]upstream[-revision], upstream starting
	// with a digit.
	inventory.EcosystemDebian: regexp.MustCompile(`^(?:[0-9]+:)?[0-9][A-Za-z0-9.+~:-]*$`),
	// apk-tools' version grammar.
	inventory.EcosystemAlpine: regexp.MustCompile(`^[0-9]+(?:\.[0-9]+)*[a-z]?` +
		`(?:_(?:alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*(?:-r[0-9]+)?$`),
}

// validVersion reports whether v is in the grammar of ecosystem base;
// ecosystems without a known grammar accept everything.
func validVersion(v, base string) bool {
	re, ok := versionGrammar[base]
	return !ok || re.MatchString(v)
}
