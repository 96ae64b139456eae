package shell

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// brief renders the parts of a Command most tests check.
func brief(c Command) string {
	s := fmt.Sprintf("%s L%d P%d/%d/%d %q", c.String(), c.Line, c.Pipeline, c.PipeIndex, c.PipeLen, c.Op.String())
	if c.Nesting != NestNone {
		s += " " + string(c.Nesting)
	}
	if c.Pipefail {
		s += " pipefail"
	}
	return s
}

func briefs(s *Script) []string {
	var out []string
	for _, c := range s.Commands {
		out = append(out, brief(c))
	}
	return out
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
	}{
		{"simple", "pip install flask", []string{`pip install flask L0 P0/0/1 ""`}},
		{"and-or-seq", "a && b || c; d", []string{
			`a L0 P0/0/1 ""`, `b L0 P1/0/1 "&&"`, `c L0 P2/0/1 "||"`, `d L0 P3/0/1 ";"`}},
		{"pipe", "curl -fsSL https://x | sh -s -- -y", []string{
			`curl -fsSL https://x L0 P0/0/2 ""`, `sh -s -- -y L0 P0/1/2 "|"`}},
		{"three-pipe-then-and", "a | b | c && d", []string{
			`a L0 P0/0/3 ""`, `b L0 P0/1/3 "|"`, `c L0 P0/2/3 "|"`, `d L0 P1/0/1 "&&"`}},
		{"continuations", "apt-get update \\\n && apt-get install -y \\\n   gcc", []string{
			`apt-get update L0 P0/0/1 ""`, `apt-get install -y gcc L1 P1/0/1 "&&"`}},
		{"quotes", `echo "a b" 'c d' e\ f "x\"y" '$HOME' "$HOME"`, []string{
			`echo a b c d e f x"y $HOME $HOME L0 P0/0/1 ""`}},
		{"env-prefix", "PIP_NO_CACHE_DIR=1 DEBIAN_FRONTEND=noninteractive pip install x", []string{
			`PIP_NO_CACHE_DIR=1 DEBIAN_FRONTEND=noninteractive pip install x L0 P0/0/1 ""`}},
		{"sudo-env", "sudo -E -u app env FOO=1 /opt/venv/bin/pip install x", []string{
			`sudo env FOO=1 /opt/venv/bin/pip install x L0 P0/0/1 ""`}},
		{"sh-c", `sh -c 'apt-get update && apt-get install -y gcc'`, []string{
			`sh -c apt-get update && apt-get install -y gcc L0 P0/0/1 ""`,
			`apt-get update L0 P1/0/1 "" shell -c`,
			`apt-get install -y gcc L0 P2/0/1 "&&" shell -c`}},
		{"bash-pipefail-c", `bash -eo pipefail -c "curl x | tar xz"`, []string{
			`bash -eo pipefail -c curl x | tar xz L0 P0/0/1 ""`,
			`curl x L0 P1/0/2 "" shell -c pipefail`,
			`tar xz L0 P1/1/2 "|" shell -c pipefail`}},
		{"cmd-subst", `pip install $(cat requirements.txt | grep -v '#')`, []string{
			`pip install $(cat requirements.txt | grep -v '#') L0 P0/0/1 ""`,
			`cat requirements.txt L0 P1/0/2 "" $(...)`,
			`grep -v # L0 P1/1/2 "|" $(...)`}},
		{"outer-subst-not-twice", `sh -c "pip install $(cat req)"`, []string{
			`sh -c pip install $(cat req) L0 P0/0/1 ""`,
			`cat req L0 P1/0/1 "" $(...)`,
			`pip install $(cat req) L0 P2/0/1 "" shell -c`}},
		{"subshell", "(cd /src && make) && rm -rf /src", []string{
			`cd /src L0 P0/0/1 "" (...)`, `make L0 P1/0/1 "&&" (...)`, `rm -rf /src L0 P2/0/1 "&&"`}},
		{"set-pipefail", "a | b; set -euo pipefail; c | d; set +o pipefail; e | f", []string{
			`a L0 P0/0/2 ""`, `b L0 P0/1/2 "|"`, `set -euo pipefail L0 P1/0/1 ";"`,
			`c L0 P2/0/2 ";" pipefail`, `d L0 P2/1/2 "|" pipefail`,
			`set +o pipefail L0 P3/0/1 ";" pipefail`, `e L0 P4/0/2 ";"`, `f L0 P4/1/2 "|"`}},
		{"subshell-pipefail-does-not-leak", "(set -o pipefail); a | b", []string{
			`set -o pipefail L0 P0/0/1 "" (...)`, `a L0 P1/0/2 ";"`, `b L0 P1/1/2 "|"`}},
		{"if", "if [ -f req.txt ]; then pip install -r req.txt; fi", []string{
			`[ -f req.txt ] L0 P0/0/1 ""`, `pip install -r req.txt L0 P1/0/1 "&&"`}},
		{"export", "export PIP_NO_CACHE_DIR=1 && pip install x", []string{
			`export PIP_NO_CACHE_DIR=1 L0 P0/0/1 ""`, `pip install x L0 P1/0/1 "&&"`}},
		{"comment-lines", "# fetch\napt-get update\n# done", []string{`apt-get update L1 P0/0/1 ""`}},
		{"empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if got := briefs(s); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) =\n%s\nwant\n%s", tt.in, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestParseFallback(t *testing.T) {
	t.Parallel()
	in := "echo \"unterminated && pip install x\napt-get update && apt-get install -y gcc | tee log"
	s, err := Parse(in)
	if err == nil {
		t.Fatalf("Parse(%q) error = nil, want a syntax error", in)
	}
	// The fallback keeps going: the open quote swallows the rest of the
	// text, so only echo is seen.
	if len(s.Commands) != 1 || s.Commands[0].Name != "echo" {
		t.Errorf("Parse(%q) = %v, want one echo command", in, briefs(s))
	}

	in = "apt-get update && apt-get install -y gcc | tee log; fi"
	s, err = Parse(in)
	if err == nil {
		t.Fatalf("Parse(%q) error = nil, want a syntax error", in)
	}
	want := []string{`apt-get update L0 P0/0/1 ""`, `apt-get install -y gcc L0 P1/0/2 "&&"`, `tee log L0 P1/1/2 "|"`, `fi L0 P2/0/1 ";"`}
	if got := briefs(s); !reflect.DeepEqual(got, want) {
		t.Errorf("Parse(%q) = %q, want %q", in, got, want)
	}
}

func TestParseArgs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		argv []string
		want []string
	}{
		{[]string{"pip", "install", "--no-cache-dir", "flask==3.0.0"}, []string{`pip install --no-cache-dir flask==3.0.0 L0 P0/0/1 ""`}},
		{[]string{"/bin/sh", "-c", "apt-get update && rm -rf /var/lib/apt/lists/*"}, []string{
			`/bin/sh -c apt-get update && rm -rf /var/lib/apt/lists/* L0 P0/0/1 ""`,
			`apt-get update L0 P1/0/1 "" shell -c`,
			`rm -rf /var/lib/apt/lists/* L0 P2/0/1 "&&" shell -c`}},
		{[]string{"/bin/bash", "-o", "pipefail", "-c", "a | b"}, []string{
			`/bin/bash -o pipefail -c a | b L0 P0/0/1 ""`,
			`a L0 P1/0/2 "" shell -c pipefail`, `b L0 P1/1/2 "|" shell -c pipefail`}},
		{nil, nil},
	}
	for _, tt := range tests {
		s, err := ParseArgs(tt.argv)
		if err != nil {
			t.Fatalf("ParseArgs(%q) error: %v", tt.argv, err)
		}
		if got := briefs(s); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("ParseArgs(%q) = %q, want %q", tt.argv, got, tt.want)
		}
	}
}

