"""pgver: the version of the libpq this extension is linked against."""

from pgver._pgver import libpq_version


def version_string():
    v = libpq_version()
    major = v // 10000
    return f"{major}.{v % 10000}" if major >= 10 else f"{major}.{v // 100 % 100}.{v % 100}"
