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

func ExampleDetect() {
	p, err := project.Detect("../examples/django-site")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Manager, p.PythonVersionSeries())
	fmt.Println(p.App.Framework, p.App.Server, p.App.Target)
	fmt.Println(p.App.Command)
	// Output:
	// pip 3.12
	// django gunicorn mysite.wsgi:application
	// [gunicorn --bind 0.0.0.0:8000 mysite.wsgi:application]
}

func ExampleParseRequirement() {
	r, err := project.ParseRequirement(`uvicorn[standard] >= 0.30, < 1 ; python_version >= "3.10"`)
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Name, r.Extras, r.Specifier, r.Marker)
	// Output: uvicorn [standard] >=0.30,<1 python_version >= "3.10"
}
