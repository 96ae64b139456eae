FROM \
  # a comment inside the instruction
  --platform=linux/amd64 \
  python:3.12-slim \
  AS build
RUN echo hi
