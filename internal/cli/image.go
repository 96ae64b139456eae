package cli

import (
	"context"
	"fmt"

	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/layers"
)

// imageFlags are the flags of every command that reads an image's layers.
type imageFlags struct {
	platform    string
	insecure    bool
	concurrency int
}

// openImage opens ref for the --platform, saying on stderr which platform
// was picked from an index. Errors are classified for the exit code.
func (a *app) openImage(ctx context.Context, ref string, fl imageFlags) (*image.Image, error) {
	plat, err := image.ParsePlatform(fl.platform)
	if err != nil {
		return nil, usageError(fmt.Errorf("--platform: %w", err))
	}
	img, err := image.Open(ctx, ref, image.WithPlatform(plat), image.WithInsecure(fl.insecure), image.WithUserAgent("pyimg/"+a.env.Version))
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
	var opts []layers.Option
	if fl.concurrency > 0 {
		opts = append(opts, layers.WithConcurrency(fl.concurrency))
	}
	opts = append(opts, layers.WithBlobAt(img.BlobAt))
	bar := a.newProgress(img.Ref)
	if bar != nil {
		opts = append(opts, layers.WithProgress(bar.update))
	}
	err := layers.Walk(ctx, img.Image, visitors, opts...)
	if bar != nil {
		bar.finish(err == nil)
	}
	if err != nil {
		return imageError(fmt.Errorf("reading %s: %w", img.Ref, err))
	}
	return nil
}
