#!/usr/bin/env bash
# Measure `pyimg build` against the container way to the same result: an
# oci-archive of the same app on the same base from the same 30 wheels
# (~60 MB of incompressible padding), built by `buildah bud --layers`
# (overlay driver) from a Dockerfile that pip-installs the wheels into a
# venv, then `buildah push` to an oci-archive.
#
#   bench/build.sh                       # base: the e2e "wasted" fixture (has a shell and pip)
#   BASE=oci-archive:/path/base.tar bench/build.sh
#   N=30 SIZE=2097152 bench/build.sh
#
# Three runs each: cold (no pyimg cache; no buildah layer cache, base
# already in buildah's storage), warm (nothing changed) and after a code
# change (one source file edited).
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-30}
SIZE=${SIZE:-2097152}
if [[ -z ${BASE:-} ]]; then
	base_tar=$(ls -d "${XDG_CACHE_HOME:-$HOME/.cache}"/pyimg/e2e/v*/wasted/image.oci.tar 2>/dev/null | tail -1 || true)
	[[ -n $base_tar ]] || { echo "no e2e fixtures: run 'go test -run TestFixtures ./e2e/' first or set BASE" >&2; exit 2; }
	BASE=oci-archive:$base_tar
fi
DRIVER=${DRIVER:-overlay}

work=$(mktemp -d /tmp/pyimg-bench-build.XXXXXX)
store=(--root "$work/storage" --runroot "$work/run" --storage-driver "$DRIVER")
store_flags="--root $work/storage --runroot $work/run --storage-driver $DRIVER"
cleanup() {
	buildah "${store[@]}" rm --all >/dev/null 2>&1 || true
	buildah "${store[@]}" rmi --all --force >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
echo '{"default":[{"type":"insecureAcceptAnything"}]}' >"$work/policy.json"
export BUILDAH_ISOLATION=chroot TMPDIR=$work

go build -o bin/pyimg ./cmd/pyimg
go run ./bench/genwheels -o "$work/in" -n "$N" -size "$SIZE"
cd "$work" # relative paths below are inside the work directory
ln -s "$OLDPWD/bin" bin
proj=$work/in/project
echo "inputs: $N wheels, $(du -sh "$work/in/wheels" | cut -f1); base $BASE"

timeit() { # label, command...: wall seconds
	local label=$1; shift
	/usr/bin/time -f "%e %M" -o "$work/time" bash -c "$*" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; return 1; }
	read -r wall rss <"$work/time"
	printf '%-36s %7.2f s  %8d KiB peak RSS\n' "$label" "$wall" "$rss"
	echo "$wall" >"$work/$label.wall"
}
sum2() { awk -v a="$(cat "$work/$1.wall")" -v b="$(cat "$work/$2.wall")" 'BEGIN { print a + b }'; }

pyimg_build() {
	bin/pyimg build --base "$BASE" --wheelhouse "$work/in/wheels" --cache-dir "$work/pyimg-cache" \
		--output "oci-archive:$work/pyimg.tar" "$proj"
}

# The container way: base preloaded, a Dockerfile installing the same wheels.
buildah "${store[@]}" pull --signature-policy "$work/policy.json" "$BASE" >/dev/null
base_id=$(buildah "${store[@]}" images --quiet | head -1)
mkdir -p "$work/ctx"
cp -r "$work/in/wheels" "$work/ctx/wheels"
cp "$proj/requirements.txt" "$work/ctx/"
cat >"$work/ctx/Dockerfile" <<DOCKERFILE
FROM $base_id
RUN python3 -m venv /opt/app
COPY requirements.txt /tmp/requirements.txt
COPY wheels/ /tmp/wheels/
RUN /opt/app/bin/pip install --no-index --no-cache-dir --disable-pip-version-check --find-links /tmp/wheels --require-hashes -r /tmp/requirements.txt
COPY src/ /opt/app/src/
USER 65532
DOCKERFILE
bud() {
	rm -rf "$work/ctx/src" && cp -r "$proj/src" "$work/ctx/src"
	buildah $store_flags bud --layers --pull=never --signature-policy "$work/policy.json" -t bench-app "$work/ctx"
}
push() { rm -f "$work/buildah.tar"; buildah $store_flags push --signature-policy "$work/policy.json" bench-app "oci-archive:$work/buildah.tar"; }
export work BASE proj DRIVER store_flags
export -f pyimg_build bud push

echo "--- cold"
timeit "pyimg build (cold)" pyimg_build
timeit "buildah bud --layers (cold)" bud
timeit "buildah push (cold)" push
echo "--- warm, nothing changed"
timeit "pyimg build (warm)" pyimg_build
timeit "buildah bud --layers (warm)" bud
timeit "buildah push (warm)" push
echo "--- after a code change"
echo "# changed $(date +%s%N)" >>"$proj/src/benchapp/__init__.py"
timeit "pyimg build (code change)" pyimg_build
timeit "buildah bud --layers (code change)" bud
timeit "buildah push (code change)" push

for phase in cold warm "code change"; do
	c=$(sum2 "buildah bud --layers ($phase)" "buildah push ($phase)")
	p=$(cat "$work/pyimg build ($phase).wall")
	awk -v p="$p" -v c="$c" -v ph="$phase" 'BEGIN { printf "%-12s pyimg %6.2f s, container way %6.2f s: %5.1f%%\n", ph, p, c, 100*p/c }'
done
