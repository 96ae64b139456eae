package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// maxSize bounds the Dockerfiles we read; BuildKit's scanner refuses longer
// lines anyway, and nobody writes a 10 MiB Dockerfile.
const maxSize = 10 << 20

// ParseFile reads and parses the Dockerfile at path.
func ParseFile(path string) (*File, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading Dockerfile: %w", err)
	}
	return Parse(path, src)
}

// ParseReader parses a Dockerfile read from r; path names it in messages.
func ParseReader(path string, r io.Reader) (*File, error) {
	src, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return Parse(path, src)
}

// Parse parses the Dockerfile src; path names it in messages. A syntax
// error is returned as a *ParseError carrying the line.
func Parse(path string, src []byte) (*File, error) {
	if len(src) > maxSize {
		return nil, &ParseError{File: path, Line: 1, EndLine: 1, Msg: fmt.Sprintf("file larger than %d bytes", maxSize)}
	}
	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		return nil, newParseError(path, 0, err)
	}
	p := &builder{
		f: &File{
			Path:       path,
			Directives: directives(src),
			Lines:      bytes.Count(src, []byte("\n")) + 1,
			byName:     map[string]int{},
		},
		lex:    shell.NewLex(res.EscapeToken),
		global: newVarStore(Vars{}),
		budget: maxExpandTotal,
	}
	if len(src) > 0 && src[len(src)-1] == '\n' {
		p.f.Lines--
	}
	lines := strings.Split(string(src), "\n")
	lines[0] = strings.TrimPrefix(lines[0], "\ufeff")
	for _, n := range res.AST.Children {
		if err := p.add(n, lines, res); err != nil {
			return nil, err
		}
	}
	if len(p.f.Stages) == 0 {
		return nil, &ParseError{File: path, Line: p.f.Lines, EndLine: p.f.Lines, Msg: "no FROM instruction (a Dockerfile needs at least one build stage)"}
	}
	p.f.Comments = comments(lines, p.f.Instructions())
	return p.f, nil
}

type builder struct {
	f      *File
	lex    *shell.Lex
	global *varStore // global ARGs that have a default
	cur    *Stage
	state  State
	// env and args hold the current stage's ENV and ARG history.
	env, args *varStore
	// budget is what is left of maxExpandTotal; expandErr is the first
	// expansion over a limit.
	budget    int
	expandErr *ParseError
}

func (p *builder) add(n *parser.Node, lines []string, res *parser.Result) error {
	cmd, err := instructions.ParseInstruction(n)
	if err != nil {
		return newParseError(p.f.Path, n.StartLine, err)
	}
	in := &Instruction{
		Kind:      strings.ToUpper(n.Value),
		Original:  n.Original,
		StartLine: n.StartLine,
		EndLine:   n.EndLine,
		Comments:  commentsAbove(lines, n.StartLine),
		Stage:     -1,
		Flags:     n.Flags,
		JSON:      n.Attributes["json"],
		escape:    res.EscapeToken,
	}
	for a := n.Next; a != nil; a = a.Next {
		in.Args = append(in.Args, a.Value)
	}
	for _, h := range n.Heredocs {
		in.Heredocs = append(in.Heredocs, Heredoc{Name: h.Name, Content: h.Content, Expand: h.Expand, Chomp: h.Chomp})
	}

	if st, ok := cmd.(*instructions.Stage); ok {
		p.startStage(in, st)
		return nil
	}
	if p.cur == nil {
		a, ok := cmd.(*instructions.ArgCommand)
		if !ok {
			return &ParseError{File: p.f.Path, Line: n.StartLine, EndLine: max(n.EndLine, n.StartLine),
				Msg: fmt.Sprintf("%s before the first FROM (only ARG may precede FROM)", in.Kind)}
		}
		in.State = State{Args: p.global.view(), Shell: DefaultShell()}
		p.global.next()
		for _, kv := range a.Args {
			v := ""
			if kv.Value != nil {
				v = p.expand(in, *kv.Value, State{Args: p.global.view()})
				p.global.set(kv.Key, v)
			} else {
				// Without a default the value is whatever --build-arg
				// says: unknown here, so FROM ${X} stays unresolved.
				p.global.unset(kv.Key)
			}
			in.KeyValues = append(in.KeyValues, KeyValue{Key: kv.Key, Value: v, HasValue: kv.Value != nil})
			p.f.Args = append(p.f.Args, KeyValue{Key: kv.Key, Value: v, HasValue: kv.Value != nil})
		}
		p.f.PreludeInstructions = append(p.f.PreludeInstructions, in)
		return p.takeExpandErr()
	}
	in.Stage = p.cur.Index
	in.State = p.state
	p.apply(in, cmd)
	p.cur.Instructions = append(p.cur.Instructions, in)
	p.cur.Final = p.state
	return p.takeExpandErr()
}

