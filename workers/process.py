"""The process job: normalised records in, tone scores and strain state out.

Idempotent by design: each message id is marked as seen in the same Redis transaction that applies
it to an agent's strain state, so a page processed twice (a retried job, a webhook copy of a polled
message, a crash half-way) counts every message exactly once. No message text is stored.
The marks live in one hash per ticket (workers/marks.py); a page reads them, and its tickets'
agents, in one Lua call, and writes them in another. A ticket's assigned/solved events are kept
due in its snapshot until that transaction applies them (workers/snapshots.py).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable

import redis as redis_lib

from workers import keys, marks, snapshots, stats, strain, teams
from workers.agents import agent_teams
from workers.bookmarks import check_types
from workers.connection import connect
from workers.settings import Settings
from workers.strain_store import update_states
from workers.timeutil import parse_ts

PENDING_TTL = 7 * 24 * 3600
AGENT_GROUP = 200  # agents per transaction (see _apply_to_agents)
SHARED_KEY_TYPES = {keys.MESSAGE_COUNTS: "hash", keys.AGENTS: "set", keys.CLOCK: "zset"}
REQUIRED = {"agent": ("id",), "ticket": ("id", "updated_at"),
            "message": ("id", "ticket", "at", "from")}


def process_records(records: list[dict]) -> dict:
    """RQ job: process one page of normalised records (see docs/architecture.md).

    An RQ job is an entry point, so it reads Settings from the environment itself.
    """
    from rq import get_current_job

    settings = Settings.from_env()
    job = get_current_job()
    r = job.connection if job is not None else connect(settings.redis_url)
    with stats.timed(r, "processing"):
        return apply_records(r, records, retention_days=settings.retention_days,
                             score_tone=settings.enabled("tone"),
                             keep_strain=settings.enabled("strain"))


def apply_records(r: redis_lib.Redis, records: list[dict], retention_days: int = 30,
                  score_tone: bool = True, keep_strain: bool = True) -> dict:
    """Apply agent, ticket and message records to Redis; return a summary of what changed.

    Raises CorruptValue (before writing anything) when a shared key holds a foreign value: a
    command failing inside MULTI/EXEC would not undo the others, and a message could be marked
    seen without being counted.
    """
    check_types(r, SHARED_KEY_TYPES)
    by_kind: dict[str, list[dict]] = defaultdict(list)
    skipped = 0
    for record in records:
        if _is_valid(record):
            by_kind[record["kind"]].append(record)
        else:
            skipped += 1
    summary = {"agents": _store_agents(r, by_kind["agent"]), "tickets": 0, "messages": 0,
               "duplicates": 0, "pending": 0, "skipped": skipped}
    ticket_events, released = _ticket_events(r, by_kind["ticket"], retention_days)
    summary["tickets"] = len(by_kind["ticket"])
    message_events, counted, summary["duplicates"], summary["pending"] = _message_events(
        r, by_kind["message"], retention_days, score_tone
    )
    summary["messages"] = counted
    _apply_to_agents(r, ticket_events + message_events, retention_days, keep_strain, released)
    return summary


def _is_valid(record) -> bool:
    """A record the connectors' contract allows; anything else is skipped, never fatal."""
    if not isinstance(record, dict) or record.get("kind") not in REQUIRED:
        return False
    return all(isinstance(record.get(field), str) and record[field]
               for field in REQUIRED[record["kind"]])


def _store_agents(r: redis_lib.Redis, agents: list[dict]) -> int:
    if not agents:
        return 0
    before = agent_teams(r, [agent["id"] for agent in agents])  # to leave a team's set
    pipe = r.pipeline(transaction=True)
    for agent in agents:
        mapping = {
            "name": agent.get("name") or agent["id"],
            "team": agent.get("team") or "",
            "source": agent.get("source") or agent["id"].split(":")[0],
            "active": "1" if agent.get("active", True) else "0",
        }
        pipe.hset(keys.agent(agent["id"]), mapping=mapping)
        pipe.sadd(keys.AGENTS, agent["id"])
        teams.index(pipe, agent["id"], before[agent["id"]], agent.get("team") or None)
    pipe.execute()
    return len(agents)


