package pin

import (
	"bytes"
	"testing"
)

// FuzzFindApply checks that Find never panics on arbitrary Dockerfiles, and
// that applying targets to what it finds keeps the file parseable and every
// byte outside the rewritten references.
func FuzzFindApply(f *testing.F) {
	for _, s := range []string{
		"FROM python:3.12-slim\n",
		"ARG PY=3.12\nFROM python:${PY}-slim AS a\nFROM $BASE\n",
		"# escape=`\nFROM python:3.12 `\n AS x\n",
		"FROM \\\n  # c\n  --platform=$BUILDPLATFORM python:3.12@sha256:00 AS b\r\n",
		"ARG A=\"python:3\"\nfrom ${A}\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		refs, err := Find("Dockerfile", src)
		if err != nil {
			return
		}
		var changes []Change
		for _, r := range refs {
			if r.Skip == "" {
				changes = append(changes, Change{Ref: r, Target: Target{Tag: "3.12.6-slim-trixie", Digest: digestA}})
			}
		}
		out, err := Apply(src, refs, changes)
		if err != nil {
			return
		}
		if len(changes) == 0 && !bytes.Equal(out, src) {
			t.Fatalf("Apply with no changes altered the file")
		}
		if _, err := Find("Dockerfile", out); err != nil {
			t.Fatalf("rewritten file does not parse: %v\n%q\n%q", err, src, out)
		}
	})
}
