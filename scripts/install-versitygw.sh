#!/usr/bin/env bash
# Install the versitygw S3-compatible gateway (posix backend) into .cache/bin,
# idempotently, from the Go module proxy. Used by `idstream up` and the
# integration tests as the object store.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSITYGW_VERSION="${VERSITYGW_VERSION:-v1.8.0}"
BIN_DIR="$PWD/.cache/bin"
STAMP="$BIN_DIR/.versitygw-$VERSITYGW_VERSION"

if [ -x "$BIN_DIR/versitygw" ] && [ -f "$STAMP" ]; then
    exit 0
fi
command -v go >/dev/null || { echo "install-versitygw: 'go' is required (Go >= 1.25)" >&2; exit 1; }

echo "install-versitygw: go install github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
mkdir -p "$BIN_DIR"
start=$(date +%s)
GOBIN="$BIN_DIR" GOFLAGS="-buildvcs=false" nice -n 10 go install "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION"
rm -f "$BIN_DIR"/.versitygw-*
touch "$STAMP"
echo "install-versitygw: done in $(( $(date +%s) - start ))s -> $BIN_DIR/versitygw"
