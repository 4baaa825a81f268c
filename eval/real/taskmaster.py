#!/usr/bin/env python3
"""Builds the Taskmaster real-dialogue evaluation set (`eval/data/taskmaster/`).

Taskmaster (Google Research, CC BY 4.0) is a corpus of English task-oriented
dialogues written by crowd workers, with the API calls an assistant would
make, and their arguments, annotated on the turns. This script reads two of
its parts:

* Taskmaster-3 (TicketTalk, movie tickets): the training-split chunk
  `TM-3-2020/splits/train/train-bc.tsv` (one dialogue a row: the dialogue so
  far, its API calls and arguments, the next assistant turn, the dialogue id).
* Taskmaster-4 (coffee ordering): `TM-4-2024/data/data_0*.json`.

Taskmaster-2 (flights, hotels, restaurants, music, sports, food ordering) and
the full Taskmaster-3 JSON files are 4 MiB or more per file and could not be
had where this set was built, so they are not used.

Dialogues are dealt to 24 synthetic callers (+13125550201 to +13125550224),
24 to 30 each, movie and coffee mixed, a few days apart from 2025-01-06
(UTC). Callers 01-12 are `dev` (ranking work may look at them), 13-24 `test`
(it may not). USER turns are the caller (`user`), ASSISTANT turns the agent.

Questions are written here by templates from the annotated values: for a
value the caller said (a movie, a theater, a time, a day, a number of
tickets, a drink, a milk, an order name...), a question of that value's kind
that names other values of the same call ("Which theater did I ask about for
Joker?") and never the value itself. A question is kept only when those other
values pin the call: no other call of the caller says them together with a
value of the asked kind. Its answers are the turns of that call, either
speaker, that say the value (for "when" questions, the call's day or time).
Only user turns are stored by the product, so each question has at least one
user turn among its answers, sharing a word with it.

Input: a checkout of https://github.com/google-research-datasets/Taskmaster
at commit d92cb6af3005f1dc09c39e75e7daf4a04905e00b (2024-03-19); only the
files named above are read, nothing is fetched. For example:

    git clone https://github.com/google-research-datasets/Taskmaster /tmp/Taskmaster
    git -C /tmp/Taskmaster checkout d92cb6af3005f1dc09c39e75e7daf4a04905e00b
    curl -o /tmp/by-4.0.txt https://creativecommons.org/licenses/by/4.0/legalcode.txt
    python3 eval/real/taskmaster.py /tmp/Taskmaster --legalcode /tmp/by-4.0.txt

`--legalcode` adds the licence's full text to `LICENSE` (the vendored copy
has it); without it `LICENSE` gives the licence's address only.

Deterministic (Python 3.11, standard library only): the same input gives
byte-identical files.
"""

import collections
import csv
import datetime
import glob
import hashlib
import json
import os
import re
import sys

COMMIT = "d92cb6af3005f1dc09c39e75e7daf4a04905e00b"
REPO = "https://github.com/google-research-datasets/Taskmaster"
TM3 = os.path.join("TM-3-2020", "splits", "train", "train-bc.tsv")
TM4 = os.path.join("TM-4-2024", "data", "data_0*.json")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "taskmaster")

CALLERS = 24
DEV_CALLERS = 12
MIN_CALLS, MAX_CALLS = 24, 30
QUESTIONS_PER_CALLER = 26
PER_CALL = 3
# Kinds one question of a call stands for: "when" asks the day or the time.
FAMILY = {"date": "when", "time": "when"}
AGENT_NUMBER = "+13125550200"
START = datetime.datetime(2025, 1, 6, tzinfo=datetime.timezone.utc)

STOP = set("""a about above after again against all am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just me
more most my myself no nor not now of off on once only or other our ours ourselves out over own same
she should so some such than that the their theirs them themselves then there these they this those
through to too under until up very was we were what when where which while who whom why will with you
your yours yourself yourselves im i'm its it's dont don't thats that's yeah yes ok okay would like
want wanted please thanks thank get got""".split())

# Values that say nothing of one call.
GENERIC = {
    "nearby", "near me", "here", "my area", "around", "any", "any time", "anytime", "anywhere",
    "around here", "my location", "current location", "close by", "closest", "local", "none",
    "regular", "standard", "normal", "the", "one", "it", "that", "this", "them", "all", "there",
}

