package shell

import (
	"regexp"
	"strings"

	"github.com/pyimg/pyimg/pydist"
)

var (
	pythonRe = regexp.MustCompile(`^(python|pypy)[0-9.]*[tmd]?$`)
	pipRe    = regexp.MustCompile(`^pip[0-9.]*$`)
)

// isPython reports whether name is a Python interpreter (python,
// python3.12, python3.13t, pypy3).
func isPython(name string) bool { return pythonRe.MatchString(name) }

// pythonArg lists interpreter options that take a separate value.
var pythonArg = map[string]bool{"-W": true, "-X": true, "--check-hash-based-pycs": true}

// PythonModule reports the module and its arguments when c runs
// `python -m MODULE ARGS...`.
func PythonModule(c Command) (module string, args []string, ok bool) {
	if !isPython(c.Name) {
		return "", nil, false
	}
	for i := 0; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case a == "-m" && i+1 < len(c.Args):
			return c.Args[i+1], c.Args[i+2:], true
		case strings.HasPrefix(a, "-m") && len(a) > 2:
			return a[2:], c.Args[i+1:], true
		case pythonArg[a]:
			i++
		case strings.HasPrefix(a, "-") && len(a) > 1 && a != "--" && !strings.ContainsRune(a, 'c'):
		default:
			return "", nil, false
		}
	}
	return "", nil, false
}

// Pip is a pip invocation: pip, pip3, pip3.12, python -m pip or uv pip.
type Pip struct {
	// Launcher is how pip was run: "pip3", "python3 -m pip", "uv pip".
	Launcher string
	// Sub is the pip command: "install", "uninstall", "download", ...
	Sub string
	// NoCacheDir reports --no-cache-dir (uv: --no-cache or -n).
	NoCacheDir bool
	// CacheDir is the --cache-dir value, if any.
	CacheDir string
	// User reports --user.
	User bool
	// Upgrade reports -U/--upgrade.
	Upgrade bool
	// System reports uv's --system.
	System bool
	// Requirements are the -r/--requirement files.
	Requirements []string
	// Constraints are the -c/--constraint files.
	Constraints []string
	// Prefix, Target and Root are the --prefix, --target/-t and --root
	// values.
	Prefix, Target, Root string
	// Packages are the requirement operands, -e/--editable ones included.
	Packages []Requirement
}

// pipArg lists pip and uv pip options that take a separate value.
var pipArg = map[string]bool{
	"-r": true, "--requirement": true, "-c": true, "--constraint": true,
	"-e": true, "--editable": true, "-t": true, "--target": true,
	"--prefix": true, "--root": true, "-i": true, "--index-url": true,
	"--extra-index-url": true, "-f": true, "--find-links": true,
	"--platform": true, "--python-version": true, "--implementation": true,
	"--abi": true, "--src": true, "--upgrade-strategy": true,
	"--progress-bar": true, "--log": true, "--proxy": true, "--retries": true,
	"--timeout": true, "--exists-action": true, "--trusted-host": true,
	"--cert": true, "--client-cert": true, "--cache-dir": true,
	"--global-option": true, "--config-settings": true, "-C": true,
	"--no-binary": true, "--only-binary": true, "--python": true, "-p": true,
	"--report": true, "--root-user-action": true, "--use-feature": true,
	"--use-deprecated": true, "--keyring-provider": true, "--group": true,
	"--override": true, "--extra": true, "--python-platform": true,
	"--index": true, "--default-index": true, "--index-strategy": true,
	"--resolution": true, "--prerelease": true, "--link-mode": true,
	"--exclude-newer": true, "--build-constraint": true, "-b": true,
	"--config-file": true, "--resume-retries": true, "--excludes": true,
}

