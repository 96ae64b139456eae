// Package dockerfile parses Dockerfiles with BuildKit's parser into an
// immutable model of stages and instructions that keeps line ranges, the
// comments above every instruction, flags, heredocs and the ENV, ARG, USER,
// WORKDIR and SHELL state in effect at each instruction. It also reads the
// build context (.dockerignore and Python dependency files).
package dockerfile

import (
	"fmt"
	"strconv"
	"strings"

	bkshell "github.com/moby/buildkit/frontend/dockerfile/shell"
)

// Instruction kinds, upper-case as conventionally written.
const (
	KindFrom        = "FROM"
	KindRun         = "RUN"
	KindCmd         = "CMD"
	KindEntrypoint  = "ENTRYPOINT"
	KindCopy        = "COPY"
	KindAdd         = "ADD"
	KindEnv         = "ENV"
	KindArg         = "ARG"
	KindUser        = "USER"
	KindWorkdir     = "WORKDIR"
	KindShell       = "SHELL"
	KindLabel       = "LABEL"
	KindExpose      = "EXPOSE"
	KindVolume      = "VOLUME"
	KindHealthcheck = "HEALTHCHECK"
	KindStopSignal  = "STOPSIGNAL"
	KindOnbuild     = "ONBUILD"
	KindMaintainer  = "MAINTAINER"
)

// File is a parsed Dockerfile.
type File struct {
	// Path is the name the file was parsed under, used in messages.
	Path string
	// Args are the global ARGs declared before the first FROM, in order.
	Args []KeyValue
	// Directives are the parser directives at the top of the file
	// (syntax, escape, check), keyed by lower-case name.
	Directives map[string]string
	// Stages are the build stages in file order.
	Stages []*Stage
	// PreludeInstructions are the instructions before the first FROM
	// (global ARGs).
	PreludeInstructions []*Instruction
	// Comments are every comment line of the file, in order.
	Comments []Comment
	// Lines is the number of lines in the file.
	Lines int

	byName map[string]int // lower-case stage name → first stage with it
}

// Comment is one comment line.
type Comment struct {
	Line int    // 1-based
	Text string // without the leading '#', trimmed
}

// KeyValue is one NAME=value pair of ENV, ARG or LABEL. HasValue is false
// for ARG declarations without a default (ARG NAME).
type KeyValue struct {
	Key      string
	Value    string
	HasValue bool
}

// Stage is one build stage: a FROM instruction and what follows it.
type Stage struct {
	// Index is the 0-based position of the stage in the file.
	Index int
	// Name is the stage name given with AS ("" if none), as written.
	Name string
	// Base is the image or stage name as written after FROM, e.g.
	// "python:${PY}-slim".
	Base string
	// ResolvedBase is Base with global ARG defaults substituted, e.g.
	// "python:3.12-slim". Variables without a default are left as written.
	ResolvedBase string
	// Unresolved reports whether ResolvedBase still contains variables.
	Unresolved bool
	// Platform is the --platform flag value ("" if none).
	Platform string
	// Parent is the index of the earlier stage this stage is built FROM,
	// or -1 when it is built from an image or scratch.
	Parent int
	// Scratch reports FROM scratch.
	Scratch bool
	// From is the FROM instruction itself.
	From *Instruction
	// Instructions are the instructions after FROM, in order.
	Instructions []*Instruction
	// Final is the state after the last instruction of the stage.
	Final State

	ref  *ImageRef // parsed once by Parse
	root *Stage    // the bottom of the FROM chain, set by Parse
}

// String returns "stage 2 (builder)" or "stage 0".
func (s *Stage) String() string {
	if s.Name != "" {
		return fmt.Sprintf("stage %d (%s)", s.Index, s.Name)
	}
	return fmt.Sprintf("stage %d", s.Index)
}

// Ref returns the stage's base image reference parsed from ResolvedBase.
// It is the zero ImageRef for scratch and for stages built from another
// stage.
func (s *Stage) Ref() ImageRef {
	if s.Scratch || s.Parent >= 0 {
		return ImageRef{}
	}
	if s.ref != nil {
		return *s.ref
	}
	return ParseImageRef(s.ResolvedBase)
}

// IsImage reports whether the stage starts from a registry image (not
// scratch, not an earlier stage).
func (s *Stage) IsImage() bool { return !s.Scratch && s.Parent < 0 }