def _ticket_events(r: redis_lib.Redis, tickets: list[dict], retention_days: int = 30):
    """Turn ticket snapshots into assigned/solved events by comparing with the stored snapshot.

    Returns (events, released): released maps a ticket to how many parked messages it let go;
    they leave the pending list only in the transaction that applies them. The events are
    written into the snapshot as due with it, and also returned when an earlier job left them
    due (workers/snapshots.py): a job that dies before applying them loses none.
    """
    events: dict[tuple[str, str], tuple[strain.Event, dict | None]] = {}
    released: dict[str, int] = {}
    for ticket in sorted(tickets, key=lambda t: t.get("updated_at") or ""):
        at = parse_ts(ticket.get("updated_at"))
        if at is None:
            continue
        parked = _move_snapshot(r, ticket, at, events, retention_days)
        if parked is not None:
            team = ticket.get("team") or None
            found = _parked_events(parked, ticket["id"], ticket["agent"], team)
            events.update(((ticket["id"], event.id), (event, seen)) for event, seen in found)
            released[ticket["id"]] = len(found)
    return list(events.values()), released


def _move_snapshot(r: redis_lib.Redis, ticket: dict, at: float,
                   events: dict[tuple[str, str], tuple[strain.Event, dict | None]],
                   retention_days: int) -> list[bytes] | None:
    """Write the ticket's new snapshot with its changes due, adding to `events` what is due on
    it; returns its parked messages (None without an agent, or for an out-of-date record)."""
    while True:
        old = snapshots.read(r, ticket["id"])
        for event in snapshots.due_events(ticket["id"], old):
            events.setdefault((ticket["id"], snapshots.due_field(event)), (event, None))
        if float(old.get("updated_at") or 0) > at:
            return None  # an older snapshot than the one we hold (rollover duplicate)
        changes = snapshots.changes(old, ticket, at)
        parked = snapshots.write(r, ticket, at, old.get("v", ""), changes, retention_days)
        if parked is not None:
            break  # else another job wrote the snapshot since we read it: read it again
    for event in changes:
        events[(ticket["id"], snapshots.due_field(event))] = (event, None)
    return parked if ticket.get("agent") else None


def _parked_events(raw: list[bytes], ticket: str, agent: str, team: str | None):
    """Messages that arrived before their ticket had an agent now count for that agent."""
    events = []
    for item in raw:
        data = json.loads(item)
        data["seen"]["team"] = team or ""
        events.append((strain.Event("message", data["at"], agent, team=team, ticket=ticket,
                                    id=data["id"], sender=data["sender"], anger=data["anger"],
                                    praise=data["praise"], hostile=data["hostile"]),
                       data["seen"]))
    return events


def _message_events(r: redis_lib.Redis, messages: list[dict], retention_days: int,
                    score_tone: bool = True):
    """Score new messages in one batch; return (events, counted, duplicates, pending)."""
    fresh, tickets = _unseen(r, messages)
    duplicates = len(messages) - len(fresh)
    scorable = [m for m in fresh if m.get("from") == "customer" and score_tone]
    scores = []
    if scorable:
        with stats.timed(r, "scoring"):  # one batch: the histogram counts batches, not texts
            scores = _score([m.get("text") or "" for m in scorable])
    tones = dict(zip((m["id"] for m in scorable), scores, strict=True))
    events, pending = [], 0
    for message in fresh:
        at = parse_ts(message.get("at"))
        if at is None or message.get("from") == "note":
            continue
        ticket = tickets[message["ticket"]]
        tone = tones.get(message["id"])
        seen = _seen_record(message, tone, ticket.get("team") or "")
        data = {"id": message["id"], "at": at, "sender": message["from"],
                "anger": tone.anger if tone else 0.0, "praise": tone.praise if tone else 0.0,
                "hostile": bool(tone and tone.hostile), "seen": seen}
        if not ticket.get("agent"):
            ticket = _park(r, message["ticket"], data, retention_days)
            if not ticket.get("agent"):
                pending += 1
                continue
            seen["team"] = ticket.get("team") or ""
        events.append((strain.Event("message", at, ticket["agent"], team=ticket.get("team") or None,
                                    ticket=message["ticket"], id=message["id"],
                                    sender=message["from"], anger=data["anger"],
                                    praise=data["praise"], hostile=data["hostile"]), seen))
    return events, len(fresh), duplicates, pending


