package project

import (
	"maps"
	"slices"
	"testing"
)

// A uv.lock in uv's shape: the project (editable) needs fastapi with its
// "standard" extra and click; click needs colorama on Windows only;
// pytest is a development dependency, recorded in a table build does not
// follow; pywin32 is reachable only through a Windows marker.
const graphLock = `version = 1
revision = 2
requires-python = ">=3.12"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "click" },
    { name = "fastapi", extra = ["standard"] },
    { name = "pywin32", marker = "sys_platform == 'win32'" },
]

[package.dev-dependencies]
dev = [
    { name = "pytest" },
]

[[package]]
name = "click"
version = "8.1.7"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "colorama", marker = "platform_system == 'Windows'" },
]

[[package]]
name = "colorama"
version = "0.4.6"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "fastapi"
version = "0.115.0"
source = { registry = "https://pypi.org/simple" }
dependencies = [
    { name = "starlette" },
]

[package.optional-dependencies]
standard = [
    { name = "uvicorn", extra = ["standard"] },
]

[[package]]
name = "starlette"
version = "0.38.6"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "uvicorn"
version = "0.30.6"
source = { registry = "https://pypi.org/simple" }

[package.optional-dependencies]
standard = [
    { name = "uvloop", marker = "sys_platform != 'win32' and platform_python_implementation != 'PyPy'" },
]

[[package]]
name = "uvloop"
version = "0.20.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.3.3"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pywin32"
version = "306"
source = { registry = "https://pypi.org/simple" }
`

func TestLockGraphReachable(t *testing.T) {
	pl, err := ParseUVLock("uv.lock", []byte(graphLock))
	if err != nil {
		t.Fatal(err)
	}
	g := newLockGraph(pl)
	if g == nil {
		t.Fatal("newLockGraph() = nil for a uv.lock with a project and edges")
	}
	env := LinuxMarkerEnv("3.12", "3.12.7", "x86_64")
	got, err := g.reachable(env)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for n := range maps.Keys(got) {
		if !slices.Contains([]byte(n), '[') {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	want := []string{"app", "click", "fastapi", "starlette", "uvicorn", "uvloop"}
	if !slices.Equal(names, want) {
		t.Errorf("reachable on Linux = %q, want %q (no pytest: dev group; no colorama, pywin32: Windows markers)", names, want)
	}

	// A lock without edges (or without the project's entry) installs
	// everything, as before.
	pl.Packages = slices.DeleteFunc(pl.Packages, func(p Locked) bool { return p.Editable })
	if newLockGraph(pl) != nil {
		t.Error("newLockGraph() without a root = a graph, want nil (install every package)")
	}
}
