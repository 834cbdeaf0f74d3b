#!/usr/bin/env bash
# Install kustomize into .cache/bin, idempotently, from the Go module proxy.
# Used by `make deploy-render` / `make deploy-check` and tests/deploy (which fall
# back to `kubectl kustomize` when it is missing).
# v5.7.1 is the newest kustomize/v5 whose kustomize/api (v0.20.1) builds with the
# machine's Go 1.26 (api v0.21.3 needs Go 1.27).
set -euo pipefail
cd "$(dirname "$0")/.."

KUSTOMIZE_VERSION="${KUSTOMIZE_VERSION:-v5.7.1}"
BIN_DIR="$PWD/.cache/bin"
STAMP="$BIN_DIR/.kustomize-$KUSTOMIZE_VERSION"

if [ -x "$BIN_DIR/kustomize" ] && [ -f "$STAMP" ]; then
    exit 0
fi
command -v go >/dev/null || { echo "install-kustomize: 'go' is required (Go >= 1.22)" >&2; exit 1; }

echo "install-kustomize: go install sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
mkdir -p "$BIN_DIR"
start=$(date +%s)
GOBIN="$BIN_DIR" GOFLAGS="-buildvcs=false" nice -n 10 go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
rm -f "$BIN_DIR"/.kustomize-*
touch "$STAMP"
echo "install-kustomize: done in $(( $(date +%s) - start ))s -> $BIN_DIR/kustomize"
