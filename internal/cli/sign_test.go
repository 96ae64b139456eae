package cli

import (
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestKeyGenerateSignVerify(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "ci")
	pw := withEnv("PYIMG_KEY_PASSWORD", "hunter2")

	r := run(t, nil, "key", "generate", "--output", prefix)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "COSIGN_PASSWORD") {
		t.Fatalf("key generate without a password: %d %q", r.code, r.stderr)
	}
	r = run(t, []runOpt{pw}, "key", "generate", "--output", prefix)
	if r.code != 0 || !strings.Contains(r.stdout, prefix+".key") {
		t.Fatalf("key generate: %d %q %q", r.code, r.stdout, r.stderr)
	}
	keyPEM, _ := os.ReadFile(prefix + ".key")
	if fi, err := os.Stat(prefix + ".key"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", fi.Mode(), err)
	}
	if body := strings.Split(string(keyPEM), "\n")[1]; strings.Contains(r.stdout+r.stderr, body) {
		t.Fatal("key generate printed the key")
	}
	if r = run(t, []runOpt{pw}, "key", "generate", "--output", prefix); r.code != ExitUsage || !strings.Contains(r.stderr, "--force") {
		t.Fatalf("key generate over existing files: %d %q", r.code, r.stderr)
	}

	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	defer srv.Close()
	ref := strings.TrimPrefix(srv.URL, "http://") + "/app:1"
	img, _ := random.Image(128, 1)
	nr, _ := name.ParseReference(ref)
	if err := remote.Write(nr, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()

	for _, tc := range []struct {
		name string
		opts []runOpt
		args []string
		code int
		want string
	}{
		{"no password", nil, []string{"sign", "--key", prefix + ".key", ref}, ExitUsage, "is encrypted: set PYIMG_KEY_PASSWORD or COSIGN_PASSWORD"},
		{"wrong password", []runOpt{withEnv("COSIGN_PASSWORD", "nope")}, []string{"sign", "--key", prefix + ".key", ref}, ExitUsage, "wrong password"},
		{"no key", []runOpt{pw}, []string{"sign", ref}, ExitUsage, "--key is required"},
		{"missing key file", []runOpt{pw}, []string{"sign", "--key", filepath.Join(dir, "none.key"), ref}, ExitUsage, "no such file"},
		{"local image", []runOpt{pw}, []string{"sign", "--key", prefix + ".key", "oci-archive:x.tar"}, ExitUsage, "registry reference"},
		{"no such tag", []runOpt{pw}, []string{"sign", "--key", prefix + ".key", ref + "x"}, ExitUsage, "not found"},
		{"verify unsigned", nil, []string{"verify", "--key", prefix + ".pub", ref}, ExitFindings, "FAIL  signature"},
		{"sign", []runOpt{pw}, []string{"sign", "--key", prefix + ".key", ref}, 0, "signed " + strings.TrimSuffix(ref, ":1") + "@" + d.String()},
		{"bad annotation", []runOpt{pw}, []string{"sign", "--key", prefix + ".key", "-a", "novalue", ref}, ExitUsage, "KEY=VALUE"},
		{"sign with annotation", []runOpt{pw}, []string{"sign", "--key", prefix + ".key", "-a", "git-sha=abc", ref}, 0, "signed"},
		{"verify", nil, []string{"verify", "--key", prefix + ".pub", ref}, 0, "PASS  signature              2 signature(s)"},
		{"verify json", nil, []string{"verify", "--key", prefix + ".pub", "--format", "json", ref}, 0, `"passed": true`},
		{"verify with private key", nil, []string{"verify", "--key", prefix + ".key", ref}, ExitUsage, "verification needs the public key"},
		{"bad require", nil, []string{"verify", "--key", prefix + ".pub", "--require", "sboms", ref}, ExitUsage, "unknown requirement"},
		{"bad age", nil, []string{"verify", "--key", prefix + ".pub", "--max-scan-age", "soon", ref}, ExitUsage, "--max-scan-age"},
		{"bad fail-on", nil, []string{"verify", "--key", prefix + ".pub", "--fail-on", "severe", ref}, ExitUsage, "--fail-on"},
		{"attest without type", []runOpt{pw}, []string{"attest", "--key", prefix + ".key", ref}, ExitUsage, "--type is required"},
		{"attest bad type", []runOpt{pw}, []string{"attest", "--key", prefix + ".key", "--type", "sbom", ref}, ExitUsage, "unknown attestation type"},
		{"provenance without inputs", []runOpt{pw}, []string{"attest", "--key", prefix + ".key", "--type", "provenance", ref}, ExitUsage, "--base-image"},
		{"provenance unpinned base", []runOpt{pw}, []string{"attest", "--key", prefix + ".key", "--type", "provenance", "--base-image", "python:3.12", ref}, ExitUsage, "pin it by digest"},
		{"provenance", []runOpt{pw}, []string{"attest", "--key", prefix + ".key", "--type", "provenance", "--lock", prefix + ".pub", ref}, 0, "attested provenance"},
		{"verify provenance", nil, []string{"verify", "--key", prefix + ".pub", "--require", "provenance", ref}, 0, "PASS  provenance"},
		{"verify missing sbom", nil, []string{"verify", "--key", prefix + ".pub", "--require", "sbom", ref}, ExitFindings, "FAIL  attestation:sbom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := run(t, tc.opts, tc.args...)
			if r.code != tc.code || !strings.Contains(r.stdout+r.stderr, tc.want) {
				t.Fatalf("pyimg %s = exit %d\nstdout %s\nstderr %s\nwant exit %d and %q", strings.Join(tc.args, " "), r.code, r.stdout, r.stderr, tc.code, tc.want)
			}
		})
	}
}
