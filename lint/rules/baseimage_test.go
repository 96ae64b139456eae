package rules

import (
	"strings"
	"testing"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/lint"
	"github.com/pyimg/pyimg/report"
)

func TestPY101(t *testing.T) {
	runCases(t, "PY101", []ruleCase{
		{name: "no tag", src: "FROM python\n", want: []int{1}},
		{name: "latest", src: "FROM python:latest\n", want: []int{1}},
		{name: "other image no tag", src: "FROM ubuntu\n", want: []int{1}},
		{name: "registry port no tag", src: "FROM localhost:5000/app\n", want: []int{1}},
		{name: "tagged", src: "FROM python:3.13.9-slim-trixie\n"},
		{name: "digest only", src: "FROM python" + dg + "\n"},
		{name: "scratch", src: "FROM scratch\n"},
		{name: "earlier stage", src: "FROM python:3.13.9-slim-trixie AS base\nFROM base\n"},
		{name: "ARG default tag", src: "ARG PY=3.13\nFROM python:${PY}-slim\n"},
		{name: "ARG default latest", src: "ARG TAG=latest\nFROM python:${TAG}\n", want: []int{2}},
		{name: "whole ref variable", src: "ARG IMAGE\nFROM ${IMAGE}\n"},
		{name: "whole ref empty default", src: "ARG IMAGE=\nFROM ${IMAGE}\n"},
		{name: "second stage only", src: "FROM python:3.13.9-slim-trixie AS b\nRUN true\nFROM python\nCOPY --from=b /x /x\n", want: []int{3}},
		{name: "suppressed", src: "# pyimg: ignore=PY101\nFROM python\n"},
		{name: "globally suppressed", src: "FROM python\n# pyimg: global ignore=PY101,PY104\n"},
	})
}

func TestPY102(t *testing.T) {
	runCases(t, "PY102", []ruleCase{
		{name: "slim without os", src: "FROM python:3.12-slim\n", want: []int{1}},
		{name: "full without os", src: "FROM python:3.12.7\n", want: []int{1}},
		{name: "alpine without release", src: "FROM python:3.12-alpine\n", want: []int{1}},
		{name: "docker.io library", src: "FROM docker.io/library/python:3.12-slim\n", want: []int{1}},
		{name: "index.docker.io", src: "FROM index.docker.io/library/python:3.12-slim\n", want: []int{1}},
		{name: "ARG default", src: "ARG PYTHON_VERSION=3.12\nFROM python:${PYTHON_VERSION}-slim\n", want: []int{2}},
		{name: "slim bookworm", src: "FROM python:3.12-slim-bookworm\n"},
		{name: "alpine release", src: "FROM python:3.12-alpine3.22\n"},
		{name: "latest is PY101", src: "FROM python:latest\n"},
		{name: "not official", src: "FROM myorg/python:3.12-slim\n"},
		{name: "other registry", src: "FROM ghcr.io/acme/python:3.12-slim\n"},
		{name: "unresolved tag", src: "ARG PY\nFROM python:${PY}-slim\n"},
		{name: "whole image from ARG default", src: "ARG BASE=python:3.12-slim\nFROM $BASE\n", want: []int{2}},
		{name: "ARG default overridden in stage does not apply to FROM", src: "ARG PY=3.12-slim-bookworm\nFROM python:${PY}\nARG PY=3.12-slim\n"},
		{name: "trusted mirror", src: "FROM registry.example.com/library/python:3.12-slim\n",
			opts: []lint.Option{lint.WithConfig(lint.Config{TrustedRegistries: []string{"registry.example.com"}})}, want: []int{1}},
		{name: "untrusted mirror", src: "FROM registry.example.com/library/python:3.12-slim\n"},
		{name: "windows", src: "FROM python:3.12-windowsservercore-ltsc2022\n"},
	})
}

