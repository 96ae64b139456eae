package e2e

import (
	"archive/tar"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

func nullLogger() *log.Logger { return log.New(io.Discard, "", 0) }

// imageCases: crafted images (causes 1, 2, 3, 5, 18, 19, 20).
func imageCases() []hostileCase {
	return []hostileCase{
		{
			name: "file-and-symlink-replace-directories", cause: 1, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				upper := memLayer(t, regEnt("usr/lib/python3/site-packages", "not a directory"), symlinkEnt("var/lib/dpkg", "/nowhere"))
				return []string{"sbom", "--format", "cyclonedx-json", ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, debianBase(t), upper))}
			},
			notOut: []string{"pkg:pypi/requests", "pkg:deb/debian/openssl"},
		},
		{
			name: "root-opaque-marker", cause: 2, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				upper := memLayer(t, regEnt(".wh..wh..opq", ""), regEnt("app/main.py", "print(1)\n"))
				return []string{"analyze", "--format", "json", ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, debianBase(t), upper))}
			},
			stdout: []string{`"/app/main.py"`}, notOut: []string{"requests"},
		},
		{
			name: "hostile-entries", cause: 3, exit: 1,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				bad := memLayer(t, regEnt("../../../../tmp/pyimg-hostile-escape", "x"), regEnt("/etc/pyimg-hostile-abs", "x"),
					symlinkEnt("app/link", "../../../../../etc/shadow"))
				return []string{"analyze", ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, debianBase(t), bad))}
			},
			stdout: []string{"PY608", "PY609", "PY610", `layer 1 has entry "../../../../tmp/pyimg-hostile-escape"`, `layer 1 has link "app/link"`},
			check: func(t *testing.T, _ *hostileEnv, _ string) {
				for _, p := range []string{"/tmp/pyimg-hostile-escape", "/etc/pyimg-hostile-abs"} {
					if _, err := os.Lstat(p); err == nil {
						t.Errorf("%s exists: a hostile entry was extracted", p)
					}
				}
			},
		},
		{
			name: "local-file-without-transport", cause: 5, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				return []string{"analyze", mustWrite(t, filepath.Join(w, "x.tar"), "not an image")}
			},
			stderr: []string{"x.tar is a local file, not a registry reference", "oci-archive:"},
		},
		{
			name: "local-dir-without-transport", cause: 5, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				ociDir(t, filepath.Join(w, "layout"), imageOf(t, nil, debianBase(t)))
				return []string{"sbom", "./layout"}
			},
			stderr: []string{"./layout is a local directory", "oci:./layout"},
		},
		{
			name: "scan-json-that-is-not-an-sbom", cause: 5, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				return []string{"scan", "--db", h.db, mustWrite(t, filepath.Join(w, "sbom.json"), `{"hello": "world"}`)}
			},
			stderr: []string{"sbom.json", "not a CycloneDX or SPDX JSON document"},
		},
		{
			name: "terminal-escapes-in-image", cause: 18, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				evil := memLayer(t, regEnt("app/\x1b]0;pwned\x07\x1b[2J.bin", strings.Repeat("x", 5000)),
					regEnt("usr/lib/python3/site-packages/evil-1.0.dist-info/METADATA", "Name: evil\x1b[31m\nVersion: 1.0\x00\n"))
				img := imageOf(t, func(c *v1.ConfigFile) {
					c.Config.User = "\x1b[2J\x9b31m"
					c.History = []v1.History{{CreatedBy: "RUN \x1b]0;title\x07"}}
				}, debianBase(t), evil)
				return []string{"analyze", "--fail-on", "none", ociDir(t, filepath.Join(w, "img"), img)}
			},
			stdout: []string{`\x1b]0;pwned\x07\x1b[2J.bin`},
			notOut: []string{"\x1b", "\x9b", "\x00", "\x07"},
		},
		{
			name: "terminal-escapes-in-sbom-table", cause: 18, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				evil := memLayer(t, regEnt("usr/lib/python3/site-packages/evil-1.0.dist-info/METADATA", "Name: evil\x1b]0;x\x07\nVersion: 1.0\n"))
				return []string{"sbom", ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, debianBase(t), evil))}
			},
			notOut: []string{"\x1b", "\x07"},
		},
		{
			name: "config-not-json", cause: 19, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				ref := ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, debianBase(t)))
				rewriteConfig(t, filepath.Join(w, "img"), `{"rootfs": {"diff_ids": 7}, "config": "x"}`)
				return []string{"analyze", ref}
			},
			stderr: []string{"parsing config", "invalid image"},
		},
		{
			name: "layout-blob-symlinked-outside", cause: 19, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				img := imageOf(t, nil, debianBase(t))
				ref := ociDir(t, filepath.Join(w, "img"), img)
				ls, _ := img.Layers()
				d, _ := ls[0].Digest()
				blob := filepath.Join(w, "img", "blobs", d.Algorithm, d.Hex)
				outside := filepath.Join(w, "elsewhere")
				if err := os.Rename(blob, outside); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(outside, blob); err != nil {
					t.Fatal(err)
				}
				return []string{"analyze", ref}
			},
			stderr: []string{"blobs/sha256/", "leads outside the layout directory"},
		},
		{
			name: "oci-transport-on-a-file", cause: 19, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				return []string{"analyze", "oci:" + mustWrite(t, filepath.Join(w, "image.tar"), "x")}
			},
			stderr: []string{"image.tar is a file, not an OCI layout directory", "oci-archive:"},
		},
		{
			name: "more-diff-ids-than-layers", cause: 20, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				img := imageOf(t, func(c *v1.ConfigFile) { c.RootFS.DiffIDs = append(c.RootFS.DiffIDs, c.RootFS.DiffIDs[0]) }, debianBase(t))
				return []string{"sbom", ociDir(t, filepath.Join(w, "img"), img)}
			},
			stderr: []string{"config lists 2 diff_ids for the manifest's 1 layers"},
		},
		{
			name: "negative-layer-size", cause: 20, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				ref := ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, debianBase(t)))
				rewriteManifest(t, filepath.Join(w, "img"), func(m map[string]any) {
					m["layers"].([]any)[0].(map[string]any)["size"] = -5
				})
				return []string{"analyze", ref}
			},
			stderr: []string{"negative size (-5)"},
		},
	}
}