// State is what is in effect when an instruction runs.
type State struct {
	// Env holds ENV variables set in the stage or inherited from a parent
	// stage, with ARG and ENV references expanded where known.
	Env Vars
	// Args holds the ARGs in scope in the stage with their defaults
	// ("" when declared without a default).
	Args Vars
	// User is the USER in effect, "" when no USER instruction applies (the
	// base image's configured user).
	User string
	// UserLine is the line of the USER instruction that set User (0 if none
	// or inherited from an image).
	UserLine int
	// Workdir is the WORKDIR in effect, "" when never set.
	Workdir string
	// Shell is the shell used for shell-form commands.
	Shell []string
}

// DefaultShell is the shell BuildKit uses on Linux.
func DefaultShell() []string { return []string{"/bin/sh", "-c"} }

// Lookup returns the value of ENV name, else ARG name.
func (s State) Lookup(name string) (string, bool) {
	if v, ok := s.Env.Lookup(name); ok {
		return v, true
	}
	return s.Args.Lookup(name)
}

// Instruction is one Dockerfile instruction.
type Instruction struct {
	// Kind is the upper-case instruction keyword, e.g. "RUN".
	Kind string
	// Original is the instruction as written, continuation lines joined.
	Original string
	// StartLine and EndLine are the 1-based line range, including heredoc
	// bodies.
	StartLine, EndLine int
	// Comments are the comment lines directly above the instruction
	// (without '#'), top to bottom.
	Comments []string
	// Stage is the index of the stage the instruction belongs to, -1 for
	// global ARGs.
	Stage int
	// Flags are the raw flags, e.g. "--mount=type=cache,target=/root/.cache/pip".
	Flags []string
	// Args are the arguments after the flags. For shell-form RUN, CMD and
	// ENTRYPOINT this is the single command string; for JSON form the
	// array elements.
	Args []string
	// JSON reports the exec (JSON array) form.
	JSON bool
	// Heredocs are the here-documents attached to the instruction.
	Heredocs []Heredoc
	// State is in effect when the instruction runs (before it applies).
	State State

	// Mounts are the RUN --mount flags.
	Mounts []Mount
	// Network and Security are the RUN --network and --security values.
	Network, Security string

	// Sources and Dest are the COPY and ADD sources and destination,
	// expanded as BuildKit does.
	Sources []string
	Dest    string
	// CopyFrom is COPY --from (a stage name, index or image), expanded.
	CopyFrom string
	// Chown, Chmod, Checksum and Link are the COPY/ADD flags of that name,
	// expanded (--chown=$USER is the user's name when it is known).
	Chown, Chmod, Checksum string
	Link                   bool

	// KeyValues are the pairs of ENV, ARG and LABEL.
	KeyValues []KeyValue
	// User is the USER value as written; ExpandedUser is it with ENV
	// and ARG values substituted and quotes removed.
	User, ExpandedUser string
	// Path is the WORKDIR path as written; ExpandedPath is it with ENV
	// and ARG values substituted and quotes removed ("$APP_HOME" with
	// ENV APP_HOME=/app is "/app").
	Path, ExpandedPath string
	// Command is the command line of RUN, CMD, ENTRYPOINT and SHELL:
	// for shell form a single string, for JSON form the array.
	Command []string

	scripts *scriptCache
	escape  rune // the file's escape character, for Expand
}

// Expand substitutes the ENV and ARG values in effect at the instruction
// into word ("$VENV/bin", "${HOME}"). Unknown variables and ARGs without a
// default are left as written; a word that does not lex is returned as is.
func (in *Instruction) Expand(word string) string {
	if !needsLexing(word, in.escape) {
		return word
	}
	esc := in.escape
	if esc == 0 {
		esc = '\\'
	}
	b := &expandBudget{left: maxExpandValue}
	res, err := bkshell.NewLex(esc).ProcessWordWithMatches(word, envGetter{env: in.State.Env, args: in.State.Args, keep: true, budget: b})
	if err != nil || b.exceeded {
		return word
	}
	return res.Result
}

// ShellForm reports whether the instruction is a shell-form RUN, CMD or
// ENTRYPOINT (run through State.Shell rather than exec'd directly).
func (in *Instruction) ShellForm() bool {
	switch in.Kind {
	case KindRun, KindCmd, KindEntrypoint:
		return !in.JSON
	}
	return false
}

// Script returns the text of what the instruction runs: the command line
// (JSON form joined with spaces) followed by every heredoc body. For the
// parsed shell model of a RUN use Scripts.
func (in *Instruction) Script() string {
	s := strings.Join(in.Command, " ")
	if len(in.Heredocs) == 0 {
		return s
	}
	var b strings.Builder
	b.WriteString(s)
	for _, h := range in.Heredocs {
		b.WriteByte('\n')
		b.WriteString(h.Content)
	}
	return b.String()
}

