#!/usr/bin/env bash
# Installs pinned tools into .tools/, idempotent (a pinned version already
# there is kept, so repeated runs are instant):
#
#   scripts/tools.sh           cargo-lambda (the local Lambda emulator and
#                              cross-builder, a PyPI wheel with the binary),
#                              all `make dev` needs
#   scripts/tools.sh package   also what `make package` needs: zig (PyPI
#                              `ziglang`, cargo-lambda's cross linker for
#                              arm64), Rust's aarch64 standard library
#                              (rustup) and the AWS SAM CLI (PyPI)
#   scripts/tools.sh cross     the same without SAM: what `make bench`
#                              needs for its arm64 builds
#
# The S3 test server and cfn-lint are installed by their own scripts, on
# first use. Versions: CARGO_LAMBDA_VERSION, ZIGLANG_VERSION, SAM_VERSION.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.tools/venv
# SAM has a venv of its own: it pins a hundred packages (boto3, its own
# cfn-lint) that must not move the ones in .tools/venv.
SAM_VENV=.tools/sam

# pin VENV PACKAGE VERSION [pip args]: installs PACKAGE==VERSION unless present.
pin() {
  local venv=$1 pkg=$2 version=$3
  shift 3
  compgen -G "$venv/lib/python3*/site-packages/${pkg//-/_}-$version.dist-info" >/dev/null && return 0
  mkdir -p .tools
  [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
  echo "installing $pkg $version (PyPI) into $venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check "$@" "$pkg==$version" >&2
}

# --no-deps: the wheel asks for ziglang, which only cross builds need.
pin "$VENV" cargo-lambda "${CARGO_LAMBDA_VERSION:-1.9.2}" --no-deps
[[ "${1:-}" == package || "${1:-}" == cross ]] || exit 0

# Pinned: zig is pre-1.0 and changes between releases; 0.15.2 is the one
# tested with cargo-lambda 1.9.2.
pin "$VENV" ziglang "${ZIGLANG_VERSION:-0.15.2}"
if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
  rustup target add aarch64-unknown-linux-gnu >&2
fi
[[ "$1" == package ]] || exit 0
pin "$SAM_VENV" aws-sam-cli "${SAM_VERSION:-1.170.0}"
