"""hello: a tiny JSON HTTP service built on http.server."""

__version__ = "1.0.0"
