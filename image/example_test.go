package image_test

import (
	"context"
	"fmt"
	"io"
	"log"

	"github.com/pyimg/pyimg/image"
)

func ExampleOpen() {
	ctx := context.Background()
	p, err := image.ParsePlatform("linux/arm64")
	if err != nil {
		log.Fatal(err)
	}
	img, err := image.Open(ctx, "oci-archive:app.tar:app:1.0", image.WithPlatform(p), image.WithUserAgent("pyimg/1.0.0"))
	if err != nil {
		log.Fatal(err)
	}
	if img.IndexDigest != nil {
		fmt.Printf("picked %s (%s) from index %s\n", img.Platform, img.Digest, img.IndexDigest)
	}
	layers, err := img.Layers()
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range layers {
		rc, err := l.Layer.Compressed() // verified as it is read
		if err != nil {
			log.Fatal(err)
		}
		n, err := io.Copy(io.Discard, rc)
		rc.Close()
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%d %s %d bytes %q\n", l.Index, l.Digest, n, l.CreatedBy)
	}
}