func (p *builder) takeExpandErr() error {
	if p.expandErr != nil {
		return p.expandErr
	}
	return nil
}

func (p *builder) startStage(in *Instruction, st *instructions.Stage) {
	s := &Stage{
		Index:    len(p.f.Stages),
		Name:     st.Name,
		Base:     st.BaseName,
		Platform: st.Platform,
		Parent:   -1,
		From:     in,
	}
	in.Stage = s.Index
	s.ResolvedBase, s.Unresolved = p.resolveGlobal(st.BaseName)
	if strings.EqualFold(s.ResolvedBase, "scratch") {
		s.Scratch = true
	} else if parent, ok := p.stageNamed(s.ResolvedBase); ok {
		s.Parent = parent.Index
		s.root = p.f.Root(parent)
	} else {
		r := ParseImageRef(s.ResolvedBase)
		s.ref = &r
	}
	state := State{Shell: DefaultShell()}
	if s.Parent >= 0 {
		ps := p.f.Stages[s.Parent].Final
		state = State{Env: ps.Env, User: ps.User, UserLine: ps.UserLine, Workdir: ps.Workdir, Shell: ps.Shell}
	}
	p.env, p.args = newVarStore(state.Env), newVarStore(Vars{})
	state.Env = p.env.view()
	in.State = State{Args: p.global.view(), Shell: state.Shell}
	s.Final = state
	if s.root == nil {
		s.root = s
	}
	p.f.Stages = append(p.f.Stages, s)
	if k := strings.ToLower(s.Name); k != "" {
		if _, dup := p.f.byName[k]; !dup {
			p.f.byName[k] = s.Index
		}
	}
	p.cur, p.state = s, state
}

// stageNamed finds an earlier stage by name; unlike COPY --from, FROM does
// not accept stage indexes ("FROM 0" is an image called 0).
func (p *builder) stageNamed(name string) (*Stage, bool) {
	if i, ok := p.f.byName[strings.ToLower(name)]; ok && i < len(p.f.Stages) {
		return p.f.Stages[i], true
	}
	return nil, false
}

// resolveGlobal substitutes global ARG defaults into a FROM value.
func (p *builder) resolveGlobal(word string) (string, bool) {
	if !strings.Contains(word, "$") {
		return word, false
	}
	res, err := p.lex.ProcessWordWithMatches(word, envGetter{args: p.global.view(), budget: &expandBudget{left: maxExpandValue}})
	if err != nil || len(res.Unmatched) > 0 {
		return word, true
	}
	return res.Result, strings.Contains(res.Result, "$")
}

// expand substitutes known ENV and ARG values into a value of in; on
// error it returns word. An expansion over maxExpandValue, or past the
// file's maxExpandTotal, records a ParseError naming in's line.
func (p *builder) expand(in *Instruction, word string, st State) string {
	if !needsLexing(word, in.escape) || p.expandErr != nil {
		return word
	}
	b := &expandBudget{left: min(maxExpandValue, p.budget)}
	res, err := p.lex.ProcessWordWithMatches(word, envGetter{env: st.Env, args: st.Args, keep: true, budget: b})
	if b.exceeded {
		limit := fmt.Sprintf("%d bytes per value", maxExpandValue)
		if p.budget < maxExpandValue {
			limit = fmt.Sprintf("%d bytes for the whole file", maxExpandTotal)
		}
		p.expandErr = &ParseError{File: p.f.Path, Line: in.StartLine, EndLine: max(in.EndLine, in.StartLine),
			Msg: fmt.Sprintf("%s %s expands to more than %s (variables referring to each other repeatedly)", in.Kind, word, limit)}
		return word
	}
	if err != nil {
		return word
	}
	p.budget -= len(res.Result)
	return res.Result
}

