//go:build unix

package vuln_test

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/vuln"
	"github.com/pyimg/pyimg/vuln/store"
)

// Synthetic data for BenchmarkMatch: advisories spread over Debian source
// packages and PyPI projects as in the real feeds (several per name), and an
// inventory of 10k packages that all have advisories (6 per Debian source, 2
// per PyPI project: 44k records decoded and evaluated, ~21k matches), a
// worst case well beyond real images.
const (
	benchAdvisories = 200_000
	benchPackages   = 10_000
	benchDebNames   = 20_000 // 120k Debian advisories over 20k sources: 6 each
	benchPyNames    = 40_000 // 80k PyPI advisories over 40k projects: 2 each
)

var (
	benchOnce sync.Once
	benchDB   string
	benchErr  error
	benchTook time.Duration
)

// buildBenchDB writes the synthetic advisories as an OSV zip and imports it.
func buildBenchDB(b testing.TB) string {
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "pyimg-vuln-bench")
		if err != nil {
			benchErr = err
			return
		}
		zp := filepath.Join(dir, "all.zip")
		f, err := os.Create(zp)
		if err != nil {
			benchErr = err
			return
		}
		zw := zip.NewWriter(f)
		for i := range benchAdvisories {
			var rec string
			if i < 120_000 {
				src := i % benchDebNames
				// Fixed versions vary so some installed versions are affected.
				rec = fmt.Sprintf(`{"id":"DEBIAN-CVE-2024-%06d","modified":"2024-05-01T00:00:00Z","aliases":["CVE-2024-%06d"],"details":"synthetic","affected":[{"package":{"ecosystem":"Debian:12","name":"src%d"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.%d-1+deb12u1"}]}]}]}`, i, i, src, i%7)
			} else {
				j := i - 120_000
				rec = fmt.Sprintf(`{"id":"PYSEC-2024-%06d","modified":"2024-05-01T00:00:00Z","aliases":["CVE-2023-%06d"],"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}],"affected":[{"package":{"ecosystem":"PyPI","name":"proj-%d"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"1.0"},{"fixed":"2.%d.0"}]}],"versions":["1.0","1.1","2.0.0"]}]}`, j, j, j%benchPyNames, j%5)
			}
			w, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%d.json", i), Method: zip.Deflate})
			if err != nil {
				benchErr = err
				return
			}
			w.Write([]byte(rec))
		}
		zw.Close()
		f.Close()
		benchDB = filepath.Join(dir, "osv.db")
		start := time.Now()
		_, benchErr = store.Build(context.Background(), benchDB, []store.Input{{Path: zp}})
		benchTook = time.Since(start)
		os.Remove(zp)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDB
}

func benchInventory() *inventory.Inventory {
	inv := &inventory.Inventory{Distro: inventory.Distro{ID: "debian", VersionID: "12"}}
	for i := range benchPackages * 6 / 10 {
		src := fmt.Sprintf("src%d", i*3%(benchDebNames*3))
		inv.Packages = append(inv.Packages, inventory.Package{
			Ecosystem: inventory.EcosystemDebian, Name: fmt.Sprintf("lib%d", i), Version: fmt.Sprintf("1.%d-1", i%9),
			SourceName: src, SourceVersion: fmt.Sprintf("1.%d-1", i%9),
		})
	}
	for i := range benchPackages * 4 / 10 {
		inv.Packages = append(inv.Packages, inventory.Package{
			Ecosystem: inventory.EcosystemPyPI, Name: fmt.Sprintf("proj-%d", i*3%(benchPyNames*3)), Version: fmt.Sprintf("%d.%d.0", 1+i%2, i%6),
		})
	}
	return inv
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func maxRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // KiB on Linux
}

// BenchmarkMatch matches 10k packages against 200k advisories in the bbolt
// store (the build is not timed; it is logged). It reports matches found
// the CPU time per op (wall time is unreliable on shared machines) and the
// process's peak RSS.
func BenchmarkMatch(b *testing.B) {
	path := buildBenchDB(b)
	b.Logf("built %d advisories in %v", benchAdvisories, benchTook)
	inv := benchInventory()
	runtime.GC()
	b.ResetTimer()
	cpu0 := cpuTime()
	var n int
	for b.Loop() {
		db, err := store.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		res, err := vuln.MatchInventory(context.Background(), inv, db)
		if err != nil {
			b.Fatal(err)
		}
		n = len(res.Matches)
		db.Close()
	}
	// CPU time per op stays meaningful on a loaded machine, unlike ns/op.
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(n), "matches")
	b.ReportMetric(maxRSS(), "peak-RSS-MB")
	if fi, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(fi.Size())/1e6, "db-MB")
	}
}
