package analyze

import (
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestRulesMetadata(t *testing.T) {
	kebab := regexp.MustCompile(`^[a-z]+(-[a-z]+)*$`)
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if !strings.HasPrefix(r.ID, "PY6") && !strings.HasPrefix(r.ID, "PY7") {
			t.Errorf("rule ID %q, want PY6xx or PY7xx", r.ID)
		}
		if !kebab.MatchString(r.Name) {
			t.Errorf("%s: Name %q is not kebab-case", r.ID, r.Name)
		}
		if r.Severity.String() == "unknown" || r.Summary == "" || r.Why == "" || r.Fix == "" || r.Bad == "" || r.Good == "" {
			t.Errorf("%s: incomplete metadata %+v", r.ID, r)
		}
	}
	for _, id := range []string{RuleRoot, RuleSecretFile, RuleSecretEnv, RuleLeftover, RuleSetuid, RuleWorldWritable, RuleWaste, RuleMissingLib, RuleGlibcTooOld, RuleLibcMismatch} {
		if !seen[id] {
			t.Errorf("Rules() lacks %s", id)
		}
	}
}

func TestGate(t *testing.T) {
	res := &Result{Efficiency: 0.8, WastedBytes: 1000, UserSizeBytes: 5000, WastedUserPercent: 0.2}
	tests := []struct {
		name string
		res  *Result
		opts GateOptions
		want int
	}{
		{"all disabled", res, GateOptions{}, 0},
		{"dive defaults fail", res, GateOptions{MinEfficiency: 0.9, MaxWastedPercent: 0.1}, 2},
		{"efficiency equal passes", res, GateOptions{MinEfficiency: 0.8}, 0},
		{"wasted bytes over", res, GateOptions{MaxWastedBytes: 999}, 1},
		{"wasted bytes equal passes", res, GateOptions{MaxWastedBytes: 1000}, 0},
		{"percent under", res, GateOptions{MaxWastedPercent: 0.25}, 0},
		{"no user bytes with waste fails like dive's +Inf", &Result{Efficiency: 1, WastedBytes: 1}, GateOptions{MaxWastedPercent: 0.5}, 1},
		{"no user bytes, no waste passes", &Result{Efficiency: 1}, GateOptions{MaxWastedPercent: 0.5}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.res.Gate(tc.opts)
			if len(got) != tc.want {
				t.Errorf("Gate(%+v) = %q, want %d violations", tc.opts, got, tc.want)
			}
		})
	}
}

func TestResultJSONFields(t *testing.T) {
	res := feed(t, nil, pythonLayers()...)
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"size_bytes", "tar_bytes", "compressed_bytes", "wasted_bytes", "efficiency", "layers",
		"python_packages", "findings", "files", "biggest_files", "biggest_dirs", "interpreters", "user", "security", "leftovers"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	layer := m["layers"].([]any)[0].(map[string]any)
	for _, k := range []string{"index", "digest", "diff_id", "size_bytes", "tar_bytes", "compressed_bytes", "files"} {
		if _, ok := layer[k]; !ok {
			t.Errorf("layer JSON lacks %q", k)
		}
	}
	pkg := m["python_packages"].([]any)[0].(map[string]any)
	for _, k := range []string{"name", "version", "size_bytes", "location", "files", "layer"} {
		if _, ok := pkg[k]; !ok {
			t.Errorf("python package JSON lacks %q", k)
		}
	}
	f := m["findings"].([]any)[1].(map[string]any)
	for _, k := range []string{"rule", "severity", "path", "layer", "message"} {
		if _, ok := f[k]; !ok {
			t.Errorf("finding JSON lacks %q: %v", k, f)
		}
	}
	if math.IsNaN(res.WastedUserPercent) || math.IsInf(res.WastedUserPercent, 0) {
		t.Errorf("WastedUserPercent = %v, want a finite number", res.WastedUserPercent)
	}
}

func TestEmptyImage(t *testing.T) {
	res := feed(t, nil)
	if res.Efficiency != 1 || res.WastedBytes != 0 || res.WastedUserPercent != 0 {
		t.Errorf("empty image: efficiency %v, wasted %d, percent %v", res.Efficiency, res.WastedBytes, res.WastedUserPercent)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Errorf("json.Marshal = %v", err)
	}
}

func TestWasteFinding(t *testing.T) {
	a := New(nil, WithWasteThreshold(100))
	for i := range 2 {
		lv := a.VisitLayer(layersLayer(i))
		drive(t, lv, i, file("/big", 200))
	}
	res, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range res.Findings {
		ids = append(ids, f.Rule)
	}
	if !slices.Contains(ids, RuleWaste) {
		t.Errorf("findings %q lack %s for 400 wasted bytes over a threshold of 100", ids, RuleWaste)
	}
}

