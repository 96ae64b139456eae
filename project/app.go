package project

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Frameworks App reports.
const (
	FrameworkFastAPI   = "fastapi"
	FrameworkStarlette = "starlette"
	FrameworkDjango    = "django"
	FrameworkFlask     = "flask"
	FrameworkModule    = "module" // a package with __main__.py, run with python -m
	FrameworkScript    = "script" // a file with an `if __name__ == "__main__":` block
	FrameworkConsole   = "console-script"
)

// App is how the project runs, as far as reading its files tells.
type App struct {
	// Framework is one of the Framework constants, "" when nothing was found.
	Framework string `json:"framework,omitempty"`
	// Server is the server that runs it: "uvicorn", "gunicorn",
	// "gunicorn+uvicorn" (gunicorn with uvicorn workers), "django" or
	// "flask" (development servers), "" for a program that serves itself.
	Server string `json:"server,omitempty"`
	// Target is what the server or interpreter loads: "api.main:app",
	// "mysite.wsgi:application", "app:create_app()", a module name for
	// FrameworkModule, a file for FrameworkScript, the script name for
	// FrameworkConsole.
	Target string `json:"target,omitempty"`
	// Command is the exec-form command that starts it.
	Command []string `json:"command,omitempty"`
	// Port is the TCP port it listens on (0 when unknown); PortFrom says
	// where that comes from ("gunicorn.conf.py:3", or "default of uvicorn
	// in Command").
	Port     int    `json:"port,omitempty"`
	PortFrom string `json:"port_from,omitempty"`
	// DjangoSettings is the settings module (DJANGO_SETTINGS_MODULE).
	DjangoSettings string `json:"django_settings,omitempty"`
	// Evidence lists what the detection saw, as "file:line: what".
	Evidence []string `json:"evidence,omitempty"`
}

// Limits of the source scan: detection reads, never executes.
const (
	maxSourceBytes = 256 << 10
	maxSourceFiles = 2000
	maxSourceDepth = 6
)

var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".venv": true, "venv": true, "env": true, ".env": true, "node_modules": true,
	"__pycache__": true, ".tox": true, ".nox": true, "build": true, "dist": true, "site-packages": true,
	".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true, "tests": true, "test": true, "docs": true,
}

// sourceFile is one Python file read for detection.
type sourceFile struct {
	rel    string // slash path relative to the project
	module string // dotted module name ("api.main"), src/ layout stripped
	lines  []string
}

var (
	reAssign     = regexp.MustCompile(`^(\w+)\s*(?::\s*\w+\s*)?=\s*(?:fastapi\.)?(FastAPI|Starlette|Flask)\(`)
	reFactory    = regexp.MustCompile(`^def (create_app|make_app)\(`)
	reMain       = regexp.MustCompile(`^if\s+__name__\s*==\s*["']__main__["']\s*:`)
	reDjangoSet  = regexp.MustCompile(`["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']`)
	reUvicornRun = regexp.MustCompile(`uvicorn\.run\(.*\bport\s*=\s*(\d+)`)
	reAppRun     = regexp.MustCompile(`\.run\(.*\bport\s*=\s*(\d+)`)
	reServerPort = regexp.MustCompile(`(?:HTTPServer|TCPServer|make_server|serve)\(\s*\(?\s*["'][^"']*["']\s*,\s*(\d+)`)
	reEnvPort    = regexp.MustCompile(`(?:environ\.get|getenv)\(\s*["']PORT["']\s*,\s*["']?(\d+)`)
	rePortConst  = regexp.MustCompile(`^PORT\s*=\s*(\d+)\s*(?:#.*)?$`)
	reBind       = regexp.MustCompile(`^bind\s*=\s*\[?\s*["'][^"']*:(\d+)["']`)
	reWorker     = regexp.MustCompile(`^worker_class\s*=\s*["']uvicorn`)
	reCmdPort    = regexp.MustCompile(`(?:--port[= ]|--bind[= ]\S*:|-b\s+\S*:|runserver\s+\S*:)(\d+)\b`)
	reExpose     = regexp.MustCompile(`(?i)^\s*EXPOSE\s+(\d+)`)
)

// readSources reads the project's Python files, bounded in number, depth
// and size, skipping virtual environments, caches and tests.
func readSources(dir string) ([]sourceFile, error) {
	var out []sourceFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // unreadable subdirectory: skip
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if p != dir && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".") || strings.Count(rel, "/") >= maxSourceDepth) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".py") || len(out) >= maxSourceFiles {
			return nil
		}
		if fi, err := d.Info(); err != nil || fi.Size() > maxSourceBytes {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		out = append(out, sourceFile{rel: rel, module: moduleName(rel), lines: strings.Split(string(b), "\n")})
		return nil
	})
	return out, err
}

