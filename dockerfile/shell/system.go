package shell

import "strings"

// Apt is an apt-get or apt invocation.
type Apt struct {
	Tool string // "apt-get" or "apt"
	// Sub is the action: "update", "install", "upgrade", "dist-upgrade",
	// "remove", "purge", "autoremove", "clean", ...
	Sub string
	// Yes reports -y/--yes/--assume-yes (or -qq, which implies it).
	Yes bool
	// NoInstallRecommends reports --no-install-recommends or
	// -o APT::Install-Recommends=false.
	NoInstallRecommends bool
	// Packages are the operands after Sub, version pins kept ("gcc=4:12").
	Packages []string
}

// aptArg lists apt-get options that take a separate value.
var aptArg = map[string]bool{"-o": true, "-c": true, "-t": true, "-a": true,
	"--option": true, "--config-file": true, "--target-release": true,
	"--default-release": true, "--host-architecture": true}

// AsApt recognises apt-get and apt.
func AsApt(c Command) (Apt, bool) {
	if c.Name != "apt-get" && c.Name != "apt" {
		return Apt{}, false
	}
	a := Apt{Tool: c.Name}
	for i := 0; i < len(c.Args); i++ {
		arg := c.Args[i]
		switch {
		case arg == "--":
			for _, p := range c.Args[i+1:] {
				a.addOperand(p)
			}
			i = len(c.Args)
		case strings.HasPrefix(arg, "--"):
			name, val, hasVal := strings.Cut(arg, "=")
			switch name {
			case "--yes", "--assume-yes", "--force-yes":
				a.Yes = true
			case "--no-install-recommends":
				a.NoInstallRecommends = true
			case "--option":
				if !hasVal && i+1 < len(c.Args) {
					i++
					val = c.Args[i]
				}
				a.option(val)
			default:
				if aptArg[name] && !hasVal {
					i++
				}
			}
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			if arg == "-o" && i+1 < len(c.Args) {
				i++
				a.option(c.Args[i])
				continue
			}
			if strings.HasPrefix(arg, "-o") {
				a.option(arg[2:])
				continue
			}
			if aptArg[arg] {
				i++
				continue
			}
			if strings.ContainsRune(arg, 'y') || strings.Count(arg, "q") >= 2 {
				a.Yes = true
			}
		default:
			a.addOperand(arg)
		}
	}
	return a, true
}

func (a *Apt) addOperand(s string) {
	if a.Sub == "" {
		a.Sub = s
		return
	}
	a.Packages = append(a.Packages, s)
}

func (a *Apt) option(kv string) {
	k, v, _ := strings.Cut(kv, "=")
	if strings.EqualFold(k, "APT::Install-Recommends") {
		v = strings.ToLower(strings.Trim(v, `"'`))
		a.NoInstallRecommends = v == "false" || v == "0" || v == "no" || v == "off"
	}
	if strings.EqualFold(k, "APT::Get::Assume-Yes") {
		a.Yes = true
	}
}

// Apk is an Alpine apk invocation.
type Apk struct {
	// Sub is the applet: "add", "del", "update", "upgrade", "cache", ...
	Sub string
	// NoCache reports --no-cache.
	NoCache bool
	// Update reports -U/--update-cache (which fills /var/cache/apk).
	Update bool
	// Virtual is the --virtual/-t name, if any.
	Virtual string
	// Packages are the operands after Sub, version constraints kept.
	Packages []string
}

var apkArg = map[string]bool{"-t": true, "--virtual": true, "-X": true,
	"--repository": true, "-p": true, "--root": true, "--arch": true,
	"--cache-dir": true, "--repositories-file": true, "--keys-dir": true,
	"--cache-max-age": true, "--progress-fd": true, "--wait": true}

// AsApk recognises apk.
func AsApk(c Command) (Apk, bool) {
	if c.Name != "apk" {
		return Apk{}, false
	}
	var a Apk
	for i := 0; i < len(c.Args); i++ {
		arg := c.Args[i]
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			if a.Sub == "" {
				a.Sub = arg
			} else {
				a.Packages = append(a.Packages, arg)
			}
			continue
		}
		name, val, hasVal := strings.Cut(arg, "=")
		if apkArg[name] && !hasVal && i+1 < len(c.Args) {
			i++
			val = c.Args[i]
		}
		switch name {
		case "--no-cache":
			a.NoCache = true
		case "-U", "--update-cache", "--update":
			a.Update = true
		case "-t", "--virtual":
			a.Virtual = val
		}
	}
	return a, true
}

// Remove is an rm invocation.
type Remove struct {
	Recursive bool
	Force     bool
	Paths     []string
}

