"""Build pgver._pgver against the system libpq (Debian: libpq-dev)."""

import subprocess

from setuptools import Extension, setup


def pg_includedir():
    try:
        return subprocess.check_output(["pg_config", "--includedir"], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "/usr/include/postgresql"


setup(
    ext_modules=[
        Extension(
            "pgver._pgver",
            sources=["pgver/_pgver.c"],
            include_dirs=[pg_includedir()],
            libraries=["pq"],
        )
    ]
)
