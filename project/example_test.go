package project_test

import (
	"fmt"

	"github.com/pyimg/pyimg/project"
)

func ExampleParseSpecifier() {
	spec, err := project.ParseSpecifier(">=3.10,!=3.11.*,<3.14")
	if err != nil {
		panic(err)
	}
	for _, series := range []string{"3.9", "3.10", "3.11", "3.12", "3.13", "3.14"} {
		fmt.Println(series, spec.AllowsSeries(series))
	}
	// Output:
	// 3.9 false
	// 3.10 true
	// 3.11 false
	// 3.12 true
	// 3.13 true
	// 3.14 false
}
