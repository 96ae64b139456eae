package shell

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// isAssign reports whether s looks like NAME=value.
func isAssign(s string) bool {
	k, _, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return false
	}
	for i, r := range k {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// assign renders a declaration argument as NAME=value.
func (s src) assign(a *syntax.Assign, subs *[][]*syntax.Stmt) string {
	if a.Name == nil {
		if a.Value != nil {
			return s.word(a.Value, subs)
		}
		return ""
	}
	if a.Naked || a.Value == nil {
		return a.Name.Value
	}
	return a.Name.Value + "=" + s.word(a.Value, subs)
}

// word renders a word with quotes removed, keeping expansions as written,
// and collects the statements of command substitutions.
func (s src) word(wd *syntax.Word, subs *[][]*syntax.Stmt) string {
	var b strings.Builder
	for _, p := range wd.Parts {
		s.part(&b, p, false, subs)
	}
	return b.String()
}

func (s src) part(b *strings.Builder, p syntax.WordPart, quoted bool, subs *[][]*syntax.Stmt) {
	switch p := p.(type) {
	case *syntax.Lit:
		b.WriteString(unescape(p.Value, quoted))
	case *syntax.SglQuoted:
		b.WriteString(p.Value)
	case *syntax.DblQuoted:
		for _, q := range p.Parts {
			s.part(b, q, true, subs)
		}
	case *syntax.CmdSubst:
		*subs = append(*subs, p.Stmts)
		b.WriteString(s.slice(p))
	case *syntax.ProcSubst:
		*subs = append(*subs, p.Stmts)
		b.WriteString(s.slice(p))
	default:
		b.WriteString(s.slice(p))
	}
}

// unescape removes backslash escapes: all of them outside double quotes,
// only those before $ ` " \ and newline inside.
func unescape(v string, quoted bool) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 >= len(v) {
			b.WriteByte(v[i])
			continue
		}
		n := v[i+1]
		switch {
		case n == '\n':
			i++
		case !quoted || strings.IndexByte("$`\"\\", n) >= 0:
			b.WriteByte(n)
			i++
		default:
			b.WriteByte('\\')
		}
	}
	return b.String()
}

// flags is the result of reading shell or set options.
type flags struct {
	pipefail *bool
	c        bool     // -c given
	rest     []string // operands after the options
}

// parseFlags reads sh/bash invocation options or set builtin arguments:
// -e, -u, -x clusters, -o NAME / +o NAME, -c. For set, all arguments are
// read; for a shell, reading stops at the first operand.
func parseFlags(args []string, isSet bool) flags {
	var f flags
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" {
			f.rest = args[i+1:]
			return f
		}
		if len(a) < 2 || (a[0] != '-' && a[0] != '+') || strings.HasPrefix(a, "--") {
			if strings.HasPrefix(a, "--") && !isSet {
				continue // long bash options such as --norc
			}
			if isSet {
				continue
			}
			f.rest = args[i:]
			return f
		}
		on := a[0] == '-'
		for j := 1; j < len(a); j++ {
			switch a[j] {
			case 'c':
				if on {
					f.c = true
				}
			case 'o':
				name := a[j+1:]
				if name == "" && i+1 < len(args) {
					i++
					name = args[i]
				}
				if name == "pipefail" {
					v := on
					f.pipefail = &v
				}
				j = len(a)
			}
		}
	}
	return f
}
