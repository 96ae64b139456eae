package rules

import "testing"

func TestPY109(t *testing.T) {
	runCases(t, "PY109", []ruleCase{
		{name: "valid", src: "FROM python:3.13.9-slim-trixie" + dg + "\n"},
		{name: "bad digest", src: "FROM python:3.12-slim@sha256:zzzz\n", want: []int{1}},
		{name: "path climbing", src: "FROM ../../etc/passwd:latest\n", want: []int{1}},
		{name: "scheme", src: "FROM http://evil.example/x\n", want: []int{1}},
		{name: "uppercase", src: "FROM Python:3.12\n", want: []int{1}},
		{name: "bad via ARG", src: "ARG IMG=../x\nFROM ${IMG}:1\n", want: []int{2}},
		{name: "unresolved", src: "ARG IMG\nFROM ${IMG}\n"},
		{name: "scratch", src: "FROM scratch\n"},
	})
}
