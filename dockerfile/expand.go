package dockerfile

import (
	"fmt"
	"strings"
)

// Variable expansion the way BuildKit does it, with limits BuildKit does
// not have.

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
			Msg: fmt.Sprintf("%s: %s expands to more than %s (variables referring to each other repeatedly)", shorten(in.Original, 80), word, limit)}
		return word
	}
	if err != nil {
		return word
	}
	p.budget -= len(res.Result)
	return res.Result
}

// shorten cuts s to n bytes for messages.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
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
