# syntax=docker/dockerfile:1
# A multi-stage build with comments, casing and flags.

FROM python:3.12-slim AS build   
WORKDIR /src

# lower-case keyword, a pinned OS
from python:3.12-slim-bookworm as Tester
RUN true

FROM --platform=$BUILDPLATFORM python:3.13 AS tools
FROM build AS final
COPY --from=tools /x /x
FROM scratch AS empty
FROM docker.io/library/python:3.12.5-slim-bookworm@sha256:0000000000000000000000000000000000000000000000000000000000000000