# The kinds of value asked about, and the annotated names that give them.
MOVIE_KINDS = {
    "name.movie": "movie",
    "name.theater": "theater",
    "time.showing": "time",
    "time.preference": "time",
    "date.showing": "date",
    "num.tickets": "tickets",
    "location": "location",
    "name.genre": "genre",
    "type.screening": "screening",
    "seating": "seating",
    "description.other": "wish",
    "name.person": "person",
}

# Templates: asked kind -> [(template, context kinds)]. "when" asks for the
# call's day or time, whichever it said.
TEMPLATES = {
    "movie": [
        ("Which movie did I ask about at {theater}?", ("theater",)),
        ("What film did I want to see {date} at {theater}?", ("date", "theater")),
        ("Which movie did I ask about for {tickets}?", ("tickets",)),
        ("Which movie at {theater} did I ask about for {tickets}?", ("theater", "tickets")),
        ("What movie did I look up showtimes for in {location}?", ("location",)),
        ("What movie did I want to see in {location} {date}?", ("location", "date")),
        ("Which {genre} movie did I ask about?", ("genre",)),
        ("What movie did I want to watch in {screening}?", ("screening",)),
        ("Which movie did I want to catch {date}?", ("date",)),
        ("Which movie did I want to see at {time}?", ("time",)),
        ("Which movie did I ask about when I was after {wish}?", ("wish",)),
        ("Which movie with {person} did I ask about?", ("person",)),
    ],
    "theater": [
        ("Which theater did I ask about for {movie}?", ("movie",)),
        ("Where did I want to watch {movie} {date}?", ("movie", "date")),
        ("Which theater was showing {movie} at {time}?", ("movie", "time")),
        ("Which cinema in {location} did I ask about?", ("location",)),
        ("Which theater did I ask about for {tickets}?", ("tickets",)),
        ("Which theater did I want to go to {date}?", ("date",)),
        ("Where did I want to see a movie when I was after {wish}?", ("wish",)),
    ],
    "time": [
        ("What time was the showing of {movie} I asked about?", ("movie",)),
        ("What showtime did I want at {theater}?", ("theater",)),
        ("What time did I want to see {movie} {date}?", ("movie", "date")),
        ("What showtime did I ask about {date} at {theater}?", ("date", "theater")),
        ("What time did I want the {screening} showing?", ("screening",)),
    ],
    "date": [
        ("Which day did I want to see {movie}?", ("movie",)),
        ("For which day did I look at showings at {theater}?", ("theater",)),
        ("Which day did I want to go to the movies in {location}?", ("location",)),
    ],
    "when": [
        ("When did I want to see {movie} at {theater}?", ("movie", "theater")),
        ("When was I planning to watch {movie}?", ("movie",)),
        ("When did I want to go to {theater}?", ("theater",)),
        ("When did I want to go to the movies in {location}?", ("location",)),
    ],
    "tickets": [
        ("How many tickets did I ask for to see {movie}?", ("movie",)),
        ("How many seats did I want at {theater}?", ("theater",)),
        ("How many tickets did I want {date}?", ("date",)),
    ],
    "location": [
        ("Where was I looking for showtimes of {movie}?", ("movie",)),
        ("Which area did I search for theaters in when I asked about {movie}?", ("movie",)),
        ("Which city was I looking for a movie in {date}?", ("date",)),
    ],
    "genre": [
        ("What kind of movie was I in the mood for at {theater}?", ("theater",)),
        ("What genre did I ask for {date}?", ("date",)),
        ("What kind of film did I want to see in {location}?", ("location",)),
    ],
    "screening": [
        ("Which screening format did I want for {movie}?", ("movie",)),
        ("Which format did I ask for at {theater}?", ("theater",)),
    ],
    "seating": [
        ("Where did I want to sit for {movie}?", ("movie",)),
        ("What seats did I ask for at {theater}?", ("theater",)),
    ],
    "drink": [
        ("What drink did I order with {milk}?", ("milk",)),
        ("Which coffee did I get with {addon}?", ("addon",)),
        ("What did I order under the name {name}?", ("name",)),
        ("Which drink did I ask to have {note}?", ("note",)),
    ],
    "milk": [
        ("Which milk did I want in my {drink}?", ("drink",)),
    ],
    "name": [
        ("What name did I give for my {drink} order?", ("drink",)),
    ],
    "addon": [
        ("What did I ask to add to my {drink}?", ("drink",)),
    ],
    "note": [
        ("What special request did I make for my {drink}?", ("drink",)),
    ],
}

