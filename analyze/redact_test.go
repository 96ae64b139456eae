package analyze

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/layers"
)

func TestRedactCommand(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"/bin/sh -c #(nop) ENV AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
			"/bin/sh -c #(nop) ENV AWS_SECRET_ACCESS_KEY=<redacted>"},
		{"|1 PIP_TOKEN=pypi-AgEIcHlwaS5vcmc /bin/sh -c pip install app",
			"|1 PIP_TOKEN=<redacted> /bin/sh -c pip install app"},
		{`RUN |2 A=1 DB_PASSWORD="hunter 2" /bin/sh -c true`, `RUN |2 A=1 DB_PASSWORD=<redacted> /bin/sh -c true`},
		{"/bin/sh -c curl -H 'Authorization: token ghp_abcdefghijklmnopqrstuvwxyz0123456789' x",
			"/bin/sh -c curl -H 'Authorization: token <redacted>' x"},
		{"/bin/sh -c #(nop) ENV PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH", "/bin/sh -c #(nop) ENV PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH"},
		{"/bin/sh -c #(nop) ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D", "/bin/sh -c #(nop) ENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D"},
	} {
		if got := redactCommand(tc.in); got != tc.want {
			t.Errorf("redactCommand(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A secret set by ENV shows in the config env (PY603 once) and in the layer
// history as buildah writes it; no output may repeat its value.
func TestHistorySecretsRedactedAndOnce(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	cfg := &v1.ConfigFile{
		Config: v1.Config{Env: []string{"AWS_SECRET_ACCESS_KEY=" + secret}},
		History: []v1.History{
			{CreatedBy: "/bin/sh -c #(nop) ADD file:abc in /"},
			{CreatedBy: "/bin/sh -c #(nop) ENV AWS_SECRET_ACCESS_KEY=" + secret, EmptyLayer: true},
			{CreatedBy: "|1 BUILD_TOKEN=s3cr3tvalue123 /bin/sh -c make"},
		},
	}
	a := New(cfg)
	drive(t, a.VisitLayer(layers.Layer{Index: 0, CreatedBy: cfg.History[0].CreatedBy}), 0, file("/etc/hostname", 5))
	drive(t, a.VisitLayer(layers.Layer{Index: 1, CreatedBy: cfg.History[2].CreatedBy}), 1, file("/app/bin", 5))
	res, err := a.Result()
	if err != nil {
		t.Fatal(err)
	}
	var envFindings, buildArg int
	for _, f := range res.Findings {
		if f.Rule == RuleSecretEnv {
			envFindings++
			if strings.Contains(f.Message, "BUILD_TOKEN") {
				buildArg++
			}
		}
		if strings.Contains(f.Message, secret) || strings.Contains(f.Message, "s3cr3tvalue123") {
			t.Errorf("finding %s repeats a secret value: %s", f.Rule, f.Message)
		}
	}
	if envFindings != 2 || buildArg != 1 {
		t.Errorf("PY603 findings = %d (%d for BUILD_TOKEN), want 2: the config env once and the build argument", envFindings, buildArg)
	}
	for _, l := range res.Layers {
		if strings.Contains(l.CreatedBy, "s3cr3tvalue123") {
			t.Errorf("layer %d created_by repeats a build argument value: %q", l.Index, l.CreatedBy)
		}
	}
}