// Flag returns the value of the first flag --name (or --name=value) and
// whether it is present. A bare --name returns "true".
func (in *Instruction) Flag(name string) (string, bool) {
	prefix := "--" + name
	for _, f := range in.Flags {
		if f == prefix {
			return "true", true
		}
		if v, ok := strings.CutPrefix(f, prefix+"="); ok {
			return v, true
		}
	}
	return "", false
}

// Heredoc is a here-document attached to an instruction.
type Heredoc struct {
	Name    string // delimiter word, e.g. "EOF"
	Content string
	Expand  bool // variables are expanded (delimiter unquoted)
	Chomp   bool // <<- strips leading tabs
}

// Mount is one RUN --mount.
type Mount struct {
	Type     string // "bind", "cache", "tmpfs", "secret", "ssh"
	Target   string
	Source   string
	From     string
	ID       string // cache id or secret id
	Sharing  string
	ReadOnly bool
	Required bool
	Env      string // secret exposed as environment variable
	Raw      string // the flag value as written
}

// Instructions returns every instruction of the file in order, FROM
// instructions included.
func (f *File) Instructions() []*Instruction {
	out := append([]*Instruction(nil), f.PreludeInstructions...)
	for _, s := range f.Stages {
		out = append(out, s.From)
		out = append(out, s.Instructions...)
	}
	return out
}

// Stage returns the stage called name (case-insensitive) or with the
// decimal index name.
func (f *File) Stage(name string) (*Stage, bool) {
	if f.byName != nil {
		if i, ok := f.byName[strings.ToLower(name)]; ok {
			return f.Stages[i], true
		}
	} else {
		for _, s := range f.Stages {
			if s.Name != "" && strings.EqualFold(s.Name, name) {
				return s, true
			}
		}
	}
	if i, err := strconv.Atoi(name); err == nil && i >= 0 && i < len(f.Stages) && strconv.Itoa(i) == name {
		return f.Stages[i], true
	}
	return nil, false
}

// Target returns the stage a build of target produces: the named stage, or
// the last stage when target is "".
func (f *File) Target(target string) (*Stage, error) {
	if len(f.Stages) == 0 {
		return nil, fmt.Errorf("%s: no build stages", f.Path)
	}
	if target == "" {
		return f.Stages[len(f.Stages)-1], nil
	}
	if s, ok := f.Stage(target); ok {
		return s, nil
	}
	return nil, fmt.Errorf("%s: target stage %q not found", f.Path, target)
}

// Root returns the stage at the bottom of s's FROM chain: s itself when it
// is built from an image or scratch.
func (f *File) Root(s *Stage) *Stage {
	if s.root != nil {
		return s.root
	}
	for i := 0; s.Parent >= 0 && i < len(f.Stages); i++ {
		s = f.Stages[s.Parent]
	}
	return s
}

// Deps returns the indexes of the stages s needs: its FROM chain and the
// stages it copies or mounts from, transitively, s included, in ascending
// order.
func (f *File) Deps(s *Stage) []int {
	seen := make([]bool, len(f.Stages))
	var visit func(i int)
	visit = func(i int) {
		if i < 0 || i >= len(f.Stages) || seen[i] {
			return
		}
		seen[i] = true
		st := f.Stages[i]
		visit(st.Parent)
		for _, in := range st.Instructions {
			if in.CopyFrom != "" {
				if d, ok := f.stageBefore(in.CopyFrom, i); ok {
					visit(d.Index)
				}
			}
			for _, m := range in.Mounts {
				if m.From != "" {
					if d, ok := f.stageBefore(m.From, i); ok {
						visit(d.Index)
					}
				}
			}
		}
	}
	visit(s.Index)
	var out []int
	for i, ok := range seen {
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// CopySource returns the stage a COPY --from or mount from= value names,
// when it is an earlier stage of the file (by name or index).
func (f *File) CopySource(in *Instruction) (*Stage, bool) {
	if in.CopyFrom == "" {
		return nil, false
	}
	return f.stageBefore(in.CopyFrom, in.Stage)
}

func (f *File) stageBefore(name string, before int) (*Stage, bool) {
	s, ok := f.Stage(name)
	if !ok || s.Index >= before {
		return nil, false
	}
	return s, true
}
