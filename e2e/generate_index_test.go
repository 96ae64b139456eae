package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/internal/indextest"
	"github.com/pyimg/pyimg/internal/wheeltest"
)

// indexApp is an HTTP service whose dependencies come only from the local
// index: a pure-Python library, a gcc-built C extension and a C extension
// linking the system libpq (so the runtime needs libpq5).
const indexApp = `import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import fastext
import hello_lib
import pqver


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body = b"ok\n"
        else:
            body = json.dumps({
                "greet": hello_lib.greet(),
                "fastext": fastext.hello(),
                "libpq": pqver.libpq_version(),
                "uid": os.getuid(),
            }).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
`

// fileSHA256 returns the hex sha256 of a file.
func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestGenerateFromLocalIndex generates Dockerfiles for a service whose
// hashed requirements come from a local PEP 691 index that wants basic
// auth: the index URL goes in as --build-arg PIP_INDEX_URL, the
// credentials only through the netrc secret. The runtime library the libpq
// extension links (libpq5, from [tool.pyimg.generate] runtime-packages) is
// installed by apt on slim and copied with its dependencies on distroless.
// Both images answer HTTP as their non-root user, with every extension
// loaded; neither keeps the credentials.
func TestGenerateFromLocalIndex(t *testing.T) {
	ix := buildPypiIndex(t)
	pq, err := wheeltest.CExtension(context.Background(), ix.dir, wheeltest.Libpq("pqver", "1.0"))
	if errors.Is(err, wheeltest.ErrUnavailable) {
		skipOrFail(t, fmt.Sprintf("libpq C extension wheel: %v (install gcc python3-dev libpq-dev)", err))
	} else if err != nil {
		t.Fatal(err)
	}
	const user, pass = "generate-e2e", "n0t-in-any-layer"
	srv := startPypiIndex(t, ix.dir, indextest.WithBasicAuth(user, pass))
	netrc := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(netrc, []byte("machine 127.0.0.1 login "+user+" password "+pass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var reqs strings.Builder
	for _, w := range []struct{ name, file string }{
		{"hello-lib==1.0", filepath.Join(ix.dir, wheeltest.FileName(wheeltest.Spec{Name: "Hello.Lib", Version: "1.0"}, "py3-none-any"))},
		{"fastext==0.3", filepath.Join(ix.dir, ix.cext)},
		{"pqver==1.0", pq},
	} {
		fmt.Fprintf(&reqs, "%s \\\n    --hash=sha256:%s\n", w.name, fileSHA256(t, w.file))
	}
	h := newGenHarness(t)
	indexURL := srv.URL + "/simple/" // no credentials: they come from the secret
	for _, tc := range variantCases {
		t.Run(tc.variant, func(t *testing.T) {
			dir := t.TempDir()
			port := freePort(t)
			for name, content := range map[string]string{
				"app.py":           indexApp,
				"requirements.txt": reqs.String(),
				"pyproject.toml": fmt.Sprintf("[project]\nname = \"index-app\"\nversion = \"1.0\"\nrequires-python = \">=3.11\"\n\n"+
					"[tool.pyimg.generate]\nport = %d\nhealth-path = \"/healthz\"\nenv = {PORT = \"%d\"}\nruntime-packages = [\"libpq5\"]\n", port, port),
			} {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			df := h.generate(t, dir, tc.variant)
			for _, want := range []string{"ARG PIP_INDEX_URL\n", "pip install --require-hashes -r requirements.txt", "--mount=type=secret,id=netrc"} {
				if !strings.Contains(df, want) {
					t.Errorf("Dockerfile lacks %q:\n%s", want, df)
				}
			}
			srv.ResetRequests()
			name := "index-" + tc.variant
			h.build(t, name, dir, append(baseArgs(tc), "--build-arg", "PIP_INDEX_URL="+indexURL, "--secret", "id=netrc,src="+netrc)...)
			var authorized bool
			for _, r := range srv.Requests() {
				if r.Path == "/simple/pqver/" && r.Authorized && r.Status == 200 {
					authorized = true
				}
			}
			if !authorized {
				t.Errorf("pip did not fetch /simple/pqver/ with the netrc credentials: %+v", srv.Requests())
			}
			got := h.probe(t, name, port, "/", tc)
			for _, want := range []string{`"greet": "hello from hello_lib"`, `"fastext": "hello from fastext"`, fmt.Sprintf(`"uid": %d`, tc.uid)} {
				if !strings.Contains(got.Body, want) {
					t.Errorf("GET / = %s, want %s", got.Body, want)
				}
			}
			if strings.Contains(got.Body, `"libpq": 0`) || !strings.Contains(got.Body, `"libpq": `) {
				t.Errorf("GET / = %s, want the linked libpq's version", got.Body)
			}
			if out := h.b.must(t, h.ctx, "inspect", "--type", "image", "localhost/pyimg-e2e-generate/"+name); strings.Contains(out, pass) {
				t.Errorf("the index password is in the image's configuration or history")
			}
		})
	}
	t.Run("naive", func(t *testing.T) {
		dir := t.TempDir()
		naive := "FROM " + genBaseTag + "\nARG PIP_INDEX_URL\nWORKDIR /app\nCOPY . .\n" +
			"RUN --mount=type=secret,id=netrc,target=/root/.netrc apt-get update && apt-get install -y libpq5 python3-venv && python3 -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt\n" +
			"ENV PATH=/opt/venv/bin:$PATH PORT=8000\nCMD [\"python\", \"app.py\"]\n"
		for name, content := range map[string]string{"app.py": indexApp, "requirements.txt": reqs.String(), "Dockerfile": naive} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		h.build(t, "index-naive", dir, "--build-arg", "PIP_INDEX_URL="+indexURL, "--secret", "id=netrc,src="+netrc)
	})
	h.report(t)
}

// TestGenerateCExtension generates Dockerfiles for examples/c-extension-libpq,
// a setuptools project whose C extension links libpq: the builder installs
// gcc and libpq-dev ([tool.pyimg.generate] build-packages) and builds the
// project from source, its build backend (Debian's setuptools and wheel)
// coming from the local index; the runtime gets libpq5 (apt on slim, the
// copied libraries on distroless) and no compiler. The naive single-stage
// image keeps the compiler and headers.
func TestGenerateCExtension(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	if _, err := indextest.AddDebianWheels(dir); err != nil {
		skipOrFail(t, fmt.Sprintf("Debian wheels: %v (install python3-setuptools-whl python3-wheel-whl)", err))
	}
	srv := startPypiIndex(t, dir)
	h := newGenHarness(t)
	// The official python images ship Python.h; Debian's python3 on the
	// local base needs python3-dev, and its setuptools is 66, not >= 68.
	patch := func(t *testing.T, dir string) {
		t.Helper()
		p := filepath.Join(dir, "pyproject.toml")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		s := strings.Replace(string(b), `requires = ["setuptools>=68"]`, `requires = ["setuptools>=66", "wheel"]`, 1)
		s = strings.Replace(s, `build-packages = ["gcc", "libpq-dev"]`, `build-packages = ["gcc", "libpq-dev", "python3-dev"]`, 1)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range variantCases {
		t.Run(tc.variant, func(t *testing.T) {
			app := copyExample(t, "c-extension-libpq")
			patch(t, app)
			df := h.generate(t, app, tc.variant)
			if !strings.Contains(df, "pip install --no-deps .") || strings.Contains(df, "COPY . .\nUSER") {
				t.Errorf("Dockerfile does not install the project into the venv (and only there):\n%s", df)
			}
			name := "cext-" + tc.variant
			h.build(t, name, app, append(baseArgs(tc), "--build-arg", "PIP_INDEX_URL="+srv.URL+"/simple/")...)
			out := h.runAs(t, name, tc)
			if !strings.HasPrefix(out, "libpq ") || strings.HasPrefix(out, "libpq 0") {
				t.Errorf("python -m pgver printed %q, want the linked libpq's version", out)
			}
			if gcc, _ := h.b.run(h.ctx, "run", "--isolation=chroot", "pyimg-e2e-generate-ls-"+name, "--", "/opt/venv/bin/python", "-c", "import shutil; print(shutil.which('gcc'))"); strings.Contains(gcc, "/gcc") {
				t.Errorf("the runtime image has gcc: %s", gcc)
			}
		})
	}
	t.Run("naive", func(t *testing.T) {
		app := copyExample(t, "c-extension-libpq")
		patch(t, app)
		naive := "FROM " + genBaseTag + "\nARG PIP_INDEX_URL\nWORKDIR /app\nCOPY . .\n" +
			"RUN apt-get update && apt-get install -y gcc libpq-dev python3-dev libpq5 python3-venv && python3 -m venv /opt/venv && /opt/venv/bin/pip install .\n" +
			"ENV PATH=/opt/venv/bin:$PATH\nCMD [\"python\", \"-m\", \"pgver\"]\n"
		if err := os.WriteFile(filepath.Join(app, "Dockerfile"), []byte(naive), 0o644); err != nil {
			t.Fatal(err)
		}
		h.build(t, "cext-naive", app, "--build-arg", "PIP_INDEX_URL="+srv.URL+"/simple/")
	})
	h.report(t)
}
