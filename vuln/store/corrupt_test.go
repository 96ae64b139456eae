package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyimg/pyimg/vuln/osv/osvtest"
)

// TestDamagedDatabase damages a real database in many ways and checks that
// Open, Lookup and Status never panic and report damage as ErrCorrupt
// naming the file and the rebuild command.
func TestDamagedDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{}
	for i := range 300 {
		id := fmt.Sprintf("PYSEC-%d", i)
		files[id+".json"] = rec(id, "PyPI", fmt.Sprintf("pkg%d", i%40), "1.0", "")
	}
	z := osvtest.WriteZip(t, filepath.Join(dir, "all.zip"), files)
	good := filepath.Join(dir, "good.db")
	if _, err := Build(context.Background(), good, []Input{{Path: z, Origin: "test"}}, clock); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	type damage struct {
		name string
		data []byte
	}
	ds := []damage{
		{"zero-length", nil},
		{"tiny", orig[:100]},
		{"truncated half", orig[:len(orig)/2]},
		{"truncated to two pages", orig[:8192]},
		{"not a database", []byte(strings.Repeat("hello world\n", 1000))},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 60 {
		b := append([]byte(nil), orig...)
		// Overwrite a run of bytes somewhere past the meta pages, or in
		// them for every tenth case.
		start := 8192 + rng.IntN(len(b)-8192)
		if i%10 == 0 {
			start = rng.IntN(8192)
		}
		for j := start; j < min(start+1+rng.IntN(256), len(b)); j++ {
			b[j] = byte(rng.Uint32())
		}
		ds = append(ds, damage{fmt.Sprintf("garbled %d at %d", i, start), b})
	}
	for _, d := range ds {
		p := filepath.Join(dir, "damaged.db")
		if err := os.WriteFile(p, d.data, 0o644); err != nil {
			t.Fatal(err)
		}
		check := func(what string, err error) {
			if err == nil {
				return
			}
			if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrSchema) {
				t.Errorf("%s: %s = %v, want ErrCorrupt", d.name, what, err)
			}
			if errors.Is(err, ErrCorrupt) && (!strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "pyimg db update")) {
				t.Errorf("%s: %s = %v, want the path and 'pyimg db update'", d.name, what, err)
			}
		}
		db, err := Open(p)
		check("Open", err)
		if err != nil {
			if len(d.data) < minFileSize && !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s: Open = %v, want ErrCorrupt", d.name, err)
			}
			continue
		}
		_, err = db.Status()
		check("Status", err)
		for i := range 40 {
			_, err := db.Lookup("PyPI", fmt.Sprintf("pkg%d", i))
			check("Lookup", err)
		}
		db.Close()
	}
}
