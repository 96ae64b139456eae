"""Print the tags packaging.tags computes for a target system, one per line.

Usage: python3 packaging_tags.py PYTHON_VERSION LIBC LIBC_VERSION ARCH

The running interpreter's view of its system is replaced by the target's:
sysconfig.get_platform() (the arch), the glibc version (_manylinux) and the
musl version (_musllinux); ABI checks by ELF header are assumed to pass. The
tags are then produced by packaging's own cpython_tags() followed by
compatible_tags(), which is what sys_tags() yields for CPython.
"""
import sys
import sysconfig

from packaging import _manylinux, _musllinux, tags

py, libc, libc_version, arch = sys.argv[1:5]
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
print("packaging", __import__("packaging").__version__, file=sys.stderr)
for t in out:
    print(t)
