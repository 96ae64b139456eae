// Package registry runs a real Docker distribution registry
// (`docker-registry serve`, distribution 2.8) on 127.0.0.1 for the end-to-end
// tests and pushes images into it with skopeo.
package registry

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Tools are the commands a Registry needs.
var Tools = []string{"docker-registry", "skopeo"}

// Registry is a running docker-registry process.
type Registry struct {
	// Host is "127.0.0.1:PORT".
	Host string
	cmd  *exec.Cmd
	dir  string
	done chan error
	log  *syncBuffer
}

// Start runs docker-registry with its storage and config in dir (which the
// caller owns and removes) and waits until /v2/ answers.
func Start(ctx context.Context, dir string) (*Registry, error) {
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	host := fmt.Sprintf("127.0.0.1:%d", port)
	conf := fmt.Sprintf(`version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, filepath.Join(dir, "storage"), host)
	confPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(confPath, []byte(conf), 0o644); err != nil {
		return nil, fmt.Errorf("writing registry config: %w", err)
	}
	r := &Registry{Host: host, dir: dir, done: make(chan error, 1), log: &syncBuffer{}}
	// Not CommandContext: the registry outlives the ctx of whoever starts it.
	r.cmd = exec.Command(bin, "serve", confPath)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := r.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting docker-registry: %w", err)
	}
	go func() { r.done <- r.cmd.Wait() }()
	if err := r.waitReady(ctx, 30*time.Second); err != nil {
		r.Close()
		return nil, fmt.Errorf("%w\nregistry log:\n%s", err, r.log.String())
	}
	return r, nil
}

func (r *Registry) waitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+r.Host+"/v2/", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-r.done:
			r.done <- err
			return fmt.Errorf("docker-registry exited: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("waiting for docker-registry on %s: %w", r.Host, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Push copies src (a skopeo reference such as "oci-archive:/x.tar") to
// REPO:TAG in the registry and returns the manifest digest.
func (r *Registry) Push(ctx context.Context, src, repoTag string) (string, error) {
	skopeo, err := exec.LookPath("skopeo")
	if err != nil {
		return "", err
	}
	digestFile := filepath.Join(r.dir, strings.NewReplacer("/", "_", ":", "_").Replace(repoTag)+".digest")
	c := exec.CommandContext(ctx, skopeo, "--insecure-policy", "copy", "--quiet",
		"--dest-tls-verify=false", "--digestfile", digestFile,
		src, "docker://"+r.Host+"/"+repoTag)
	out, err := c.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("pushing %s: %w\n%s", src, err, out)
	}
	d, err := os.ReadFile(digestFile)
	if err != nil {
		return "", fmt.Errorf("reading pushed digest: %w", err)
	}
	return strings.TrimSpace(string(d)), nil
}

// Log returns what the registry printed so far.
func (r *Registry) Log() string { return r.log.String() }

// Close stops the registry: SIGTERM, then SIGKILL after five seconds.
func (r *Registry) Close() error {
	if r.cmd.Process == nil {
		return nil
	}
	_ = r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		_ = r.cmd.Process.Kill()
		<-r.done
	}
	return nil
}

// freePort asks the kernel for a free loopback port. Another process could
// take it before the registry binds; Start then fails loudly.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("unexpected listener address %v", l.Addr())
	}
	return addr.Port, nil
}

// syncBuffer is a bytes.Buffer safe for the registry's output goroutine and
// readers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
