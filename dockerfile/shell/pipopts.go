package shell

import "strings"

// pipLongOptions are the long options of pip install and pip's general
// options. pip parses them with optparse, which accepts any unambiguous
// prefix: `--no-cache` is `--no-cache-dir`, `--req` is `--requirement`.
var pipLongOptions = []string{
	"--requirement", "--constraint", "--no-deps", "--pre", "--editable", "--dry-run",
	"--target", "--platform", "--python-version", "--implementation", "--abi", "--user",
	"--root", "--prefix", "--src", "--upgrade", "--upgrade-strategy", "--force-reinstall",
	"--ignore-installed", "--ignore-requires-python", "--no-build-isolation", "--use-pep517",
	"--no-use-pep517", "--check-build-dependencies", "--break-system-packages",
	"--config-settings", "--global-option", "--compile", "--no-compile",
	"--no-warn-script-location", "--no-warn-conflicts", "--no-binary", "--only-binary",
	"--prefer-binary", "--require-hashes", "--progress-bar", "--root-user-action", "--report",
	"--group", "--index-url", "--extra-index-url", "--no-index", "--find-links",
	"--help", "--debug", "--isolated", "--require-virtualenv", "--python", "--verbose",
	"--version", "--quiet", "--log", "--no-input", "--keyring-provider", "--proxy",
	"--retries", "--timeout", "--exists-action", "--trusted-host", "--cert", "--client-cert",
	"--cache-dir", "--no-cache-dir", "--disable-pip-version-check", "--no-color",
	"--no-python-version-warning", "--use-feature", "--use-deprecated", "--resume-retries",
	"--all", "--yes", "--wheel-dir", "--dest", "--format", "--outdated", "--uptodate",
}

// pipLongOption returns the full pip option name an abbreviation stands
// for, or name itself when it is exact, unknown or ambiguous.
func pipLongOption(name string) string {
	if !strings.HasPrefix(name, "--") || len(name) < 4 {
		return name
	}
	full := ""
	for _, o := range pipLongOptions {
		if o == name {
			return name
		}
		if strings.HasPrefix(o, name) {
			if full != "" {
				return name // ambiguous: pip refuses it too
			}
			full = o
		}
	}
	if full == "" {
		return name
	}
	return full
}

// uvPipArg lists the options of `uv pip install` and uv's global options
// that take a separate value and that pip does not have: the word after
// them is not a package.
var uvPipArg = map[string]bool{
	"--requirements": true, "--python-preference": true, "--reinstall-package": true,
	"--upgrade-package": true, "-P": true, "--no-build-package": true,
	"--no-binary-package": true, "--refresh-package": true, "--config-setting": true,
	"--directory": true, "--project": true, "--color": true, "--allow-insecure-host": true,
	"--torch-backend": true, "--exclude-newer-package": true, "--no-sources-package": true,
	"--only-binary-package": true, "--build-constraints": true, "--overrides": true,
	"--constraints": true, "--group": true, "--python-platform": true,
}
