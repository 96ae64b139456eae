"""Print the tags packaging.tags computes for a target system, one per line.

Usage: python3 packaging_tags.py PYTHON_VERSION LIBC LIBC_VERSION ARCH [MODULE]

MODULE is the packaging to use: "packaging" (default) or the copy pip
vendors, "pip._vendor.packaging".

The running interpreter's view of its system is replaced by the target's:
sysconfig.get_platform() (the arch), the glibc version (_manylinux) and the
musl version (_musllinux); ABI checks by ELF header are assumed to pass. The
tags are then produced by packaging's own cpython_tags() followed by
compatible_tags(), which is what sys_tags() yields for CPython.
"""
import importlib
import sys
import sysconfig

py, libc, libc_version, arch = sys.argv[1:5]
module = sys.argv[5] if len(sys.argv) > 5 else "packaging"
pkg = importlib.import_module(module)
_manylinux = importlib.import_module(module + "._manylinux")
_musllinux = importlib.import_module(module + "._musllinux")
tags = importlib.import_module(module + ".tags")
major, minor = (int(x) for x in py.split("."))
lmajor, lminor = (int(x) for x in libc_version.split(".")[:2])

sysconfig.get_platform = lambda: "linux-" + arch
_manylinux._have_compatible_abi = lambda *a, **k: True
if libc == "glibc":
    _manylinux._get_glibc_version = lambda: _manylinux._GLibCVersion(lmajor, lminor)
    _musllinux._get_musl_version = lambda executable: None
else:
    _manylinux._get_glibc_version = lambda: _manylinux._GLibCVersion(-1, -1)
    _musllinux._get_musl_version = lambda executable: _musllinux._MuslVersion(lmajor, lminor)

interp = "cp%d%d" % (major, minor)
out = list(tags.cpython_tags(python_version=(major, minor), abis=[interp]))
out += list(tags.compatible_tags(python_version=(major, minor), interpreter=interp))
print("packaging", pkg.__version__, file=sys.stderr)
for t in out:
    print(t)
