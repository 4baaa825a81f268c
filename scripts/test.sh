#!/usr/bin/env bash
# Everything CI checks, in the order a developer wants failures reported:
# formatting, lints, what each function links, the S3-backed test suite,
# then the SAM template.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
echo "==> cargo fmt --check"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
echo "==> client-data and search-data link no AWS SDK"
for fn in client-data search-data; do
    deps="$(cargo tree -p "$fn" -e normal --locked --prefix none)"
    if grep -E '^aws-(sdk-s3|config) ' <<<"$deps"; then
        echo "$fn links the AWS SDK: depend on shared without the s3 feature" >&2
        exit 1
    fi
done
echo "==> starting the S3 test server"
eval "$(scripts/s3-server.sh start)"
trap 'scripts/s3-server.sh stop >/dev/null 2>&1 || true' EXIT
echo "==> cargo test"
cargo test --workspace --locked
echo "==> cfn-lint template.yaml"
scripts/cfn-lint.sh