NUMBER = re.compile(r"^(\d+|one|two|three|four|five|six|seven|eight|nine|ten)$", re.I)
DAYS = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|\d)", re.I)


def display(kind, value):
    """A value as a template places it: "on Friday", "at 7:30 PM"."""
    if kind == "time":
        return re.sub(r"^(around|about|at|for|by|close to)\s+", "", value, flags=re.I)
    if kind == "location":
        return re.sub(r"^(near|in|around|by)\s+", "", value, flags=re.I)
    if kind == "tickets" and NUMBER.match(value):
        return value.lower() + (" ticket" if value.lower() in ("1", "one") else " tickets")
    if kind == "genre":
        return value.lower()
    if kind == "date" and DAYS.match(value):
        return "on " + value
    if kind == "wish":
        return value[0].lower() + value[1:]
    return value


def words(text):
    """Content words, a plural's "s" dropped."""
    out = set()
    for w in re.findall(r"[a-z0-9']+", text.lower()):
        if w not in STOP and len(w) > 2:
            out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def clean(text):
    return re.sub(r"\s+", " ", text.replace("\\n", " ")).strip()


def clean_value(text):
    return clean(text).strip(" .,!?;:\"'\u2018\u2019\u201c\u201d")


def digest(text):
    return hashlib.sha256(text.encode()).hexdigest()


def usable(kind, value):
    v = value.strip().lower()
    if v in GENERIC or v.startswith("_"):
        return False
    if kind == "tickets":
        return len(v.split()) <= 4 and re.fullmatch(r"[\w' &-]+", v) is not None and not v.startswith("i ")
    if kind == "time" and not re.search(r"\d", v):
        return False
    if kind == "person" and len(v.split()) > 3:
        return False
    if kind == "wish" and len(v.split()) < 2:
        return False
    return len(v) >= 3 and (re.search(r"[a-z]", v) is not None or ":" in v)


def says(text, value):
    return re.search(r"(?<![\w])" + re.escape(value) + r"(?![\w]|:\d)", text, re.IGNORECASE) is not None


# --- reading ---------------------------------------------------------------

TOKEN = re.compile(r"<(PRAN|PRAV|PR|PAN|PAV|PN|C|U|A|S)>")


def load_movies(root):
    """TicketTalk rows -> dialogues: id, [(role, text)], [(kind, value)]."""
    csv.field_size_limit(1 << 30)
    best = {}
    with open(os.path.join(root, TM3), encoding="utf-8", newline="") as f:
        for context, target, dialogue_id in csv.reader(f, delimiter="\t"):
            # What comes before <C> repeats the last element of the context.
            body = context.split("<C>", 1)[1] if "<C>" in context else context
            parts = TOKEN.split(body)
            turns, values, same, arg, api, resolved = [], [], [], None, None, {}
            for i in range(1, len(parts) - 1, 2):
                tag, text = parts[i], parts[i + 1]
                if tag in ("U", "A") and clean(text):
                    turns.append(("user" if tag == "U" else "agent", clean(text)))
                elif tag in ("PN", "PR"):
                    api = (tag, text)
                elif tag in ("PAN", "PRAN"):
                    arg = text
                elif tag in ("PAV", "PRAV") and arg in MOVIE_KINDS and clean_value(text):
                    values.append((MOVIE_KINDS[arg], clean_value(text)))
                    # A resolve_* call names one thing twice: as said, and
                    # as the catalogue has it.
                    if api and api[1].startswith("resolve_"):
                        resolved.setdefault((api[1], arg), {"PN": [], "PR": []})[api[0]].append(clean_value(text).lower())
            for found in resolved.values():
                if len(found["PN"]) == 1 and len(found["PR"]) == 1:
                    same.append({found["PN"][0], found["PR"][0]})
            for kind, value in list(values):
                if kind == "time":
                    variant = re.sub(r"^(around|about|at|after|before|by|for)\s+", "", value, flags=re.I)
                    variant = re.sub(r"\s*[ap]\.?m\.?$", "", variant, flags=re.I)
                    if variant != value and ":" in variant:
                        values.append((kind, variant))
                        same.append({value.lower(), variant.lower()})
            if target.startswith("[A]") and clean(target[3:]):
                turns.append(("agent", clean(target[3:])))
            if dialogue_id not in best or len(turns) > len(best[dialogue_id][0]):
                best[dialogue_id] = (turns, values, same)
    return [{"id": k, "domain": "movies", "turns": t, "values": v, "same": m}
            for k, (t, v, m) in sorted(best.items())]


