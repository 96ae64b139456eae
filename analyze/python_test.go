package analyze

import (
	"io/fs"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/report"
)

const (
	sitePkgs = "/usr/local/lib/python3.12/site-packages"
	venvSite = "/opt/venv/lib/python3.12/site-packages"
)

var (
	reqMeta      = "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nSummary: HTTP\n\nlong description\nName: nope\n"
	reqRecord    = "requests/__init__.py,sha256=x,100\nrequests/api.py,sha256=y,200\nrequests-2.31.0.dist-info/METADATA,,\nrequests-2.31.0.dist-info/RECORD,,\n"
	flaskMeta    = "Metadata-Version: 2.1\nName: Flask_SQLAlchemy\nVersion: 3.0.5\n"
	flaskRecord  = "flask_sqlalchemy/__init__.py,sha256=z,400\n\"flask_sqlalchemy/odd,name.py\",,\n"
	sixMeta      = "Name: six\nVersion: 1.16.0\n"
	sixRecord    = "six.py,,\n../../../bin/six-tool,,\nsix-1.16.0.dist-info/METADATA,,\n"
	pyyamlEgg    = "Metadata-Version: 1.1\nName: PyYAML\nVersion: 6.0\n"
	pyvenv       = "home = /usr/local/bin\ninclude-system-site-packages = false\nversion = 3.12.1\n"
	dotenv       = "DEBUG=1\nDATABASE_PASSWORD=hunter2xyz\n"
	dotenvPlaceh = "API_KEY=changeme\n"
)

func pythonLayers() [][]ent {
	setuid := file("/usr/bin/passwd", 900)
	setuid.mode = 0o755 | fs.ModeSetuid
	tmp := dir("/tmp")
	tmp.mode = 0o777 | fs.ModeSticky
	data := dir("/app/data")
	data.mode = 0o777
	return [][]ent{
		{
			dir("/usr"), dir("/usr/bin"), file("/usr/bin/python3.11", 5000), symlink("/usr/bin/python3", "python3.11"),
			file("/bin/sh", 1000), setuid, tmp, file("/usr/bin/dpkg", 300),
			file("/usr/local/bin/python3.12", 6000), symlink("/usr/local/bin/python3", "python3.12"),
			symlink("/usr/local/bin/python", "python3"),
			text("/usr/lib/python3/dist-packages/PyYAML-6.0.egg-info", pyyamlEgg),
			file("/usr/include/stdio.h", 700),
		},
		{
			text(sitePkgs+"/requests-2.31.0.dist-info/METADATA", reqMeta),
			text(sitePkgs+"/requests-2.31.0.dist-info/RECORD", reqRecord),
			text(sitePkgs+"/requests-2.31.0.dist-info/INSTALLER", "pip\n"),
			text(sitePkgs+"/requests-2.31.0.dist-info/top_level.txt", "requests\n"),
			file(sitePkgs+"/requests/__init__.py", 100),
			file(sitePkgs+"/requests/api.py", 200),
			file(sitePkgs+"/requests/__pycache__/api.cpython-312.pyc", 150),
			file(sitePkgs+"/requests/tests/test_api.py", 60),
			text(sitePkgs+"/Flask_SQLAlchemy-3.0.5.dist-info/METADATA", flaskMeta),
			text(sitePkgs+"/Flask_SQLAlchemy-3.0.5.dist-info/RECORD", flaskRecord),
			file(sitePkgs+"/flask_sqlalchemy/__init__.py", 400),
			file(sitePkgs+"/flask_sqlalchemy/odd,name.py", 10),
			file(sitePkgs+"/pip/__pycache__/x.pyc", 800),
			file(sitePkgs+"/pip/x.py", 80),
			file("/root/.cache/pip/http/ab/cd", 5000),
			text("/app/.env", dotenv),
			text("/app/.env.example", dotenv),
			text("/app/config/.env", dotenvPlaceh),
			data,
		},
		{
			whiteout("/app/.env"),
			file(sitePkgs+"/requests/api.py", 300),
			text("/opt/venv/pyvenv.cfg", pyvenv),
			symlink("/opt/venv/bin/python", "/usr/local/bin/python3"),
			text(venvSite+"/six-1.16.0.dist-info/METADATA", sixMeta),
			text(venvSite+"/six-1.16.0.dist-info/RECORD", sixRecord),
			file(venvSite+"/six.py", 100),
			file("/opt/venv/bin/six-tool", 50),
		},
	}
}

