package shell

import (
	"fmt"
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// maxDepth bounds recursion into sh -c strings and command substitutions.
const maxDepth = 8

// pipePos is the pipeline slot that simple commands currently fill.
type pipePos struct{ id, index, n int }

// walker flattens shell syntax trees into Commands.
type walker struct {
	cmds     []Command
	pipeline int      // last pipeline number handed out
	op       Operator // operator for the next emitted command
	pipefail bool     // pipefail in effect
	cur      *pipePos // pipeline slot, nil outside pipelines
	depth    int
	err      error // first error parsing a nested sh -c string
	// skipSubst is set while walking a sh -c string whose $(...) the
	// outer shell expanded.
	skipSubst bool
}

func newWalker(o options) *walker {
	return &walker{pipeline: -1, pipefail: o.pipefail}
}

func (w *walker) nextPipeline() int {
	w.pipeline++
	return w.pipeline
}

// src is the text a syntax tree was parsed from, with its line offset.
type src struct {
	text     string
	lineBase int
	nest     Nesting
}

func (s src) slice(n syntax.Node) string {
	a, b := int(n.Pos().Offset()), int(n.End().Offset())
	if a < 0 || b > len(s.text) || a > b {
		return ""
	}
	return s.text[a:b]
}

func (s src) line(p syntax.Pos) int {
	if !p.IsValid() || p.Line() == 0 {
		return s.lineBase
	}
	return s.lineBase + int(p.Line()) - 1
}

// script parses text and appends its commands. The first command gets the
// pending operator.
func (w *walker) script(text string, lineBase int, nest Nesting, pipefail bool) error {
	if w.depth > maxDepth {
		return nil
	}
	w.depth++
	defer func() { w.depth-- }()
	saved := w.pipefail
	w.pipefail = pipefail
	defer func() { w.pipefail = saved }()

	if err := checkNesting(text); err != nil {
		w.fallback(text, lineBase, nest)
		return fmt.Errorf("parsing shell script: %w", err)
	}
	p := syntax.NewParser(syntax.Variant(syntax.LangBash))
	f, err := p.Parse(strings.NewReader(text), "")
	if err != nil {
		w.fallback(text, lineBase, nest)
		return fmt.Errorf("parsing shell script: %w", err)
	}
	w.stmts(src{text, lineBase, nest}, f.Stmts)
	return nil
}

// stmts walks a statement list; statements after the first are joined by
// OpSeq.
func (w *walker) stmts(s src, list []*syntax.Stmt) {
	for i, st := range list {
		if i > 0 {
			w.op = OpSeq
		}
		w.stmt(s, st)
	}
}

func (w *walker) stmt(s src, st *syntax.Stmt) {
	if st == nil || st.Cmd == nil {
		return
	}
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		w.call(s, c, st)
	case *syntax.BinaryCmd:
		switch c.Op {
		case syntax.Pipe, syntax.PipeAll:
			w.pipe(s, st)
		case syntax.AndStmt, syntax.OrStmt:
			w.stmt(s, c.X)
			if c.Op == syntax.AndStmt {
				w.op = OpAnd
			} else {
				w.op = OpOr
			}
			w.stmt(s, c.Y)
		}
	case *syntax.Subshell:
		// A subshell in a pipeline fills that pipeline slot; its shell
		// options do not leak out.
		saved := w.pipefail
		ns := s
		ns.nest = NestSubshell
		w.stmts(ns, c.Stmts)
		w.pipefail = saved
	case *syntax.Block:
		w.stmts(s, c.Stmts)
	case *syntax.IfClause:
		for ic := c; ic != nil; ic = ic.Else {
			w.stmts(s, ic.Cond)
			w.op = OpAnd
			w.stmts(s, ic.Then)
		}
	case *syntax.WhileClause:
		w.stmts(s, c.Cond)
		w.op = OpAnd
		w.stmts(s, c.Do)
	case *syntax.ForClause:
		w.stmts(s, c.Do)
	case *syntax.CaseClause:
		for _, it := range c.Items {
			w.stmts(s, it.Stmts)
		}
	case *syntax.FuncDecl:
		w.stmt(s, c.Body)
	case *syntax.TimeClause:
		w.stmt(s, c.Stmt)
	case *syntax.CoprocClause:
		w.stmt(s, c.Stmt)
	case *syntax.DeclClause:
		var args []string
		var subs [][]*syntax.Stmt
		for _, a := range c.Args {
			args = append(args, s.assign(a, &subs))
		}
		w.emit(s, c.Variant.Value, args, nil, st)
		w.substs(s, subs)
	}
}

