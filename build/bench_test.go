package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/internal/wheeltest"
)

// benchInputs writes n wheels of about size bytes of incompressible
// padding each, locked in a project, over the small test base.
func benchInputs(b *testing.B, n, size int) *fixture {
	b.Helper()
	root := b.TempDir()
	f := &fixture{base: testBase(b), project: filepath.Join(root, "proj"), wheels: filepath.Join(root, "wheels")}
	for _, d := range []string{f.wheels, filepath.Join(f.project, "src", "benchapp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var req strings.Builder
	for i := range n {
		name := fmt.Sprintf("dep%02d", i)
		pad := make([]byte, size)
		for j := range pad {
			pad[j] = byte(rng.Uint32())
		}
		p, err := wheeltest.Pure(f.wheels, wheeltest.Spec{Name: name, Version: "1.0", Files: map[string]string{name + "/__init__.py": "", name + "/pad.bin": string(pad)},
			ConsoleScripts: map[string]string{name: name + ":main"}})
		if err != nil {
			b.Fatal(err)
		}
		data, _ := os.ReadFile(p)
		sum := sha256.Sum256(data)
		fmt.Fprintf(&req, "%s==1.0 --hash=sha256:%s\n", name, hex.EncodeToString(sum[:]))
	}
	files := map[string]string{
		"requirements.txt":         req.String(),
		"pyproject.toml":           "[project]\nname = \"benchapp\"\nversion = \"1.0\"\n",
		"src/benchapp/__init__.py": "",
	}
	for rel, c := range files {
		if err := os.WriteFile(filepath.Join(f.project, rel), []byte(c), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return f
}

func benchRun(b *testing.B, f *fixture, cache string) {
	b.Helper()
	out := filepath.Join(b.TempDir(), "img.tar")
	_, err := Run(context.Background(), f.project, WithBase(f.base), WithCacheDir(cache),
		WithResolver(NewResolverFactory(Sources{Wheelhouses: []string{f.wheels}})),
		WithOutput(Output{Transport: OutputOCIArchive, Path: out}))
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkBuild builds a project locking 30 wheels (~60 MB): cold (empty
// cache: every wheel verified, installed and compressed) and warm (the
// dependency layer reused; wheels still hashed against the lock).
func BenchmarkBuild(b *testing.B) {
	f := benchInputs(b, 30, 2<<20)
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			benchRun(b, f, b.TempDir())
		}
	})
	b.Run("warm", func(b *testing.B) {
		cache := b.TempDir()
		benchRun(b, f, cache)
		b.ResetTimer()
		for b.Loop() {
			benchRun(b, f, cache)
		}
	})
}
