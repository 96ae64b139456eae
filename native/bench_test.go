package native

import (
	"os"
	"testing"
)

// BenchmarkParseELF parses the host's libc.so.6 (about 2 MB, with large
// version sections).
func BenchmarkParseELF(b *testing.B) {
	data, err := os.ReadFile("/lib/x86_64-linux-gnu/libc.so.6")
	if err != nil {
		b.Skip("no /lib/x86_64-linux-gnu/libc.so.6")
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseELF(data); err != nil {
			b.Fatal(err)
		}
	}
}
