ARG PY=3.12
ARG BASE="python:3.13-slim"
# the registry prefix stays a variable
ARG REGISTRY=docker.io/library
ARG TAG=3.12-alpine

FROM python:${PY}-slim AS a
FROM $BASE AS b
FROM ${REGISTRY}/python:3.12 AS c
FROM python:$PY AS d
FROM python:${TAG} AS e
