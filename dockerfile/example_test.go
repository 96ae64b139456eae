package dockerfile_test

import (
	"fmt"

	"github.com/pyimg/pyimg/dockerfile"
)

func ExampleParse() {
	src := `ARG PY=3.12
FROM python:${PY}-slim-bookworm AS builder
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
USER 10001

FROM builder AS final
CMD ["python", "-m", "app"]
`
	f, err := dockerfile.Parse("Dockerfile", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range f.Stages {
		fmt.Printf("%s: base %q resolved %q parent %d user %q\n", s, s.Base, s.ResolvedBase, s.Parent, s.Final.User)
	}
	run := f.Stages[0].Instructions[0]
	fmt.Printf("RUN lines %d-%d mount %s:%s\n", run.StartLine, run.EndLine, run.Mounts[0].Type, run.Mounts[0].Target)
	target, _ := f.Target("")
	fmt.Println("target:", target.Name)

	_, err = dockerfile.Parse("Dockerfile", []byte("FROM python:3.12\nRUNN pip install flask\n"))
	fmt.Println(err)
	// Output:
	// stage 0 (builder): base "python:${PY}-slim-bookworm" resolved "python:3.12-slim-bookworm" parent -1 user "10001"
	// stage 1 (final): base "builder" resolved "builder" parent 0 user "10001"
	// RUN lines 3-3 mount cache:/root/.cache/pip
	// target: final
	// Dockerfile:2: unknown instruction: RUNN (did you mean RUN?)
}