func TestPY103(t *testing.T) {
	runCases(t, "PY103", []ruleCase{
		{name: "series", src: "FROM python:3.12-slim-bookworm\n", want: []int{1}},
		{name: "major only", src: "FROM python:3-slim\n", want: []int{1}},
		{name: "variant only", src: "FROM python:slim\n"},
		{name: "patch", src: "FROM python:3.12.7-slim-bookworm\n"},
		{name: "rc patch", src: "FROM python:3.14.0rc2-trixie\n"},
		{name: "ARG default", src: "ARG PY=3.12\nFROM python:${PY}-slim-bookworm\n", want: []int{2}},
		{name: "ARG default patch", src: "ARG PY=3.12.7\nFROM python:${PY}-slim-bookworm\n"},
		{name: "not official", src: "FROM cgr.dev/chainguard/python:latest\n"},
		{name: "stage", src: "FROM python:3.12.7-slim-bookworm AS a\nFROM a\n"},
	})
	fs := lintSrc(t, "FROM python:3.12-slim-bookworm\n", nil)
	f, _ := find(fs, "PY103")
	if !strings.Contains(f.Fix, "python:3.12.14-slim-bookworm") {
		t.Errorf("PY103 fix = %q, want the newest 3.12 patch release", f.Fix)
	}
}

func TestPY104(t *testing.T) {
	runCases(t, "PY104", []ruleCase{
		{name: "tag only", src: "FROM python:3.12.7-slim-bookworm\n", want: []int{1}},
		{name: "every image stage", src: "FROM python:3.12.7-slim-bookworm AS b\nFROM gcr.io/distroless/python3-debian13:nonroot\nCOPY --from=b /a /a\n", want: []int{1, 2}},
		{name: "digest", src: "FROM python:3.12.7-slim-bookworm" + dg + "\n"},
		{name: "ARG digest", src: "ARG D=" + dg[1:] + "\nFROM python:3.12.7-slim-bookworm@${D}\n"},
		{name: "scratch", src: "FROM scratch\n"},
		{name: "from stage", src: "FROM python:3.12.7-slim-bookworm" + dg + " AS a\nFROM a\n"},
		{name: "suppressed above FROM", src: "# renovate: keep\n# pyimg: ignore=PY104 -- internal mirror\nFROM python:3.12.7-slim-bookworm\n"},
		{name: "suppression not adjacent", src: "# pyimg: ignore=PY104\n\nFROM python:3.12.7-slim-bookworm\n", want: []int{3}},
		{name: "unused stage not built", src: "FROM python:3.12.7 AS unused\nFROM scratch\nCOPY x /x\n"},
	})
}

func TestPY105(t *testing.T) {
	runCases(t, "PY105", []ruleCase{
		{name: "eol", src: "FROM python:3.9.25-slim-bookworm\n", want: []int{1}},
		{name: "eol via ARG", src: "ARG PYTHON_VERSION=3.8\nFROM python:${PYTHON_VERSION}-slim\n", want: []int{2}},
		{name: "eol soon", src: "FROM python:3.10-slim-bookworm\n", want: []int{1}},
		{name: "supported", src: "FROM python:3.13-slim-trixie\n"},
		{name: "distroless 3.11 fine", src: "FROM gcr.io/distroless/python3-debian13:nonroot\n"},
		{name: "no series", src: "FROM python:slim\n"},
		{name: "unknown image", src: "FROM ubuntu:24.04\n"},
		{name: "eol builder only", src: "FROM python:3.8-slim AS b\nRUN true\nFROM python:3.13.9-slim-trixie\nCOPY --from=b /x /x\n", want: []int{1}},
	})
	fs := lintSrc(t, "FROM python:3.10-slim-bookworm\nFROM python:3.9-slim-bookworm\n", nil)
	var sev []string
	for _, f := range fs {
		if f.Rule == "PY105" {
			sev = append(sev, f.Severity.String())
		}
	}
	if strings.Join(sev, ",") != "error" {
		// Only the target's chain counts: the first stage is unused.
		t.Errorf("PY105 severities = %v, want [error]", sev)
	}
	fs = lintSrc(t, "FROM python:3.10-slim-bookworm\n", nil)
	if f, _ := find(fs, "PY105"); f.Severity.String() != "warning" || !strings.Contains(f.Message, "2026-10-01") {
		t.Errorf("PY105 for 3.10 = %s %q, want a warning naming 2026-10-01", f.Severity, f.Message)
	}
}