// fileCases: Dockerfiles, configs, ignore files and databases (causes 4,
// 6, 7, 8, 9, 19, 21).
func fileCases() []hostileCase {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	cs := []hostileCase{
		{
			name: "from-bad-digest-lint", cause: 4, exit: 1,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				return []string{"lint", mustWrite(t, filepath.Join(w, "Dockerfile"), "FROM python:3.12-slim@sha256:zzzz\nUSER 1000\n")}
			},
			stdout: []string{"PY109", "invalid"},
		},
		{
			name: "from-path-climbing-lint", cause: 4, exit: 1,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				return []string{"lint", mustWrite(t, filepath.Join(w, "Dockerfile"), "FROM ../../etc/passwd:latest\n")}
			},
			stdout: []string{"PY109"}, notOut: []string{"pyimg pin"},
		},
		{
			name: "from-bad-digest-pin", cause: 4, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				return []string{"pin", "--check", mustWrite(t, filepath.Join(w, "Dockerfile"), "FROM python:3.12-slim@sha256:zzzz\n")}
			},
			stderr: []string{"Dockerfile:1: FROM", "invalid image reference"},
		},
		{
			name: "from-scheme-pin", cause: 4, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				return []string{"pin", "--dry-run", mustWrite(t, filepath.Join(w, "Dockerfile"), "FROM http://evil.example/x:1\n")}
			},
			stderr: []string{"Dockerfile:1: FROM", "no scheme"},
		},
		{
			name: "osv-unparsable-fixed", cause: 6, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				return []string{"scan", "--db", h.db, ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, debianBase(t)))}
			},
			stderr: []string{"OSV record DSA-1: fixed version \"zzzz-not-a-version\""},
		},
		{
			name: "dockerfile-symlink-to-dev-zero", cause: 8, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				p := filepath.Join(w, "Dockerfile")
				if err := os.Symlink("/dev/zero", p); err != nil {
					t.Fatal(err)
				}
				return []string{"lint", p}
			},
			stderr: []string{"Dockerfile", "a character device"},
		},
		{
			name: "dockerfile-4gib-sparse-pin", cause: 8, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				p := filepath.Join(w, "Dockerfile")
				sparseFile(t, p, 4<<30)
				return []string{"pin", "--dry-run", p}
			},
			stderr: []string{"Dockerfile", "over the limit of 10485760 bytes"},
		},
		{
			name: "lint-config-symlink-to-dev-zero", cause: 8, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				df := mustWrite(t, filepath.Join(w, "Dockerfile"), "FROM python:3.13.9-slim-trixie\n")
				if err := os.Symlink("/dev/zero", filepath.Join(w, ".pyimg.toml")); err != nil {
					t.Fatal(err)
				}
				return []string{"lint", df}
			},
			stderr: []string{".pyimg.toml", "a character device"},
		},
		{
			name: "ignore-file-sparse", cause: 8, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				p := filepath.Join(w, "ignore.yaml")
				sparseFile(t, p, 4<<30)
				return []string{"scan", "--db", h.db, "--ignore-file", p, ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, debianBase(t)))}
			},
			stderr: []string{"ignore.yaml", "over the limit"},
		},
		{
			name: "toml-3m-nested-arrays", cause: 9, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				mustWrite(t, filepath.Join(w, ".pyimg.toml"), "[lint]\nx = "+deep("[", "]", 3_000_000)+"\n")
				return []string{"lint", mustWrite(t, filepath.Join(w, "Dockerfile"), "FROM python:3.13.9-slim-trixie\n")}
			},
			stderr: []string{".pyimg.toml:2: arrays and tables nest more than 64 levels deep"},
		},
		{
			name: "toml-200k-nested-inline-tables", cause: 9, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				p := mustWrite(t, filepath.Join(w, "pyproject.toml"), "[tool.pyimg.scan]\nx = "+deep("{a=", "}", 200_000)+"\n")
				return []string{"scan", "--db", h.db, "--ignore-file", p, ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, debianBase(t)))}
			},
			stderr: []string{"pyproject.toml:2: arrays and tables nest more than 64 levels deep"},
		},
		{
			name: "run-1m-nested-subshells", cause: 9, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				// Continuation lines keep each physical line under BuildKit's
				// 64 KiB; the RUN script nests a million levels.
				script := deep("$(", ")", 1_000_000)
				var b strings.Builder
				b.WriteString("FROM python:3.13.9-slim-trixie\nRUN ")
				for len(script) > 30_000 {
					b.WriteString(script[:30_000] + "\\\n")
					script = script[30_000:]
				}
				b.WriteString(script + "\n")
				return []string{"lint", "--fail-on", "none", mustWrite(t, filepath.Join(w, "Dockerfile"), b.String())}
			},
		},
		{
			name: "pin-on-a-directory", cause: 19, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				if err := os.MkdirAll(filepath.Join(w, "proj", "Dockerfile"), 0o755); err != nil {
					t.Fatal(err)
				}
				return []string{"pin", "--dry-run", filepath.Join(w, "proj")}
			},
			stderr: []string{"Dockerfile", "a directory"},
		},
		{
			name: "first-line-over-64k", cause: 21, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				return []string{"lint", mustWrite(t, filepath.Join(w, "Dockerfile"), "FROM python:3.12 "+strings.Repeat("A", 70_000)+"\nRUN true\n")}
			},
			stderr: []string{"Dockerfile:1: line is 70017 bytes, over the limit of 65535 bytes"},
		},
	}
	for _, d := range []struct{ name, data string }{
		{"zero-length", ""},
		{"garbage", strings.Repeat("not a database ", 1000)},
	} {
		cs = append(cs,
			hostileCase{
				name: "db-status-" + d.name, cause: 7, exit: 2,
				setup: func(t *testing.T, h *hostileEnv, w string) []string {
					return []string{"db", "status", "--db", mustWrite(t, filepath.Join(w, "osv.db"), d.data)}
				},
				stderr: []string{"osv.db is damaged", "pyimg db update"},
			},
			hostileCase{
				name: "scan-db-" + d.name, cause: 7, exit: 2,
				setup: func(t *testing.T, h *hostileEnv, w string) []string {
					db := mustWrite(t, filepath.Join(w, "osv.db"), d.data)
					return []string{"scan", "--db", db, ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, debianBase(t)))}
				},
				stderr: []string{"osv.db is damaged", "pyimg db update"},
			})
	}
	cs = append(cs, hostileCase{
		name: "db-truncated-pages", cause: 7, exit: 2,
		setup: func(t *testing.T, h *hostileEnv, w string) []string {
			b, err := os.ReadFile(h.db)
			if err != nil {
				t.Fatal(err)
			}
			// Keep the meta pages, garble every page after them.
			for i := 8192; i < len(b); i++ {
				b[i] = byte(i * 7)
			}
			db := mustWrite(t, filepath.Join(w, "osv.db"), string(b))
			return []string{"scan", "--db", db, ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, debianBase(t)))}
		},
		stderr: []string{"osv.db", "pyimg db update"},
	})
	return cs
}

