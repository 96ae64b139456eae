package pypi_test

import (
	"fmt"

	"github.com/pyimg/pyimg/pypi"
)

func ExampleCompatibleTags() {
	tags, err := pypi.CompatibleTags(pypi.Target{PythonVersion: "3.12", Libc: pypi.Glibc, LibcVersion: "2.36", Arch: "x86_64"})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(tags), tags[0], tags[len(tags)-1])
	// Output: 987 cp312-cp312-manylinux_2_36_x86_64 py30-none-any
}

func ExampleRanker_Best() {
	tags, _ := pypi.CompatibleTags(pypi.Target{PythonVersion: "3.12", Libc: pypi.Musl, LibcVersion: "1.2.5", Arch: "aarch64"})
	var wheels []pypi.Wheel
	for _, name := range []string{
		"numpy-2.1.0-cp312-cp312-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
		"numpy-2.1.0-cp312-cp312-musllinux_1_2_aarch64.whl",
	} {
		w, err := pypi.ParseWheelFilename(name)
		if err != nil {
			panic(err)
		}
		wheels = append(wheels, w)
	}
	best, ok := pypi.NewRanker(tags).Best(wheels)
	fmt.Println(best.Filename, ok)
	// Output: numpy-2.1.0-cp312-cp312-musllinux_1_2_aarch64.whl true
}
