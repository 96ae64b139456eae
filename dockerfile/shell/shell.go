// Package shell models the commands a Dockerfile RUN executes: it parses a
// shell-form script, an exec-form argv or a heredoc body into a flat list of
// simple commands with their pipeline position and joining operator, and
// recognises the invocations that matter for Python images (apt-get, apk,
// pip, uv, poetry, pdm, pipenv, venv creation, curl/wget, rm, chown/chmod,
// cd, set).
//
// Parsing uses mvdan.cc/sh's POSIX/bash parser. Input it rejects (an
// unterminated quote, say) is read by a small fallback tokenizer so callers
// always get a best-effort model together with the error.
package shell

import (
	"fmt"
	"path"
	"strings"
)

// Operator is the shell operator that joins a command to the command before
// it in the same command list.
type Operator int

// Operators. OpNone marks the first command of a script or nested script.
const (
	OpNone Operator = iota
	OpSeq           // ; or a newline
	OpAnd           // &&
	OpOr            // ||
	OpPipe          // | or |&
)

var operatorNames = [...]string{"", ";", "&&", "||", "|"}

// String returns the operator as written in shell, "" for OpNone.
func (o Operator) String() string {
	if o < 0 || int(o) >= len(operatorNames) {
		return fmt.Sprintf("Operator(%d)", int(o))
	}
	return operatorNames[o]
}

// Nesting says where a command sits relative to the top-level script.
type Nesting string

// Nesting values. Top-level commands (including those inside if/for/while,
// case, { } blocks and functions, which share the script's shell) have
// NestNone.
const (
	NestNone     Nesting = ""
	NestSubshell Nesting = "(...)"    // ( ... ) subshell
	NestCmdSubst Nesting = "$(...)"   // $( ... ), `...` or <( ... )
	NestShellC   Nesting = "shell -c" // the string of sh -c / bash -c
)

// EnvVar is a NAME=value assignment prefixed to a command, or given to env(1).
type EnvVar struct {
	Name  string
	Value string
}

// Redirect is an I/O redirection of a command, e.g. {">", "/dev/null"}.
type Redirect struct {
	Op     string // as written: ">", ">>", "<", "2>", "&>", "<<", ...
	Target string // the word after the operator
}

// Command is one simple command of a script: argv with wrappers such as
// sudo and env(1) stripped.
type Command struct {
	// Name is the base name of the program, e.g. "pip3" for
	// "/opt/venv/bin/pip3". It is "" for a bare assignment (FOO=bar).
	Name string
	// Path is the program as written.
	Path string
	// Args are the arguments after the program, quotes removed. Parameter
	// expansions and command substitutions are kept as written ("$HOME").
	Args []string
	// Env holds NAME=value prefixes and env(1) assignments.
	Env []EnvVar
	// Wrappers lists stripped prefix programs in order, e.g. ["sudo"].
	Wrappers []string
	// User is the user a wrapper runs the command as (sudo -u, gosu,
	// su-exec), "" when no wrapper switches user.
	User string
	// Redirects lists the command's redirections.
	Redirects []Redirect
	// Line is the 0-based line of the command within the parsed text.
	Line int
	// Pipeline numbers the pipelines of the script from 0; a command that
	// is not piped forms a pipeline of its own.
	Pipeline int
	// PipeIndex is the command's position in its pipeline, from 0.
	PipeIndex int
	// PipeLen is the number of commands in the pipeline (1 if not piped).
	PipeLen int
	// Op joins the command to the previous one: OpPipe for every command
	// after the first of a pipeline; otherwise the list operator before the
	// pipeline, or OpNone for the first command of a (nested) script.
	Op Operator
	// Nesting says whether the command runs in a subshell, a command
	// substitution or the string of a sh -c.
	Nesting Nesting
	// Pipefail reports whether pipefail was in effect for the command.
	Pipefail bool
	// Background reports a trailing &.
	Background bool
}

// Argv returns the program as written followed by its arguments.
func (c Command) Argv() []string {
	if c.Path == "" {
		return nil
	}
	return append([]string{c.Path}, c.Args...)
}

// String renders the command roughly as written (for messages).
func (c Command) String() string {
	var b strings.Builder
	for _, w := range c.Wrappers {
		b.WriteString(w)
		b.WriteByte(' ')
	}
	for _, e := range c.Env {
		b.WriteString(e.Name + "=" + e.Value + " ")
	}
	b.WriteString(strings.Join(c.Argv(), " "))
	return strings.TrimSpace(b.String())
}