func TestPythonView(t *testing.T) {
	cfg := &v1.ConfigFile{Config: v1.Config{Env: []string{
		"PATH=/usr/local/bin:/usr/bin", "PYTHON_VERSION=3.12.1", "GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305",
		"API_TOKEN=abcd1234efgh", "PYTHON_GET_PIP_SHA256=deadbeef",
	}}}
	res := feed(t, cfg, pythonLayers()...)

	gotInterp := map[string]string{}
	for _, in := range res.Interpreters {
		gotInterp[in.Path] = in.Version
	}
	wantInterp := map[string]string{
		"/usr/bin/python3.11": "3.11", "/usr/bin/python3": "3.11",
		// PYTHON_VERSION refines the official image's interpreters,
		// pyvenv.cfg the venv's.
		"/usr/local/bin/python3.12": "3.12.1", "/usr/local/bin/python3": "3.12.1", "/usr/local/bin/python": "3.12.1",
		"/opt/venv/bin/python": "3.12.1",
	}
	if len(gotInterp) != len(wantInterp) {
		t.Errorf("Interpreters = %+v, want %v", res.Interpreters, wantInterp)
	}
	for p, v := range wantInterp {
		if gotInterp[p] != v {
			t.Errorf("interpreter %s version = %q, want %q", p, gotInterp[p], v)
		}
	}
	for _, in := range res.Interpreters {
		if in.Path == "/opt/venv/bin/python" && in.Venv != "/opt/venv" {
			t.Errorf("venv of %s = %q, want /opt/venv", in.Path, in.Venv)
		}
	}

	type pkg struct {
		name, version, location, installer string
		size                               int64
		layer                              int
	}
	l := func(s string) int64 { return int64(len(s)) }
	want := []pkg{
		{"flask-sqlalchemy", "3.0.5", sitePkgs, "", l(flaskMeta) + l(flaskRecord) + 400 + 10, 1},
		// RECORD-listed files at their final size (api.py 300), the
		// metadata directory, and the unlisted .pyc and tests below the
		// package's directory.
		{"pyyaml", "6.0", "/usr/lib/python3/dist-packages", "", l(pyyamlEgg), 0},
		{"requests", "2.31.0", sitePkgs, "pip", l(reqMeta) + l(reqRecord) + 4 + 9 + 100 + 300 + 150 + 60, 1},
		{"six", "1.16.0", venvSite, "", l(sixMeta) + l(sixRecord) + 100 + 50, 2},
	}
	var got []pkg
	for _, p := range res.PythonPackages {
		got = append(got, pkg{p.Name, p.Version, p.Location, p.Installer, p.SizeBytes, p.Layer})
	}
	if !slices.Equal(got, want) {
		t.Errorf("PythonPackages =\n%+v\nwant\n%+v", got, want)
	}

	kinds := map[string]int64{}
	for _, lo := range res.Leftovers {
		kinds[lo.Kind+" "+lo.Path] = lo.SizeBytes
	}
	wantLeft := map[string]int64{
		"pip-cache /root/.cache/pip":            5000,
		"build-pycache " + sitePkgs + "/pip":    800,
		"tests " + sitePkgs + "/requests/tests": 60,
		"c-headers /usr/include":                700,
	}
	for k, v := range wantLeft {
		if kinds[k] != v {
			t.Errorf("leftover %q = %d, want %d (all: %v)", k, kinds[k], v, kinds)
		}
	}
	if len(kinds) != len(wantLeft) {
		t.Errorf("leftovers = %v, want %v", kinds, wantLeft)
	}

	sec := res.Security
	if !sec.RunsAsRoot || sec.User != "" {
		t.Errorf("RunsAsRoot, User = %v, %q, want true, \"\"", sec.RunsAsRoot, sec.User)
	}
	if !slices.Equal(sec.Shells, []string{"/bin/sh"}) {
		t.Errorf("Shells = %q", sec.Shells)
	}
	if !slices.Equal(sec.PackageManagers, []string{"dpkg"}) {
		t.Errorf("PackageManagers = %q", sec.PackageManagers)
	}
	if len(sec.Setuid) != 1 || sec.Setuid[0].Path != "/usr/bin/passwd" || sec.Setuid[0].Mode != "4755" {
		t.Errorf("Setuid = %+v", sec.Setuid)
	}
	if len(sec.WorldWritable) != 1 || sec.WorldWritable[0].Path != "/app/data" {
		t.Errorf("WorldWritable = %+v", sec.WorldWritable)
	}
	var secrets []string
	for _, s := range sec.Secrets {
		layer := -1
		if s.Layer != nil {
			layer = *s.Layer
		}
		secrets = append(secrets, strings.Join([]string{s.Kind, s.Path, s.Env, itoa(layer), boolStr(s.Deleted)}, "|"))
	}
	wantSecrets := []string{"env-file|/app/.env||1|deleted", "env||API_TOKEN|-1|"}
	if !slices.Equal(secrets, wantSecrets) {
		t.Errorf("Secrets = %q, want %q", secrets, wantSecrets)
	}

	rulesSeen := map[string]int{}
	for _, f := range res.Findings {
		rulesSeen[f.Rule]++
		if f.Rule == RuleSecretFile && !strings.Contains(f.Message, "deleted") {
			t.Errorf("PY602 message %q does not say the file was deleted", f.Message)
		}
		if f.Rule == RuleSecretFile && (f.Layer == nil || *f.Layer != 1 || f.Path != "/app/.env") {
			t.Errorf("PY602 location = %s", f.Location())
		}
		if f.Severity == report.SeverityUnknown || f.Name == "" {
			t.Errorf("finding %+v has no severity or name", f)
		}
	}
	wantRules := map[string]int{RuleRoot: 1, RuleSecretFile: 1, RuleSecretEnv: 1, RuleLeftover: 4, RuleSetuid: 1, RuleWorldWritable: 1}
	if len(rulesSeen) != len(wantRules) {
		t.Errorf("findings by rule = %v, want %v", rulesSeen, wantRules)
	}
	for r, n := range wantRules {
		if rulesSeen[r] != n {
			t.Errorf("findings of %s = %d, want %d", r, rulesSeen[r], n)
		}
	}
}

