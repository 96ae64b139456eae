package build

import (
	"strings"
	"testing"
)

func FuzzParseRequirementsLock(f *testing.F) {
	f.Add([]byte("a==1 --hash=sha256:" + strings.Repeat("a", 64) + "\n"))
	f.Add([]byte("A[x]==1.0 ; python_version < \"3\" \\\n  --hash sha256:" + strings.Repeat("b", 64) + " # c\n-i https://x\n"))
	f.Add([]byte("-r other.txt\nx>=1\n\\\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := fromRequirements("/nonexistent-pyimg-fuzz", "requirements.txt", b)
		if err != nil {
			if !IsInputError(err) {
				t.Fatalf("error %v is not an input error", err)
			}
			return
		}
		for _, r := range l.Requirements {
			if r.Name == "" || r.Version == "" || len(r.Hashes) == 0 || r.Line < 1 {
				t.Fatalf("incomplete requirement %+v", r)
			}
		}
	})
}

func FuzzEvalMarker(f *testing.F) {
	for _, m := range []string{`python_version >= "3.8"`, `(os_name == "nt" or sys_platform == 'linux') and extra == "x"`, `"a" not in platform_machine`, `((`} {
		f.Add(m)
	}
	env := markerEnv(debianTarget)
	f.Fuzz(func(t *testing.T, m string) {
		_, _ = evalMarker(m, env)
	})
}
