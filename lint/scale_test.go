//go:build unix

package lint_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pyimg/pyimg/dockerfile"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/lint/rules"
)

// genManyInstructions returns a single-stage Dockerfile with n instructions
// of mixed kinds, every tenth one under a suppression comment, so that the
// linter's per-finding work (suppressions, instruction lookups) is
// exercised n times.
func genManyInstructions(n int) []byte {
	var b strings.Builder
	b.WriteString("FROM python:3.12.7-slim-bookworm AS builder\n")
	for i := 1; i < n; i++ {
		if i%10 == 0 {
			b.WriteString("# pyimg: ignore=PY312\n")
		}
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, "RUN pip install pkg%d\n", i)
		case 1:
			fmt.Fprintf(&b, "ENV V%d=/opt/v%d\n", i, i)
		case 2:
			fmt.Fprintf(&b, "RUN cd /src%d && make\n", i)
		case 3:
			fmt.Fprintf(&b, "COPY f%d /app/\n", i)
		default:
			fmt.Fprintf(&b, "ARG A%d=%d\n", i, i)
		}
	}
	return []byte(b.String())
}

// genChainedStages returns n stages each built FROM the previous one,
// copying from the one before that.
func genChainedStages(n int) []byte {
	var b strings.Builder
	b.WriteString("FROM python:3.12.7-slim-bookworm AS s0\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "FROM s%d AS s%d\nENV E%d=${E0}x\n", i-1, i, i)
		if i > 1 {
			fmt.Fprintf(&b, "COPY --from=s%d /a /a\n", i-2)
		}
		b.WriteString("RUN pip install x\n")
	}
	return []byte(b.String())
}

// genChainedEnv returns one stage with n ENV instructions, each defining a
// new variable from the previous one.
func genChainedEnv(n int) []byte {
	var b strings.Builder
	b.WriteString("FROM python:3.12.7-slim-bookworm\nENV V0=/opt\n")
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "ENV V%d=${V%d}\n", i, i-1)
	}
	b.WriteString("WORKDIR $V1\n")
	return []byte(b.String())
}

// cpuTime returns the user and system CPU time of this process.
func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func lintTimed(t *testing.T, name string, src []byte, limit time.Duration) {
	t.Helper()
	l := lint.New(rules.All(nil), lint.WithToday(today), lint.WithConfig(lint.DefaultConfig()))
	start, cpu0 := time.Now(), cpuTime(t)
	if _, err := l.LintBytes(context.Background(), name, src, nil); err != nil {
		t.Fatalf("LintBytes(%s) error = %v", name, err)
	}
	// The machine running the tests may be shared: judge the CPU time this
	// process spent (GC included), not the wall clock.
	wall, cpu := time.Since(start), cpuTime(t)-cpu0
	if cpu > limit {
		t.Errorf("linting %s (%d bytes) took %v of CPU (%v wall), want < %v", name, len(src), cpu, wall, limit)
	} else {
		t.Logf("linting %s (%d bytes) took %v of CPU (%v wall)", name, len(src), cpu, wall)
	}
}

// TestLintScalesLinearly lints 100,000 instructions and 10,000 chained
// stages. Before the linear rewrite they took 60+ s; on an idle machine
// they take about 1.5 s of CPU. The limit is 3 s of CPU because a
// machine shared with other builds inflates CPU time too (the race
// detector gets ten times that).
func TestLintScalesLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode")
	}
	limit := 3 * time.Second
	if raceEnabled {
		limit *= 10
	}
	t.Run("100k-instructions", func(t *testing.T) { lintTimed(t, "100k-instructions", genManyInstructions(100_000), limit) })
	t.Run("10k-stages", func(t *testing.T) { lintTimed(t, "10k-stages", genChainedStages(10_000), limit) })
}

// TestChainedEnvMemory parses 20,000 chained ENV instructions and checks
// the bytes allocated stay bounded (each State used to copy the whole ENV
// map: 9.6 GB).
func TestChainedEnvMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping in -short mode")
	}
	src := genChainedEnv(20_000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f, err := dockerfile.Parse("Dockerfile", src)
	if err != nil {
		t.Fatalf("Parse() error = %v", err)
	}
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc > 256<<20 {
		t.Errorf("parsing 20k chained ENV allocated %d MiB, want < 256 MiB", alloc>>20)
	}
	t.Logf("parsing 20k chained ENV allocated %d MiB", alloc>>20)
	last := f.Stages[0].Instructions[len(f.Stages[0].Instructions)-1]
	if got := last.State.Env.Get("V19999"); got != "/opt" {
		t.Errorf("V19999 = %q, want /opt", got)
	}
	lintTimed(t, "20k-chained-env", src, 2*time.Second)
}