// moduleName turns "src/api/main.py" into "api.main" and
// "pkg/__init__.py" into "pkg".
func moduleName(rel string) string {
	rel = strings.TrimSuffix(rel, ".py")
	rel = strings.TrimSuffix(rel, "/__init__")
	rel = strings.TrimPrefix(rel, "src/")
	return strings.ReplaceAll(rel, "/", ".")
}

// detectApp works out the framework, entry point and port.
func detectApp(dir string, deps map[string]bool, scripts map[string]string, name string) (App, error) {
	var a App
	srcs, err := readSources(dir)
	if err != nil {
		return a, fmt.Errorf("reading sources: %w", err)
	}
	ev := func(file string, line int, what string) {
		a.Evidence = append(a.Evidence, fmt.Sprintf("%s:%d: %s", file, line, what))
	}

	type found struct {
		kind, target, file string
		line               int
	}
	var apps []found
	var mains []found
	var settings string
	var ports []found // target holds the port
	for _, s := range srcs {
		for i, l := range s.lines {
			if m := reAssign.FindStringSubmatch(l); m != nil {
				apps = append(apps, found{strings.ToLower(m[2]), s.module + ":" + m[1], s.rel, i + 1})
			}
			if m := reFactory.FindStringSubmatch(l); m != nil && fileImports(s, "flask") {
				apps = append(apps, found{FrameworkFlask, s.module + ":" + m[1] + "()", s.rel, i + 1})
			}
			if reMain.MatchString(l) {
				mains = append(mains, found{"main", s.rel, s.rel, i + 1})
			}
			if m := reDjangoSet.FindStringSubmatch(l); m != nil && settings == "" {
				settings = m[1]
				ev(s.rel, i+1, "DJANGO_SETTINGS_MODULE "+m[1])
			}
			for _, re := range []*regexp.Regexp{reUvicornRun, reAppRun, reServerPort, reEnvPort, rePortConst} {
				if m := re.FindStringSubmatch(l); m != nil {
					ports = append(ports, found{"port", m[1], s.rel, i + 1})
					break
				}
			}
		}
	}

	// Server configuration: gunicorn.conf.py, Procfile, an existing Dockerfile.
	gunicornUvicorn := false
	var cfgPorts, exposePorts []found
	for _, cfg := range []string{"gunicorn.conf.py", "gunicorn_config.py", "Procfile", "Dockerfile"} {
		lines, ok := readSmall(filepath.Join(dir, cfg))
		if !ok {
			continue
		}
		for i, l := range lines {
			t := strings.TrimSpace(l)
			switch cfg {
			case "Procfile":
				if !strings.HasPrefix(t, "web:") {
					continue
				}
				ev(cfg, i+1, t)
				if strings.Contains(t, "uvicorn.workers.UvicornWorker") || strings.Contains(t, "-k uvicorn") {
					gunicornUvicorn = true
				}
				if m := reCmdPort.FindStringSubmatch(t); m != nil {
					cfgPorts = append(cfgPorts, found{"port", m[1], cfg, i + 1})
				}
			case "Dockerfile":
				if m := reExpose.FindStringSubmatch(l); m != nil {
					exposePorts = append(exposePorts, found{"port", m[1], cfg, i + 1})
				}
			default:
				if m := reBind.FindStringSubmatch(t); m != nil {
					cfgPorts = append(cfgPorts, found{"port", m[1], cfg, i + 1})
				}
				if reWorker.MatchString(t) {
					gunicornUvicorn = true
					ev(cfg, i+1, "uvicorn workers")
				}
			}
		}
	}

	_, hasManage := fileExists(filepath.Join(dir, "manage.py"))
	switch {
	case hasManage || (deps["django"] && settings != ""):
		a.Framework = FrameworkDjango
		if hasManage {
			ev("manage.py", 1, "Django manage.py")
		}
		a.DjangoSettings = settings
		pkg := strings.TrimSuffix(settings, ".settings")
		if i := strings.Index(pkg, ".settings."); i > 0 {
			pkg = pkg[:i]
		}
		for _, kind := range []string{"wsgi", "asgi"} {
			rel := strings.ReplaceAll(pkg, ".", "/") + "/" + kind + ".py"
			if _, ok := fileExists(filepath.Join(dir, filepath.FromSlash(rel))); ok && pkg != "" {
				if a.Target == "" || (kind == "asgi" && deps["uvicorn"] && !deps["gunicorn"]) {
					obj := "application"
					a.Target = pkg + "." + kind + ":" + obj
					ev(rel, 1, kind+" module")
				}
			}
		}
	case len(apps) > 0:
		// Prefer FastAPI, then Starlette, then Flask; a module-level app
		// over a factory.
		rank := map[string]int{FrameworkFastAPI: 0, FrameworkStarlette: 1, FrameworkFlask: 2}
		slices.SortStableFunc(apps, func(x, y found) int {
			if rank[x.kind] != rank[y.kind] {
				return rank[x.kind] - rank[y.kind]
			}
			return strings.Count(x.target, "()") - strings.Count(y.target, "()")
		})
		best := apps[0]
		a.Framework, a.Target = best.kind, best.target
		ev(best.file, best.line, best.kind+" application "+best.target)
	case len(scripts) > 0:
		a.Framework = FrameworkConsole
		names := make([]string, 0, len(scripts))
		for n := range scripts {
			names = append(names, n)
		}
		slices.Sort(names)
		a.Target = names[0]
		if name != "" && scripts[name] != "" {
			a.Target = name
		}
		ev("pyproject.toml", 0, "console script "+a.Target+" = "+scripts[a.Target])
	default:
		for _, s := range srcs {
			if path.Base(s.rel) == "__main__.py" && strings.Contains(s.rel, "/") {
				a.Framework, a.Target = FrameworkModule, strings.TrimSuffix(s.module, ".__main__")
				ev(s.rel, 1, "package entry point")
				break
			}
		}
		if a.Framework == "" && len(mains) > 0 {
			slices.SortStableFunc(mains, func(x, y found) int { return strings.Count(x.file, "/") - strings.Count(y.file, "/") })
			a.Framework, a.Target = FrameworkScript, mains[0].file
			ev(mains[0].file, mains[0].line, "__main__ block")
		}
	}

	// The server.
	switch a.Framework {
	case FrameworkFastAPI, FrameworkStarlette:
		switch {
		case deps["gunicorn"] && (gunicornUvicorn || !deps["uvicorn"]):
			a.Server = "gunicorn+uvicorn"
		default:
			a.Server = "uvicorn"
		}
	case FrameworkDjango, FrameworkFlask:
		switch {
		case deps["gunicorn"] && gunicornUvicorn:
			a.Server = "gunicorn+uvicorn"
		case deps["gunicorn"]:
			a.Server = "gunicorn"
		case a.Framework == FrameworkDjango:
			a.Server = "django"
		default:
			a.Server = "flask"
		}
	}

	// The port: server configuration first, then the code (the entry file's
	// own lines before others), then an existing Dockerfile's EXPOSE.
	if a.Framework == FrameworkScript || a.Framework == FrameworkFlask {
		slices.SortStableFunc(ports, func(x, y found) int {
			return boolInt(y.file == entryFile(a)) - boolInt(x.file == entryFile(a))
		})
	}
	for _, f := range slices.Concat(cfgPorts, ports, exposePorts) {
		if n, err := strconv.Atoi(f.target); err == nil && n > 0 && n < 65536 {
			a.Port, a.PortFrom = n, fmt.Sprintf("%s:%d", f.file, f.line)
			break
		}
	}
	a.Command = command(&a)
	return a, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// entryFile is the file a script or Flask target lives in.
func entryFile(a App) string {
	if a.Framework == FrameworkScript {
		return a.Target
	}
	mod, _, _ := strings.Cut(a.Target, ":")
	return strings.ReplaceAll(mod, ".", "/") + ".py"
}

// command builds the exec-form command; when the server takes the port as
// an argument and none is known, it uses the server's default and records
// that in PortFrom.
func command(a *App) []string {
	port := func(def int) string {
		if a.Port == 0 {
			a.Port, a.PortFrom = def, "default of "+a.Server+" in the command"
		}
		return strconv.Itoa(a.Port)
	}
	switch a.Server {
	case "uvicorn":
		return []string{"uvicorn", a.Target, "--host", "0.0.0.0", "--port", port(8000)}
	case "gunicorn+uvicorn":
		return []string{"gunicorn", "--worker-class", "uvicorn.workers.UvicornWorker", "--bind", "0.0.0.0:" + port(8000), a.Target}
	case "gunicorn":
		return []string{"gunicorn", "--bind", "0.0.0.0:" + port(8000), a.Target}
	case "django":
		return []string{"python", "manage.py", "runserver", "0.0.0.0:" + port(8000)}
	case "flask":
		return []string{"flask", "--app", a.Target, "run", "--host", "0.0.0.0", "--port", port(5000)}
	}
	switch a.Framework {
	case FrameworkModule:
		return []string{"python", "-m", a.Target}
	case FrameworkScript:
		return []string{"python", a.Target}
	case FrameworkConsole:
		return []string{a.Target}
	}
	return nil
}

func fileImports(s sourceFile, mod string) bool {
	for _, l := range s.lines {
		if strings.HasPrefix(l, "from "+mod+" import") || strings.HasPrefix(l, "import "+mod) {
			return true
		}
	}
	return false
}

// readSmall reads a small text file's lines; false when absent or too big.
func readSmall(p string) ([]string, bool) {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > maxSourceBytes {
		return nil, false
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	var lines []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), maxSourceBytes)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines, true
}

func fileExists(p string) (os.FileInfo, bool) {
	fi, err := os.Stat(p)
	return fi, err == nil && fi.Mode().IsRegular()
}