def load_coffee(root):
    out = []
    for path in sorted(glob.glob(os.path.join(root, TM4))):
        with open(path, encoding="utf-8") as f:
            dialogues = json.load(f)
        for d in dialogues:
            turns = [("user" if u["speaker"] == "user" else "agent", clean(u["text"]))
                     for u in d["utterances"] if clean(u["text"])]
            values, addon_names, added = [], {}, []
            for u in d["utterances"]:
                for a in u.get("annotations", []):
                    if a["name"] not in ("request", "response"):
                        continue
                    try:
                        v = json.loads(a["value"])
                    except ValueError:
                        continue
                    if not isinstance(v, dict):
                        continue
                    for item in v.get("menu_items", []) or []:
                        for key in ("name", "menu_item_name"):
                            if isinstance(item.get(key), str):
                                values.append(("drink", item[key]))
                        for attr in item.get("attributes", []) or []:
                            if attr.get("attribute_id", "").strip() == "milk-options":
                                values.append(("milk", str(attr.get("option", ""))))
                        for addon in item.get("addons", []) or []:
                            added.append(addon.get("addon_id"))
                        if isinstance(item.get("notes"), str):
                            values.append(("note", item["notes"]))
                    for attr in v.get("attributes", []) or []:
                        ident = str(attr.get("attribute_id", "")).strip().lower()
                        if ident == "milk-options" and "option" in attr:
                            values.append(("milk", str(attr["option"])))
                        if ident == "name" and "option" in attr:
                            values.append(("name", str(attr["option"])))
                    for addon in v.get("addons", []) or []:
                        if "name" in addon:
                            addon_names[addon.get("addon_id")] = addon["name"]
                        else:
                            added.append(addon.get("addon_id"))
                    if isinstance(v.get("notes"), str):
                        values.append(("note", v["notes"]))
            values += [("addon", addon_names[i]) for i in added if i in addon_names]
            values = [(k, clean_value(x)) for k, x in values if clean_value(x) and "var_" not in x]
            out.append({"id": d["conversation_id"], "domain": "coffee", "turns": turns, "values": values, "same": []})
    return out


# --- questions -------------------------------------------------------------


def said_values(call, roles):
    """kind -> groups of values said in turns of `roles` (nested variants,
    "Joker" and "the Joker", grouped)."""
    said = {}
    for kind, value in call["values"]:
        if not usable(kind, value):
            continue
        if any(role in roles and says(text, value) for role, text in call["turns"]):
            said.setdefault(kind, set()).add(value.lower())
    groups = {}
    for kind, vals in said.items():
        found = []
        for v in sorted(vals, key=lambda v: (len(v), v)):
            linked = [g for g in found if any(v in w or w in v or any({v, w} <= m for m in call["same"])
                                              for w in g)]
            for g in linked:
                found.remove(g)
            found.append(set().union({v}, *linked))
        groups[kind] = found
    return groups


def user_values(call):
    return said_values(call, ("user",))


def text_of(call):
    return " ".join(text for _, text in call["turns"])


REJECTED = collections.Counter()


