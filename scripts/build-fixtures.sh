#!/usr/bin/env bash
# Build the end-to-end fixture images (debootstrap + buildah) into
# ${XDG_CACHE_HOME:-$HOME/.cache}/pyimg/e2e/<recipe>/ unless already cached,
# and print that directory. Needs root and scripts/install-test-deps.sh.
# The e2e tests do the same on demand; this lets CI warm the cache first.
set -euo pipefail
cd "$(dirname "$0")/.."
exec go run ./e2e/cmd/e2e-fixtures "$@"
