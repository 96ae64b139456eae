// Command e2e-fixtures builds (or finds in the cache) the images the
// end-to-end tests use and prints the cache directory. scripts/build-fixtures.sh
// runs it; the tests build the same set on demand.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/pyimg/pyimg/e2e/internal/fixtures"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	set, err := fixtures.Ensure(ctx, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "fixtures %s (built in %.0fs with the %s driver)\n", set.Version, set.BuildSeconds, set.StorageDriver)
	fmt.Println(set.Dir)
}