def candidates(calls, index):
    """Every question of the template set one call of a caller allows."""
    call = calls[index]
    groups = user_values(call)
    heard = said_values(call, ("user", "agent"))
    others = [c for i, c in enumerate(calls) if i != index]
    other_groups = [user_values(c) for c in others]
    other_text = [text_of(c) for c in others]
    out = []
    kinds = sorted(set(groups) | ({"when"} if "date" in groups or "time" in groups else set()))
    for asked in kinds:
        if asked == "when":
            asked_groups = groups.get("date", []) + groups.get("time", [])
            if len(groups.get("date", [])) > 1 or len(groups.get("time", [])) > 1:
                REJECTED["the call said two days or times"] += 1
                continue
        else:
            asked_groups = groups[asked]
            if len(asked_groups) != 1:
                REJECTED["the caller said two values of the kind"] += 1
                continue
        asked_values = sorted(set().union(*asked_groups))
        answers = [(i, role, text) for i, (role, text) in enumerate(call["turns"])
                   if any(says(text, v) for v in asked_values)]
        answer_turns = {i for i, role, _ in answers if role == "user"}
        for template, needs in TEMPLATES.get(asked, []):
            # Each context kind: a value the caller said, or else one the
            # call said; the one said in an answer turn if any, else the first.
            context = {}
            for k in needs:
                roles = ("user",) if groups.get(k) else ("user", "agent")
                options = groups.get(k) or heard.get(k, [])
                said = []
                for n, (role, text) in enumerate(call["turns"]):
                    for v in sorted(set().union(*options), key=lambda v: (len(v), v)) if role in roles else []:
                        m = re.search(r"(?<![\w])" + re.escape(v) + r"(?![\w])", text, re.IGNORECASE)
                        if m:
                            said.append((n not in answer_turns, n, len(v), m.group(0)))
                if said:
                    context[k] = display(k, min(said)[3].strip("\"'"))
            if len(context) != len(needs):
                REJECTED["no value of a context kind"] += 1
                continue
            question = template.format(**context)
            question = question[0].upper() + question[1:]
            if any(v in question.lower() for v in asked_values):
                REJECTED["the question would say the value"] += 1
                continue
            # The context must pin this call among the caller's calls.
            ask_kinds = ("date", "time") if asked == "when" else (asked,)
            if any(any(k in g for k in ask_kinds) and all(says(t, v) for v in context.values())
                   for g, t in zip(other_groups, other_text)):
                REJECTED["another call has it too"] += 1
                continue
            q_words = words(question)
            if not any(role == "user" and q_words & words(text) for _, role, text in answers):
                REJECTED["no word shared with a caller's answer turn"] += 1
                continue
            out.append({"asked": asked, "question": question, "turns": [i for i, _, _ in answers]})
    return out


# --- writing ---------------------------------------------------------------


def body(call, conv, number, start):
    transcript, at = [], 0
    for role, text in call["turns"]:
        transcript.append({"role": role, "message": text, "time_in_call_secs": at})
        at += 3 + len(text.split()) // 2
    return {
        "type": "post_call_transcription",
        "event_timestamp": start + at + 60,
        "data": {
            "agent_id": "agent_taskmaster",
            "conversation_id": conv,
            "status": "done",
            "user_id": None,
            "transcript": transcript,
            "metadata": {
                "start_time_unix_secs": start,
                "call_duration_secs": max(30, at),
                "phone_call": {"direction": "inbound", "type": "twilio", "agent_number": AGENT_NUMBER,
                               "external_number": number, "call_sid": "CA" + conv},
            },
            "analysis": {"call_successful": "success", "transcript_summary": None, "data_collection_results": {}},
            "conversation_initiation_client_data": {"dynamic_variables": {
                "system__caller_id": number, "system__called_number": AGENT_NUMBER}},
        },
    }


def good(call):
    """A dialogue whose caller says values of 2+ kinds (3+ caller turns for
    a movie one)."""
    users = sum(1 for role, _ in call["turns"] if role == "user")
    return users >= (3 if call["domain"] == "movies" else 1) and len(user_values(call)) >= 2


