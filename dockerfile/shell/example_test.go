package shell_test

import (
	"fmt"

	"github.com/pyimg/pyimg/dockerfile/shell"
)

func ExampleParse() {
	s, _ := shell.Parse(`apt-get update && apt-get install -y --no-install-recommends gcc \
 && curl -fsSL https://astral.sh/uv/install.sh | sh \
 && PIP_NO_CACHE_DIR=1 python3 -m pip install "flask==3.0.3" gunicorn`)
	for _, c := range s.Commands {
		fmt.Printf("%-4q pipeline %d[%d] %s\n", c.Op.String(), c.Pipeline, c.PipeIndex, c.Name)
	}
	if a, ok := shell.AsApt(s.Commands[1]); ok {
		fmt.Println("apt:", a.Sub, a.Packages, "no-recommends:", a.NoInstallRecommends)
	}
	for _, d := range shell.Downloads(s) {
		fmt.Println("download piped to:", d.PipedTo)
	}
	if p, ok := shell.AsPip(s.Commands[4]); ok {
		for _, r := range p.Packages {
			fmt.Printf("pip: %s pinned=%v\n", r.Name, r.Pinned())
		}
	}
	// Output:
	// ""   pipeline 0[0] apt-get
	// "&&" pipeline 1[0] apt-get
	// "&&" pipeline 2[0] curl
	// "|"  pipeline 2[1] sh
	// "&&" pipeline 3[0] python3
	// apt: install [gcc] no-recommends: true
	// download piped to: sh
	// pip: flask pinned=true
	// pip: gunicorn pinned=false
}

func ExampleParseRequirement() {
	for _, s := range []string{"flask", "flask>=3", "flask==3.0.3", "./dist/app-1.0-py3-none-any.whl", "git+https://github.com/org/lib@v1"} {
		r := shell.ParseRequirement(s)
		fmt.Printf("%-35s %-5s constrained=%-5v pinned=%v\n", s, r.Kind, r.Constrained(), r.Pinned())
	}
	// Output:
	// flask                               name  constrained=false pinned=false
	// flask>=3                            name  constrained=true  pinned=false
	// flask==3.0.3                        name  constrained=true  pinned=true
	// ./dist/app-1.0-py3-none-any.whl     path  constrained=false pinned=false
	// git+https://github.com/org/lib@v1   url   constrained=false pinned=false
}
