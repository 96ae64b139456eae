//go:build unix

package layers

import (
	"syscall"
	"testing"
	"time"
)

// cpuMeter reports the process's CPU time per op, which, unlike wall time,
// stays meaningful on a loaded machine.
type cpuMeter struct{ start time.Duration }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuMeter { return cpuMeter{cpuTime()} }

// report adds cpu-ms/op and MB/cpu-s (uncompressed bytes per CPU second).
func (m cpuMeter) report(b *testing.B, bytes int64) {
	d := cpuTime() - m.start
	if d <= 0 || b.N == 0 {
		return
	}
	b.ReportMetric(float64(d.Milliseconds())/float64(b.N), "cpu-ms/op")
	b.ReportMetric(float64(bytes)*float64(b.N)/1e6/d.Seconds(), "MB/cpu-s")
}