func TestSecretScanning(t *testing.T) {
	tests := []struct {
		path, content string
		want          []string
	}{
		{"/app/.env", "SECRET_KEY=django-insecure-abc123xyz\n", []string{"env-file"}},
		{"/app/.env", "SECRET_KEY=${SECRET_KEY}\nDEBUG=true\n", nil},
		{"/app/.env.production", "export API_TOKEN='tok_9f8e7d6c'\n", []string{"env-file"}},
		{"/root/.aws/credentials", "[default]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG\n", []string{"aws-access-key", "aws-credentials"}},
		{"/root/.npmrc", "//registry.npmjs.org/:_authToken=npm_abcdef\n", []string{"npmrc-token"}},
		{"/root/.pypirc", "[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc\n", []string{"pypirc-password"}},
		{"/root/.netrc", "machine github.com login x password hunter2\n", []string{"netrc-password"}},
		{"/root/.git-credentials", "https://user:ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@github.com\n", []string{"github-token", "git-credentials"}},
		{"/root/.ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n", []string{"private-key"}},
		{"/etc/app/server.key", "-----BEGIN RSA PRIVATE KEY-----\n", []string{"private-key"}},
		{"/etc/app/server.pem", "-----BEGIN CERTIFICATE-----\n", nil},
	}
	for _, tc := range tests {
		hint := secretCandidate(tc.path)
		if hint == "" {
			t.Errorf("secretCandidate(%q) = \"\", want a hint", tc.path)
			continue
		}
		if got := scanSecrets(tc.path, hint, []byte(tc.content)); !slices.Equal(got, tc.want) {
			t.Errorf("scanSecrets(%q, %q) = %q, want %q", tc.path, tc.content, got, tc.want)
		}
	}
	for _, p := range []string{"/app/main.py", "/usr/lib/python3/dist-packages/tornado/test/test.key", "/app/.env.example"} {
		if h := secretCandidate(p); h != "" {
			t.Errorf("secretCandidate(%q) = %q, want \"\"", p, h)
		}
	}
	envs := []struct{ kv, kind string }{
		{"GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305", ""},
		{"PYTHON_SHA256=abc", ""},
		{"DATABASE_URL=postgres://app:s3cret@db/app", "url-credentials"},
		{"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI", "env"},
		{"GITHUB_TOKEN=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "github-token"},
		{"PASSWORD=", ""},
		{"LANG=C.UTF-8", ""},
	}
	for _, e := range envs {
		if _, kind := envSecret(e.kv); kind != e.kind {
			t.Errorf("envSecret(%q) = %q, want %q", e.kv, kind, e.kind)
		}
	}
}

func TestSecretAndWritableFindings(t *testing.T) {
	key := text("/root/.ssh/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n")
	ww := func(p string, isDir bool) ent {
		e := file(p, 1)
		if isDir {
			e = dir(p)
		}
		e.mode = 0o777
		return e
	}
	res := feed(t, &v1ConfigFileUser, [][]ent{
		{text("/app/.env", dotenv), key, file("/usr/local/bin/bash", 10), ww("/srv", true), ww("/srv/a", false), ww("/srv/b", false)},
		{text("/app/.env", dotenv+"X=1\n"), ww("/data.log", false)},
		{whiteout("/root/.ssh")},
	}...)
	var got []string
	for _, f := range res.Findings {
		switch f.Rule {
		case RuleSecretFile, RuleWorldWritable:
			got = append(got, f.Rule+" "+f.Location()+": "+f.Message)
		}
	}
	want := []string{
		"PY602 layer 1: /app/.env: env-file in /app/.env; also in layer 0",
		"PY602 layer 0: /root/.ssh/id_rsa: private-key in /root/.ssh/id_rsa (deleted or replaced by a later layer, but still in layer 0's blob)",
		"PY606 layer 1: /data.log: writable by any user (mode 0777)",
		"PY606 layer 0: /srv: writable by any user (mode 0777), and 2 world-writable paths below it",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Equal(res.Security.Shells, []string{"/usr/local/bin/bash"}) {
		t.Errorf("Shells = %q", res.Security.Shells)
	}
	if res.Security.RunsAsRoot || res.User != "10001:10001" {
		t.Errorf("RunsAsRoot, User = %v, %q", res.Security.RunsAsRoot, res.User)
	}
}

var v1ConfigFileUser = v1.ConfigFile{Config: v1.Config{User: "10001:10001"}}

func TestRunsAsRoot(t *testing.T) {
	for u, want := range map[string]bool{"": true, "root": true, "0": true, "0:0": true, "root:root": true, "app": false, "10001": false, "1000:0": false, " 0 ": true} {
		if got := runsAsRoot(u); got != want {
			t.Errorf("runsAsRoot(%q) = %v, want %v", u, got, want)
		}
	}
}

func TestHistorySecrets(t *testing.T) {
	cfg := &v1.ConfigFile{History: []v1.History{
		{CreatedBy: "RUN |2 PIP_INDEX_TOKEN=tok_abcdef123 VERSION=1.0 /bin/sh -c pip install ."},
		{CreatedBy: "/bin/sh -c #(nop) ENV LANG=C.UTF-8", EmptyLayer: true},
		{CreatedBy: "RUN /bin/sh -c curl -H 'Authorization: token ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' https://x"},
	}}
	res := feed(t, cfg)
	var got []string
	for _, f := range res.Findings {
		if f.Rule == RuleSecretEnv {
			got = append(got, f.Message)
			if strings.Contains(f.Message, "tok_abcdef123") || strings.Contains(f.Message, "ghp_") {
				t.Errorf("finding echoes the secret: %q", f.Message)
			}
		}
	}
	want := []string{
		"build argument PIP_INDEX_TOKEN in history entry 0 holds a credential (env)",
		"history entry 2's command holds a credential (github-token)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("PY603 findings = %q, want %q", got, want)
	}
}
