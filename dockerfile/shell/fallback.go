package shell

import "strings"

// token is a word or an operator produced by the fallback tokenizer.
type token struct {
	text string
	op   Operator // OpNone for words, OpSeq for ; & and newlines
	line int
}

// fallback models text the shell parser rejected: it splits words on
// blanks outside quotes and lists on ; & && || | and newlines, honouring
// backslash escapes and line continuations. Unterminated quotes run to the
// end of the text. Subshell parentheses and keywords are not understood.
func (w *walker) fallback(text string, lineBase int, nest Nesting) {
	toks := tokenize(text)
	var argv []string
	line := lineBase
	var pipe []Command
	flushCmd := func() {
		if len(argv) == 0 {
			return
		}
		var env []EnvVar
		for len(argv) > 0 && isAssign(argv[0]) {
			k, v, _ := strings.Cut(argv[0], "=")
			env = append(env, EnvVar{Name: k, Value: v})
			argv = argv[1:]
		}
		if c, ok := w.command(argv, env, nil, line, nest, false); ok {
			pipe = append(pipe, c)
		}
		argv = nil
	}
	var nextOp Operator = w.op
	flushPipe := func() {
		if len(pipe) == 0 {
			return
		}
		id := w.nextPipeline()
		for i, c := range pipe {
			c.Pipeline, c.PipeIndex, c.PipeLen = id, i, len(pipe)
			if i == 0 {
				c.Op = nextOp
			} else {
				c.Op = OpPipe
			}
			c.Pipefail = w.pipefail
			if c.Name == "set" {
				if f := parseFlags(c.Args, true); f.pipefail != nil {
					w.pipefail = *f.pipefail
				}
			}
			w.cmds = append(w.cmds, c)
		}
		pipe = nil
	}
	for _, t := range toks {
		if t.op == OpNone {
			if len(argv) == 0 {
				line = lineBase + t.line
			}
			argv = append(argv, t.text)
			continue
		}
		flushCmd()
		if t.op == OpPipe {
			continue
		}
		if len(pipe) > 0 {
			flushPipe()
			nextOp = t.op
		}
	}
	flushCmd()
	flushPipe()
	w.op = OpSeq
}

// tokenize splits text into words and operators.
func tokenize(text string) []token {
	var toks []token
	var b strings.Builder
	inWord := false
	line, wordLine := 0, 0
	word := func() {
		if inWord {
			toks = append(toks, token{text: b.String(), line: wordLine})
			b.Reset()
			inWord = false
		}
	}
	start := func() {
		if !inWord {
			inWord = true
			wordLine = line
		}
	}
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case ch == '\\' && i+1 < len(text):
			i++
			if text[i] == '\n' {
				line++
				continue
			}
			start()
			b.WriteByte(text[i])
		case ch == '\'':
			start()
			j := strings.IndexByte(text[i+1:], '\'')
			if j < 0 {
				j = len(text) - i - 1
			}
			s := text[i+1 : i+1+j]
			line += strings.Count(s, "\n")
			b.WriteString(s)
			i += j + 1
		case ch == '"':
			start()
			i++
			for ; i < len(text) && text[i] != '"'; i++ {
				if text[i] == '\\' && i+1 < len(text) && strings.IndexByte("$`\"\\\n", text[i+1]) >= 0 {
					i++
					if text[i] == '\n' {
						line++
						continue
					}
				} else if text[i] == '\n' {
					line++
				}
				b.WriteByte(text[i])
			}
		case ch == ' ' || ch == '\t' || ch == '\r':
			word()
		case ch == '#' && !inWord:
			for i < len(text) && text[i] != '\n' {
				i++
			}
			i--
		case ch == '\n' || ch == ';':
			word()
			toks = append(toks, token{op: OpSeq, line: line})
			if ch == '\n' {
				line++
			}
		case ch == '&' || ch == '|':
			word()
			double := i+1 < len(text) && text[i+1] == ch
			switch {
			case double && ch == '&':
				toks = append(toks, token{op: OpAnd, line: line})
				i++
			case double:
				toks = append(toks, token{op: OpOr, line: line})
				i++
			case ch == '&':
				toks = append(toks, token{op: OpSeq, line: line})
			default:
				toks = append(toks, token{op: OpPipe, line: line})
			}
		default:
			start()
			b.WriteByte(ch)
		}
	}
	word()
	return toks
}