def _unseen(r: redis_lib.Redis, messages: list[dict]):
    """Messages whose id has no mark yet, and the agent and team of their tickets: one Lua
    call for the whole page."""
    unique = {m["id"]: m for m in messages if m.get("id")}
    if not unique:
        return [], {}
    found, snapshots = marks.look(r, [(keys.messages(m["ticket"]), m["id"])
                                      for m in unique.values()],
                                  list({m["ticket"] for m in unique.values()}))
    return [m for m, mark in zip(unique.values(), found, strict=True) if mark is None], snapshots


def _park(r: redis_lib.Redis, ticket: str, data: dict, retention_days: int) -> None:
    """Keep a scored message (no text) until its ticket has an agent; marks it seen atomically.

    Only while the ticket still has no agent (WATCH): a ticket job that assigned it meanwhile has
    already looked for parked messages, so the message is returned to count at once instead.
    Returns the ticket's agent and team ({} when parked).
    """
    def park(pipe) -> dict[str, str]:
        agent, team = pipe.hmget(keys.ticket(ticket), "agent", "team")
        if agent:
            return {"agent": agent.decode(), "team": (team or b"").decode()}
        pipe.multi()
        pipe.rpush(keys.pending(ticket), json.dumps(data))
        pipe.expire(keys.pending(ticket), PENDING_TTL)
        pipe.hset(keys.messages(ticket), data["id"], marks.PARKED)
        pipe.expire(keys.messages(ticket), retention_days * 86400)
        return {}

    return r.transaction(park, keys.ticket(ticket), value_from_callable=True)


def _seen_record(message: dict, tone, team: str) -> dict:
    """What is kept about a message: its tone and where it counts, never its text."""
    label = "unscored" if tone is None else "neutral"
    if tone is not None and tone.hostile:
        label = "hostile"
    elif tone is not None and tone.praise >= 0.5:
        label = "praise"
    return {"source": message.get("source") or message["id"].split(":")[0], "team": team,
            "tone": label if message.get("from") == "customer" else "",
            "anger": tone.anger if tone else 0.0,
            "cues": list(tone.cues) if tone else []}


