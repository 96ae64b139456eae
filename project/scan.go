package project

import (
	"regexp"
	"strings"
)

// clue is one thing a source or configuration line says, at file:line.
type clue struct {
	// kind is a Framework constant for an application object, or one of
	// the clue constants.
	kind string
	// value is the application target ("api.main:app"), the port, the
	// settings module, the file with a __main__ block, or the Procfile line.
	value string
	file  string
	line  int
}

// Clue kinds besides the Framework constants.
const (
	clueMain           = "main"            // an `if __name__ == "__main__":` block
	clueSettings       = "settings"        // DJANGO_SETTINGS_MODULE
	cluePort           = "port"            // a port the code or server configuration binds
	clueExpose         = "expose"          // EXPOSE in an existing Dockerfile
	clueProcfile       = "procfile"        // the web: process of a Procfile
	clueUvicornWorkers = "uvicorn-workers" // gunicorn runs uvicorn workers
)

// configFiles are the server configuration files read at the project's top.
var configFiles = []string{"gunicorn.conf.py", "gunicorn_config.py", "Procfile", "Dockerfile"}

var (
	reAssign     = regexp.MustCompile(`^(\w+)\s*(?::\s*\w+\s*)?=\s*(?:fastapi\.|starlette\.applications\.|flask\.)?(FastAPI|Starlette|Flask)\(`)
	reFactory    = regexp.MustCompile(`^def (create_app|make_app)\(`)
	reMain       = regexp.MustCompile(`^if\s+__name__\s*==\s*["']__main__["']\s*:`)
	reDjangoSet  = regexp.MustCompile(`["']DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']`)
	reUvicornRun = regexp.MustCompile(`uvicorn\.run\(.*\bport\s*=\s*(\d{1,5})\b`)
	reAppRun     = regexp.MustCompile(`\.run\(.*\bport\s*=\s*(\d{1,5})\b`)
	reServerPort = regexp.MustCompile(`(?:HTTPServer|TCPServer|make_server|serve)\(\s*\(?\s*["'][^"']*["']\s*,\s*(\d{1,5})\b`)
	reEnvPort    = regexp.MustCompile(`(?:environ\.get|getenv)\(\s*["']PORT["']\s*,\s*["']?(\d{1,5})\b`)
	rePortConst  = regexp.MustCompile(`^PORT\s*=\s*(\d{1,5})\s*(?:#.*)?$`)
	reBind       = regexp.MustCompile(`^bind\s*=\s*\[?\s*["'][^"']*:(\d{1,5})["']`)
	reWorker     = regexp.MustCompile(`^worker_class\s*=\s*["']uvicorn`)
	reCmdPort    = regexp.MustCompile(`(?:--port[= ]|--bind[= ]\S*:|-b\s+\S*:|runserver\s+\S*:)(\d{1,5})\b`)
	reExpose     = regexp.MustCompile(`(?i)^\s*EXPOSE\s+(\d{1,5})\b`)
	portRes      = []*regexp.Regexp{reUvicornRun, reAppRun, reServerPort, reEnvPort, rePortConst}
)

// scanSource lists what a Python file says: application objects, factories
// (in files importing flask), __main__ blocks, the Django settings module
// and ports.
func scanSource(s sourceFile) []clue {
	var out []clue
	flask := fileImports(s, "flask")
	for i, l := range s.lines {
		at := func(kind, value string) { out = append(out, clue{kind, value, s.rel, i + 1}) }
		if m := reAssign.FindStringSubmatch(l); m != nil {
			at(strings.ToLower(m[2]), s.module+":"+m[1])
		}
		if m := reFactory.FindStringSubmatch(l); m != nil && flask {
			at(FrameworkFlask, s.module+":"+m[1]+"()")
		}
		if reMain.MatchString(l) {
			at(clueMain, s.rel)
		}
		if m := reDjangoSet.FindStringSubmatch(l); m != nil {
			at(clueSettings, m[1])
		}
		for _, re := range portRes {
			if m := re.FindStringSubmatch(l); m != nil {
				at(cluePort, m[1])
				break
			}
		}
	}
	return out
}

// scanConfig lists what a server configuration file (configFiles) says.
func scanConfig(name string, lines []string) []clue {
	var out []clue
	for i, l := range lines {
		at := func(kind, value string) { out = append(out, clue{kind, value, name, i + 1}) }
		t := strings.TrimSpace(l)
		switch name {
		case "Procfile":
			if !strings.HasPrefix(t, "web:") {
				continue
			}
			at(clueProcfile, t)
			if strings.Contains(t, "uvicorn.workers.UvicornWorker") || strings.Contains(t, "-k uvicorn") {
				at(clueUvicornWorkers, "")
			}
			if m := reCmdPort.FindStringSubmatch(t); m != nil {
				at(cluePort, m[1])
			}
		case "Dockerfile":
			if m := reExpose.FindStringSubmatch(l); m != nil {
				at(clueExpose, m[1])
			}
		default:
			if m := reBind.FindStringSubmatch(t); m != nil {
				at(cluePort, m[1])
			}
			if reWorker.MatchString(t) {
				at(clueUvicornWorkers, "")
			}
		}
	}
	return out
}