def main():
    args = sys.argv[1:]
    legalcode = None
    if len(args) == 3 and args[1] == "--legalcode":
        legalcode = args[2]
    elif len(args) != 1:
        sys.exit(__doc__)
    root = args[0]
    movies = sorted((c for c in load_movies(root) if good(c)), key=lambda c: digest(c["id"]))
    coffee = sorted((c for c in load_coffee(root) if good(c)), key=lambda c: digest(c["id"]))
    files = {split: {"calls": [], "questions": []} for split in ("dev", "test")}
    stats = {split: {"callers": 0, "calls": 0, "turns": [], "kinds": {}, "domains": {}} for split in files}
    mi = ci = 0
    for caller in range(CALLERS):
        number = "+1312555%04d" % (201 + caller)
        split = "dev" if caller < DEV_CALLERS else "test"
        h = int(digest(number), 16)
        n_calls = MIN_CALLS + h % (MAX_CALLS - MIN_CALLS + 1)
        n_coffee = n_calls * (15 + (h >> 8) % 11) // 100
        chosen = movies[mi:mi + n_calls - n_coffee] + coffee[ci:ci + n_coffee]
        mi += n_calls - n_coffee
        ci += n_coffee
        calls = sorted(chosen, key=lambda c: digest(number + c["id"]))
        convs = []
        day = 0
        turns = 0
        for k, call in enumerate(calls):
            day += 2 + int(digest("%s %d" % (number, k)), 16) % 4 if k else 0
            minute = int(digest("%s %d m" % (number, k)), 16) % (11 * 60)
            start = int((START + datetime.timedelta(days=day, hours=8, minutes=minute)).timestamp())
            conv = "tm_%s_%02d" % (call["id"].replace("dlg-", "").replace("-", "")[:20], caller)
            convs.append(conv)
            turns += len(call["turns"])
            files[split]["calls"].append((start, conv, json.dumps(body(call, conv, number, start),
                                                                 sort_keys=True, ensure_ascii=False)))
            stats[split]["domains"][call["domain"]] = stats[split]["domains"].get(call["domain"], 0) + 1
        # Every allowed question, then kinds in turn (each kind's in a hashed
        # order), at most one per call and family of kinds, three per call.
        by_kind = {}
        for index in range(len(calls)):
            for cand in candidates(calls, index):
                cand["call"] = index
                by_kind.setdefault(cand["asked"], []).append(cand)
        for kind in by_kind:
            by_kind[kind].sort(key=lambda c: digest(number + c["question"]))
        picked, used, per_call = [], set(), {}
        order = sorted(by_kind, key=lambda k: digest(number + k))
        while len(picked) < QUESTIONS_PER_CALLER and any(by_kind.values()):
            for kind in order:
                while by_kind[kind]:
                    cand = by_kind[kind].pop(0)
                    family = FAMILY.get(kind, kind)
                    if (cand["call"], family) in used or per_call.get(cand["call"], 0) >= PER_CALL:
                        continue
                    used.add((cand["call"], family))
                    per_call[cand["call"]] = per_call.get(cand["call"], 0) + 1
                    picked.append(cand)
                    break
                if len(picked) >= QUESTIONS_PER_CALLER:
                    break
        picked.sort(key=lambda c: (c["call"], c["question"]))
        for q, cand in enumerate(picked):
            files[split]["questions"].append(json.dumps({
                "id": "tm%02d_%02d" % (caller, q), "caller": number, "question": cand["question"],
                "answers": [{"conversation_id": convs[cand["call"]], "turn": t} for t in cand["turns"]],
            }, sort_keys=True, ensure_ascii=False))
            stats[split]["kinds"][cand["asked"]] = stats[split]["kinds"].get(cand["asked"], 0) + 1
        stats[split]["callers"] += 1
        stats[split]["calls"] += len(calls)
        stats[split]["turns"].append(turns)
    os.makedirs(OUT, exist_ok=True)
    for split, f in files.items():
        with open(os.path.join(OUT, split + "_calls.jsonl"), "w", encoding="utf-8") as out:
            for _, _, line in sorted(f["calls"]):
                out.write(line + "\n")
        with open(os.path.join(OUT, split + "_questions.jsonl"), "w", encoding="utf-8") as out:
            for line in f["questions"]:
                out.write(line + "\n")
        s = stats[split]
        print("%s: %d callers, %d calls %s, %d-%d turns a caller, %d questions %s" % (
            split, s["callers"], s["calls"], dict(sorted(s["domains"].items())), min(s["turns"]),
            max(s["turns"]), len(f["questions"]), dict(sorted(s["kinds"].items()))))
    with open(os.path.join(OUT, "LICENSE"), "w", encoding="utf-8") as out:
        out.write(license_text(root, legalcode))
    with open(os.path.join(OUT, "ATTRIBUTION.md"), "w", encoding="utf-8") as out:
        out.write(attribution(stats, files, mi, ci))
    print("used %d movie and %d coffee dialogues" % (mi, ci))
    print("templates not used: %s" % dict(REJECTED.most_common()))


def notices(root):
    """The copyright notices of the parts read, as their READMEs word them."""
    out = []
    for part in ("TM-3-2020", "TM-4-2024"):
        with open(os.path.join(root, part, "README.md"), encoding="utf-8") as f:
            line = next(l.strip() for l in f if l.startswith("This is the work of"))
        out.append((part, line))
    return out


