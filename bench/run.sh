#!/usr/bin/env bash
# Measure `pyimg analyze` on a ~1 GB, ~50k-file image against the floor (a
# plain `gzip -dc` of the same layers, one after another) and, when DIVE points
# to a dive binary, against `dive --ci` on the same archive.
#
#   bench/run.sh                 # generates the image once under the cache dir
#   DIVE=/path/to/dive bench/run.sh
#   SIZE=256MiB FILES=20000 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZE=${SIZE:-1GiB}
FILES=${FILES:-50000}
LAYERS=${LAYERS:-8}
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/pyimg/bench
IMG=$CACHE/big-v2-$SIZE-$FILES-$LAYERS.tar
mkdir -p "$CACHE"

if [[ ! -s $IMG ]]; then
	echo "generating $IMG ($SIZE in $FILES files, $LAYERS layers)..." >&2
	go run ./bench/genimage -o "$IMG.tmp" -size "$SIZE" -files "$FILES" -layers "$LAYERS" -tmp "$CACHE"
	mv "$IMG.tmp" "$IMG"
fi
go build -o bin/pyimg ./cmd/pyimg

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xf "$IMG" -C "$work"
mapfile -t blobs < <(ls "$work"/*.tar.gz)

timeit() { # label, command...: prints wall seconds and peak RSS (KiB)
	local label=$1; shift
	/usr/bin/time -f "%e %M" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; return 1; }
	read -r wall rss <"$work/time"
	printf '%-28s %8.2f s  %8d KiB peak RSS\n' "$label" "$wall" "$rss"
	echo "$wall" >"$work/$label.wall"
}

echo "image: $IMG ($(du -h "$IMG" | cut -f1) compressed, ${#blobs[@]} layers)"
timeit "gzip -dc (floor)" sh -c 'for f in "$@"; do gzip -dc "$f"; done' sh "${blobs[@]}"
timeit "pyimg analyze" bin/pyimg analyze --format json "docker-archive:$IMG"
if [[ -n ${DIVE:-} ]]; then
	timeit "dive --ci" env CI=true "$DIVE" --ci --source docker-archive "$IMG" || true
fi
raw=$(for f in "${blobs[@]}"; do gzip -dc "$f" | wc -c; done | paste -sd+ | bc)
floor=$(cat "$work/gzip -dc (floor).wall")
ours=$(cat "$work/pyimg analyze.wall")
echo "uncompressed tar bytes: $raw"
awk -v r="$raw" -v t="$ours" -v f="$floor" 'BEGIN { printf "pyimg: %.0f MB/s; %.2fx the gzip -dc floor\n", r/1e6/t, t/f }'
if [[ -f "$work/dive --ci.wall" ]]; then
	awk -v t="$ours" -v d="$(cat "$work/dive --ci.wall")" 'BEGIN { printf "pyimg takes %.2fx dive'"'"'s wall time\n", t/d }'
fi
