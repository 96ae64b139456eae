#!/usr/bin/env bash
# Install what the end-to-end tests (e2e/) and the linters need on a Debian
# bookworm machine: buildah, skopeo, debootstrap, docker-registry,
# fuse-overlayfs, uidmap, chromium (headless, for the HTML report tests),
# ca-certificates, plus staticcheck, dive (the reference for wasted bytes and
# efficiency in the fixture ground truth) and cosign (the reference for
# signatures and attestations) via go install.
#
# Idempotent: when every tool is already present it only checks and exits.
# Installing packages needs root; without root and with tools missing it
# fails with a list of what is missing.
set -euo pipefail

# Pinned to the release that builds with Go 1.26 (staticcheck 2026.2.2).
STATICCHECK_VERSION="${STATICCHECK_VERSION:-v0.8.2}"
DIVE_VERSION="${DIVE_VERSION:-v0.13.1}"
# cosign v2.6.5 builds with Go 1.26 (v3 is not needed: e2e/sign_test.go uses
# cosign's key-based, offline verify and sign).
COSIGN_VERSION="${COSIGN_VERSION:-v2.6.5}"

# command name -> Debian package providing it
declare -A PKG_FOR=(
	[buildah]=buildah
	[skopeo]=skopeo
	[debootstrap]=debootstrap
	[docker-registry]=docker-registry
	[fuse-overlayfs]=fuse-overlayfs
	[newuidmap]=uidmap
	[chromium]=chromium
	[gcc]=gcc # native's unit tests compile real ELF objects
)
# packages that ship no command we can probe
DPKG_ONLY=(ca-certificates libc6-dev)
# wheel and index tests (internal/wheeltest, internal/indextest, pypi, e2e):
# gcc and the Python headers compile C-extension wheels, libpq-dev gives one
# a system library to link, Debian's pip installs from the test index, the
# *-whl packages are real wheels to serve, python3-packaging is the reference
# for the compatible-tag order. (gcc, libpq-dev and python3-dev also build the
# C extension example in e2e/check_native_test.go.)
DPKG_ONLY+=(gcc python3-dev python3-pip python3-pip-whl python3-setuptools-whl python3-wheel-whl python3-packaging libpq-dev)

log() { printf 'install-test-deps: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

missing=()
for cmd in "${!PKG_FOR[@]}"; do
	# debootstrap and newuidmap live in /usr/sbin, which a non-root PATH may lack.
	if ! command -v "$cmd" >/dev/null 2>&1 && [[ ! -x /usr/sbin/$cmd && ! -x /sbin/$cmd ]]; then
		missing+=("${PKG_FOR[$cmd]}")
	fi
done
for pkg in "${DPKG_ONLY[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$pkg")
	fi
done

if ((${#missing[@]} > 0)); then
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	if [[ $(id -u) -ne 0 ]]; then
		die "not root and these packages are missing: ${missing[*]}
  run as root:  sudo $0
  or by hand:   sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
	fi
	command -v apt-get >/dev/null 2>&1 || die "apt-get not found; this script supports Debian/Ubuntu only (missing: ${missing[*]})"
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || die "apt-get update failed"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" || die "apt-get install failed for: ${missing[*]}"
else
	log "system packages present"
fi

# Go tools: go install into GOBIN (default $(go env GOPATH)/bin), only when
# the installed binary is not the pinned module version.
go_tool() { # name module-path package-path version
	local name=$1 mod=$2 pkg=$3 want=$4 have=""
	if [[ -x $gobin/$name ]]; then
		have="$(go version -m "$gobin/$name" 2>/dev/null | awk -v m="$mod" '$1 == "mod" && $2 == m {print $3}')"
	fi
	if [[ $have == "$want" ]]; then
		log "$name $have present in $gobin"
		return
	fi
	log "installing $name $want into $gobin (had: ${have:-none})"
	go install "$pkg@$want" || die "go install $pkg@$want failed"
}

if command -v go >/dev/null 2>&1; then
	gobin="$(go env GOBIN)"
	[[ -n $gobin ]] || gobin="$(go env GOPATH)/bin"
	go_tool staticcheck honnef.co/go/tools honnef.co/go/tools/cmd/staticcheck "$STATICCHECK_VERSION"
	go_tool dive github.com/wagoodman/dive github.com/wagoodman/dive "$DIVE_VERSION"
	go_tool cosign github.com/sigstore/cosign/v2 github.com/sigstore/cosign/v2/cmd/cosign "$COSIGN_VERSION"
else
	die "go not found; it is needed for staticcheck, dive, cosign and the tests"
fi

log "ok"
