package baseimage_test

import (
	"fmt"
	"time"

	"github.com/pyimg/pyimg/baseimage"
)

func ExampleParseTag() {
	t, err := baseimage.ParseTag("3.12.5-slim-bookworm")
	if err != nil {
		panic(err)
	}
	fmt.Println(t.Series(), t.Variant, t.OS, t.Shared)
	_, err = baseimage.ParseTag("3.12-bookworm-slim")
	fmt.Println(err)
	// Output:
	// 3.12 slim bookworm false
	// parsing python image tag "3.12-bookworm-slim": variant goes before the release: want slim-bookworm
}

func ExamplePythonSeries_StatusAt() {
	k := baseimage.Embedded()
	p, _ := k.Python("3.10.4")
	now := time.Date(2026, 8, 22, 0, 0, 0, 0, time.UTC)
	fmt.Println(p.Version, p.StatusAt(now))
	// Output: 3.10 eol-soon (40 days left)
}

func ExampleKnowledge_Image() {
	k := baseimage.Embedded()
	img, _ := k.Image("gcr.io/distroless/python3-debian12:nonroot", "")
	fmt.Println(img.Python, img.User, img.NonRoot, img.Shell, img.Deprecated)
	// Output: 3.11 65532 true false true
}
