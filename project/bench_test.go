package project

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// bigUVLock is a uv.lock with n packages of 6 wheels each, the size of a
// large real project's lock.
func bigUVLock(n int) []byte {
	var b strings.Builder
	b.WriteString("version = 1\nrevision = 2\nrequires-python = \">=3.12\"\n")
	for i := range n {
		fmt.Fprintf(&b, "\n[[package]]\nname = \"pkg%d\"\nversion = \"1.%d.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n", i, i)
		fmt.Fprintf(&b, "sdist = { url = \"https://files.example/pkg%d-1.%d.0.tar.gz\", hash = \"sha256:%064x\", size = 1000 }\nwheels = [\n", i, i, i)
		for _, plat := range []string{"manylinux_2_17_x86_64", "manylinux_2_17_aarch64", "musllinux_1_2_x86_64", "musllinux_1_2_aarch64", "macosx_11_0_arm64", "win_amd64"} {
			fmt.Fprintf(&b, "    { url = \"https://files.example/pkg%d-1.%d.0-cp312-cp312-%s.whl\", hash = \"sha256:%064x\", size = 2000 },\n", i, i, plat, i+1)
		}
		b.WriteString("]\n")
	}
	return []byte(b.String())
}

func BenchmarkParseUVLock(b *testing.B) {
	data := bigUVLock(1000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseUVLock("uv.lock", data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDetectExample(b *testing.B) {
	dir := filepath.Join("..", "examples", "fastapi-uv")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Detect(dir); err != nil {
			b.Fatal(err)
		}
	}
}
