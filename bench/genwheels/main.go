// Command genwheels writes the inputs of the build benchmark: N pure wheels
// padded with incompressible data (each with a console script), a
// requirements.txt pinning them with hashes, and a small project.
//
//	go run ./bench/genwheels -o DIR -n 30 -size 2097152
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyimg/pyimg/internal/wheeltest"
)

func main() {
	out := flag.String("o", "", "output directory (wheels/, project/)")
	n := flag.Int("n", 30, "number of wheels")
	size := flag.Int("size", 2<<20, "bytes of incompressible padding per wheel")
	flag.Parse()
	if *out == "" {
		log.Fatal("-o is required")
	}
	wheels := filepath.Join(*out, "wheels")
	proj := filepath.Join(*out, "project")
	for _, d := range []string{wheels, filepath.Join(proj, "src", "benchapp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			log.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var req strings.Builder
	for i := range *n {
		name := fmt.Sprintf("benchdep%02d", i)
		pad := make([]byte, *size)
		for j := range pad {
			pad[j] = byte(rng.Uint32())
		}
		files := map[string]string{name + "/__init__.py": "def main():\n    print(" + fmt.Sprintf("%q", name) + ")\n", name + "/data.bin": string(pad)}
		for k := range 20 {
			files[fmt.Sprintf("%s/mod%02d.py", name, k)] = strings.Repeat("# padding line of python source\n", 200)
		}
		p, err := wheeltest.Pure(wheels, wheeltest.Spec{Name: name, Version: "1.0", Files: files, ConsoleScripts: map[string]string{name: name + ":main"}})
		if err != nil {
			log.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			log.Fatal(err)
		}
		sum := sha256.Sum256(b)
		fmt.Fprintf(&req, "%s==1.0 --hash=sha256:%s\n", name, hex.EncodeToString(sum[:]))
	}
	write := func(rel, content string) {
		if err := os.WriteFile(filepath.Join(proj, rel), []byte(content), 0o644); err != nil {
			log.Fatal(err)
		}
	}
	write("requirements.txt", req.String())
	write("pyproject.toml", "[project]\nname = \"benchapp\"\nversion = \"1.0\"\n\n[project.scripts]\nbenchapp = \"benchapp:main\"\n")
	write("src/benchapp/__init__.py", "def main():\n    print('benchapp')\n")
}