func itoa(i int) string {
	if i < 0 {
		return "-1"
	}
	return string(rune('0' + i))
}

func boolStr(b bool) string {
	if b {
		return "deleted"
	}
	return ""
}

// TestNamespacePackages checks attribution without RECORD (Debian's
// egg-info directories): a shared top-level directory belongs to nobody,
// a dotted project name owns its own subdirectory, and a top-level name
// may be a single module.
func TestNamespacePackages(t *testing.T) {
	const site = "/usr/lib/python3/dist-packages"
	res := feed(t, nil, []ent{
		text(site+"/lazr.uri-1.0.6.egg-info/PKG-INFO", "Name: lazr.uri\nVersion: 1.0.6\n"),
		text(site+"/lazr.uri-1.0.6.egg-info/top_level.txt", "lazr\n"),
		text(site+"/lazr.restfulclient-0.14.5.egg-info/PKG-INFO", "Name: lazr.restfulclient\nVersion: 0.14.5\n"),
		text(site+"/lazr.restfulclient-0.14.5.egg-info/top_level.txt", "lazr\n"),
		file(site+"/lazr/__init__.py", 7),
		file(site+"/lazr/uri/_uri.py", 1000),
		file(site+"/lazr/restfulclient/resource.py", 3000),
		text(site+"/six-1.16.0.egg-info/PKG-INFO", "Name: six\nVersion: 1.16.0\n"),
		text(site+"/six-1.16.0.egg-info/top_level.txt", "six\n"),
		file(site+"/six.py", 500), // a single module
	})
	got := map[string]int64{}
	for _, p := range res.PythonPackages {
		got[p.Name] = p.SizeBytes
	}
	meta := func(s ...string) int64 {
		var n int64
		for _, x := range s {
			n += int64(len(x))
		}
		return n
	}
	want := map[string]int64{
		"lazr-uri":           1000 + meta("Name: lazr.uri\nVersion: 1.0.6\n", "lazr\n"),
		"lazr-restfulclient": 3000 + meta("Name: lazr.restfulclient\nVersion: 0.14.5\n", "lazr\n"),
		"six":                500 + meta("Name: six\nVersion: 1.16.0\n", "six\n"),
	}
	for n, w := range want {
		if got[n] != w {
			t.Errorf("%s size = %d, want %d", n, got[n], w)
		}
	}
}

func TestInterpreterVersionFromLib(t *testing.T) {
	res := feed(t, &v1.ConfigFile{Config: v1.Config{Env: []string{"PYTHON_VERSION=3.9.18"}}}, []ent{
		file("/opt/conda/bin/python", 100),
		dir("/opt/conda/lib/python3.10"),
		file("/opt/conda/lib/python3.10/os.py", 10),
		file("/usr/local/bin/python3", 100), // a copy, not a symlink: only the env knows
	})
	got := map[string]string{}
	for _, in := range res.Interpreters {
		got[in.Path] = in.Version
	}
	want := map[string]string{"/opt/conda/bin/python": "3.10", "/usr/local/bin/python3": "3.9.18"}
	for p, v := range want {
		if got[p] != v {
			t.Errorf("version of %s = %q, want %q (all: %v)", p, got[p], v, got)
		}
	}
}
