package project

import (
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"
)

func mapRead(files map[string]string) ReadFunc {
	return func(name string) ([]byte, error) {
		s, ok := files[name]
		if !ok {
			return nil, fs.ErrNotExist
		}
		return []byte(s), nil
	}
}

const sha1 = "sha256:2b4c4b8c0b8f4d0d58e2b1e7c2c7fe39e6a4e1d7d6b04a51a9e9f2a0f5f54b1e"
const sha2 = "sha256:0f1a3b64b1f85f6c9f0a1e16f2c2b1b0b7d85b0c9c3f7c7a0d3b2f1e0a9c8b7d"

func TestParseRequirements(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"requirements.txt": `# production
--index-url https://pypi.example.com/simple
--extra-index-url=https://extra.example.com/simple
-r requirements/base.txt
-c constraints.txt
flask==3.0.3 \
    --hash=` + sha1 + ` \
    --hash=` + sha2 + `
gunicorn[gevent]>=22 ; sys_platform == "linux"  # server
-e .
./vendor/mylib-1.0-py3-none-any.whl
git+https://github.com/org/repo.git@v1#egg=repo ; python_version >= "3.10"
token-client @ https://${HOST}/tc-1.0.tar.gz
--require-hashes
`,
		"requirements/base.txt":   "-r common.txt\nclick>=8\n",
		"requirements/common.txt": "itsdangerous\n",
		"constraints.txt":         "werkzeug<4\n",
	}
	got, err := ParseRequirements("requirements.txt", mapRead(files), func(k string) string {
		if k == "HOST" {
			return "files.example.com"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"requirements.txt", "requirements/base.txt", "requirements/common.txt", "constraints.txt"}; !reflect.DeepEqual(got.Files, want) {
		t.Errorf("Files = %v, want %v", got.Files, want)
	}
	if got.IndexURL != "https://pypi.example.com/simple" || !reflect.DeepEqual(got.ExtraIndexURLs, []string{"https://extra.example.com/simple"}) || !got.RequireHashes {
		t.Errorf("index options = %q %q %v", got.IndexURL, got.ExtraIndexURLs, got.RequireHashes)
	}
	type row struct {
		loc, name, spec, marker, url, path string
		hashes                             int
		editable                           bool
	}
	var rows []row
	for _, r := range got.Requirements {
		rows = append(rows, row{r.Location(), r.Name, r.Specifier, r.Marker, r.URL, r.Path, len(r.Hashes), r.Editable})
	}
	want := []row{
		{"requirements/common.txt:1", "itsdangerous", "", "", "", "", 0, false},
		{"requirements/base.txt:2", "click", ">=8", "", "", "", 0, false},
		{"requirements.txt:6", "flask", "==3.0.3", "", "", "", 2, false},
		{"requirements.txt:9", "gunicorn", ">=22", `sys_platform == "linux"`, "", "", 0, false},
		{"requirements.txt:10", "", "", "", "", ".", 0, true},
		{"requirements.txt:11", "mylib", "", "", "", "./vendor/mylib-1.0-py3-none-any.whl", 0, false},
		{"requirements.txt:12", "repo", "", `python_version >= "3.10"`, "git+https://github.com/org/repo.git@v1#egg=repo", "", 0, false},
		{"requirements.txt:13", "token-client", "", "", "https://files.example.com/tc-1.0.tar.gz", "", 0, false},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("Requirements =\n%+v\nwant\n%+v", rows, want)
	}
	if len(got.Constraints) != 1 || got.Constraints[0].Name != "werkzeug" || got.Constraints[0].Location() != "constraints.txt:1" {
		t.Errorf("Constraints = %+v", got.Constraints)
	}
	if got.HashesComplete() {
		t.Errorf("HashesComplete() = true with unhashed lines")
	}
}

func TestParseRequirementsErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  string // "file:line" prefix
		msg   string
	}{
		{"bad requirement", map[string]string{"requirements.txt": "flask\n\nflask ==\n"}, "requirements.txt:3", "invalid requirement"},
		{"cycle", map[string]string{"requirements.txt": "-r a.txt\n", "a.txt": "x\n-r b.txt\n", "b.txt": "-r a.txt\n"}, "b.txt:1", "include cycle"},
		{"self include", map[string]string{"requirements.txt": "x\n-r requirements.txt\n"}, "requirements.txt:2", "include cycle"},
		{"missing include", map[string]string{"requirements.txt": "-r nope.txt\n"}, "requirements.txt:1", "reading included nope.txt"},
		{"bad hash", map[string]string{"requirements.txt": "flask==3 \\\n  --hash=sha256:zz\n"}, "requirements.txt:1", "--hash"},
		{"unknown option", map[string]string{"requirements.txt": "--frobnicate\n"}, "requirements.txt:1", "unknown option"},
		{"option without value", map[string]string{"requirements.txt": "x\n-r\n"}, "requirements.txt:2", "needs a value"},
		{"remote include", map[string]string{"requirements.txt": "-r https://example.com/r.txt\n"}, "requirements.txt:1", "remote"},
	}
	for _, tt := range tests {
		_, err := ParseRequirements("requirements.txt", mapRead(tt.files), nil)
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s: error = %v, want *InputError", tt.name, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.want+":") || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: error = %q, want %s: …%s…", tt.name, err, tt.want, tt.msg)
		}
	}
}

func TestParseRequirementsHashesComplete(t *testing.T) {
	t.Parallel()
	r, err := ParseRequirements("r.txt", mapRead(map[string]string{"r.txt": "a==1 --hash=" + sha1 + "\nb==2 --hash " + sha2 + "\n"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !r.HashesComplete() || r.Requirements[1].Hashes[0] != sha2 {
		t.Errorf("HashesComplete() = false or hashes %+v", r.Requirements)
	}
}

func FuzzParseRequirements(f *testing.F) {
	f.Add("flask==3.0.3 \\\n --hash=" + sha1 + "\n-r other.txt\n# c\n-e .\n")
	f.Add("-c other.txt\nx @ https://a/b.whl ; python_version<'3'\n")
	f.Add("--index-url=${URL}\n-rother.txt\n")
	f.Fuzz(func(t *testing.T, s string) {
		files := map[string]string{"requirements.txt": s, "other.txt": "click>=8\n-r requirements.txt\n"}
		r, err := ParseRequirements("requirements.txt", mapRead(files), func(string) string { return "v" })
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || ie.File == "" {
				t.Fatalf("error %v is not an *InputError with a file", err)
			}
			return
		}
		for _, l := range r.Requirements {
			if l.Line < 1 || l.File == "" {
				t.Fatalf("requirement %+v without a location", l)
			}
		}
	})
}
