#!/usr/bin/env bash
# Installs cargo-lambda (the local Lambda emulator and cross-builder, a PyPI
# wheel with the binary) into .tools/venv, pinned, idempotent. The S3 test
# server and cfn-lint are installed by their own scripts, on first use.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.tools/venv
VERSION="${CARGO_LAMBDA_VERSION:-1.9.2}"
if [[ -x "$VENV/bin/cargo-lambda" ]] && "$VENV/bin/cargo-lambda" lambda --version 2>/dev/null | grep -q "$VERSION"; then
  exit 0
fi
mkdir -p .tools
[[ -x "$VENV/bin/python" ]] || python3 -m venv "$VENV"
echo "installing cargo-lambda $VERSION (PyPI) into $VENV" >&2
"$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps "cargo-lambda==$VERSION" >&2
