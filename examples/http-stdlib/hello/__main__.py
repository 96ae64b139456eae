"""Serve GET / and GET /healthz on $PORT (default 8080)."""

import json
import os
import platform
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hello import __version__


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body = b"ok\n"
            ctype = "text/plain"
        elif self.path == "/":
            body = json.dumps({
                "service": "hello-http",
                "version": __version__,
                "python": platform.python_version(),
                "uid": os.getuid(),
            }).encode() + b"\n"
            ctype = "application/json"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        print("%s %s" % (self.address_string(), fmt % args), flush=True)


def main():
    port = int(os.environ.get("PORT", "8080"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    print(f"hello-http listening on :{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