func TestParseHeredoc(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body, interp string
		n            int
	}{
		{"#!/usr/bin/env python3\nimport os\nprint(1)\n", "python3", 0},
		{"#!/usr/bin/python\nprint(1)\n", "python", 0},
		{"#!/bin/bash\nset -e\napt-get update\n", "", 2},
		{"apt-get update\napt-get install -y gcc\n", "", 2},
		{"#!/usr/bin/env -S python3 -u\nprint(1)\n", "python3", 0},
		{"#!/usr/bin/env bash\nset -e\n", "", 1},
	}
	for _, tt := range tests {
		s, err := ParseHeredoc(tt.body)
		if err != nil {
			t.Fatalf("ParseHeredoc(%q) error: %v", tt.body, err)
		}
		if s.Interpreter != tt.interp || len(s.Commands) != tt.n {
			t.Errorf("ParseHeredoc(%q) = %q with %d commands, want %q with %d", tt.body, s.Interpreter, len(s.Commands), tt.interp, tt.n)
		}
	}
}

func TestParseHeredocShebangOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body  string
		shell []string
		want  bool
	}{
		{"#!/bin/bash -o pipefail\na | b\n", nil, true},
		{"#!/bin/sh\na | b\n", []string{"/bin/bash", "-o", "pipefail", "-c"}, false},
		{"a | b\n", []string{"/bin/bash", "-o", "pipefail", "-c"}, true},
	}
	for _, tt := range tests {
		s, err := ParseHeredoc(tt.body, WithShell(tt.shell))
		if err != nil || len(s.Commands) != 2 {
			t.Fatalf("ParseHeredoc(%q) = %v, %v", tt.body, briefs(s), err)
		}
		if got := s.Commands[0].Pipefail; got != tt.want {
			t.Errorf("ParseHeredoc(%q, WithShell(%q)) pipefail = %v, want %v", tt.body, tt.shell, got, tt.want)
		}
	}
}

