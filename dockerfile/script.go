package dockerfile

import (
	"strings"
	"sync"

	"github.com/pyimg/pyimg/dockerfile/shell"
)

// scriptCache holds the lazily parsed shell model of a RUN.
type scriptCache struct {
	once    sync.Once
	scripts []*shell.Script
}

// Scripts returns the shell model of what a RUN executes: its command line
// (shell or exec form, with the stage's SHELL for pipefail), and each
// heredoc body run as a script (RUN <<EOF, RUN bash <<EOF). It is parsed
// once and shared: callers must not modify the result. Other instructions
// return nil.
func (in *Instruction) Scripts() []*shell.Script {
	if in.Kind != KindRun {
		return nil
	}
	if in.scripts == nil {
		// Instructions built by hand (tests) have no cache; parse each time.
		return parseScripts(in)
	}
	in.scripts.once.Do(func() { in.scripts.scripts = parseScripts(in) })
	return in.scripts.scripts
}

func parseScripts(in *Instruction) []*shell.Script {
	opt := shell.WithShell(in.State.Shell)
	if in.JSON {
		s, _ := shell.ParseArgs(in.Command, opt)
		return []*shell.Script{s}
	}
	line := strings.TrimSpace(strings.Join(in.Command, " "))
	var out []*shell.Script
	if !strings.HasPrefix(line, "<<") {
		s, _ := shell.Parse(line, opt)
		out = append(out, s)
	}
	for _, h := range in.Heredocs {
		if strings.HasPrefix(line, "<<") || runsStdinAsScript(line) {
			s, _ := shell.ParseHeredoc(h.Content, opt)
			out = append(out, s)
		}
	}
	return out
}

// runsStdinAsScript reports "bash <<EOF" and "sh -e <<EOF".
func runsStdinAsScript(line string) bool {
	f := strings.Fields(line)
	if len(f) == 0 {
		return false
	}
	switch f[0][strings.LastIndex(f[0], "/")+1:] {
	case "sh", "bash", "dash", "ash", "zsh", "ksh":
		return true
	}
	return false
}
