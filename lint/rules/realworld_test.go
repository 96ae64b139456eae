package rules

import "testing"

// Regression cases for wrong findings on real-world Dockerfiles, one test
// per cause, each with the true case the rule must still report.

// TestExpandedValues: values are judged after BuildKit's expansion of ENV
// and ARG references and quotes.
func TestExpandedValues(t *testing.T) {
	t.Parallel()
	t.Run("PY406", func(t *testing.T) {
		runCases(t, "PY406", []ruleCase{
			{name: "quoted-env", src: py + "ENV CODE_DIR=/code\nWORKDIR \"$CODE_DIR\"\n"},
			{name: "env", src: py + "ENV APP_HOME=/app\nWORKDIR $APP_HOME\n"},
			{name: "env-braces-suffix", src: py + "ENV APP_HOME=/app\nWORKDIR ${APP_HOME}/src\n"},
			{name: "unknown-home", src: py + "WORKDIR \"${HOME}\"\n"},
			{name: "arg-quoted-default", src: py + "ARG DIR=\"/srv/app\"\nWORKDIR ${DIR}\n"},
			{name: "true-relative", src: py + "WORKDIR app\n", want: []int{2}},
			{name: "true-relative-via-arg", src: py + "ARG D=app\nWORKDIR $D\n", want: []int{3}},
			{name: "true-relative-quoted", src: py + "WORKDIR \"src\"\n", want: []int{2}},
		})
	})
	t.Run("PY207", func(t *testing.T) {
		runCases(t, "PY207", []ruleCase{
			{name: "arg-quoted-uid", src: py + "ARG UID=\"10001\"\nRUN useradd -u $UID app\nUSER $UID\n"},
			{name: "env-uid-gid", src: py + "ENV APP_UID=10001 APP_GID=10001\nUSER ${APP_UID}:${APP_GID}\n"},
			{name: "quoted-number", src: py + "USER \"10001\"\n"},
			{name: "true-name", src: py + "RUN useradd app\nUSER app\n", want: []int{3}},
			{name: "true-name-via-env", src: py + "ENV APP_USER=app\nRUN useradd $APP_USER\nUSER $APP_USER\n", want: []int{4}},
		})
	})
	t.Run("PY304", func(t *testing.T) {
		runCases(t, "PY304", []ruleCase{
			{name: "quoted-mount-target", src: py + "ENV PIP_CACHE_DIR=/var/cache/pip\nRUN --mount=type=cache,target=\"$PIP_CACHE_DIR\" pip install -r requirements.txt\n"},
			{name: "true-no-mount", src: py + "RUN pip install -r requirements.txt\n", want: []int{2}},
			{name: "true-mount-elsewhere", src: py + "ENV CACHE=/tmp/other\nRUN --mount=type=cache,target=$CACHE pip install -r requirements.txt\n", want: []int{3}},
		})
	})
}
