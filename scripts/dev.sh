#!/usr/bin/env bash
# Runs the three functions locally under `cargo lambda watch`, with the
# embedded memory store and a local payload directory: no AWS account and no
# OpenMemory server needed. State lives in .dev/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/tools.sh
mkdir -p .dev/payloads
port=${DEV_PORT:-9000}
env_file=.dev/dev.env
# Random secrets, made once per checkout and kept in .dev/secrets: never a
# fixed value that is published with the code.
secrets=.dev/secrets
if [ ! -f "$secrets" ]; then
  gen() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }
  umask 077
  printf 'POST_CALL=%s\nCLIENT_DATA=%s\nSEARCH_DATA=%s\n' "$(gen)" "$(gen)" "$(gen)" > "$secrets"
fi
saved() { grep "^$1=" "$secrets" | cut -d= -f2-; }
cat > "$env_file" <<ENV
ELEVENLABS_POST_CALL_KEY=${ELEVENLABS_POST_CALL_KEY:-$(saved POST_CALL)}
ELEVENLABS_CLIENT_DATA_KEY=${ELEVENLABS_CLIENT_DATA_KEY:-$(saved CLIENT_DATA)}
ELEVENLABS_SEARCH_DATA_KEY=${ELEVENLABS_SEARCH_DATA_KEY:-$(saved SEARCH_DATA)}
OPENMEMORY_DB_PATH=$PWD/.dev/memory.sqlite3
PAYLOAD_STORAGE_PATH=$PWD/.dev/payloads
RUST_LOG=${RUST_LOG:-info}
ENV
base="http://127.0.0.1:$port/lambda-url"
cat <<INFO
Caller memory, running locally (Ctrl-C stops):
  client-data  POST $base/client-data/webhook/client-data   header: Authorization: Bearer $(grep CLIENT_DATA_KEY "$env_file" | cut -d= -f2)
  search-data  POST $base/search-data/webhook/search-data   header: Authorization: Bearer $(grep SEARCH_DATA_KEY "$env_file" | cut -d= -f2)
  post-call    POST $base/post-call/webhook/post-call       HMAC secret: $(grep POST_CALL_KEY "$env_file" | cut -d= -f2)
  memory: .dev/memory.sqlite3   payloads: .dev/payloads/
Then, in another terminal: make demo
INFO
exec cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$port" --env-file "$env_file"
