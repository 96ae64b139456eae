package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Images the generate tests build on, in their own buildah storage.
const (
	genBaseTag       = "localhost/pyimg-e2e/base:bookworm"
	genDistrolessTag = "localhost/pyimg-e2e/distroless:latest"
)

// freePort returns a TCP port nothing listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// copyExample copies examples/<name> into a fresh directory.
func copyExample(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join(repoRoot, "examples", name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatalf("copying example %s: %v", name, err)
	}
	return dst
}

// appendFile appends text to dir/name.
func appendFile(t *testing.T, dir, name, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// probeScript starts the image's command, requests the URL until it
// answers, runs the image's HEALTHCHECK command, and prints what it saw.
const probeScript = `
import json, os, subprocess, sys, time, urllib.request
cmd, health, url = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
p = subprocess.Popen(cmd, stdout=sys.stderr)  # keep stdout for the result line
try:
    body = None
    for _ in range(150):
        try:
            body = urllib.request.urlopen(url, timeout=1).read().decode()
            break
        except OSError:
            if p.poll() is not None:
                sys.exit("app exited with %d" % p.returncode)
            time.sleep(0.1)
    if body is None:
        sys.exit("no answer from " + url)
    rc = subprocess.call(health) if health else -1
    print("PYIMG-PROBE " + json.dumps({"uid": os.getuid(), "body": body, "health": rc, "cwd": os.getcwd()}), flush=True)
finally:
    p.kill()
`

type imageConfig struct {
	User        string
	Cmd         []string
	Healthcheck *struct{ Test []string }
}

type probeResult struct {
	UID    int    `json:"uid"`
	Body   string `json:"body"`
	Health int    `json:"health"`
	Cwd    string `json:"cwd"`
}

// genHarness builds generated Dockerfiles in a private buildah store
// holding the debootstrap base and the distroless fixture, and records
// image sizes and build times.
type genHarness struct {
	ctx   context.Context
	b     *buildahStore
	sizes []measured
}

type measured struct {
	name              string
	compressed, bytes int64
	seconds           float64
}

// variantCase is a variant built on the local bases.
type variantCase struct {
	variant, runtime, user string
	uid                    int
}

var variantCases = []variantCase{
	{"slim", genBaseTag, "10001:10001", 10001},
	{"distroless", genDistrolessTag, "65532:65532", 65532},
}

func newGenHarness(t *testing.T) *genHarness {
	t.Helper()
	set := fixtures(t)
	if _, err := exec.LookPath("buildah"); err != nil {
		skipOrFail(t, "buildah missing (run scripts/install-test-deps.sh as root)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	t.Cleanup(cancel)
	h := &genHarness{ctx: ctx, b: newBuildahStore(t, set.StorageDriver)}
	loadGenerateBases(ctx, t, set, h.b)
	return h
}

// generate runs pyimg generate in dir and checks that the Dockerfile does
// not hard-code the official image's /usr/local interpreter and lints
// clean at warning level.
func (h *genHarness) generate(t *testing.T, dir, variant string) string {
	t.Helper()
	stdout, stderr, code := runPyimg(t, "generate", "--variant", variant, dir)
	if code != 0 {
		t.Fatalf("pyimg generate exit %d\n%s%s", code, stdout, stderr)
	}
	df, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(df), "/usr/local/") && !strings.Contains(string(df), "/usr/local/bin/uv") {
		t.Errorf("Dockerfile hard-codes /usr/local paths:\n%s", df)
	}
	if stdout, stderr, code := runPyimg(t, "lint", "--fail-on", "warning", filepath.Join(dir, "Dockerfile")); code != 0 {
		t.Errorf("pyimg lint --fail-on warning exit %d:\n%s%s", code, stdout, stderr)
	}
	return string(df)
}

// build runs buildah bud on dir as localhost/pyimg-e2e-generate/<name>
// and records its size and build time.
func (h *genHarness) build(t *testing.T, name, dir string, args ...string) {
	t.Helper()
	start := time.Now()
	bud := append([]string{"bud", "--layers", "--isolation=chroot", "--pull=never", "--format", "docker",
		"-t", "localhost/pyimg-e2e-generate/" + name}, args...)
	h.b.must(t, h.ctx, append(bud, dir)...)
	secs := time.Since(start).Seconds()
	comp, uncomp := h.b.imageSize(t, h.ctx, "localhost/pyimg-e2e-generate/"+name)
	h.sizes = append(h.sizes, measured{name, comp, uncomp, secs})
}

// probe checks the image's user and HEALTHCHECK, starts its command as
// that user, requests path on port, runs the HEALTHCHECK command, and
// returns what the app answered.
func (h *genHarness) probe(t *testing.T, name string, port int, path string, tc variantCase) probeResult {
	t.Helper()
	img := "localhost/pyimg-e2e-generate/" + name
	raw := h.b.must(t, h.ctx, "inspect", "--type", "image", img)
	var inspected struct {
		Docker struct {
			Config imageConfig `json:"config"`
		}
	}
	if err := json.Unmarshal([]byte(raw), &inspected); err != nil {
		t.Fatalf("buildah inspect: %v\n%s", err, raw)
	}
	cfg := inspected.Docker.Config
	if cfg.User != tc.user {
		t.Errorf("image user = %q, want %q", cfg.User, tc.user)
	}
	if cfg.Healthcheck == nil || len(cfg.Healthcheck.Test) < 2 || cfg.Healthcheck.Test[0] != "CMD" {
		t.Fatalf("image healthcheck = %+v, want an exec-form CMD", cfg.Healthcheck)
	}
	cmdJSON, _ := json.Marshal(cfg.Cmd)
	hcJSON, _ := json.Marshal(cfg.Healthcheck.Test[1:])
	ctr := "pyimg-e2e-generate-" + name
	h.b.must(t, h.ctx, "from", "--pull-never", "--name", ctr, img)
	out, err := h.b.run(h.ctx, "run", "--isolation=chroot", "--user", cfg.User, ctr, "--",
		"/opt/venv/bin/python", "-c", probeScript, string(cmdJSON), string(hcJSON), "http://127.0.0.1:"+strconv.Itoa(port)+path)
	h.b.must(t, h.ctx, "rm", ctr)
	if err != nil {
		t.Fatal(err)
	}
	var got probeResult
	_, result, _ := strings.Cut(out, "PYIMG-PROBE ")
	if i := strings.IndexByte(result, '\n'); i >= 0 {
		result = result[:i]
	}
	if err := json.Unmarshal([]byte(result), &got); err != nil {
		t.Fatalf("probe output: %v\n%s", err, out)
	}
	if got.UID != tc.uid {
		t.Errorf("app ran as uid %d, want %d", got.UID, tc.uid)
	}
	if got.Health != 0 {
		t.Errorf("HEALTHCHECK command exit %d, want 0", got.Health)
	}
	if got.Cwd != "/app" {
		t.Errorf("working directory %q, want /app", got.Cwd)
	}
	return got
}

// runAs runs the image's command as its configured user (checked against
// tc) in a container that stays for further checks
// (pyimg-e2e-generate-ls-<name>), and returns the output's last line.
func (h *genHarness) runAs(t *testing.T, name string, tc variantCase) string {
	t.Helper()
	img := "localhost/pyimg-e2e-generate/" + name
	raw := h.b.must(t, h.ctx, "inspect", "--type", "image", img)
	var inspected struct {
		Docker struct {
			Config imageConfig `json:"config"`
		}
	}
	if err := json.Unmarshal([]byte(raw), &inspected); err != nil {
		t.Fatalf("buildah inspect: %v\n%s", err, raw)
	}
	cfg := inspected.Docker.Config
	if cfg.User != tc.user {
		t.Errorf("image user = %q, want %q", cfg.User, tc.user)
	}
	ctr := "pyimg-e2e-generate-ls-" + name
	h.b.must(t, h.ctx, "from", "--pull-never", "--name", ctr, img)
	out := h.b.must(t, h.ctx, append([]string{"run", "--isolation=chroot", "--user", cfg.User, ctr, "--"}, cfg.Cmd...)...)
	return lastLine(out)
}

// report logs the base's size and every image built.
func (h *genHarness) report(t *testing.T) {
	bc, bu := h.b.imageSize(t, h.ctx, genBaseTag)
	t.Logf("image %-22s %7.1f MB (%6.1f MB compressed)  (the debootstrap base every build starts from)", "base", float64(bu)/1e6, float64(bc)/1e6)
	for _, m := range h.sizes {
		t.Logf("image %-22s %7.1f MB (%6.1f MB compressed)  built in %5.1fs", m.name, float64(m.bytes)/1e6, float64(m.compressed)/1e6, m.seconds)
	}
}

// baseArgs substitutes the local bases for the variant's.
func baseArgs(tc variantCase) []string {
	return []string{"--build-arg", "BUILD_IMAGE=" + genBaseTag, "--build-arg", "RUNTIME_IMAGE=" + tc.runtime}
}

// TestGenerateBuildsAndRuns generates Dockerfiles for a pure-Python HTTP
// service, lints them, builds them with buildah on the debootstrap base
// (slim) and on the distroless fixture (distroless) through the base ARGs,
// runs the app as the image's user and requests it; and compares sizes and
// build times with a naive single-stage Dockerfile for the same app.
func TestGenerateBuildsAndRuns(t *testing.T) {
	h := newGenHarness(t)
	for _, tc := range variantCases {
		t.Run(tc.variant, func(t *testing.T) {
			dir := copyExample(t, "http-stdlib")
			// A free port: buildah's chroot isolation shares the host's network.
			port := freePort(t)
			// install-project = false: run the source copied to /app, so that no
			// index is needed for setuptools (the index test installs projects).
			appendFile(t, dir, "pyproject.toml", fmt.Sprintf("\n[tool.pyimg.generate]\nport = %d\nhealth-path = \"/healthz\"\nenv = {PORT = \"%d\"}\ninstall-project = false\n", port, port))
			df := h.generate(t, dir, tc.variant)
			if !strings.Contains(df, `CMD ["python", "-m", "hello"]`) || !strings.Contains(df, "COPY . .") {
				t.Errorf("Dockerfile does not run the source copied to /app with python -m hello:\n%s", df)
			}
			args := baseArgs(tc)
			if tc.variant == "distroless" {
				// The netrc secret is optional: slim builds without it.
				secret := filepath.Join(t.TempDir(), "netrc")
				if err := os.WriteFile(secret, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--secret", "id=netrc,src="+secret)
			}
			h.build(t, "stdlib-"+tc.variant, dir, args...)
			got := h.probe(t, "stdlib-"+tc.variant, port, "/", tc)
			if !strings.Contains(got.Body, `"service": "hello-http"`) || !strings.Contains(got.Body, fmt.Sprintf(`"uid": %d`, tc.uid)) {
				t.Errorf("GET / = %s, want hello-http answering as uid %d", got.Body, tc.uid)
			}
		})
	}
	t.Run("naive", func(t *testing.T) {
		dir := copyExample(t, "http-stdlib")
		naive := "FROM " + genBaseTag + "\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y python3-venv && python3 -m venv /opt/venv\n" +
			"ENV PATH=/opt/venv/bin:$PATH\nCMD [\"python\", \"-m\", \"hello\"]\n"
		if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(naive), 0o644); err != nil {
			t.Fatal(err)
		}
		h.build(t, "stdlib-naive", dir)
	})
	h.report(t)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