// AsPip recognises pip invocations.
func AsPip(c Command) (Pip, bool) {
	var p Pip
	args := c.Args
	switch {
	case pipRe.MatchString(c.Name):
		p.Launcher = c.Name
	case c.Name == "uv" && len(c.Args) > 0:
		i := skipGlobal(c.Args, uvGlobalArg)
		if i >= len(c.Args) || c.Args[i] != "pip" {
			return Pip{}, false
		}
		p.Launcher = "uv pip"
		args = append(append([]string(nil), c.Args[:i]...), c.Args[i+1:]...)
	default:
		mod, rest, ok := PythonModule(c)
		if !ok || mod != "pip" {
			return Pip{}, false
		}
		p.Launcher = c.Name + " -m pip"
		args = rest
	}
	uv := p.Launcher == "uv pip"
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || a == "-" {
			if p.Sub == "" {
				p.Sub = a
			} else {
				p.Packages = append(p.Packages, ParseRequirement(a))
			}
			continue
		}
		if a == "--" {
			for _, r := range args[i+1:] {
				p.Packages = append(p.Packages, ParseRequirement(r))
			}
			break
		}
		name, val, hasVal := strings.Cut(a, "=")
		if !strings.HasPrefix(a, "--") && len(a) > 2 && pipArg[a[:2]] {
			name, val, hasVal = a[:2], a[2:], true // -rrequirements.txt
		}
		if uv {
			switch name {
			case "--requirements":
				name = "--requirement"
			case "--constraints":
				name = "--constraint"
			}
		} else {
			name = pipLongOption(name)
		}
		if (pipArg[name] || uv && uvPipArg[name]) && !hasVal && i+1 < len(args) {
			i++
			val = args[i]
		}
		switch name {
		case "--no-cache-dir":
			p.NoCacheDir = true
		case "--no-cache", "-n":
			if uv {
				p.NoCacheDir = true
			}
		case "--cache-dir":
			p.CacheDir = val
		case "--user":
			p.User = true
		case "-U", "--upgrade":
			p.Upgrade = true
		case "--system":
			p.System = true
		case "-r", "--requirement", "--requirements":
			p.Requirements = append(p.Requirements, val)
		case "-c", "--constraint":
			p.Constraints = append(p.Constraints, val)
		case "-e", "--editable":
			r := ParseRequirement(val)
			r.Editable = true
			p.Packages = append(p.Packages, r)
		case "-t", "--target":
			p.Target = val
		case "--prefix":
			p.Prefix = val
		case "--root":
			p.Root = val
		}
	}
	return p, true
}

// uvGlobalArg lists uv's global options that take a value.
var uvGlobalArg = map[string]bool{"--cache-dir": true, "--directory": true,
	"--project": true, "--config-file": true, "--color": true,
	"--python-preference": true, "--allow-insecure-host": true}

// skipGlobal returns the index of the first operand in args, skipping
// options (with their values for those in takesArg).
func skipGlobal(args []string, takesArg map[string]bool) int {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return i
		}
		if takesArg[a] {
			i++
		}
	}
	return len(args)
}

// Invocation is a call of a Python project tool: uv, poetry, pdm, pipenv,
// pipx, pip-sync, pip-compile or hatch.
type Invocation struct {
	// Tool is the tool's name, e.g. "poetry" (also for python -m poetry).
	Tool string
	// Sub is the subcommand; two words for uv's groups ("pip install",
	// "tool install", "python install").
	Sub string
	// Args are the arguments, global options included, subcommand words
	// excluded.
	Args []string
}

// Flag reports whether any of the options is given (as --opt or
// --opt=value).
func (iv Invocation) Flag(names ...string) bool {
	for _, a := range iv.Args {
		for _, n := range names {
			if a == n || strings.HasPrefix(a, n+"=") {
				return true
			}
		}
	}
	return false
}

// Value returns the value of the first of the options that is given.
func (iv Invocation) Value(names ...string) (string, bool) {
	for i, a := range iv.Args {
		for _, n := range names {
			if v, ok := strings.CutPrefix(a, n+"="); ok {
				return v, true
			}
			if a == n && i+1 < len(iv.Args) {
				return iv.Args[i+1], true
			}
		}
	}
	return "", false
}

// Operands returns the arguments that are not options. Values of options
// given as separate words are included; it is meant for tools whose
// operands follow the options.
func (iv Invocation) Operands() []string {
	var out []string
	for _, a := range iv.Args {
		if !strings.HasPrefix(a, "-") {
			out = append(out, a)
		}
	}
	return out
}

var projectTools = map[string]bool{"uv": true, "poetry": true, "pdm": true,
	"pipenv": true, "pipx": true, "pip-sync": true, "pip-compile": true,
	"hatch": true}

// toolGlobalArg lists global options (before the subcommand) that take a
// value, across the project tools.
var toolGlobalArg = map[string]bool{"--cache-dir": true, "--directory": true,
	"-C": true, "--project": true, "-P": true, "-p": true,
	"--config-file": true, "--color": true, "--python-preference": true}

// AsProjectTool recognises uv, poetry, pdm, pipenv, pipx, pip-sync,
// pip-compile and hatch, run directly or with python -m.
func AsProjectTool(c Command) (Invocation, bool) {
	name, args := c.Name, c.Args
	if mod, rest, ok := PythonModule(c); ok {
		name, args = mod, rest
		if name == "piptools" && len(rest) > 0 {
			name, args = "pip-"+rest[0], rest[1:]
		}
	}
	if !projectTools[name] {
		return Invocation{}, false
	}
	iv := Invocation{Tool: name}
	if name == "pip-sync" || name == "pip-compile" {
		iv.Args = append([]string(nil), args...)
		return iv, true
	}
	i := skipGlobal(args, toolGlobalArg)
	rest := append([]string(nil), args[:min(i, len(args))]...)
	if i < len(args) {
		iv.Sub = args[i]
		i++
		if name == "uv" && (iv.Sub == "pip" || iv.Sub == "tool" || iv.Sub == "python" || iv.Sub == "cache" || iv.Sub == "self") && i < len(args) {
			j := skipGlobal(args[i:], toolGlobalArg) + i
			rest = append(rest, args[i:min(j, len(args))]...)
			if j < len(args) {
				iv.Sub += " " + args[j]
				i = j + 1
			} else {
				i = j
			}
		}
		rest = append(rest, args[min(i, len(args)):]...)
	}
	iv.Args = rest
	return iv, true
}

