package build

import (
	"github.com/pyimg/pyimg/build/target"
	"github.com/pyimg/pyimg/project"
)

// markerEnv returns the PEP 508 marker environment of a target.
func markerEnv(t *target.Target) map[string]string {
	return project.LinuxMarkerEnv(t.PythonVersion, t.PythonFullVersion, t.Arch)
}

// evalMarker evaluates a PEP 508 environment marker.
func evalMarker(m string, env map[string]string) (bool, error) { return project.EvalMarker(m, env) }
