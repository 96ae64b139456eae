package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/pyimg/pyimg/internal/httptimeout"

	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/layers"
)

// imageFlags are the flags of every command that reads an image's layers.
type imageFlags struct {
	platform    string
	insecure    bool
	concurrency int
	limits      imageLimitFlags
}

// imageLimitFlags bound what reading one image may cost.
type imageLimitFlags struct {
	timeout    time.Duration
	maxBytes   string
	maxEntries int64
}

func (fl *imageLimitFlags) register(f *pflag.FlagSet) {
	f.DurationVar(&fl.timeout, "timeout", httptimeout.Default, "registry deadline for each phase of a request: connecting, waiting for response headers, waiting for more body bytes")
	f.StringVar(&fl.maxBytes, "max-image-bytes", "32GiB", "decompressed size of all layers together before giving up (e.g. 64GiB; -1 for no limit)")
	f.Int64Var(&fl.maxEntries, "max-image-entries", layers.DefaultMaxImageEntries, "tar entries of all layers together before giving up (-1 for no limit)")
}

// orDefault returns the flags' defaults for commands that do not register
// them (the zero value would be an invalid timeout and entry count).
func (fl imageLimitFlags) orDefault() imageLimitFlags {
	if fl == (imageLimitFlags{}) {
		return imageLimitFlags{timeout: httptimeout.Default, maxBytes: "", maxEntries: layers.DefaultMaxImageEntries}
	}
	return fl
}

// walkOptions turns the flags into the whole-image budget.
func (fl imageLimitFlags) walkOptions() ([]layers.Option, error) {
	fl = fl.orDefault()
	lim := layers.ImageLimits{MaxEntries: fl.maxEntries}
	switch s := strings.TrimSpace(fl.maxBytes); s {
	case "", "0":
	case "-1":
		lim.MaxBytes = -1
	default:
		n, err := parseBytes(s)
		if err != nil || n <= 0 {
			return nil, usageError(fmt.Errorf("--max-image-bytes %q: want a size such as 32GiB, or -1", fl.maxBytes))
		}
		lim.MaxBytes = n
	}
	if fl.maxEntries == 0 || fl.maxEntries < -1 {
		return nil, usageError(fmt.Errorf("--max-image-entries %d: want a positive count, or -1", fl.maxEntries))
	}
	return []layers.Option{layers.WithImageLimits(lim)}, nil
}

// openImage opens ref for the --platform, saying on stderr which platform
// was picked from an index. Errors are classified for the exit code.
func (a *app) openImage(ctx context.Context, ref string, fl imageFlags) (*image.Image, error) {
	plat, err := image.ParsePlatform(fl.platform)
	if err != nil {
		return nil, usageError(fmt.Errorf("--platform: %w", err))
	}
	fl.limits = fl.limits.orDefault()
	if fl.limits.timeout <= 0 {
		return nil, usageError(fmt.Errorf("--timeout %s: want a positive duration", fl.limits.timeout))
	}
	if _, err := fl.limits.walkOptions(); err != nil {
		return nil, err
	}
	img, err := image.Open(ctx, ref, image.WithPlatform(plat), image.WithInsecure(fl.insecure),
		image.WithUserAgent("pyimg/"+a.env.Version), image.WithTimeout(fl.limits.timeout))
	if err != nil {
		return nil, imageError(err)
	}
	if img.IndexDigest != nil {
		fmt.Fprintf(a.env.Stderr, "picked %s (%s) from index %s\n", platformName(img), img.Digest, img.IndexDigest)
	}
	return img, nil
}

// walkImage streams img's layers once through every visitor, with a
// progress bar when stderr is a terminal.
func (a *app) walkImage(ctx context.Context, img *image.Image, fl imageFlags, visitors ...layers.Visitor) error {
	opts, err := fl.limits.walkOptions()
	if err != nil {
		return err
	}
	if fl.concurrency > 0 {
		opts = append(opts, layers.WithConcurrency(fl.concurrency))
	}
	opts = append(opts, layers.WithBlobAt(img.BlobAt))
	bar := a.newProgress(img.Ref)
	if bar != nil {
		opts = append(opts, layers.WithProgress(bar.update))
	}
	err = layers.Walk(ctx, img.Image, visitors, opts...)
	if bar != nil {
		bar.finish(err == nil)
	}
	if err != nil {
		return imageError(fmt.Errorf("reading %s: %w", img.Ref, err))
	}
	return nil
}

// imageInventory lists the packages of an opened image in one pass (with
// the progress bar and the error classification of walkImage).
func (a *app) imageInventory(ctx context.Context, img *image.Image, fl imageFlags) (*inventory.Inventory, error) {
	v := inventory.New(img.Config, inventory.WithFiles(false))
	if err := a.walkImage(ctx, img, fl, v); err != nil {
		return nil, err
	}
	inv, err := v.Result()
	if err != nil {
		return nil, runtimeError(fmt.Errorf("listing packages of %s: %w", img.Ref, err))
	}
	return inv, nil
}