def _apply_to_agents(r: redis_lib.Redis, items: list[tuple[strain.Event, dict | None]],
                     retention_days: int, keep_strain: bool = True,
                     released: dict[str, int] | None = None) -> None:
    """Apply a page's events to its agents' states; the seen-marks commit in the same
    transaction. A message already applied (its mark holds a tone record: a parked message
    released twice, or two jobs racing on copies of a page) is skipped.

    Agents commit in groups of AGENT_GROUP, each group's marks with its states: Redis's WATCH
    checks every key already watched before adding one, so watching a page's thousand agents at
    once cost about 8 ms (bench.scale at 10,000 agents). A job that dies between groups is
    safe: the next attempt finds the first groups' messages marked.

    With the strain function switched off, messages are still counted once, and no state kept.
    """
    if not items:
        return
    if not keep_strain:
        _commit_group(r, items, retention_days, False, released or {})
        return
    agents = sorted({event.agent for event, _ in items})
    group_of = {agent: n // AGENT_GROUP for n, agent in enumerate(agents)}
    parts: dict[int, list[tuple[strain.Event, dict | None]]] = defaultdict(list)
    for item in items:
        parts[group_of[item[0].agent]].append(item)
    for part in (parts[n] for n in sorted(parts)):
        tickets = {event.ticket for event, seen in part if seen is not None}
        _commit_group(r, part, retention_days, True,
                      {t: n for t, n in (released or {}).items() if t in tickets})


def _commit_group(r: redis_lib.Redis, items: list[tuple[strain.Event, dict | None]],
                  retention_days: int, keep_strain: bool, released: dict[str, int]) -> None:
    """`_apply_to_agents` for one group of agents: one WATCH/MULTI/EXEC."""
    seen_of = {id(event): seen for event, seen in items}

    def fresh(pipe) -> dict[str, list[strain.Event]]:
        checked = [e for e, s in items if s is not None]
        due = [e for e, s in items if s is None]  # a ticket's assigned/solved events
        found, _ = marks.look(pipe, [(keys.messages(e.ticket), e.id) for e in checked]
                              + [(keys.ticket(e.ticket), snapshots.due_field(e)) for e in due])
        done = {id(e) for e, raw in zip(checked, found[:len(checked)], strict=True)
                if marks.applied(raw)}
        done |= {id(e) for e, raw in zip(due, found[len(checked):], strict=True) if raw is None}
        chosen: dict[str, list[strain.Event]] = defaultdict(list)
        for event, _ in items:
            if id(event) not in done:
                chosen[event.agent].append(event)
        return chosen

    def mark(pipe, chosen: dict[str, list[strain.Event]]) -> None:
        counts: Counter[str] = Counter()
        tones: dict[str, dict[str, bytes]] = defaultdict(dict)
        hostile: dict[str, list[bytes]] = {}
        tickets: dict[str, dict[str, float]] = defaultdict(dict)
        for agent, events in chosen.items():
            on = tickets[agent]
            for event in events:
                seen = seen_of[id(event)]
                if seen is None:
                    continue
                on[event.ticket] = max(event.at, on.get(event.ticket, event.at))
                tones[event.ticket][event.id] = marks.encode(agent, event.at, seen["anger"],
                                                             event.hostile)
                if event.hostile:
                    hostile.setdefault(agent, []).append(
                        marks.recent_entry(event.ticket, event.id, seen["cues"]))
                field = _count_field(seen)
                if field:
                    counts[field] += 1
        marks.mark(pipe, tones, hostile, {a: t for a, t in tickets.items() if t},
                   retention_days, counts)
        for ticket, count in released.items():
            if count:  # the parked messages applied here leave the pending list with them
                pipe.ltrim(keys.pending(ticket), count, -1)
        applied_due: dict[str, list[str]] = defaultdict(list)
        for event in (e for events in chosen.values() for e in events):
            if seen_of[id(event)] is None:
                applied_due[event.ticket].append(snapshots.due_field(event))
        for ticket, fields in applied_due.items():  # applied: no longer due
            pipe.hdel(keys.ticket(ticket), *fields)
        latest = [e.at for events in chosen.values() for e in events]
        if latest:
            pipe.zadd(keys.CLOCK, {"latest": max(latest)}, gt=True)

    if keep_strain:
        update_states(r, sorted({event.agent for event, _ in items}), fresh, mark)
        return
    with r.pipeline(transaction=True) as pipe:
        chosen = fresh(r)
        mark(pipe, chosen)
        if chosen:  # no state to write, but the agents are known (agent_ids reads this set)
            pipe.sadd(keys.AGENTS, *chosen)
        pipe.execute()


def _count_field(seen: dict) -> str | None:
    """The stats:messages field a message counts under (customer messages only)."""
    if not seen["tone"]:
        return None
    return f"{seen['source']}|{seen['team'] or 'unassigned'}|{seen['tone']}"


def _score(texts: Iterable[str]):
    from workers.tone import score

    texts = list(texts)
    return score(texts) if texts else []
