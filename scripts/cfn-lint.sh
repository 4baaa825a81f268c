#!/usr/bin/env bash
# Lints template.yaml with cfn-lint (installed from PyPI into .tools/venv on
# first use, shared with scripts/s3-server.sh).
#
#   scripts/cfn-lint.sh [extra cfn-lint arguments]
#
# Fails (non-zero) on errors and on warnings; informational findings are
# printed but do not fail. CFN_LINT_VERSION pins the version (default below).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.tools/venv"
CFN_LINT="$VENV/bin/cfn-lint"
VERSION="${CFN_LINT_VERSION:-1.58.0}"

if [[ ! -x "$CFN_LINT" ]] || [[ "$("$CFN_LINT" --version 2>/dev/null)" != *"$VERSION"* ]]; then
  echo "cfn-lint: installing cfn-lint $VERSION into $VENV" >&2
  mkdir -p "$ROOT/.tools"
  [[ -x "$VENV/bin/pip" ]] || python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$VERSION" >&2
fi

cd "$ROOT"
"$CFN_LINT" --non-zero-exit-code warning "$@" -- template.yaml
echo "cfn-lint: template.yaml is clean" >&2
