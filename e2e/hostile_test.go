package e2e

// The hostile corpus of issue 14: crafted and broken inputs, generated at
// test time, run through the pyimg binary in a subprocess. For every input
// the test asserts the exact exit code, an error naming the input and the
// problem, no panic, nothing written outside the case's work directory,
// and a peak RSS under 512 MiB (from the child's rusage).
//
// Causes 11, 12 and 15 (the Dockerfile scope copying, ARG/ENV expansion
// cap and lint's quadratic passes) were fixed in the lint work; their
// inputs are here too (lintCases).

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/pyimg/pyimg/vuln/osv/osvtest"
)

// maxRSS is the memory bound of every run.
const maxRSS = 512 << 20

// hostileCase is one input and what pyimg must do with it.
type hostileCase struct {
	name  string
	cause int
	// setup writes the input into work and returns pyimg's arguments.
	setup  func(t *testing.T, h *hostileEnv, work string) []string
	exit   int
	stderr []string // each must appear in stderr
	stdout []string // each must appear in stdout
	// notOut must appear in neither stream.
	notOut []string
	// check runs extra assertions after the run.
	check func(t *testing.T, h *hostileEnv, work string)
	// maxTime, when set, bounds the run's wall time.
	maxTime time.Duration
}

// hostileEnv holds what several cases share: a vulnerability database and
// an in-process registry with one image.
type hostileEnv struct {
	once    sync.Once
	db      string
	regHost string // 127.0.0.1:PORT with app:1.0
	err     error
}

func (h *hostileEnv) setup(t *testing.T, dir string) {
	h.once.Do(func() {
		zip := filepath.Join(dir, "osv.zip")
		osvtest.WriteZip(t, zip, map[string]string{
			"DSA-1.json":    osvRecord("DSA-1", "Debian:12", "openssl", "zzzz-not-a-version"),
			"PYSEC-1.json":  osvRecord("PYSEC-1", "PyPI", "requests", "2.31.0"),
			"PYSEC-2.json":  osvRecord("PYSEC-2", "PyPI", "p7", "9.0"),
			"GHSA-bad.json": osvRecord("GHSA-bad", "PyPI", "flask", "not a version!"),
		})
		h.db = filepath.Join(dir, "osv.db")
		if r := runPyimgIn(t, dir, "db", "import", "--db", h.db, zip); r.code != 0 {
			h.err = errorf("db import: exit %d: %s", r.code, r.stderr)
			return
		}
		srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(nullLogger())))
		t.Cleanup(srv.Close)
		h.regHost = strings.TrimPrefix(srv.URL, "http://")
		ref, err := name.ParseReference(h.regHost+"/app:1.0", name.Insecure)
		if err != nil {
			h.err = err
			return
		}
		h.err = remote.Write(ref, imageOf(t, nil, debianBase(t)))
	})
	if h.err != nil {
		t.Fatalf("hostile corpus set-up: %v", h.err)
	}
}

type runResult struct {
	stdout, stderr string
	code           int
	maxRSS         int64
	took           time.Duration
}

// runPyimgIn runs the binary in work with HOME, caches and TMPDIR inside
// it, so anything it writes lands there.
func runPyimgIn(t *testing.T, work string, args ...string) runResult {
	t.Helper()
	limit := 2 * time.Minute
	if d, err := time.ParseDuration(os.Getenv("PYIMG_HOSTILE_TIMEOUT")); err == nil && d > 0 {
		limit = d // for measuring an older binary that hangs
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, pyimgBin, args...)
	cmd.Dir = work
	home := filepath.Join(work, ".home")
	for _, d := range []string{home, filepath.Join(home, "tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, "cache"),
		"XDG_CONFIG_HOME=" + filepath.Join(home, "config"), "TMPDIR=" + filepath.Join(home, "tmp"), "NO_COLOR=1",
		"DOCKER_CONFIG=" + filepath.Join(home, "docker")}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := runResult{stdout: out.String(), stderr: errb.String(), took: time.Since(start), code: -1}
	if cmd.ProcessState != nil {
		r.code = cmd.ProcessState.ExitCode()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
		}
	}
	if ctx.Err() != nil {
		t.Errorf("pyimg %s: killed after %s (hang)", strings.Join(args, " "), r.took.Round(time.Second))
	} else if err != nil && r.code < 0 {
		t.Fatalf("running pyimg: %v", err)
	}
	return r
}

func TestHostileCorpus(t *testing.T) {
	skipShort(t)
	if pyimgBin == "" {
		t.Fatalf("no pyimg binary: %v", pyimgErr)
	}
	h := &hostileEnv{}
	h.setup(t, t.TempDir())
	for _, c := range hostileCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			outer := t.TempDir()
			work := filepath.Join(outer, "work")
			if err := os.Mkdir(work, 0o755); err != nil {
				t.Fatal(err)
			}
			args := c.setup(t, h, work)
			r := runPyimgIn(t, work, args...)
			t.Logf("cause %d: pyimg %s: exit %d, %.0f MiB peak RSS, %s", c.cause, shortArgs(args), r.code, float64(r.maxRSS)/(1<<20), r.took.Round(time.Millisecond))
			both := r.stdout + r.stderr
			for _, bad := range []string{"panic:", "goroutine ", "fatal error:", "SIGSEGV"} {
				if strings.Contains(r.stderr, bad) {
					t.Errorf("stderr shows a crash (%q):\n%s", bad, firstLines(r.stderr, 20))
				}
			}
			if r.code != c.exit {
				t.Errorf("exit code %d, want %d\nstderr: %s", r.code, c.exit, firstLines(r.stderr, 10))
			}
			for _, s := range c.stderr {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, firstLines(r.stderr, 10))
				}
			}
			for _, s := range c.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, firstLines(r.stdout, 20))
				}
			}
			for _, s := range c.notOut {
				if strings.Contains(both, s) {
					t.Errorf("output contains %q", s)
				}
			}
			if c.maxTime > 0 && r.took > c.maxTime {
				t.Errorf("took %s, over %s", r.took.Round(time.Millisecond), c.maxTime)
			}
			if r.maxRSS > maxRSS {
				t.Errorf("peak RSS %d MiB, over %d MiB", r.maxRSS>>20, maxRSS>>20)
			}
			// Nothing beside the work directory in its parent.
			if es, err := os.ReadDir(outer); err != nil || len(es) != 1 {
				var names []string
				for _, e := range es {
					names = append(names, e.Name())
				}
				t.Errorf("written outside the work directory: %v (%v)", names, err)
			}
			if c.check != nil {
				c.check(t, h, work)
			}
		})
	}
}

func shortArgs(args []string) string {
	var out []string
	for _, a := range args {
		if len(a) > 60 {
			a = a[:57] + "..."
		}
		out = append(out, a)
	}
	return strings.Join(out, " ")
}

func firstLines(s string, n int) string {
	ls := strings.SplitN(s, "\n", n+1)
	return strings.Join(ls[:min(n, len(ls))], "\n")
}

// hostileCases lists the corpus; the generators are in
// hostile_cases_test.go.
func hostileCases() []hostileCase {
	cs := slices.Concat(imageCases(), fileCases(), registryCases(), resourceCases(), lintCases())
	return cs
}
