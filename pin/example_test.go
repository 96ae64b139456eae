package pin_test

import (
	"fmt"

	"github.com/pyimg/pyimg/pin"
)

func ExampleApply() {
	src := []byte("ARG PY=3.12\n# base\nFROM python:${PY}-slim AS build\n")
	refs, err := pin.Find("Dockerfile", src)
	if err != nil {
		panic(err)
	}
	digest := "sha256:4f2b0f1d7c6e5a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b"
	out, err := pin.Apply(src, refs, []pin.Change{{Ref: refs[0], Target: pin.Target{Tag: "3.12.6-slim-trixie", Digest: digest}}})
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	// Output:
	// ARG PY=3.12.6
	// # base
	// FROM python:${PY}-slim-trixie@sha256:4f2b0f1d7c6e5a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b AS build
}
