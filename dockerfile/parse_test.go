package dockerfile

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

const multi = `# syntax=docker/dockerfile:1.7
ARG PY=3.12
ARG DEBIAN
# build stage
FROM --platform=$BUILDPLATFORM python:${PY}-slim-bookworm AS builder
ENV VENV=/venv
ENV PATH=$VENV/bin:$PATH
WORKDIR /src
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=secret,id=pip,env=PIP_TOKEN \
    pip install -r requirements.txt
USER 1000

# pyimg: ignore=PY104
FROM builder AS test
RUN <<EOF
pytest -q
EOF

FROM gcr.io/distroless/python3-debian12:nonroot
ARG PY
COPY --from=builder --chown=1000:1000 --link /venv /venv
ADD --checksum=sha256:abc https://example.com/x.tgz /tmp/
WORKDIR app
CMD ["python", "-m", "app"]
`

func TestParseMultiStage(t *testing.T) {
	f, err := Parse("Dockerfile", []byte(multi))
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	if got, want := f.Directives["syntax"], "docker/dockerfile:1.7"; got != want {
		t.Errorf("Directives[syntax] = %q, want %q", got, want)
	}
	if got, want := f.Args, []KeyValue{{"PY", "3.12", true}, {"DEBIAN", "", false}}; !reflect.DeepEqual(got, want) {
		t.Errorf("Args = %v, want %v", got, want)
	}
	if len(f.Stages) != 3 {
		t.Fatalf("len(Stages) = %d, want 3", len(f.Stages))
	}
	b, test, final := f.Stages[0], f.Stages[1], f.Stages[2]
	if b.ResolvedBase != "python:3.12-slim-bookworm" || b.Unresolved || b.Platform != "$BUILDPLATFORM" {
		t.Errorf("builder = %q unresolved=%v platform=%q", b.ResolvedBase, b.Unresolved, b.Platform)
	}
	if got := b.From.Comments; !reflect.DeepEqual(got, []string{"build stage"}) {
		t.Errorf("builder comments = %q", got)
	}
	if b.From.StartLine != 5 {
		t.Errorf("builder FROM line = %d, want 5", b.From.StartLine)
	}
	run := b.Instructions[3]
	if run.Kind != KindRun || run.StartLine != 9 || run.EndLine != 11 {
		t.Errorf("run = %s %d-%d, want RUN 9-11", run.Kind, run.StartLine, run.EndLine)
	}
	if len(run.Mounts) != 2 || run.Mounts[0].Type != "cache" || run.Mounts[0].Target != "/root/.cache/pip" ||
		run.Mounts[1].Type != "secret" || run.Mounts[1].ID != "pip" || run.Mounts[1].Env != "PIP_TOKEN" {
		t.Errorf("mounts = %+v", run.Mounts)
	}
	if got, want := run.State.Env.Get("PATH"), "/venv/bin:$PATH"; got != want {
		t.Errorf("PATH at RUN = %q, want %q", got, want)
	}
	if run.State.Workdir != "/src" {
		t.Errorf("workdir = %q", run.State.Workdir)
	}
	if test.Parent != 0 || test.Final.User != "1000" || test.Final.Env.Get("VENV") != "/venv" {
		t.Errorf("test stage parent=%d user=%q env=%v", test.Parent, test.Final.User, test.Final.Env.Map())
	}
	if got := test.From.Comments; !reflect.DeepEqual(got, []string{"pyimg: ignore=PY104"}) {
		t.Errorf("test comments = %q", got)
	}
	h := test.Instructions[0]
	if len(h.Heredocs) != 1 || h.Heredocs[0].Content != "pytest -q\n" || h.EndLine != 18 {
		t.Errorf("heredoc = %+v end=%d", h.Heredocs, h.EndLine)
	}
	if final.Parent != -1 || final.Final.User != "" {
		t.Errorf("final parent=%d user=%q", final.Parent, final.Final.User)
	}
	if got := final.Instructions[0].State.Args; got.Len() != 0 {
		t.Errorf("ARG state before ARG = %v", got.Map())
	}
	if got := final.Instructions[1].State.Args.Get("PY"); got != "3.12" {
		t.Errorf("ARG PY in final = %q, want global default 3.12", got)
	}
	cp := final.Instructions[1]
	if cp.CopyFrom != "builder" || cp.Chown != "1000:1000" || !cp.Link || cp.Dest != "/venv" {
		t.Errorf("copy = %+v", cp)
	}
	if src, ok := f.CopySource(cp); !ok || src.Index != 0 {
		t.Errorf("CopySource = %v, %v", src, ok)
	}
	add := final.Instructions[2]
	if add.Checksum != "sha256:abc" || add.Sources[0] != "https://example.com/x.tgz" {
		t.Errorf("add = %+v", add)
	}
	if final.Final.Workdir != "app" {
		t.Errorf("relative workdir = %q, want app", final.Final.Workdir)
	}
	cmd := final.Instructions[4]
	if !cmd.JSON || !reflect.DeepEqual(cmd.Command, []string{"python", "-m", "app"}) {
		t.Errorf("cmd = %+v", cmd)
	}
	tg, err := f.Target("")
	if err != nil || tg.Index != 2 {
		t.Errorf("Target(\"\") = %v, %v", tg, err)
	}
	if tg, err := f.Target("TEST"); err != nil || tg.Index != 1 {
		t.Errorf("Target(TEST) = %v, %v", tg, err)
	}
	if _, err := f.Target("nope"); err == nil {
		t.Error("Target(nope) = nil error")
	}
	if got, want := f.Deps(final), []int{0, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("Deps(final) = %v, want %v", got, want)
	}
	if n := len(f.Instructions()); n != 16 {
		t.Errorf("len(Instructions()) = %d, want 16", n)
	}
}