def license_text(root, legalcode):
    text = "Licence of the files in this folder\n\n"
    text += ("They are adapted from the Taskmaster corpus (%s, commit %s).\n"
             "Its copyright notices:\n\n" % (REPO, COMMIT))
    for part, line in notices(root):
        text += "%s: %s\n\n" % (part, line)
    text += ("Licence: Creative Commons Attribution 4.0 International (CC BY 4.0),\n"
             "https://creativecommons.org/licenses/by/4.0/ (legal code:\n"
             "https://creativecommons.org/licenses/by/4.0/legalcode). The changes made\n"
             "are described in ATTRIBUTION.md beside this file. The material is provided\n"
             "as-is, without warranties (Section 5 of the licence).\n")
    if legalcode:
        with open(legalcode, encoding="utf-8") as f:
            text += "\n" + "=" * 71 + "\n\n" + f.read().rstrip("\n") + "\n"
    return text


def attribution(stats, files, movies, coffee):
    d, t = stats["dev"], stats["test"]
    kinds = sorted(set(d["kinds"]) | set(t["kinds"]))
    table = "| kind asked | dev | test |\n|---|---|---|\n" + "".join(
        "| %s | %d | %d |\n" % (k, d["kinds"].get(k, 0), t["kinds"].get(k, 0)) for k in kinds)
    return """# Source and licence

These files are an adaptation of the **Taskmaster** corpus by Google
Research, %s at commit `%s`,
under the Creative Commons Attribution 4.0 International licence (CC BY 4.0,
https://creativecommons.org/licenses/by/4.0/; the authors' notices and the
licence text are in `LICENSE` beside this file):

* **Taskmaster-3 (TicketTalk)**, movie ticketing self-dialogues, by Bill Byrne,
  Karthik Krishnamoorthi and Saravanan Ganesh (Google LLC): the rows of
  `TM-3-2020/splits/train/train-bc.tsv`.
* **Taskmaster-4**, coffee ordering self-dialogues, by Bill Byrne and Saravanan
  Ganesh (Google LLC): `TM-4-2024/data/data_00.json` to `data_07.json`.

Taskmaster-2 (flights, hotels, restaurants, music, sports, food ordering) and
the Taskmaster-3 JSON dialogue files were not available where this set was
built (each file is 4 MiB or more) and are not used.

## What was changed

`eval/real/taskmaster.py` made these files; nothing else edited them.

* **Selection.** Movie dialogues with 3 or more customer turns and coffee
  dialogues, in both cases only those whose customer says annotated values of
  two or more kinds; %d movie and %d coffee dialogues, chosen by a hash of
  their ids. The TicketTalk rows are dialogue prefixes: the API calls are
  dropped, the next assistant turn of the row is kept as the last turn.
* **Re-grouping.** The dialogues were dealt to 24 synthetic callers with
  fictional numbers (+1 312 555 0201 to 0224), 24 to 30 each, movie and
  coffee mixed; each dialogue became one inbound call, dated a few days after
  the caller's previous one from 2025-01-06 (UTC), with turn times made up
  from the turn lengths. The customer (USER) speaks as `user`, the assistant
  as `agent`. Whitespace in turns was collapsed; the words are the authors'.
  A call's `conversation_id` is `tm_`, the first 20 hex digits of the source
  dialogue's id (without `dlg-` and dashes), and the caller's index.
  Callers 0201-0212 form `dev_*` (ranking work may look at it), 0213-0224
  `test_*` (it may not); no dialogue or caller is in both.
* **Questions written by templates.** The questions are not the authors':
  each is built from the annotated values of one call (API call arguments and
  responses: movie, theater, showtime, day, tickets, location, genre,
  screening, seating, drink, milk, add-on, special request, order name). It
  asks for a value the caller said, names other values of the same call
  (which pin that call among the caller's calls) and never the value itself.
  Its answers are the turns of that call, either speaker, that say the value;
  a "when" question's answers are the turns saying the call's day or time.
  Every question has a caller turn among its answers that shares a word with
  it.

| split | callers | calls (movie / coffee) | turns a caller | questions |
|---|---|---|---|---|
| dev | %d | %d (%d / %d) | %d to %d | %d |
| test | %d | %d (%d / %d) | %d to %d | %d |

%s""" % (REPO, COMMIT, movies, coffee,
          d["callers"], d["calls"], d["domains"].get("movies", 0), d["domains"].get("coffee", 0),
          min(d["turns"]), max(d["turns"]), len(files["dev"]["questions"]),
          t["callers"], t["calls"], t["domains"].get("movies", 0), t["domains"].get("coffee", 0),
          min(t["turns"]), max(t["turns"]), len(files["test"]["questions"]), table)


if __name__ == "__main__":
    main()
