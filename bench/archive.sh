#!/usr/bin/env bash
# Measure `pyimg analyze` on an uncompressed single-layer `docker save`
# archive against dive on the same file: the case where pyimg seeks past
# file bodies no visitor needs and hashes the blob alongside.
#
#   bench/archive.sh              # builds the archive once with docker import + docker save
#   RUNS=5 bench/archive.sh
#
# Needs docker (the engine builds the archive from a tar of host libraries)
# and dive (scripts/install-test-deps.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/pyimg/bench
IMG=$CACHE/docker-save-libs.tar
DIVE=${DIVE:-$(go env GOPATH)/bin/dive}
mkdir -p "$CACHE"

if [[ ! -s $IMG ]]; then
	echo "building $IMG from the host's /usr/lib/x86_64-linux-gnu and Python stdlib..." >&2
	tar -cf - -C / usr/lib/x86_64-linux-gnu usr/lib/python3 2>/dev/null | docker import - pyimg-bench/archive:1 >/dev/null
	docker save pyimg-bench/archive:1 -o "$IMG.tmp"
	docker rmi pyimg-bench/archive:1 >/dev/null
	mv "$IMG.tmp" "$IMG"
fi
go build -o bin/pyimg ./cmd/pyimg
cat "$IMG" >/dev/null # page cache: both tools read from memory

best() { # label, command...: best wall time of RUNS runs, with CPU seconds
	local label=$1; shift
	local b=999 cpu=0
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -f "%e %U %S" -o /tmp/pyimg-bench-time "$@" >/dev/null 2>&1 || true
		read -r wall user sys </tmp/pyimg-bench-time
		if awk -v w="$wall" -v b="$b" 'BEGIN{exit !(w<b)}'; then b=$wall; cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{print u+s}'); fi
	done
	printf '%-14s %6.2f s wall  %6.2f s CPU\n' "$label" "$b" "$cpu"
	echo "$b" >"/tmp/pyimg-bench-$label"
}

echo "archive: $IMG ($(du -h "$IMG" | cut -f1), uncompressed layer)"
best pyimg bin/pyimg analyze --format json "docker-archive:$IMG"
best dive env CI=true "$DIVE" --ci --source docker-archive "$IMG"
awk -v p="$(cat /tmp/pyimg-bench-pyimg)" -v d="$(cat /tmp/pyimg-bench-dive)" 'BEGIN { printf "pyimg takes %.2fx dive'"'"'s wall time\n", p/d }'
