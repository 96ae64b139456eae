package project

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
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
	maxSourceTotal = 32 << 20 // bytes of source held at once
)

var skipDirs = map[string]bool{
	".git": true, ".hg": true, ".venv": true, "venv": true, "env": true, ".env": true, "node_modules": true,
	"__pycache__": true, ".tox": true, ".nox": true, "build": true, "dist": true, "site-packages": true,
	".mypy_cache": true, ".pytest_cache": true, ".ruff_cache": true, "tests": true, "test": true, "docs": true,
}

// notEntryPoints are files whose __main__ block is tooling, not the app.
var notEntryPoints = map[string]bool{
	"setup.py": true, "conftest.py": true, "noxfile.py": true, "tasks.py": true,
	"fabfile.py": true, "manage.py": true, "gunicorn.conf.py": true, "gunicorn_config.py": true,
}

// sourceFile is one Python file read for detection.
type sourceFile struct {
	rel    string // slash path relative to the project
	module string // dotted module name ("api.main"), src/ layout stripped
	lines  []string
}

// readSources reads the project's Python files, bounded in number, depth
// and size, skipping virtual environments, caches and tests.
func readSources(dir string) ([]sourceFile, error) {
	var out []sourceFile
	total := int64(0)
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
			if p != dir && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".") || strings.Count(rel, "/") >= maxSourceDepth || isProjectDir(p)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(d.Name(), ".py") || len(out) >= maxSourceFiles {
			return nil
		}
		fi, err := d.Info()
		if err != nil || fi.Size() > maxSourceBytes || total+fi.Size() > maxSourceTotal {
			return nil
		}
		total += fi.Size()
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		mod := moduleName(rel)
		if !validModule(mod) {
			return nil // not importable (a hyphen or dot in a directory name): not the app
		}
		out = append(out, sourceFile{rel: rel, module: mod, lines: strings.Split(string(b), "\n")})
		return nil
	})
	return out, err
}

// isProjectDir reports whether a subdirectory is a project of its own (a
// monorepo member, an example, a vendored project: it has its own
// pyproject.toml, setup files, requirements, lock or Dockerfile), whose
// sources are not this project's.
func isProjectDir(dir string) bool {
	for _, f := range []string{"pyproject.toml", "setup.py", "setup.cfg", "requirements.txt", "Pipfile", "uv.lock", "poetry.lock", "Dockerfile"} {
		if _, ok := fileExists(filepath.Join(dir, f)); ok {
			return true
		}
	}
	return false
}

// validModule reports whether every part of a dotted module name is a
// Python identifier.
func validModule(mod string) bool {
	for _, part := range strings.Split(mod, ".") {
		if part == "" || part[0] >= '0' && part[0] <= '9' {
			return false
		}
		for _, r := range part {
			if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r > 127) {
				return false
			}
		}
	}
	return true
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

	type found = clue
	var apps, mains, ports, cfgPorts, exposePorts []found
	var settings string
	gunicornUvicorn := false
	for _, s := range srcs {
		for _, c := range scanSource(s) {
			switch c.kind {
			case FrameworkFastAPI, FrameworkStarlette, FrameworkFlask:
				apps = append(apps, c)
			case clueMain:
				if !notEntryPoints[path.Base(c.file)] {
					mains = append(mains, c)
				}
			case clueSettings:
				if settings == "" {
					settings = c.value
					ev(c.file, c.line, "DJANGO_SETTINGS_MODULE "+c.value)
				}
			case cluePort:
				ports = append(ports, c)
			}
		}
	}
	// Server configuration: gunicorn.conf.py, Procfile, an existing Dockerfile.
	for _, cfg := range configFiles {
		lines, ok := readSmall(filepath.Join(dir, cfg))
		if !ok {
			continue
		}
		for _, c := range scanConfig(cfg, lines) {
			switch c.kind {
			case clueProcfile:
				ev(c.file, c.line, c.value)
			case clueUvicornWorkers:
				gunicornUvicorn = true
				ev(c.file, c.line, "uvicorn workers")
			case cluePort:
				cfgPorts = append(cfgPorts, c)
			case clueExpose:
				exposePorts = append(exposePorts, c)
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
			return strings.Count(x.value, "()") - strings.Count(y.value, "()")
		})
		best := apps[0]
		a.Framework, a.Target = best.kind, best.value
		ev(best.file, best.line, best.kind+" application "+best.value)
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
		case a.Framework == FrameworkDjango && deps["uvicorn"] && strings.Contains(a.Target, ".asgi:"):
			a.Server = "uvicorn"
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
		if n, err := strconv.Atoi(f.value); err == nil && n > 0 && n < 65536 {
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