// registryCases: a registry that never answers and references never sent
// (causes 4, 17, 10, 21).
func registryCases() []hostileCase {
	return []hostileCase{
		{
			name: "registry-never-answers-analyze", cause: 17, exit: 3,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				s := newSilentServer(t)
				return []string{"analyze", "--timeout", "1s", s.addr() + "/app:1.0"}
			},
			stderr: []string{"127.0.0.1:", "timed out after 1s"},
		},
		{
			name: "registry-never-answers-pin", cause: 17, exit: 3,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				s := newSilentServer(t)
				return []string{"pin", "--timeout", "1s", "--cache-ttl", "0", "--dry-run",
					mustWrite(t, filepath.Join(w, "Dockerfile"), "FROM "+s.addr()+"/app:1.0\n")}
			},
			stderr: []string{"127.0.0.1:", "timed out after 1s"},
		},
		{
			name: "nul-reference-never-sent", cause: 4, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				s := newSilentServer(t)
				t.Cleanup(func() {
					if n := s.conns.Load(); n != 0 {
						t.Errorf("%d connections to the registry for a reference with NUL", n)
					}
				})
				return []string{"pin", "--timeout", "1s", "--dry-run",
					mustWrite(t, filepath.Join(w, "Dockerfile"), "ARG R=\""+s.addr()+"/a\x00b\"\nFROM ${R}:1\n")}
			},
			stderr: []string{"Dockerfile"},
		},
		{
			name: "pin-dry-run-10k-stages", cause: 10, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				var b strings.Builder
				for i := range 10_000 {
					fmt.Fprintf(&b, "FROM %s/app:1.0 AS s%d\nRUN true\n", h.regHost, i)
				}
				return []string{"pin", "--dry-run", "--cache-ttl", "0", mustWrite(t, filepath.Join(w, "Dockerfile"), b.String())}
			},
			stdout: []string{"+FROM " + "127.0.0.1"},
		},
		{
			name: "pin-removes-stale-temporaries", cause: 21, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				stale := mustWrite(t, filepath.Join(w, ".Dockerfile.pyimg-12345"), "torn write")
				old := time.Now().Add(-time.Hour)
				if err := os.Chtimes(stale, old, old); err != nil {
					t.Fatal(err)
				}
				return []string{"pin", "--cache-ttl", "0", mustWrite(t, filepath.Join(w, "Dockerfile"), "FROM "+h.regHost+"/app:1.0\n")}
			},
			check: func(t *testing.T, _ *hostileEnv, w string) {
				if _, err := os.Stat(filepath.Join(w, ".Dockerfile.pyimg-12345")); err == nil {
					t.Error("the stale temporary file is still there")
				}
				if b, _ := os.ReadFile(filepath.Join(w, "Dockerfile")); !strings.Contains(string(b), "@sha256:") {
					t.Errorf("Dockerfile not pinned: %q", b)
				}
			},
		},
	}
}

