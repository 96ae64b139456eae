"""Fetch a URL and print its status: a script run by `python fetch.py URL`."""

import sys

import requests


def main(argv):
    url = argv[1] if len(argv) > 1 else "https://example.com/"
    resp = requests.get(url, timeout=10)
    print(resp.status_code, resp.headers.get("content-type", ""))
    return 0 if resp.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
