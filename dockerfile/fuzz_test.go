package dockerfile

import (
	"errors"
	"testing"
)

// FuzzParse checks the model's invariants on arbitrary input: errors are
// *ParseError with a line inside the file, instructions have ordered line
// ranges, stage parents point backwards, and lazily parsed scripts and
// image references never panic.
func FuzzParse(f *testing.F) {
	f.Add([]byte(multi))
	f.Add([]byte("FROM scratch\n"))
	f.Add([]byte("\ufeff# escape=`\r\nFROM a `\r\n AS b\r\nRUN <<EOF bash\nx | y\nEOF\n"))
	f.Add([]byte("ARG A=${B:-c}\nFROM ${A}:${A}@${A}\nCOPY --from=${A} . .\nRUN --mount=type=secret,id=x,required [\"sh\",\"-c\",\"sudo x\"]\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("Dockerfile", src)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse() error %v is %T, want *ParseError", err, err)
			}
			if pe.Line < 1 || pe.EndLine < pe.Line {
				t.Fatalf("ParseError lines %d-%d", pe.Line, pe.EndLine)
			}
			return
		}
		prev := 0
		for _, in := range file.Instructions() {
			if in.StartLine <= prev || in.EndLine < in.StartLine {
				t.Fatalf("instruction %q lines %d-%d after line %d", in.Original, in.StartLine, in.EndLine, prev)
			}
			prev = in.EndLine
			_ = in.Scripts()
		}
		for _, s := range file.Stages {
			if s.Parent >= s.Index {
				t.Fatalf("stage %d parent %d", s.Index, s.Parent)
			}
			_ = s.Ref()
			_ = file.Deps(s)
		}
	})
}

func FuzzParseImageRef(f *testing.F) {
	for _, s := range []string{"python", "python:3.12@sha256:" + sha, "localhost:5000/a/b:c", "${REG}/x:${T}", "a@b", ":"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := ParseImageRef(s)
		_ = r.Name()
		_ = r.Short()
	})
}