func TestParseScratchAndUnresolved(t *testing.T) {
	f, err := Parse("Dockerfile", []byte("FROM scratch\nFROM python:${V}-slim\nFROM ${IMG}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !f.Stages[0].Scratch || f.Stages[0].IsImage() {
		t.Errorf("scratch stage = %+v", f.Stages[0])
	}
	for _, s := range f.Stages[1:] {
		if !s.Unresolved || s.ResolvedBase != s.Base {
			t.Errorf("stage %d ResolvedBase = %q unresolved=%v", s.Index, s.ResolvedBase, s.Unresolved)
		}
		_ = s.Ref() // must not panic
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		src  string
		line int
		msg  string
	}{
		{"FROM python:3.12\n\nRUNN pip install x\n", 3, "unknown instruction: RUNN (did you mean RUN?)"},
		{"", 1, "file with no instructions"},
		{"RUN echo\n", 1, "RUN before the first FROM (only ARG may precede FROM)"},
		{"ARG X=1\n", 1, "no FROM instruction (a Dockerfile needs at least one build stage)"},
		{"FROM a\nRUN <<EOF\nfoo\n", 2, "unterminated heredoc"},
		{"FROM a\nCOPY --bogus x y\n", 2, "unknown flag: --bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.msg, func(t *testing.T) {
			_, err := Parse("Dockerfile", []byte(tt.src))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error = %v, want *ParseError", tt.src, err)
			}
			if pe.Line != tt.line || pe.Msg != tt.msg {
				t.Errorf("Parse(%q) = line %d %q, want line %d %q", tt.src, pe.Line, pe.Msg, tt.line, tt.msg)
			}
		})
	}
}

func TestParseImageRef(t *testing.T) {
	tests := []struct {
		in                          string
		registry, repo, tag, digest string
		unresolved                  bool
	}{
		{"python", "index.docker.io", "library/python", "", "", false},
		{"python:3.12-slim", "index.docker.io", "library/python", "3.12-slim", "", false},
		{"docker.io/library/python:3.12@sha256:" + sha, "index.docker.io", "library/python", "3.12", "sha256:" + sha, false},
		{"gcr.io/distroless/python3-debian12:nonroot", "gcr.io", "distroless/python3-debian12", "nonroot", "", false},
		{"localhost:5000/app", "localhost:5000", "app", "", "", false},
		{"python:${PY}-slim", "index.docker.io", "library/python", "${PY}-slim", "", true},
		{"${REG}/python:3.12", "index.docker.io", "${reg}/python", "3.12", "", true},
	}
	for _, tt := range tests {
		got := ParseImageRef(tt.in)
		if got.Registry != tt.registry || got.Repository != tt.repo || got.Tag != tt.tag || got.Digest != tt.digest || got.Unresolved != tt.unresolved {
			t.Errorf("ParseImageRef(%q) = %+v, want %s %s %s %s %v", tt.in, got, tt.registry, tt.repo, tt.tag, tt.digest, tt.unresolved)
		}
	}
	if got := ParseImageRef("python:3.12").Short(); got != "python" {
		t.Errorf("Short() = %q, want python", got)
	}
}

const sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseStageReferences(t *testing.T) {
	f, err := Parse("Dockerfile", []byte("FROM python:3.12 AS Base\nUSER 10001\nFROM base\nFROM 0\nCOPY --from=0 /a /a\nCOPY --from=BASE /b /b\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Stages[1].Parent; got != 0 {
		t.Errorf("FROM base Parent = %d, want 0 (case-insensitive name)", got)
	}
	if got := f.Stages[1].Final.User; got != "10001" {
		t.Errorf("FROM base inherits User = %q, want 10001", got)
	}
	if s := f.Stages[2]; s.Parent != -1 || !s.IsImage() {
		t.Errorf("FROM 0 = parent %d, want an image called 0", s.Parent)
	}
	for i, in := range f.Stages[2].Instructions {
		if src, ok := f.CopySource(in); !ok || src.Index != 0 {
			t.Errorf("CopySource(COPY %d) = %v, %v, want stage 0", i, src, ok)
		}
	}
}

func TestParseCRLFAndBOM(t *testing.T) {
	src := "\ufeff# syntax=docker/dockerfile:1\r\n# pyimg: ignore=PY104\r\nFROM python:3.12 AS b\r\nRUN echo a \\\r\n  && echo b\r\n"
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Directives["syntax"]; got != "docker/dockerfile:1" {
		t.Errorf("Directives[syntax] = %q", got)
	}
	s := f.Stages[0]
	if !reflect.DeepEqual(s.From.Comments, []string{"syntax=docker/dockerfile:1", "pyimg: ignore=PY104"}) {
		t.Errorf("FROM comments = %q", s.From.Comments)
	}
	if s.Name != "b" || s.Instructions[0].StartLine != 4 || s.Instructions[0].EndLine != 5 {
		t.Errorf("stage %q RUN lines %d-%d", s.Name, s.Instructions[0].StartLine, s.Instructions[0].EndLine)
	}
}

func TestInstructionExpand(t *testing.T) {
	f, err := Parse("Dockerfile", []byte("ARG G=1\nFROM a\nARG V=3.12\nARG NODEF\nENV HOME=/home/app P=$HOME/x\nRUN echo\n"))
	if err != nil {
		t.Fatal(err)
	}
	run := f.Stages[0].Instructions[3]
	for in, want := range map[string]string{
		"${HOME}/bin":    "/home/app/bin",
		"python$V":       "python3.12",
		"$NODEF/x":       "$NODEF/x",
		"$UNKNOWN":       "$UNKNOWN",
		"${V:-x}":        "3.12",
		"$G":             "$G", // global ARGs are not in scope unless redeclared
		"no vars":        "no vars",
		"${unterminated": "${unterminated",
	} {
		if got := run.Expand(in); got != want {
			t.Errorf("Expand(%q) = %q, want %q", in, got, want)
		}
	}
	if got := run.State.Env.Get("P"); got != "$HOME/x" {
		// ENV a=1 b=$a in one instruction does not see a (Docker semantics).
		t.Errorf("ENV P = %q, want $HOME/x", got)
	}
}

// TestExpansionLimit: 40 ARGs each doubling the previous one would expand
// to 2^40 bytes; parsing stops at the limit with the instruction's line.
func TestExpansionLimit(t *testing.T) {
	for _, tc := range []struct {
		name, prelude string
		stage         bool
	}{
		{name: "global", prelude: ""},
		{name: "stage ARG", stage: true},
		{name: "ENV", stage: true, prelude: "env"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			kw := "ARG"
			if tc.prelude == "env" {
				kw = "ENV"
			}
			if tc.stage {
				b.WriteString("FROM scratch\n")
			}
			fmt.Fprintf(&b, "%s A0=0123456789abcdef\n", kw)
			for i := 1; i <= 40; i++ {
				fmt.Fprintf(&b, "%s A%d=${A%d}${A%d}\n", kw, i, i-1, i-1)
			}
			if !tc.stage {
				b.WriteString("FROM scratch\n")
			}
			_, err := Parse("Dockerfile", []byte(b.String()))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse() error = %v, want a ParseError", err)
			}
			// A17 is the first value over 1 MiB (A16 is 16 << 16 bytes).
			want := 18
			if tc.stage {
				want = 19
			}
			if pe.Line != want || !strings.Contains(pe.Msg, "expands to more than") {
				t.Errorf("Parse() error = %v, want line %d and the limit", pe, want)
			}
		})
	}
}

func TestExpansionNearLimitIsKept(t *testing.T) {
	src := "FROM scratch\nARG A=" + strings.Repeat("x", 4096) + "\nENV B=${A}${A}\nWORKDIR /$B\n"
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	if got := f.Stages[0].Final.Env.Get("B"); len(got) != 8192 {
		t.Errorf("len(B) = %d, want 8192", len(got))
	}
}
