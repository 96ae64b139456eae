// Command pyimg lints Python Dockerfiles and analyzes Python container images.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/pyimg/pyimg/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Execute(ctx, cli.Env{}, os.Args[1:])
	stop()
	os.Exit(code)
}