// DependencyInstall reports whether c installs a project's dependencies
// from a lock or requirements file, the step that should come before the
// application source is copied: pip install -r, uv pip install -r,
// uv pip sync, pip-sync, uv sync, poetry install, pdm install/sync,
// pipenv install/sync. It returns a short description of the step.
func DependencyInstall(c Command) (string, bool) {
	if p, ok := AsPip(c); ok {
		if p.Sub == "install" && len(p.Requirements) > 0 {
			return p.Launcher + " install -r", true
		}
		if p.Launcher == "uv pip" && p.Sub == "sync" {
			return "uv pip sync", true
		}
		return "", false
	}
	iv, ok := AsProjectTool(c)
	if !ok {
		return "", false
	}
	switch iv.Tool + " " + iv.Sub {
	case "uv sync", "poetry install", "poetry sync", "pdm install", "pdm sync",
		"pipenv install", "pipenv sync", "pip-sync ":
		return strings.TrimSpace(iv.Tool + " " + iv.Sub), true
	}
	return "", false
}

// Venv is the creation of a virtual environment.
type Venv struct {
	// Tool is "venv" (python -m venv), "virtualenv" or "uv venv".
	Tool string
	// Path is the environment directory as written; uv venv defaults to
	// ".venv".
	Path string
}

var venvArg = map[string]bool{"--prompt": true, "-p": true, "--python": true,
	"--seed-packages": true, "--index-url": true, "--extra-index-url": true,
	"-i": true, "--activators": true, "--discovery": true, "--creator": true,
	"--seeder": true, "--pip": true, "--setuptools": true, "--wheel": true,
	"--app-data": true, "--cache-dir": true, "--link-mode": true,
	"--index-strategy": true, "--exclude-newer": true, "--project": true,
	"--directory": true}

// AsVenv recognises python -m venv PATH, virtualenv PATH and uv venv [PATH].
func AsVenv(c Command) (Venv, bool) {
	var v Venv
	var args []string
	switch mod, rest, ok := PythonModule(c); {
	case ok && (mod == "venv" || mod == "virtualenv"):
		v.Tool, args = mod, rest
	case c.Name == "virtualenv":
		v.Tool, args = "virtualenv", c.Args
	case c.Name == "uv":
		iv, ok := AsProjectTool(c)
		if !ok || iv.Sub != "venv" {
			return Venv{}, false
		}
		v.Tool, v.Path, args = "uv venv", ".venv", iv.Args
	default:
		return Venv{}, false
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if venvArg[a] {
				i++
			}
			continue
		}
		v.Path = a
		break
	}
	return v, true
}

// ToolInstall is the installation of a Python packaging tool.
type ToolInstall struct {
	// Tool is the normalized name: "poetry", "pipenv", "pdm", "uv",
	// "pip-tools", "hatch".
	Tool    string
	Command Command
}

var packagingTools = map[string]bool{"poetry": true, "pipenv": true,
	"pdm": true, "uv": true, "pip-tools": true, "hatch": true}

// installerURLs maps official installer script hosts to the tool they
// install.
var installerURLs = map[string]string{
	"install.python-poetry.org":                 "poetry",
	"astral.sh/uv":                              "uv",
	"pdm-project.org":                           "pdm",
	"raw.githubusercontent.com/pdm-project/pdm": "pdm",
}

// PackagingToolInstalls returns installs of poetry, pipenv, pdm, uv,
// pip-tools and hatch: with pip, uv pip, pipx or uv tool, or with the
// official installer scripts piped into a shell or Python.
func PackagingToolInstalls(s *Script) []ToolInstall {
	var out []ToolInstall
	for _, c := range s.Commands {
		var names []string
		if p, ok := AsPip(c); ok && p.Sub == "install" {
			for _, r := range p.Packages {
				names = append(names, r.Name)
			}
		} else if iv, ok := AsProjectTool(c); ok && (iv.Tool == "pipx" && iv.Sub == "install" || iv.Sub == "tool install") {
			for _, op := range iv.Operands() {
				names = append(names, ParseRequirement(op).Name)
			}
		}
		for _, n := range names {
			if n = pydist.NormalizeName(n); packagingTools[n] {
				out = append(out, ToolInstall{Tool: n, Command: c})
			}
		}
	}
	for _, d := range Downloads(s) {
		if d.PipedTo == "" {
			continue
		}
		for _, u := range d.URLs {
			for host, tool := range installerURLs {
				if strings.Contains(u, host) {
					out = append(out, ToolInstall{Tool: tool, Command: d.Command})
				}
			}
		}
	}
	return out
}
