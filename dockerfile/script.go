package dockerfile

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/pyimg/pyimg/dockerfile/shell"
)

// scriptCache holds the lazily parsed shell model of a RUN.
type scriptCache struct {
	once    sync.Once
	scripts []*shell.Script
	budget  *scriptBudget // shared by the file's RUNs
}

// MaxScriptCommands bounds the simple commands pyimg models across all
// RUN scripts of one file (each costs about half a KiB); real Dockerfiles
// have a few hundred.
const MaxScriptCommands = 250_000

// scriptBudget counts the commands a file's RUN scripts may still model.
// Once it is spent, further scripts are modelled as empty and the first
// RUN that did not fit is recorded.
type scriptBudget struct {
	left     atomic.Int64
	overLine atomic.Int64 // start line of the first RUN over the budget
}

func newScriptBudget() *scriptBudget {
	b := &scriptBudget{}
	b.left.Store(MaxScriptCommands)
	return b
}

// ScriptLimitError reports a file whose RUN scripts have more commands
// than pyimg models, as a *ParseError naming the first RUN that did not
// fit; nil when every script was modelled. Call it after the scripts were
// used (lint calls it after its rules ran).
func (f *File) ScriptLimitError() error {
	if f.scripts == nil {
		return nil
	}
	line := int(f.scripts.overLine.Load())
	if line == 0 {
		return nil
	}
	return &ParseError{File: f.Path, Line: line, EndLine: line,
		Msg: fmt.Sprintf("RUN scripts have more than %d commands in all; pyimg models at most %d", MaxScriptCommands, MaxScriptCommands)}
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
	in.scripts.once.Do(func() {
		b := in.scripts.budget
		if b != nil && b.left.Load() <= 0 {
			b.overLine.CompareAndSwap(0, int64(in.StartLine))
			return
		}
		sc := parseScripts(in)
		if b != nil {
			n := 0
			for _, x := range sc {
				if x != nil {
					n += len(x.Commands)
				}
			}
			if b.left.Add(int64(-n)) < 0 {
				b.overLine.CompareAndSwap(0, int64(in.StartLine))
				return
			}
		}
		in.scripts.scripts = sc
	})
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