// apply records the instruction's typed fields and updates the stage state.
//
// Flag values, COPY and ADD paths, mounts and WORKDIR are expanded here, the
// way BuildKit expands them when it dispatches the instruction (variables
// it would leave empty stay as written, "$UID"), so rules judge the values
// the build uses.
func (p *builder) apply(in *Instruction, cmd any) {
	ex := func(w string) (string, error) { return p.expand(in, w, p.state), nil }
	switch c := cmd.(type) {
	case *instructions.RunCommand:
		in.Command = c.CmdLine
		in.scripts = &scriptCache{}
		// Expanding evaluates the mount fields that parsing defers; a
		// failure leaves the deferred parse, which BuildKit would reject
		// at build time.
		_ = c.Expand(ex)
		for _, m := range instructions.GetMounts(c) {
			in.Mounts = append(in.Mounts, convertMount(m))
		}
		raw := rawFlags(in.Flags, "mount")
		for i := range in.Mounts {
			if i < len(raw) {
				in.Mounts[i].Raw = raw[i]
			}
		}
		in.Network, _ = in.Flag("network")
		in.Security, _ = in.Flag("security")
	case *instructions.CmdCommand:
		in.Command = c.CmdLine
	case *instructions.EntrypointCommand:
		in.Command = c.CmdLine
	case *instructions.CopyCommand:
		_ = c.Expand(ex)
		c.From, _ = ex(c.From)
		in.Sources, in.Dest = c.SourcePaths, c.DestPath
		in.CopyFrom, in.Chown, in.Chmod, in.Link = c.From, c.Chown, c.Chmod, c.Link
		for _, sc := range c.SourceContents {
			in.Sources = append(in.Sources, "<<"+sc.Path)
		}
	case *instructions.AddCommand:
		_ = c.Expand(ex)
		in.Sources, in.Dest = c.SourcePaths, c.DestPath
		in.Chown, in.Chmod, in.Link, in.Checksum = c.Chown, c.Chmod, c.Link, c.Checksum
		for _, sc := range c.SourceContents {
			in.Sources = append(in.Sources, "<<"+sc.Path)
		}
	case *instructions.EnvCommand:
		// All pairs of one ENV see the values from before it, as in Docker:
		// ENV a=1 b=$a leaves b as the previous a.
		before := p.state
		p.env.next()
		for _, kv := range c.Env {
			p.env.set(kv.Key, p.expand(in, kv.Value, before))
			in.KeyValues = append(in.KeyValues, KeyValue{Key: kv.Key, Value: kv.Value, HasValue: true})
		}
		p.state.Env = p.env.view()
	case *instructions.LabelCommand:
		for _, kv := range c.Labels {
			in.KeyValues = append(in.KeyValues, KeyValue{Key: kv.Key, Value: kv.Value, HasValue: true})
		}
	case *instructions.ArgCommand:
		p.args.next()
		for _, kv := range c.Args {
			v, has := "", kv.Value != nil
			if has {
				v = p.expand(in, *kv.Value, State{Env: p.state.Env, Args: p.args.view()})
			} else if g, ok := p.global.view().Lookup(kv.Key); ok {
				v = g
			}
			p.args.set(kv.Key, v)
			in.KeyValues = append(in.KeyValues, KeyValue{Key: kv.Key, Value: v, HasValue: has})
		}
		p.state.Args = p.args.view()
	case *instructions.UserCommand:
		in.User = c.User
		p.state.User = p.expand(in, c.User, p.state)
		in.ExpandedUser = p.state.User
		p.state.UserLine = in.StartLine
	case *instructions.WorkdirCommand:
		in.Path = c.Path
		w := p.expand(in, c.Path, p.state)
		in.ExpandedPath = w
		if !path.IsAbs(w) && p.state.Workdir != "" {
			w = path.Join(p.state.Workdir, w)
		}
		p.state.Workdir = w
	case *instructions.ShellCommand:
		in.Command = c.Shell
		p.state.Shell = c.Shell
	}
}

func convertMount(m *instructions.Mount) Mount {
	out := Mount{
		Type:     string(m.Type),
		Target:   m.Target,
		Source:   m.Source,
		From:     m.From,
		ID:       m.CacheID,
		Sharing:  string(m.CacheSharing),
		ReadOnly: m.ReadOnly,
		Required: m.Required,
	}
	if m.Env != nil {
		out.Env = *m.Env
	}
	return out
}

func rawFlags(flags []string, name string) []string {
	var out []string
	for _, f := range flags {
		if v, ok := strings.CutPrefix(f, "--"+name+"="); ok {
			out = append(out, v)
		}
	}
	return out
}

// needsLexing reports whether BuildKit's word processing changes word:
// variables, quotes ("1000" is 1000) or escapes.
func needsLexing(word string, escape rune) bool {
	if escape == 0 {
		escape = '\\'
	}
	return strings.ContainsAny(word, "$'\"") || strings.ContainsRune(word, escape)
}

