package wheeltest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ErrUnavailable is wrapped by CExtension errors when the host lacks what
// the build needs (gcc, Python headers, a library to link); tests skip on it.
var ErrUnavailable = errors.New("wheeltest: C toolchain unavailable")

// CSpec describes a C-extension wheel.
type CSpec struct {
	// Spec gives name, version, extra Python files, scripts and metadata.
	// Its Tag defaults to the host interpreter's tag.
	Spec
	// Module is the extension module name; default the escaped, lower-cased
	// distribution name.
	Module string
	// Source is the C source of the module. Default: a module with a
	// function hello() returning "hello from <Module>".
	Source string
	// ExtraSources maps file names (.c compiled and linked, others such as
	// .h only written) to content, placed beside Source.
	ExtraSources map[string]string
	// CFlags are extra compiler flags (e.g. "-I/usr/include/postgresql").
	CFlags []string
	// Libs are libraries to link ("pq" links -lpq). A library gcc cannot
	// find makes CExtension fail with ErrUnavailable.
	Libs []string
	// LDFlags are extra linker flags.
	LDFlags []string
	// Python is the interpreter asked for the include directory, extension
	// suffix and tag; default /usr/bin/python3, else python3 on PATH.
	Python string
}

// Host describes the interpreter a C extension is built for.
type Host struct {
	// Python is the interpreter path.
	Python string
	// Include is the directory holding Python.h.
	Include string
	// ExtSuffix is the extension module suffix, e.g. ".cpython-311-x86_64-linux-gnu.so".
	ExtSuffix string
	// Tag is the wheel tag, e.g. "cp311-cp311-linux_x86_64".
	Tag string
}