// nested runs f with the pipeline slot cleared and restores it after.
func (w *walker) nested(f func()) {
	saved := w.cur
	w.cur = nil
	f()
	w.cur = saved
}

// pipe walks a pipeline, giving each element its slot.
func (w *walker) pipe(s src, st *syntax.Stmt) {
	var elems []*syntax.Stmt
	var flatten func(*syntax.Stmt)
	flatten = func(x *syntax.Stmt) {
		if b, ok := x.Cmd.(*syntax.BinaryCmd); ok && (b.Op == syntax.Pipe || b.Op == syntax.PipeAll) && len(x.Redirs) == 0 && !x.Negated {
			flatten(b.X)
			flatten(b.Y)
			return
		}
		elems = append(elems, x)
	}
	// The root is split unconditionally: its negation ("! a | b") or
	// redirects apply to the whole pipeline, and keeping it whole would
	// hand the same statement back to stmt, which calls pipe again.
	root := st.Cmd.(*syntax.BinaryCmd)
	flatten(root.X)
	flatten(root.Y)
	id := w.nextPipeline()
	saved := w.cur
	for i, e := range elems {
		if i > 0 {
			w.op = OpPipe
		}
		w.cur = &pipePos{id: id, index: i, n: len(elems)}
		w.stmt(s, e)
	}
	w.cur = saved
}

func (w *walker) call(s src, c *syntax.CallExpr, st *syntax.Stmt) {
	var subs [][]*syntax.Stmt
	var env []EnvVar
	for _, a := range c.Assigns {
		if a.Name == nil {
			continue
		}
		v := ""
		if a.Value != nil {
			v = s.word(a.Value, &subs)
		}
		env = append(env, EnvVar{Name: a.Name.Value, Value: v})
	}
	argv := make([]string, 0, len(c.Args))
	substArg := map[int]bool{} // argv indices whose word has a $(...)
	for i, a := range c.Args {
		n := len(subs)
		argv = append(argv, s.word(a, &subs))
		if len(subs) > n {
			substArg[i] = true
		}
	}
	var redirs []Redirect
	for _, r := range st.Redirs {
		op := r.Op.String()
		if r.N != nil {
			op = r.N.Value + op
		}
		t := ""
		if r.Word != nil {
			t = s.word(r.Word, &subs)
		}
		redirs = append(redirs, Redirect{Op: op, Target: t})
	}
	cmd, ok := w.command(argv, env, redirs, s.line(st.Pos()), s.nest, st.Background)
	if !ok {
		w.substs(s, subs)
		return
	}
	cmd = w.place(cmd)
	w.cmds = append(w.cmds, cmd)
	w.substs(s, subs)
	// The outer shell has already run the $(...) of a sh -c string it
	// expanded; do not model them twice.
	skip := len(argv) - len(cmd.Args)
	w.recurse(cmd, func(i int) bool { return substArg[i+skip] })
}

// emit appends a command built from a name and arguments (for declaration
// clauses such as export).
func (w *walker) emit(s src, name string, args []string, redirs []Redirect, st *syntax.Stmt) Command {
	c := Command{Name: name, Path: name, Args: args, Redirects: redirs, Line: s.line(st.Pos()), Nesting: s.nest, Background: st.Background}
	c = w.place(c)
	w.cmds = append(w.cmds, c)
	return c
}

// place fills in the operator, pipeline slot and pipefail state.
func (w *walker) place(c Command) Command {
	c.Op = w.op
	w.op = OpSeq
	if w.cur != nil {
		c.Pipeline, c.PipeIndex, c.PipeLen = w.cur.id, w.cur.index, w.cur.n
	} else {
		c.Pipeline, c.PipeIndex, c.PipeLen = w.nextPipeline(), 0, 1
	}
	c.Pipefail = w.pipefail
	if c.Name == "set" && len(c.Wrappers) == 0 {
		f := parseFlags(c.Args, true)
		if f.pipefail != nil {
			w.pipefail = *f.pipefail
		}
	}
	return c
}

// substs walks command substitutions found in a command's words.
func (w *walker) substs(s src, subs [][]*syntax.Stmt) {
	if w.skipSubst {
		return
	}
	for _, list := range subs {
		w.nested(func() {
			saved, savedOp := w.pipefail, w.op
			w.op = OpNone
			ns := s
			ns.nest = NestCmdSubst
			w.depth++
			if w.depth <= maxDepth {
				w.stmts(ns, list)
			}
			w.depth--
			w.pipefail, w.op = saved, savedOp
		})
	}
}