// resourceCases: inputs that cost memory or time (causes 13, 14, 16).
func resourceCases() []hostileCase {
	zeros := make([]byte, 1<<20)
	return []hostileCase{
		{
			name: "status-d-and-metadata-bodies", cause: 13, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				stanza := []byte("Description: " + strings.Repeat("x", 60) + "\n " + strings.Repeat("y", 70) + "\n")
				l := fileLayer(t, filepath.Join(w, "layer.tar.gz"), func(tw *tar.Writer) error {
					for i := range 600 {
						head := fmt.Sprintf("Package: p%d\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.%d\n", i, i)
						body := append([]byte(head), []byte(strings.Repeat(string(stanza), (1<<20)/len(stanza)))...)
						if err := writeFile(tw, fmt.Sprintf("var/lib/dpkg/status.d/p%d", i), int64(len(body)), body); err != nil {
							return err
						}
					}
					for i := range 2000 {
						head := fmt.Sprintf("Metadata-Version: 2.1\nName: m%d\nVersion: 1.0\nSummary: %s\n\n", i, strings.Repeat("s", 100))
						body := append([]byte(head), []byte(strings.Repeat("long description line\n", (256<<10)/22))...)
						if err := writeFile(tw, fmt.Sprintf("usr/lib/python3/site-packages/m%d-1.0.dist-info/METADATA", i), int64(len(body)), body); err != nil {
							return err
						}
					}
					return nil
				})
				return []string{"sbom", "--format", "cyclonedx-json", ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, l))}
			},
			stdout: []string{"pkg:deb/debian/p599@1.599", "pkg:pypi/m1999@1.0"},
		},
		{
			name: "record-with-4m-absent-paths", cause: 13, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				l := fileLayer(t, filepath.Join(w, "layer.tar.gz"), func(tw *tar.Writer) error {
					for d := range 16 {
						var b strings.Builder
						for i := range 250_000 {
							fmt.Fprintf(&b, "gone/dir%d/module_%08d.py,sha256=abc,12\n", d, i)
						}
						body := []byte(b.String())
						dir := fmt.Sprintf("usr/lib/python3/site-packages/r%d-1.0.dist-info/", d)
						if err := writeFile(tw, dir+"METADATA", 32, []byte(fmt.Sprintf("Name: r%d\nVersion: 1.0\n%s", d, strings.Repeat(" ", 32)))); err != nil {
							return err
						}
						if err := writeFile(tw, dir+"RECORD", int64(len(body)), body); err != nil {
							return err
						}
					}
					return nil
				})
				return []string{"analyze", "--format", "json", ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, l))}
			},
			stdout: []string{`"r15"`},
		},
		{
			name: "sbom-300k-components", cause: 14, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				f, err := os.Create(filepath.Join(w, "big.cdx.json"))
				if err != nil {
					t.Fatal(err)
				}
				fmt.Fprint(f, `{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [`)
				for i := range 300_000 {
					if i > 0 {
						fmt.Fprint(f, ",")
					}
					fmt.Fprintf(f, `{"type": "library", "name": "p%d", "version": "1.0", "purl": "pkg:pypi/p%d@1.0", "description": "%s"}`, i, i, strings.Repeat("d", 200))
				}
				fmt.Fprint(f, "]}")
				f.Close()
				return []string{"scan", "--db", h.db, "big.cdx.json"}
			},
			stdout: []string{"PYSEC-2"},
		},
		{
			name: "same-bomb-in-20-layers", cause: 16, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				bomb := fileLayer(t, filepath.Join(w, "bomb.tar.gz"), func(tw *tar.Writer) error {
					return writeFile(tw, "zeros", 256<<20, zeros)
				})
				var ls []v1.Layer
				for range 20 {
					ls = append(ls, bomb)
				}
				return []string{"analyze", "--max-image-bytes", "1GiB", ociDir(t, filepath.Join(w, "img"), imageOf(t, nil, ls...))}
			},
			stderr: []string{"decompressed size of the whole image (all layers) exceeds limit 1 GiB", "layer "},
		},
	}
}