// Piped reports whether the command is part of a pipeline of two or more.
func (c Command) Piped() bool { return c.PipeLen > 1 }

// Script is the parsed model of a RUN body.
type Script struct {
	// Commands lists every simple command in execution order as written,
	// including the commands of nested sh -c strings and $(...), which
	// follow the command that contains them.
	Commands []Command
	// Interpreter is the program a heredoc's #! line names when it is not
	// a shell (e.g. "python3"); Commands is then empty.
	Interpreter string
}

// PipedTo returns the commands after c in c's pipeline, including those
// of a subshell or { } block that forms a later pipeline element.
func (s *Script) PipedTo(c Command) []Command {
	var out []Command
	for _, d := range s.Commands {
		if d.Pipeline == c.Pipeline && d.PipeIndex > c.PipeIndex {
			out = append(out, d)
		}
	}
	return out
}

// Has reports whether any command is named one of names.
func (s *Script) Has(names ...string) bool {
	for _, c := range s.Commands {
		for _, n := range names {
			if c.Name == n {
				return true
			}
		}
	}
	return false
}

// Option configures parsing.
type Option func(*options)

type options struct {
	pipefail bool
}

// WithShell sets the initial shell options from a Dockerfile SHELL argv,
// e.g. ["/bin/bash", "-o", "pipefail", "-c"]. The default is /bin/sh -c with
// pipefail off.
func WithShell(argv []string) Option {
	return func(o *options) { o.pipefail = ShellPipefail(argv) }
}

// ShellPipefail reports whether a SHELL argv turns pipefail on
// ("-o pipefail", "-euo pipefail", "-opipefail").
func ShellPipefail(argv []string) bool {
	if len(argv) == 0 {
		return false
	}
	f := parseFlags(argv[1:], false)
	return f.pipefail != nil && *f.pipefail
}

// Parse parses the script of a shell-form RUN (or a sh -c string). Escaped
// newlines are line continuations. Parse always returns a non-nil Script;
// when the shell parser rejects the input the error says why and the
// Script comes from a simpler tokenizer.
func Parse(script string, opts ...Option) (*Script, error) {
	o := options{}
	for _, f := range opts {
		f(&o)
	}
	w := newWalker(o)
	err := w.script(script, 0, NestNone, o.pipefail)
	if err == nil {
		err = w.err
	}
	return &Script{Commands: w.cmds}, err
}

// ParseArgs models an exec-form RUN argv. An argv that runs a shell with -c
// (["sh", "-c", "apt-get update && ..."]) yields the shell command followed
// by the commands of its string.
func ParseArgs(argv []string, opts ...Option) (*Script, error) {
	o := options{}
	for _, f := range opts {
		f(&o)
	}
	w := newWalker(o)
	c, ok := w.command(argv, nil, nil, 0, NestNone, false)
	if !ok {
		return &Script{}, nil
	}
	c = w.place(c)
	w.cmds = append(w.cmds, c)
	w.recurse(c, func(int) bool { return false })
	return &Script{Commands: w.cmds}, w.err
}

// ParseHeredoc models a heredoc body run by RUN. A body whose #! line names a
// non-shell interpreter (python, perl, ...) has no shell commands; its
// Interpreter is set instead. A shell #! line replaces the SHELL options:
// BuildKit runs such a body as an executable file.
func ParseHeredoc(body string, opts ...Option) (*Script, error) {
	if strings.HasPrefix(body, "#!") {
		line, _, _ := strings.Cut(body[2:], "\n")
		f := strings.Fields(line)
		if len(f) > 0 && path.Base(f[0]) == "env" {
			f = f[1:]
			for len(f) > 0 && strings.HasPrefix(f[0], "-") {
				f = f[1:] // env -S and the like
			}
		}
		if len(f) > 0 {
			prog := path.Base(f[0])
			if !isShell(prog) {
				return &Script{Interpreter: prog}, nil
			}
			opts = append(opts, WithShell(f))
		}
	}
	return Parse(body, opts...)
}

// isShell reports whether name is a POSIX-ish shell that takes -c.
func isShell(name string) bool {
	switch name {
	case "sh", "bash", "dash", "ash", "zsh", "ksh", "mksh":
		return true
	}
	return false
}
