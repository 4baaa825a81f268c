#!/usr/bin/env bash
# Walks one caller's journey against a running `make dev`:
# new caller → signed transcription + audio → greeted by name → search.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${DEV_PORT:-9000}
base="http://127.0.0.1:$port/lambda-url"
env_file=.dev/dev.env
[ -f "$env_file" ] || { echo "Run 'make dev' first (in another terminal)."; exit 1; }
secret() { grep "^$1=" "$env_file" | cut -d= -f2-; }
post_call_key=$(secret ELEVENLABS_POST_CALL_KEY)
cd_auth="Authorization: Bearer $(secret ELEVENLABS_CLIENT_DATA_KEY)"
sd_auth="Authorization: Bearer $(secret ELEVENLABS_SEARCH_DATA_KEY)"
caller="+1555$(printf '%07d' $((RANDOM * 32768 % 10000000 + RANDOM % 1000)))"
conv="conv_demo_$(date +%s)"
now=$(date +%s)
pretty() { python3 -m json.tool; }
post() { curl -sS --fail-with-body --max-time 60 -H 'content-type: application/json' "$@"; }
sign() { printf '%s' "$now.$1" | openssl dgst -sha256 -hmac "$post_call_key" | awk '{print $NF}'; }

until curl -s -o /dev/null "$base/client-data/health"; do
  echo "waiting for make dev to answer on port $port…"; sleep 2
done

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "1. A new caller ($caller) rings: greeted with defaults"
post -H "$cd_auth" -d "{\"caller_id\":\"$caller\",\"agent_id\":\"agent_demo\",\"called_number\":\"+15550001000\",\"call_sid\":\"CAdemo\"}" \
  "$base/client-data/webhook/client-data" | pretty

step "2. The call ends: ElevenLabs posts the signed transcription"
transcription=$(python3 - "$caller" "$conv" "$now" <<'PY'
import json, sys
caller, conv, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
print(json.dumps({"type": "post_call_transcription", "event_timestamp": now, "data": {
  "agent_id": "agent_demo", "conversation_id": conv, "status": "done",
  "transcript": [
    {"role": "agent", "message": "Thanks for calling Example Dental, how can I help?"},
    {"role": "user", "message": "Hi, it's Angelo. I'd like to book a cleaning, my back tooth has been sensitive."},
    {"role": "agent", "message": "Sure. When suits you?"},
    {"role": "user", "message": "Tuesday mornings, I walk my dog Biscuit in the afternoons."},
    {"role": "user", "message": "ok"}],
  "metadata": {"start_time_unix_secs": now - 300, "call_duration_secs": 120,
    "phone_call": {"direction": "inbound", "type": "twilio", "external_number": caller, "agent_number": "+15550001000"}},
  "analysis": {"transcript_summary": "Angelo booked a cleaning for a sensitive back tooth; prefers Tuesday mornings.",
    "data_collection_results": {"name": {"data_collection_id": "name", "value": "Angelo"}}},
  "conversation_initiation_client_data": {"dynamic_variables": {"system__caller_id": caller}}}}, separators=(",", ":")))
PY
)
post -H "ElevenLabs-Signature: t=$now,v0=$(sign "$transcription")" -d "$transcription" \
  "$base/post-call/webhook/post-call" | pretty

step "3. …and the audio (base64 MP3)"
audio="{\"type\":\"post_call_audio\",\"event_timestamp\":$now,\"data\":{\"agent_id\":\"agent_demo\",\"conversation_id\":\"$conv\",\"full_audio\":\"$(printf 'ID3 demo audio' | base64)\"}}"
post -H "ElevenLabs-Signature: t=$now,v0=$(sign "$audio")" -d "$audio" "$base/post-call/webhook/post-call" | pretty
echo "stored: $(ls .dev/payloads/"$conv"/ | tr '\n' ' ')"

step "4. The same number calls again: greeted by name, with last call's summary"
post -H "$cd_auth" -d "{\"caller_id\":\"$caller\",\"agent_id\":\"agent_demo\",\"called_number\":\"+15550001000\",\"call_sid\":\"CAdemo2\"}" \
  "$base/client-data/webhook/client-data" | pretty

step "5. Mid-call the agent searches: \"what's my dog called?\""
post -H "$sd_auth" -d "{\"query\":\"what's my dog called?\",\"caller_id\":\"$caller\",\"limit\":3}" \
  "$base/search-data/webhook/search-data" | pretty