// lintCases: Dockerfiles that cost the model and lint memory or time
// (causes 11, 12, 15).
func lintCases() []hostileCase {
	return []hostileCase{
		{
			name: "20k-chained-env", cause: 11, exit: 0,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				var b strings.Builder
				b.WriteString("FROM python:3.13.9-slim-trixie\n")
				for i := range 20_000 {
					fmt.Fprintf(&b, "ENV V%d=value%d\n", i, i)
				}
				return []string{"lint", "--fail-on", "none", mustWrite(t, filepath.Join(w, "Dockerfile"), b.String())}
			},
		},
		{
			name: "20k-self-extending-env", cause: 12, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				var b strings.Builder
				b.WriteString("FROM python:3.13.9-slim-trixie\n")
				for i := range 20_000 {
					fmt.Fprintf(&b, "ENV V%d=${V%d}x\n", i+1, i)
				}
				return []string{"lint", "--fail-on", "none", mustWrite(t, filepath.Join(w, "Dockerfile"), b.String())}
			},
			stderr: []string{"Dockerfile:", "expands to more than"},
		},
		{
			name: "40-doubling-args", cause: 12, exit: 2,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				var b strings.Builder
				b.WriteString("ARG A0=xxxxxxxxxx\n")
				for i := range 40 {
					fmt.Fprintf(&b, "ARG A%d=${A%d}${A%d}\n", i+1, i, i)
				}
				b.WriteString("FROM python:3.13.9-slim-trixie\nARG A40\nRUN echo $A40\n")
				return []string{"lint", mustWrite(t, filepath.Join(w, "Dockerfile"), b.String())}
			},
			stderr: []string{"Dockerfile:", "expands to more than"},
		},
		{
			name: "100k-run-lines", cause: 15, exit: 0, maxTime: 30 * time.Second,
			setup: func(t *testing.T, h *hostileEnv, w string) []string {
				var b strings.Builder
				b.WriteString("FROM python:3.13.9-slim-trixie\n")
				for i := range 100_000 {
					fmt.Fprintf(&b, "RUN echo %d\n", i)
				}
				return []string{"lint", "--fail-on", "none", mustWrite(t, filepath.Join(w, "Dockerfile"), b.String())}
			},
		},
	}
}