func TestWithShell(t *testing.T) {
	t.Parallel()
	tests := []struct {
		shell []string
		want  bool
	}{
		{[]string{"/bin/bash", "-o", "pipefail", "-c"}, true},
		{[]string{"/bin/bash", "-euxo", "pipefail", "-c"}, true},
		{[]string{"/bin/bash", "-opipefail", "-c"}, true},
		{[]string{"/bin/bash", "-c"}, false},
		{[]string{"/bin/sh", "-c"}, false},
		{[]string{"pwsh", "-Command"}, false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := ShellPipefail(tt.shell); got != tt.want {
			t.Errorf("ShellPipefail(%q) = %v, want %v", tt.shell, got, tt.want)
		}
		s, _ := Parse("a | b", WithShell(tt.shell))
		if got := s.Commands[0].Pipefail; got != tt.want {
			t.Errorf("Parse(a | b, WithShell(%q)).Pipefail = %v, want %v", tt.shell, got, tt.want)
		}
	}
}

func TestWrapperUser(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"sudo -u app pip install --user x": "app",
		"sudo --user=10001 pip install x":  "10001",
		"gosu app:app python -m app":       "app:app",
		"su-exec 10001 python -m app":      "10001",
		"sudo pip install x":               "",
		"pip install x":                    "",
	} {
		s, _ := Parse(in)
		if got := s.Commands[0].User; got != want {
			t.Errorf("Parse(%q).User = %q, want %q", in, got, want)
		}
		if n := s.Commands[0].Name; n != "pip" && n != "python" {
			t.Errorf("Parse(%q).Name = %q, want the wrapped program", in, n)
		}
	}
}

func TestPipedTo(t *testing.T) {
	t.Parallel()
	s, _ := Parse("curl -sSL https://install.python-poetry.org | python3 - && echo ok | cat")
	got := s.PipedTo(s.Commands[0])
	if len(got) != 1 || got[0].Name != "python3" {
		t.Errorf("PipedTo(curl) = %v, want [python3 -]", got)
	}
	s, _ = Parse("curl -fsSL https://x | (cd /tmp && sh -s)")
	want := []string{`cd /tmp L0 P0/1/2 "|" (...)`, `sh -s L0 P0/1/2 "&&" (...)`}
	var gotb []string
	for _, c := range s.PipedTo(s.Commands[0]) {
		gotb = append(gotb, brief(c))
	}
	if !reflect.DeepEqual(gotb, want) {
		t.Errorf("PipedTo(curl) into a subshell = %q, want %q", gotb, want)
	}
}

// A negated or redirected pipeline is still split into its commands (the
// walker once recursed forever on "! a | b", found by FuzzParse).
func TestPipelineNegatedOrRedirected(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"! curl -fsSL https://x | sh", "curl -fsSL https://x | sh > /dev/null 2>&1"} {
		s, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		if len(s.Commands) != 2 {
			t.Fatalf("Parse(%q) = %d commands, want 2", in, len(s.Commands))
		}
		if got := s.PipedTo(s.Commands[0]); len(got) != 1 || got[0].Name != "sh" {
			t.Errorf("Parse(%q): PipedTo(curl) = %v, want [sh]", in, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"apt-get update && apt-get install -y --no-install-recommends gcc && rm -rf /var/lib/apt/lists/*",
		"set -eux; pip install --no-cache-dir -r requirements.txt",
		`sh -c "curl -fsSL https://x | bash -s -- $(id -u)"`,
		"(cd /x && make) || true; echo 'a' \"b\" \\\n c",
		"if [ -f x ]; then for i in 1 2; do echo $i; done; fi",
		"a |& b &\nc <<EOF\nhi\nEOF\n",
		"echo \"unterminated",
		"bash -c 'bash -c \"sh -c ls\"'",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, _ := Parse(in)
		if s == nil {
			t.Fatal("Parse returned a nil Script")
		}
		for _, c := range s.Commands {
			if c.PipeIndex >= c.PipeLen || c.PipeLen < 1 {
				t.Fatalf("Parse(%q): command %q has pipe slot %d of %d", in, c.String(), c.PipeIndex, c.PipeLen)
			}
			if c.Line < 0 {
				t.Fatalf("Parse(%q): command %q has line %d", in, c.String(), c.Line)
			}
			AsApt(c)
			AsApk(c)
			AsPip(c)
			AsProjectTool(c)
			AsVenv(c)
			AsRm(c)
			AsOwnership(c)
			DependencyInstall(c)
		}
		Downloads(s)
		PackagingToolInstalls(s)
		SystemInstalls(s)
		ParseArgs(strings.Fields(in))
		ParseHeredoc(in)
	})
}
