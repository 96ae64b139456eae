"""A tiny package built offline for pyimg's end-to-end tests."""

from pyimg_e2e_hello._table import TABLE


def hello():
    """Return a greeting."""
    return "hello from pyimg-e2e-hello ({} entries)".format(len(TABLE))