// AsRm recognises rm.
func AsRm(c Command) (Remove, bool) {
	if c.Name != "rm" {
		return Remove{}, false
	}
	var r Remove
	opts := true
	for i := 0; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case opts && a == "--":
			opts = false
		case opts && strings.HasPrefix(a, "--"):
			switch a {
			case "--recursive":
				r.Recursive = true
			case "--force":
				r.Force = true
			}
		case opts && strings.HasPrefix(a, "-") && len(a) > 1:
			r.Recursive = r.Recursive || strings.ContainsAny(a, "rR")
			r.Force = r.Force || strings.ContainsRune(a, 'f')
		default:
			r.Paths = append(r.Paths, a)
		}
	}
	return r, true
}

// Ownership is a chown, chgrp or chmod invocation.
type Ownership struct {
	Tool      string // "chown", "chgrp" or "chmod"
	Recursive bool
	// Spec is the owner[:group], group or mode operand ("" with --reference).
	Spec  string
	Paths []string
	// From is chown's --from=OWNER[:GROUP]: only files owned by it change.
	From string
}

// AsOwnership recognises chown, chgrp and chmod.
func AsOwnership(c Command) (Ownership, bool) {
	if c.Name != "chown" && c.Name != "chgrp" && c.Name != "chmod" {
		return Ownership{}, false
	}
	o := Ownership{Tool: c.Name}
	specSet := false
	opts := true
	for i := 0; i < len(c.Args); i++ {
		a := c.Args[i]
		switch {
		case opts && a == "--":
			opts = false
		case opts && strings.HasPrefix(a, "--"):
			if a == "--recursive" {
				o.Recursive = true
			}
			if v, ok := strings.CutPrefix(a, "--from="); ok {
				o.From = v
			} else if a == "--from" && i+1 < len(c.Args) {
				i++
				o.From = c.Args[i]
			}
			if strings.HasPrefix(a, "--reference") {
				specSet = true
			}
		case opts && strings.HasPrefix(a, "-") && len(a) > 1 && !(c.Name == "chmod" && isSymbolicMode(a)):
			o.Recursive = o.Recursive || strings.ContainsRune(a, 'R')
		case !specSet:
			o.Spec, specSet = a, true
		default:
			o.Paths = append(o.Paths, a)
		}
	}
	return o, true
}

// isSymbolicMode reports whether a chmod argument such as "-x" or "-w,g+r"
// is a mode rather than an option.
func isSymbolicMode(a string) bool {
	return strings.Trim(a, "-+=,ugoarwxXst") == "" && strings.ContainsAny(a, "rwxXst")
}

// Download is a curl or wget fetch.
type Download struct {
	Command Command
	Tool    string   // "curl" or "wget"
	URLs    []string // operands that look like URLs
	// Output is the -o/-O/--output/--output-document file ("-" for
	// stdout), "" when not given.
	Output string
	// PipedTo is the program the download is piped into when that program
	// is a shell or an interpreter ("sh", "bash", "python3", ...).
	PipedTo string
}

// Downloads returns the curl and wget fetches of a script.
func Downloads(s *Script) []Download {
	var out []Download
	for _, c := range s.Commands {
		if c.Name != "curl" && c.Name != "wget" {
			continue
		}
		d := Download{Command: c, Tool: c.Name}
		outShort := byte('o')
		if c.Name == "wget" {
			outShort = 'O'
		}
		for i := 0; i < len(c.Args); i++ {
			a := c.Args[i]
			switch {
			case strings.Contains(a, "://"):
				d.URLs = append(d.URLs, a)
			case a == "--output" || a == "--output-document":
				if i+1 < len(c.Args) {
					i++
					d.Output = c.Args[i]
				}
			case strings.HasPrefix(a, "--output=") || strings.HasPrefix(a, "--output-document="):
				_, d.Output, _ = strings.Cut(a, "=")
			case len(a) > 1 && a[0] == '-' && a[1] != '-':
				// A short option cluster such as -sSLo FILE or -qO-.
				if j := strings.IndexByte(a, outShort); j > 0 {
					if d.Output = a[j+1:]; d.Output == "" && i+1 < len(c.Args) {
						i++
						d.Output = c.Args[i]
					}
				}
			}
		}
		for _, p := range s.PipedTo(c) {
			if isShell(p.Name) || isInterpreter(p.Name) {
				d.PipedTo = p.Name
				break
			}
		}
		out = append(out, d)
	}
	return out
}

// isInterpreter reports whether name runs code read from stdin.
func isInterpreter(name string) bool {
	return isPython(name) || name == "perl" || name == "ruby" || name == "node"
}