// recurse parses the string of sh -c / bash -c / su -c and appends its
// commands after c.
// A parse error is kept in w.err; the fallback tokenizer has run.
// expanded reports whether argument i of c contained command substitutions
// expanded by the outer shell; such strings are still parsed, but their
// substitutions are not walked again.
func (w *walker) recurse(c Command, expanded func(i int) bool) {
	var script string
	var pf, skipSubst bool
	switch {
	case isShell(c.Name):
		f := parseFlags(c.Args, false)
		if !f.c || len(f.rest) == 0 {
			return
		}
		script = f.rest[0]
		pf = f.pipefail != nil && *f.pipefail
		skipSubst = expanded(len(c.Args) - len(f.rest))
	case c.Name == "su":
		for i, a := range c.Args {
			if (a == "-c" || a == "--command") && i+1 < len(c.Args) {
				script, skipSubst = c.Args[i+1], expanded(i+1)
			} else if v, ok := strings.CutPrefix(a, "--command="); ok {
				script, skipSubst = v, expanded(i)
			}
		}
	default:
		return
	}
	t := strings.TrimSpace(script)
	if t == "" || (strings.HasPrefix(t, "$(") && strings.HasSuffix(t, ")")) || (strings.HasPrefix(t, "`") && strings.HasSuffix(t, "`")) {
		return
	}
	savedOp, savedCur, savedSkip := w.op, w.cur, w.skipSubst
	w.op, w.cur, w.skipSubst = OpNone, nil, skipSubst
	defer func() { w.skipSubst = savedSkip }()
	if err := w.script(script, c.Line, NestShellC, pf); err != nil && w.err == nil {
		w.err = err
	}
	w.op, w.cur = savedOp, savedCur
}

// wrappers maps programs that run another program to the number of leading
// operands they consume before it (after their own options).
var wrappers = map[string]int{
	"sudo": 0, "env": 0, "exec": 0, "command": 0, "nohup": 0, "time": 0,
	"nice": 0, "ionice": 0, "stdbuf": 0, "busybox": 0, "timeout": 1,
	"gosu": 1, "su-exec": 1, "chroot": 1, "unbuffer": 0, "tini": 0,
}

// optArg lists wrapper options that take a separate argument.
var optArg = map[string]map[string]bool{
	"sudo":    {"-u": true, "-g": true, "-U": true, "-C": true, "-D": true, "-h": true, "-p": true, "-r": true, "-t": true, "-T": true, "-R": true},
	"env":     {"-u": true, "-C": true, "-S": true, "--unset": true, "--chdir": true},
	"nice":    {"-n": true},
	"ionice":  {"-c": true, "-n": true, "-p": true},
	"timeout": {"-s": true, "-k": true, "--signal": true, "--kill-after": true},
	"exec":    {"-a": true},
	"stdbuf":  {"-i": true, "-o": true, "-e": true},
}

// command builds a Command from argv, stripping wrappers. It reports false
// when nothing is run (a bare assignment yields a Command with Name "").
func (w *walker) command(argv []string, env []EnvVar, redirs []Redirect, line int, nest Nesting, bg bool) (Command, bool) {
	c := Command{Env: env, Redirects: redirs, Line: line, Nesting: nest, Background: bg}
	for len(argv) > 0 {
		name := path.Base(argv[0])
		skip, ok := wrappers[name]
		if !ok {
			break
		}
		if name == "command" && len(argv) > 1 && (argv[1] == "-v" || argv[1] == "-V") {
			break
		}
		c.Wrappers = append(c.Wrappers, name)
		i := 1
		for i < len(argv) && strings.HasPrefix(argv[i], "-") && argv[i] != "-" {
			a := argv[i]
			i++
			if a == "--" {
				break
			}
			if optArg[name][a] && i < len(argv) {
				if name == "sudo" && a == "-u" {
					c.User = argv[i]
				}
				i++
			} else if name == "sudo" && strings.HasPrefix(a, "--user=") {
				c.User = strings.TrimPrefix(a, "--user=")
			}
		}
		if name == "sudo" || name == "env" {
			for i < len(argv) && isAssign(argv[i]) {
				k, v, _ := strings.Cut(argv[i], "=")
				c.Env = append(c.Env, EnvVar{Name: k, Value: v})
				i++
			}
		}
		if (name == "gosu" || name == "su-exec") && i < len(argv) {
			c.User = argv[i]
		}
		i += skip
		if i > len(argv) {
			i = len(argv)
		}
		argv = argv[i:]
	}
	if len(argv) == 0 {
		if len(c.Env) == 0 {
			return c, false
		}
		return c, true
	}
	c.Path = argv[0]
	c.Name = path.Base(argv[0])
	c.Args = append([]string(nil), argv[1:]...)
	return c, true
}