func TestPY106(t *testing.T) {
	runCases(t, "PY106", []ruleCase{
		{name: "buster", src: "FROM python:3.11.4-slim-buster\n", want: []int{1}},
		{name: "alpine 3.18", src: "FROM python:3.11.4-alpine3.18\n", want: []int{1}},
		{name: "debian image", src: "FROM debian:buster-slim\n", want: []int{1}},
		{name: "alpine image", src: "FROM alpine:3.17\n", want: []int{1}},
		{name: "bookworm LTS is a warning", src: "FROM python:3.12.7-slim-bookworm\n", want: []int{1}},
		{name: "deprecated distroless", src: "FROM gcr.io/distroless/python3-debian11\n", want: []int{1}},
		{name: "trixie", src: "FROM python:3.12.7-slim-trixie\n"},
		{name: "alpine 3.22", src: "FROM python:3.12.7-alpine3.22\n"},
		{name: "unpinned os", src: "FROM python:3.12.7-slim\n"},
		{name: "distroless 13", src: "FROM gcr.io/distroless/python3-debian13:nonroot\n"},
	})
	fs := lintSrc(t, "FROM python:3.12.7-slim-bookworm\n", nil)
	if f, _ := find(fs, "PY106"); f.Severity.String() != "warning" {
		t.Errorf("PY106 bookworm severity = %s, want warning", f.Severity)
	}
	k := baseimage.Embedded()
	p311, _ := k.Python("3.11")
	fs = lintSrc(t, "FROM python:3.11.4-slim-buster\n", nil)
	want := "python:" + p311.Latest + "-slim-" + k.Defaults.Debian
	if f, _ := find(fs, "PY106"); !strings.Contains(f.Fix, want) || !strings.Contains(f.Message, "Debian 10 buster") {
		t.Errorf("PY106 buster = %q / %q, want fix naming %s", f.Message, f.Fix, want)
	}
}

func TestPY107(t *testing.T) {
	const b312 = "FROM python:3.12.7-slim-bookworm AS builder\nRUN python -m venv /venv\n"
	runCases(t, "PY107", []ruleCase{
		{name: "minor mismatch", src: b312 + "FROM python:3.11.9-slim-bookworm\nCOPY --from=builder /venv /venv\n", want: []int{4}},
		{name: "libc mismatch", src: b312 + "FROM python:3.12.7-alpine3.22\nCOPY --from=builder /venv /venv\n", want: []int{4}},
		{name: "distroless 3.11", src: b312 + "FROM gcr.io/distroless/python3-debian12:nonroot\nCOPY --from=builder /venv /venv\n", want: []int{4}},
		{name: "site-packages by path", src: "FROM python:3.11-slim AS b\nFROM python:3.12-slim\nCOPY --from=b /usr/local/lib/python3.11/site-packages /usr/local/lib/python3.11/site-packages\n", want: []int{3}},
		{name: "builder via ARG", src: "ARG PY=3.11\nFROM python:${PY}-slim AS b\nFROM python:3.12-slim\nCOPY --from=b /opt/venv /opt/venv\n", want: []int{4}},
		{name: "builder via parent stage", src: "FROM python:3.11-slim AS base\nFROM base AS b\nRUN pip install --prefix=/install x\nFROM python:3.12-slim\nCOPY --from=b /install /usr/local\n", want: []int{5}},
		{name: "copy from image", src: "FROM python:3.12-slim\nCOPY --from=python:3.11-slim /usr/local/lib/python3.11 /usr/local/lib/python3.11\n", want: []int{2}},
		{name: "venv path from ENV", src: b312 + "FROM python:3.11.9-slim-bookworm\nENV VIRTUAL_ENV=/app/.venv\nCOPY --from=builder ${VIRTUAL_ENV} ${VIRTUAL_ENV}\n", want: []int{5}},
		{name: "site-packages path from ARG", src: "FROM ubuntu:24.04 AS b\nFROM python:3.12-slim\nARG PY=3.11\nCOPY --from=b /usr/local/lib/python${PY}/site-packages /usr/local/lib/python${PY}/site-packages\n", want: []int{4}},
		{name: "same", src: b312 + "FROM python:3.12.9-slim-trixie\nCOPY --from=builder /venv /venv\n"},
		{name: "not a python env", src: b312 + "FROM python:3.11-slim\nCOPY --from=builder /app/static /app/static\n"},
		{name: "unknown runtime", src: b312 + "FROM ubuntu:24.04\nCOPY --from=builder /venv /venv\n"},
		{name: "chainguard unknown series", src: b312 + "FROM cgr.dev/chainguard/python:latest\nCOPY --from=builder /venv /venv\n"},
	})
}

