#!/usr/bin/env bash
# `make package`: the deploy artifacts, built and checked. Needs no Docker and
# no AWS account:
#   1. cargo-lambda builds each function package alone for arm64 (zig links);
#   2. each bootstrap is zipped into target/package/<binary>.zip and every zip
#      is read back: one executable `bootstrap`, an AArch64 ELF; client-data
#      and search-data must not hold the S3 SDK;
#   3. `sam build` into .aws-sam/build (the same cargo-lambda builds, so cargo
#      finds them fresh), checked to be the very binaries of step 1;
#   4. `sam validate --lint` (cfn-lint through SAM).
# Any failure stops the script with a non-zero status.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh package
export PATH="$PWD/.tools/venv/bin:$PATH"
SAM=.tools/sam/bin/sam
# validate --lint only needs a region (no credentials); no telemetry calls.
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}" SAM_CLI_TELEMETRY=0
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="$TARGET/package"

# One package per build: in one cargo invocation over the workspace, cargo
# unifies features and links post-call's S3 SDK into client-data and
# search-data. post-call's package holds both post-call and post-call-ingest.
for p in client-data search-data post-call; do
  echo "==> cargo lambda build --release --arm64 -p $p" >&2
  cargo lambda build --release --arm64 -p "$p"
done

# check zip|check LABEL=FILE[:no-s3]...: `zip` first zips each FILE into
# $OUT/LABEL.zip; both then check the bootstrap (read back from the zip).
check() {
  python3 - "$OUT" "$@" <<'EOF'
import os, struct, sys, zipfile
out, mode, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
MiB = 1 << 20
def fail(msg):
    sys.exit(f"package: FAILED: {msg}")
for spec in specs:
    label, _, rest = spec.partition("=")
    path, _, flag = rest.partition(":")
    data, line = open(path, "rb").read(), ""
    if not os.access(path, os.X_OK):
        fail(f"{path} is not executable")
    if mode == "zip":
        zpath = f"{out}/{label}.zip"
        info = zipfile.ZipInfo("bootstrap", date_time=(1980, 1, 1, 0, 0, 0))
        info.external_attr = 0o100755 << 16  # regular file, rwxr-xr-x: Lambda execs it
        info.compress_type = zipfile.ZIP_DEFLATED
        with zipfile.ZipFile(zpath, "w") as z:
            z.writestr(info, data, compresslevel=9)
        with zipfile.ZipFile(zpath) as z:
            if z.namelist() != ["bootstrap"]:
                fail(f"{zpath} holds {z.namelist()}, not just bootstrap")
            if not (z.getinfo("bootstrap").external_attr >> 16) & 0o111:
                fail(f"{zpath}: bootstrap is not executable")
            data = z.read("bootstrap")
        line = f"zip {os.path.getsize(zpath) / MiB:6.2f} MiB  {zpath}"
    # ELF, 64-bit, little-endian; e_type executable or PIE; e_machine 0xB7 = AArch64.
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    if data[:6] != b"\x7fELF\x02\x01" or e_type not in (2, 3) or e_machine != 0xB7:
        fail(f"{label}: bootstrap is not an AArch64 ELF executable (e_machine {e_machine:#x})")
    # Panic locations keep the crate's path even in a stripped binary.
    if flag == "no-s3" and b"aws-sdk-s3" in data:
        fail(f"{label}: bootstrap links the S3 SDK (features unified with post-call?)")
    print(f"  {label:19} aarch64 bootstrap {len(data) / MiB:6.2f} MiB  {line}")
EOF
}

echo "==> zipping and checking into $OUT" >&2
rm -rf "$OUT" && mkdir -p "$OUT"
L="$TARGET/lambda"
check zip client-data="$L/client-data/bootstrap:no-s3" search-data="$L/search-data/bootstrap:no-s3" \
  post-call="$L/post-call/bootstrap" post-call-ingest="$L/post-call-ingest/bootstrap"

echo "==> sam build" >&2
# In source: the only way SAM builds Rust (saying so silences a warning).
"$SAM" build --build-in-source --template-file template.yaml
B=.aws-sam/build
check check ClientDataFunction="$B/ClientDataFunction/bootstrap:no-s3" \
  SearchDataFunction="$B/SearchDataFunction/bootstrap:no-s3" \
  PostCallFunction="$B/PostCallFunction/bootstrap" IngestFunction="$B/IngestFunction/bootstrap"
for pair in ClientDataFunction:client-data SearchDataFunction:search-data \
  PostCallFunction:post-call IngestFunction:post-call-ingest; do
  cmp "$B/${pair%%:*}/bootstrap" "$L/${pair#*:}/bootstrap" ||
    { echo "package: FAILED: sam build's ${pair%%:*} differs from $L/${pair#*:}" >&2; exit 1; }
done

echo "==> sam validate --lint" >&2
"$SAM" validate --lint --template-file template.yaml
echo "package: four aarch64 zips in $OUT, sam build output in $B" >&2
