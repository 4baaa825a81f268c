#!/usr/bin/env python3
"""Writes events/*.json: API Gateway HTTP API (payload v2) events for
`cargo lambda invoke --data-file` and `sam local invoke -e`.

Post-call events are signed with the dev secret (the one `make dev` uses) at
the time given by --now (default: now), so re-run `make events` before
invoking them: a signature older than 30 minutes is refused as stale.
"""
import argparse, base64, hashlib, hmac, json, os, time

HERE = os.path.dirname(os.path.abspath(__file__))
EVENTS = os.path.join(HERE, "..", "events")
DEV_POST_CALL_KEY = "dev-post-call-secret"
DEV_CLIENT_DATA_KEY = "dev-client-data-secret"
DEV_SEARCH_DATA_KEY = "dev-search-data-secret"
CALLER = "+15550002000"
AGENT_NUMBER = "+15550001000"


def apigw(path, body, headers, now, method="POST"):
    return {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "abc123.execute-api.us-east-1.amazonaws.com",
                    "user-agent": "ElevenLabs/1.0", **headers},
        "requestContext": {
            "accountId": "123456789012", "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com", "domainPrefix": "abc123",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "34.67.146.145",
                     "userAgent": "ElevenLabs/1.0"},
            "requestId": "req-" + hashlib.sha1(path.encode() + (body or "").encode()).hexdigest()[:12],
            "routeKey": f"{method} {path}", "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)), "timeEpoch": now * 1000,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def signed(body, now, secret=DEV_POST_CALL_KEY):
    mac = hmac.new(secret.encode(), f"{now}.{body}".encode(), hashlib.sha256).hexdigest()
    return {"elevenlabs-signature": f"t={now},v0={mac}"}


def transcription(now):
    return {
        "type": "post_call_transcription", "event_timestamp": now,
        "data": {
            "agent_id": "agent_demo", "conversation_id": "conv_demo_0001", "status": "done", "user_id": None,
            "transcript": [
                {"role": "agent", "message": "Thanks for calling Example Dental. How can I help?", "time_in_call_secs": 0},
                {"role": "user", "message": "Hi, this is Angelo Rossi. I'd like to book a cleaning, my back tooth has been sensitive.", "time_in_call_secs": 3},
                {"role": "agent", "message": "Of course. Any time that suits you?", "time_in_call_secs": 9},
                {"role": "user", "message": "Tuesday mornings work best, I walk my dog Biscuit in the afternoon.", "time_in_call_secs": 12},
                {"role": "user", "message": "ok", "time_in_call_secs": 20},
            ],
            "metadata": {"start_time_unix_secs": now - 120, "call_duration_secs": 95,
                         "phone_call": {"direction": "inbound", "type": "twilio", "agent_number": AGENT_NUMBER,
                                        "external_number": CALLER, "call_sid": "CAdemo0001"}},
            "analysis": {"call_successful": "success",
                         "transcript_summary": "Angelo Rossi called to book a dental cleaning because a back tooth is sensitive; he prefers Tuesday mornings.",
                         "data_collection_results": {
                             "name": {"data_collection_id": "name", "value": "Angelo Rossi", "rationale": "stated"},
                             "reason": {"data_collection_id": "reason", "value": "booking", "rationale": "stated"},
                             "number": {"data_collection_id": "number", "value": None, "rationale": "not given"}}},
            "conversation_initiation_client_data": {"dynamic_variables": {
                "system__caller_id": CALLER, "system__called_number": AGENT_NUMBER,
                "system__conversation_id": "conv_demo_0001", "system__agent_id": "agent_demo"}},
            "has_audio": True,
        },
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--now", type=int, default=int(time.time()))
    now = ap.parse_args().now
    os.makedirs(EVENTS, exist_ok=True)
    dumps = lambda o: json.dumps(o, separators=(",", ":"))
    tr = dumps(transcription(now))
    audio = dumps({"type": "post_call_audio", "event_timestamp": now, "data": {
        "agent_id": "agent_demo", "conversation_id": "conv_demo_0001",
        "full_audio": base64.b64encode(b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 4).decode()}})
    failure = dumps({"type": "call_initiation_failure", "event_timestamp": now, "data": {
        "agent_id": "agent_demo", "conversation_id": "conv_demo_0002", "failure_reason": "busy",
        "metadata": {"type": "twilio", "body": {"CallStatus": "busy", "To": CALLER, "From": AGENT_NUMBER}}}})
    cd_auth = {"authorization": f"Bearer {DEV_CLIENT_DATA_KEY}"}
    sd_auth = {"authorization": f"Bearer {DEV_SEARCH_DATA_KEY}"}
    events = {
        "client-data-new-caller.json": apigw("/webhook/client-data", dumps(
            {"caller_id": "+15550009999", "agent_id": "agent_demo", "called_number": AGENT_NUMBER, "call_sid": "CAnew"}), cd_auth, now),
        "client-data-returning-caller.json": apigw("/webhook/client-data", dumps(
            {"caller_id": CALLER, "agent_id": "agent_demo", "called_number": AGENT_NUMBER, "call_sid": "CAback"}), cd_auth, now),
        "client-data-withheld.json": apigw("/webhook/client-data", dumps(
            {"caller_id": "anonymous", "agent_id": "agent_demo", "called_number": AGENT_NUMBER, "call_sid": "CAanon"}), cd_auth, now),
        "search-data.json": apigw("/webhook/search-data", dumps(
            {"query": "what is the dog's name", "caller_id": CALLER, "limit": 3}), sd_auth, now),
        "post-call-transcription.json": apigw("/webhook/post-call", tr, signed(tr, now), now),
        "post-call-audio.json": apigw("/webhook/post-call", audio, signed(audio, now), now),
        "post-call-failure.json": apigw("/webhook/post-call", failure, signed(failure, now), now),
        "post-call-bad-signature.json": apigw("/webhook/post-call", tr, signed(tr, now, "not-the-secret"), now),
        "health.json": apigw("/health", None, {}, now, method="GET"),
    }
    for name, event in events.items():
        with open(os.path.join(EVENTS, name), "w") as f:
            json.dump(event, f, indent=2)
            f.write("\n")
    print(f"wrote {len(events)} events to events/ (signed at t={now})")


if __name__ == "__main__":
    main()