// Expansion limits: BuildKit has none, so 40 ARGs each doubling the
// previous one would take 2^40 bytes. No real value comes near these.
const (
	maxExpandValue = 1 << 20  // one expanded value
	maxExpandTotal = 16 << 20 // all expanded values of a file
)

// expandBudget counts the bytes variable references may still add to one
// expansion.
type expandBudget struct {
	left     int
	exceeded bool
}

// envGetter looks names up in ENV, then ARG. With keep, unknown names and
// ARGs without a default expand to themselves ("$PATH", "$UID"), so
// partially known values stay readable and unknown ones stay visible.
// Values count against budget; past it they expand to "".
type envGetter struct {
	env, args Vars
	keep      bool
	budget    *expandBudget
}

func (e envGetter) Get(k string) (string, bool) {
	v, ok := e.get(k)
	if ok && e.budget != nil {
		e.budget.left -= len(v)
		if e.budget.left < 0 {
			e.budget.exceeded = true
			return "", true
		}
	}
	return v, ok
}

func (e envGetter) get(k string) (string, bool) {
	if v, ok := e.env.Lookup(k); ok {
		return v, true
	}
	if v, ok := e.args.Lookup(k); ok && (v != "" || !e.keep) {
		return v, true
	}
	if e.keep {
		return "$" + k, true
	}
	return "", false
}

// Keys returns the names in scope; BuildKit's lexer does not call it.
func (e envGetter) Keys() []string {
	var keys []string
	for k := range e.env.All() {
		keys = append(keys, k)
	}
	for k := range e.args.All() {
		if !e.env.Has(k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// commentsAbove returns the comment lines directly above 1-based line n
// (no blank line in between), top to bottom, without '#'.
func commentsAbove(lines []string, n int) []string {
	i := n - 2
	for i >= 0 && isCommentLine(lines[i]) {
		i--
	}
	if i == n-2 {
		return nil
	}
	out := make([]string, 0, n-2-i)
	for _, l := range lines[i+1 : n-1] {
		out = append(out, commentText(l))
	}
	return out
}

func isCommentLine(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t"), "#")
}

func commentText(l string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimLeft(l, " \t"), "#"))
}

// comments returns every comment line outside instruction bodies.
func comments(lines []string, ins []*Instruction) []Comment {
	inside := make([]bool, len(lines)+2)
	for _, in := range ins {
		for l := in.StartLine; l <= in.EndLine && l < len(inside); l++ {
			inside[l] = true
		}
	}
	var out []Comment
	for i, l := range lines {
		if !inside[i+1] && isCommentLine(l) {
			out = append(out, Comment{Line: i + 1, Text: commentText(l)})
		}
	}
	return out
}

var reDirective = regexp.MustCompile(`^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)

// directives reads the parser directives at the top of src.
func directives(src []byte) map[string]string {
	out := map[string]string{}
	for l := range strings.SplitSeq(strings.TrimPrefix(string(src), "\ufeff"), "\n") {
		m := reDirective.FindStringSubmatch(strings.TrimSpace(l))
		if m == nil {
			break
		}
		out[strings.ToLower(m[1])] = m[2]
	}
	return out
}

// ParseError is a Dockerfile that cannot be parsed.
type ParseError struct {
	File    string
	Line    int // 1-based; 0 if unknown
	EndLine int
	// Msg is the parser's message, e.g. "unknown instruction: RUNN".
	Msg string
	Err error
}

// Error returns "Dockerfile:7: unknown instruction: RUNN".
func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

// Unwrap returns BuildKit's error.
func (e *ParseError) Unwrap() error { return e.Err }

// newParseError converts a BuildKit error, taking the line from its
// location when it carries one and line otherwise.
func newParseError(file string, line int, err error) *ParseError {
	pe := &ParseError{File: file, Line: line, Err: err, Msg: err.Error()}
	var le *parser.LocationError
	if errors.As(err, &le) && len(le.Locations) > 0 && len(le.Locations[0]) > 0 {
		loc := le.Locations[0]
		pe.Line = loc[0].Start.Line
		pe.EndLine = loc[len(loc)-1].End.Line
	}
	var ue *instructions.UnknownInstructionError
	if errors.As(err, &ue) && ue.Line > 0 {
		pe.Line = ue.Line
	}
	if pe.Line < 1 && line == 0 {
		pe.Line = 1
	}
	if pe.EndLine < pe.Line {
		pe.EndLine = pe.Line
	}
	return pe
}