// HostPython asks python (default /usr/bin/python3, else python3 on PATH)
// for what building an extension needs, and checks that Python.h exists.
func HostPython(ctx context.Context, python string) (Host, error) {
	if python == "" {
		python = "/usr/bin/python3"
		if _, err := os.Stat(python); err != nil {
			p, err := exec.LookPath("python3")
			if err != nil {
				return Host{}, fmt.Errorf("%w: no python3 found", ErrUnavailable)
			}
			python = p
		}
	}
	const script = `import sys, sysconfig
abi = "cp" + (sysconfig.get_config_var("SOABI") or "").split("-")[1]
print(sysconfig.get_paths()["include"])
print(sysconfig.get_config_var("EXT_SUFFIX"))
print("cp%d%d-%s-%s" % (sys.version_info[0], sys.version_info[1], abi, sysconfig.get_platform().replace("-", "_").replace(".", "_")))
`
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, python, "-c", script).Output()
	if err != nil {
		return Host{}, fmt.Errorf("%w: asking %s for its build configuration: %v", ErrUnavailable, python, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 3 {
		return Host{}, fmt.Errorf("%w: unexpected answer from %s: %q", ErrUnavailable, python, out)
	}
	h := Host{Python: python, Include: lines[0], ExtSuffix: lines[1], Tag: lines[2]}
	if _, err := os.Stat(filepath.Join(h.Include, "Python.h")); err != nil {
		return Host{}, fmt.Errorf("%w: no Python.h in %s (install python3-dev)", ErrUnavailable, h.Include)
	}
	return h, nil
}

// DefaultSource returns the C source of a module named module with a
// function hello() that returns "hello from <module>".
func DefaultSource(module string) string {
	return strings.ReplaceAll(`#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *hello(PyObject *self, PyObject *args) {
	return PyUnicode_FromString("hello from MODULE");
}

static PyMethodDef methods[] = {
	{"hello", hello, METH_NOARGS, "Say hello."},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "MODULE", NULL, -1, methods};

PyMODINIT_FUNC PyInit_MODULE(void) { return PyModule_Create(&moddef); }
`, "MODULE", module)
}

// Libpq returns a CSpec for a module named like the distribution whose
// function libpq_version() returns PQlibVersion() from libpq (linked with
// -lpq), the way psycopg2 links it.
func Libpq(name, version string) CSpec {
	module := strings.ToLower(EscapeName(name))
	src := strings.ReplaceAll(`#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <libpq-fe.h>

static PyObject *libpq_version(PyObject *self, PyObject *args) {
	return PyLong_FromLong(PQlibVersion());
}

static PyMethodDef methods[] = {
	{"libpq_version", libpq_version, METH_NOARGS, "Version of the linked libpq."},
	{NULL, NULL, 0, NULL},
};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "MODULE", NULL, -1, methods};

PyMODINIT_FUNC PyInit_MODULE(void) { return PyModule_Create(&moddef); }
`, "MODULE", module)
	return CSpec{
		Spec:   Spec{Name: name, Version: version},
		Module: module,
		Source: src,
		CFlags: []string{"-I/usr/include/postgresql"},
		Libs:   []string{"pq"},
	}
}

// CExtension compiles the extension described by s with gcc against the host
// interpreter's headers and writes a platform wheel (Root-Is-Purelib: false,
// tag e.g. cp311-cp311-linux_x86_64) into dir, returning its path. Errors
// wrapping ErrUnavailable mean the host cannot build it (skip the test).
func CExtension(ctx context.Context, dir string, s CSpec) (string, error) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return "", fmt.Errorf("%w: gcc not found", ErrUnavailable)
	}
	host, err := HostPython(ctx, s.Python)
	if err != nil {
		return "", err
	}
	for _, l := range s.Libs {
		out, err := exec.CommandContext(ctx, gcc, "-print-file-name=lib"+l+".so").Output()
		if err != nil || !filepath.IsAbs(strings.TrimSpace(string(out))) {
			return "", fmt.Errorf("%w: library -l%s not found by gcc (install its -dev package)", ErrUnavailable, l)
		}
	}
	if s.Module == "" {
		s.Module = strings.ToLower(EscapeName(s.Name))
	}
	if s.Source == "" {
		s.Source = DefaultSource(s.Module)
	}
	work, err := os.MkdirTemp("", "wheeltest-cext-")
	if err != nil {
		return "", fmt.Errorf("creating build directory: %w", err)
	}
	defer os.RemoveAll(work)
	srcs := []string{filepath.Join(work, s.Module+".c")}
	if err := os.WriteFile(srcs[0], []byte(s.Source), 0o644); err != nil {
		return "", fmt.Errorf("writing C source: %w", err)
	}
	for _, name := range sortedKeys(s.ExtraSources) {
		p := filepath.Join(work, filepath.Base(name))
		if err := os.WriteFile(p, []byte(s.ExtraSources[name]), 0o644); err != nil {
			return "", fmt.Errorf("writing C source: %w", err)
		}
		if strings.HasSuffix(name, ".c") {
			srcs = append(srcs, p)
		}
	}
	so := filepath.Join(work, s.Module+host.ExtSuffix)
	args := []string{"-shared", "-fPIC", "-O2", "-I", host.Include, "-I", work,
		"-ffile-prefix-map=" + work + "=.", "-Wl,--build-id=none"}
	args = append(args, s.CFlags...)
	args = append(args, srcs...)
	args = append(args, "-o", so)
	args = append(args, s.LDFlags...)
	for _, l := range s.Libs {
		args = append(args, "-l"+l)
	}
	cmd := exec.CommandContext(ctx, gcc, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("compiling %s with gcc: %w: %s", s.Module, err, strings.TrimSpace(stderr.String()))
	}
	lib, err := os.ReadFile(so)
	if err != nil {
		return "", fmt.Errorf("reading compiled extension: %w", err)
	}
	spec := s.Spec
	files := make(map[string]string, len(spec.Files)+1)
	for k, v := range spec.Files {
		files[k] = v
	}
	files[s.Module+host.ExtSuffix] = string(lib)
	spec.Files = files
	spec.RootIsPlatlib = true
	if spec.Tag == "" {
		spec.Tag = host.Tag
	}
	entries, err := Entries(spec)
	if err != nil {
		return "", err
	}
	// Extension modules need the executable bit on some installers' checks.
	for i := range entries {
		if entries[i].Name == s.Module+host.ExtSuffix {
			entries[i].Mode = 0o755
		}
	}
	return Write(dir, FileName(spec, spec.Tag), entries)
}
