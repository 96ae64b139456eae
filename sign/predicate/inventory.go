package predicate

import (
	"context"
	"fmt"

	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/layers"
)

// Inventory lists the packages of an opened image in one pass over its
// layers, as `pyimg sbom` does.
func Inventory(ctx context.Context, img *image.Image, opts ...layers.Option) (*inventory.Inventory, error) {
	v := inventory.New(img.Config, inventory.WithFiles(false))
	if err := layers.Walk(ctx, img.Image, []layers.Visitor{v}, opts...); err != nil {
		return nil, fmt.Errorf("reading %s: %w", img.Ref, err)
	}
	inv, err := v.Result()
	if err != nil {
		return nil, fmt.Errorf("listing packages of %s: %w", img.Ref, err)
	}
	return inv, nil
}