// TestPY107VenvInterpreterPath: a venv's bin/python links to the builder's
// interpreter. The official images keep it in /usr/local/bin, distroless in
// /usr/bin: same series and libc, and still the entry point cannot start.
func TestPY107VenvInterpreterPath(t *testing.T) {
	const b313 = "FROM python:3.13.9-slim-trixie AS builder\nRUN python -m venv /venv\n"
	runCases(t, "PY107", []ruleCase{
		{name: "official venv into distroless", src: b313 + "FROM gcr.io/distroless/python3-debian13:nonroot\nCOPY --from=builder /venv /venv\n", want: []int{4}},
		{name: "uv project environment", src: "FROM python:3.13.9-slim-trixie AS b\nWORKDIR /app\nRUN uv sync --frozen\nFROM gcr.io/distroless/python3-debian13\nCOPY --from=b /app/.venv /app/.venv\n", want: []int{5}},
		{name: "debian builder into distroless", src: "FROM debian:trixie-slim AS builder\nRUN apt-get install -y --no-install-recommends python3-venv && python3 -m venv /venv\nFROM gcr.io/distroless/python3-debian13:nonroot\nCOPY --from=builder /venv /venv\n"},
		{name: "official to official", src: b313 + "FROM python:3.13.1-slim-trixie\nCOPY --from=builder /venv /venv\n"},
		// Packages copied into the runtime's own site-packages do not
		// carry an interpreter link.
		{name: "site-packages, not a venv", src: "FROM python:3.13.9-slim-trixie AS b\nRUN pip install --target /deps x\nFROM gcr.io/distroless/python3-debian13\nCOPY --from=b /usr/local/lib/python3.13/site-packages /usr/lib/python3/dist-packages\n"},
	})
}

func TestPY108(t *testing.T) {
	runCases(t, "PY108", []ruleCase{
		{name: "rc", src: "FROM python:3.14.0rc2-slim-trixie\n", want: []int{1}},
		{name: "rc alias", src: "FROM python:3.15-rc-trixie\n", want: []int{1}},
		{name: "unreleased series", src: "FROM python:3.16-slim-trixie\n", want: []int{1}},
		{name: "final", src: "FROM python:3.14.0-slim-trixie\n"},
		{name: "latest", src: "FROM python\n"},
	})
}

// TestFrozenEOLTag: an end-of-life series' tag without an OS release no
// longer follows the default OS, so PY102's advice does not apply; PY106
// reports the release its last images were built on.
func TestFrozenEOLTag(t *testing.T) {
	fs := lintSrc(t, "FROM python:3.9-slim\n", nil)
	if f, ok := find(fs, "PY102"); ok {
		t.Errorf("PY102 on a frozen 3.9 tag: %s", f.Message)
	}
	f, ok := find(fs, "PY106")
	if !ok || !strings.Contains(f.Message, "bookworm") || !strings.Contains(f.Message, "frozen") {
		t.Errorf("PY106 for python:3.9-slim = %q, want the frozen bookworm release\n%s", f.Message, dump(fs))
	}
	if strings.Contains(dump(fs), "3.9-slim-trixie") {
		t.Errorf("suggests python:3.9-slim-trixie, which was never published:\n%s", dump(fs))
	}
	fs = lintSrc(t, "FROM python:3.6\n", nil)
	if f, ok := find(fs, "PY106"); !ok || f.Severity != report.SeverityError {
		t.Errorf("PY106 for python:3.6 = %+v, want an error\n%s", f, dump(fs))
	}
	// An old patch of an end-of-life series: frozen on an OS release the
	// data cannot date; PY106 says so instead of naming a release.
	fs = lintSrc(t, "FROM python:3.9.2-alpine\n", nil)
	if f, ok := find(fs, "PY106"); !ok || !strings.Contains(f.Message, "frozen") || strings.Contains(f.Message, "Alpine 3") {
		t.Errorf("PY106 for python:3.9.2-alpine = %q\n%s", f.Message, dump(fs))
	}
	if f, ok := find(fs, "PY102"); ok {
		t.Errorf("PY102 on python:3.9.2-alpine: %s", f.Message)
	}
	// The true case: a live series without an OS release still gets PY102.
	fs = lintSrc(t, "FROM python:3.13-slim\n", nil)
	k := baseimage.Embedded()
	if f, _ := find(fs, "PY102"); !strings.Contains(f.Fix, "python:3.13-slim-"+k.Defaults.Debian) {
		t.Errorf("PY102 fix for 3.13 = %q", f.Fix)
	}
	// A digest cannot drift: no PY102 or PY103.
	fs = lintSrc(t, "FROM python:3.13-slim"+dg+"\n", nil)
	for _, id := range []string{"PY102", "PY103"} {
		if f, ok := find(fs, id); ok {
			t.Errorf("%s on a digest-pinned tag: %s", id, f.Message)
		}
	}
}
