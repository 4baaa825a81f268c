#!/usr/bin/env python3
"""Builds the public real-dialogue evaluation set from chitchat-dataset.

chitchat-dataset (PyPI, MIT, BYU PCC lab) holds 7,168 real two-person chats
between 1,315 participants, many of whom chatted 20+ times. Each frequent
participant becomes a caller whose chats are their calls (the partner speaks
as the agent). Questions are not written by us: the query is the partner's
reply to one of the caller's turns (what a listener says back about it), and
the answer is that turn. Only replies of 4+ words that share a content word
with the turn are used, so a question is answerable by reading the words.
A reply used as a question is left out of the posted call: the product keeps
both speakers' turns, and a question must not find itself.

Callers are split by a hash of their participant id into `dev` (which ranking
work may look at) and `test` (which it may not). Deterministic: the same
package version gives byte-identical files.

    python3 eval/real/chitchat.py [path/to/dataset.json]

Without a path, the dataset comes from the installed `chitchat_dataset`
package (`pip install chitchat-dataset==0.9.0`).
"""

import datetime
import hashlib
import json
import os
import re
import sys

MIN_CHATS = 20
MAX_CHATS = 30
MAX_CALLERS = 30
QUESTIONS_PER_CALLER = 15
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "chitchat")

STOP = set("""a about above after again against all am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just me
more most my myself no nor not now of off on once only or other our ours ourselves out over own same
she should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with you
your yours yourself yourselves im i'm its it's dont don't thats that's yeah yes lol haha oh ok okay
really like think know get got go going one would also well much even way thing things lot""".split())


def words(text):
    return [w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in STOP and len(w) > 2]


def load(path):
    if path is None:
        import chitchat_dataset  # noqa: PLC0415

        path = os.path.join(os.path.dirname(chitchat_dataset.__file__), "dataset.json")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def unix(ts):
    return int(datetime.datetime.strptime(ts, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())


def turns_of(chat):
    """[(sender, text, unix time)] with a sender's consecutive messages joined."""
    out = []
    for group in chat["messages"]:
        if not group:
            continue
        text = " ".join(m["text"].strip() for m in group if m.get("text", "").strip())
        if text:
            out.append((group[0]["sender"], text, unix(group[0]["timestamp"])))
    return out


def main():
    data = load(sys.argv[1] if len(sys.argv) > 1 else None)
    chats_of = {}
    for chat_id in sorted(data):
        turns = turns_of(data[chat_id])
        if len(turns) < 4:
            continue
        for sender in sorted({t[0] for t in turns}):
            chats_of.setdefault(sender, []).append((turns[0][2], chat_id, turns))
    frequent = sorted(
        (s for s, chats in chats_of.items() if len(chats) >= MIN_CHATS),
        key=lambda s: hashlib.sha256(s.encode()).hexdigest(),
    )[:MAX_CALLERS]
    os.makedirs(OUT, exist_ok=True)
    files = {split: {"calls": [], "questions": [], "callers": []} for split in ("dev", "test")}
    for index, sender in enumerate(frequent):
        split = "dev" if int(hashlib.sha256(sender.encode()).hexdigest(), 16) % 2 == 0 else "test"
        number = "+1312555%04d" % (101 + index)
        chats = sorted(chats_of[sender])[-MAX_CHATS:]
        candidates = []
        convs = []
        built = []
        for start, chat_id, turns in chats:
            conv = "cc_%s_%02d" % (chat_id.replace("-", "")[:20], index)
            convs.append(conv)
            built.append((start, conv, turns))
            for i, (who, text, at) in enumerate(turns):
                if who == sender and i + 1 < len(turns) and turns[i + 1][0] != sender:
                    reply = turns[i + 1][1]
                    shared = set(words(text)) & set(words(reply))
                    if len(reply.split()) >= 4 and len(words(text)) >= 4 and shared:
                        candidates.append((conv, i, reply))
        # Questions spread over the caller's history: every k-th candidate.
        step = max(1, len(candidates) // QUESTIONS_PER_CALLER)
        chosen = candidates[::step][:QUESTIONS_PER_CALLER]
        asked = {(conv, turn + 1) for conv, turn, _ in chosen}
        new_index = {}
        for start, conv, turns in built:
            transcript = []
            for i, (who, text, at) in enumerate(turns):
                if (conv, i) in asked:
                    continue
                new_index[(conv, i)] = len(transcript)
                role = "user" if who == sender else "agent"
                transcript.append({"role": role, "message": text, "time_in_call_secs": at - start})
            body = {
                "type": "post_call_transcription",
                "event_timestamp": start + 900,
                "data": {
                    "agent_id": "agent_chitchat",
                    "conversation_id": conv,
                    "status": "done",
                    "user_id": None,
                    "transcript": transcript,
                    "metadata": {
                        "start_time_unix_secs": start,
                        "call_duration_secs": max(60, turns[-1][2] - start),
                        "phone_call": {"direction": "inbound", "type": "twilio", "agent_number": "+13125550199",
                                       "external_number": number, "call_sid": "CA" + conv},
                    },
                    "analysis": {"call_successful": "success", "transcript_summary": None, "data_collection_results": {}},
                    "conversation_initiation_client_data": {"dynamic_variables": {
                        "system__caller_id": number, "system__called_number": "+13125550199"}},
                },
            }
            files[split]["calls"].append((start, json.dumps(body, sort_keys=True, ensure_ascii=False)))
        for q, (conv, turn, reply) in enumerate(chosen):
            files[split]["questions"].append(json.dumps({
                "id": "cc%02d_%02d" % (index, q), "caller": number, "question": reply,
                "answers": [{"conversation_id": conv, "turn": new_index[(conv, turn)]}],
            }, sort_keys=True, ensure_ascii=False))
        files[split]["callers"].append({"number": number, "calls": len(chats), "conversations": convs})
    for split, f in files.items():
        with open(os.path.join(OUT, split + "_calls.jsonl"), "w", encoding="utf-8") as out:
            for _, line in sorted(f["calls"]):
                out.write(line + "\n")
        with open(os.path.join(OUT, split + "_questions.jsonl"), "w", encoding="utf-8") as out:
            for line in f["questions"]:
                out.write(line + "\n")
        print("%s: %d callers, %d calls, %d questions" % (split, len(f["callers"]), len(f["calls"]), len(f["questions"])))


if __name__ == "__main__":
    main()
