"""Message marks: what Breather keeps about each message it has seen, one Redis hash per ticket.

`msgs:{ticket}` maps a message id to its mark: `p` while the message is parked (seen, waiting
for its ticket's agent), then its tone record once it counted: agent, time, anger, hostile flag
and a correction, as a short JSON list (never the text). The field's presence is the
de-duplication mark; a non-`p` value means "applied to an agent's strain". One small hash per
ticket (ziplist/listpack-encoded by Redis while its values stay under 64 bytes, hence no cues
in it) costs several times less than two string keys with their own expiry per message, and a
whole page is marked by one Lua call. The hash expires `retention` after its ticket's last
message (Redis before 7.4 cannot expire single fields), so marks live at least that long.

`recent:{agent}` lists the agent's latest hostile messages, newest first, as JSON
`[ticket, message id, cues]`: what the widget shows beside "Not hostile?", and how a
correction finds the message's mark.
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson
import redis as redis_lib
from redis.commands.core import Script

from workers import keys

PARKED = b"p"
RECENT_HOSTILE = 10
CHUNK = 200  # fields a Lua HSET/LPUSH takes at once (Lua's unpack has a stack limit)

# One HGET per (key, field) pair: a page's marks in one command; with ARGV[1] pairs followed
# by ticket snapshots, also each ticket's agent and team (one HMGET each).
_LOOK = Script(None, b"""
local n = tonumber(ARGV[1])
local out = {}
for i = 1, n do out[i] = redis.call('HGET', KEYS[i], ARGV[i + 1]) end
for i = n + 1, #KEYS do
  local found = redis.call('HMGET', KEYS[i], 'agent', 'team')
  out[#out + 1] = found[1]
  out[#out + 1] = found[2]
end
return out
""")

# Marks a page. KEYS: the message counters, then ticket mark hashes, then recent-hostile
# lists, then per-agent ticket indexes. ARGV: expiry in seconds, entries kept per list, how
# many hashes, how many lists, the index cut-off time, how many counters; then the counters'
# field/increment pairs (first: a counter of the wrong type fails before anything is marked),
# then per key a count and its field/value pairs (hashes), entries (lists) or score/member
# pairs (indexes). A list is trimmed only when it grew past its length (LPUSH's reply), an
# index only when a ticket joined it (ZADD's reply): it cannot grow without being trimmed,
# and a page that only moves known tickets' times on saves a call per agent.
_MARK = Script(None, b"""
local ttl, keep = ARGV[1], tonumber(ARGV[2])
local hashes, lists, cutoff = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local at = 7
for i = 1, tonumber(ARGV[6]) do
  redis.call('HINCRBY', KEYS[1], ARGV[at], ARGV[at + 1])
  at = at + 2
end
for i = 2, #KEYS do
  local key = KEYS[i]
  local kind = (i <= hashes + 1) and 'HSET' or ((i <= hashes + lists + 1) and 'LPUSH' or 'ZADD')
  local width = (kind == 'LPUSH') and 1 or 2
  local n = tonumber(ARGV[at])
  local first, last = at + 1, at + n * width
  local grew = 0
  for lo = first, last, CHUNK * width do
    local hi = math.min(last, lo + CHUNK * width - 1)
    if kind == 'ZADD' then
      grew = grew + redis.call('ZADD', key, 'GT', unpack(ARGV, lo, hi))
    else
      grew = redis.call(kind, key, unpack(ARGV, lo, hi))
    end
  end
  if kind == 'LPUSH' and grew > keep then redis.call('LTRIM', key, 0, keep - 1) end
  if kind == 'ZADD' and grew > 0 then
    redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. cutoff)
  end
  redis.call('EXPIRE', key, ttl)
  at = last + 1
end
return #KEYS
""".replace(b"CHUNK", str(CHUNK).encode()))


def look(client, pairs: list[tuple[str, str]],
         tickets: list[str] = ()) -> tuple[list[bytes | None], dict[str, dict[str, str]]]:
    """HGET of many (key, field) pairs, and the agent and team of `tickets`, in one round trip
    (`client` is a Redis client or a watching pipe)."""
    if not pairs and not tickets:
        return [], {}
    found = _LOOK(keys=[key for key, _ in pairs] + [keys.ticket(t) for t in tickets],
                  args=[len(pairs)] + [field for _, field in pairs], client=client)
    n = len(pairs)
    snapshots = {ticket: {"agent": (found[n + 2 * i] or b"").decode(),
                          "team": (found[n + 2 * i + 1] or b"").decode()}
                 for i, ticket in enumerate(tickets)}
    return found[:n], snapshots


def encode(agent: str, at: float, anger: float, hostile: bool,
           corrected: bool | None = None) -> bytes:
    """A tone record: `[agent, at, anger, hostile]`, and the correction when there is one."""
    record: list = [agent, int(at) if at == int(at) else round(at, 3), round(anger, 3),
                    1 if hostile else 0]
    if corrected is not None:
        record.append(1 if corrected else 0)
    return orjson.dumps(record)


def decode(raw: bytes | None) -> dict | None:
    """The tone record as a dict (agent, at, anger, hostile[, corrected]); None when the
    message is unknown, parked, or its score was erased."""
    if not raw or raw == PARKED or raw[:1] != b"[":
        return None
    agent, at, anger, hostile, *rest = orjson.loads(raw)
    record = {"agent": agent, "at": at, "anger": anger, "hostile": bool(hostile)}
    if rest:
        record["corrected"] = bool(rest[0])
    return record


def applied(raw: bytes | None) -> bool:
    """The mark says the message already counted for an agent (not merely parked)."""
    return raw is not None and raw != PARKED


def mark(pipe, marks: dict[str, dict[str, bytes]], hostile: dict[str, list[bytes]],
         tickets: dict[str, dict[str, float]], retention_days: int,
         counts: dict[str, int] | None = None) -> None:
    """Queue one Lua call writing `marks` (ticket -> message id -> mark), pushing each agent's
    new hostile messages (agent -> [`recent_entry`, ...], oldest first), noting on which
    tickets each agent got messages (agent -> ticket -> latest message time) and adding
    `counts` to the message counters (field -> increment; one call, not a command a field).

    The per-agent ticket index (`tickets:{agent}`) is how a correction, an export or an
    erasure finds an agent's marks without scanning every ticket; entries older than the
    retention window (by the page's newest time) leave it here whenever a ticket joins it.
    One left a little longer only points at a mark hash that has expired: readers find
    nothing there.
    """
    counts = counts or {}
    if not marks and not hostile and not tickets and not counts:
        return
    ttl = retention_days * 86400
    newest = max((t for times in tickets.values() for t in times.values()), default=0.0)
    names = [keys.MESSAGE_COUNTS]
    names += [keys.messages(ticket) for ticket in marks]
    names += [keys.recent_hostile(agent) for agent in hostile]
    names += [keys.agent_tickets(agent) for agent in tickets]
    args: list = [ttl, RECENT_HOSTILE, len(marks), len(hostile), repr(newest - ttl), len(counts)]
    for field, count in counts.items():
        args += (field, count)
    for fields in marks.values():
        args.append(len(fields))
        for message_id, value in fields.items():
            args += (message_id, value)
    for entries in hostile.values():
        args.append(len(entries))
        args += entries
    for times in tickets.values():
        args.append(len(times))
        for ticket, at in times.items():
            args += (repr(at), ticket)
    _MARK(keys=names, args=args, client=pipe)


def recent_entry(ticket: str, message_id: str, cues: Iterable[str]) -> bytes:
    return orjson.dumps([ticket, message_id, list(cues)])


def recent(r: redis_lib.Redis, agent: str) -> list[tuple[str, str, list[str]]]:
    """The agent's latest hostile messages as (ticket, message id, cues), newest first."""
    return parse_recent(r.lrange(keys.recent_hostile(agent), 0, -1))


def parse_recent(entries: list[bytes]) -> list[tuple[str, str, list[str]]]:
    """`recent:{agent}` entries as (ticket, message id, cues); others are left out."""
    found = []
    for raw in entries:
        try:
            ticket, message_id, cues = orjson.loads(raw)
        except (orjson.JSONDecodeError, ValueError, TypeError):
            continue  # not an entry this version wrote
        found.append((ticket, message_id, cues))
    return found


def find(r: redis_lib.Redis, agent: str, message_id: str) -> tuple[str, bytes] | None:
    """(ticket, raw mark) of a message on one of the agent's tickets: their recent hostile
    messages first, then each ticket they had messages on in the retention window."""
    recent_ticket = next((t for t, mid, _ in recent(r, agent) if mid == message_id), None)
    tickets = [recent_ticket] if recent_ticket else []
    tickets += [t.decode() for t in r.zrevrange(keys.agent_tickets(agent), 0, -1)]
    for start in range(0, len(tickets), 500):
        chunk = tickets[start: start + 500]
        found, _ = look(r, [(keys.messages(t), message_id) for t in chunk])
        for ticket, raw in zip(chunk, found, strict=True):
            if raw is not None:
                return ticket, raw
    return None


def of_agent(r: redis_lib.Redis, agent: str):
    """Every (ticket, message id, tone record) attributed to the agent (export, erasure)."""
    for raw_ticket in r.zrange(keys.agent_tickets(agent), 0, -1):
        ticket = raw_ticket.decode()
        for message_id, raw in r.hgetall(keys.messages(ticket)).items():
            record = decode(raw)
            if record is not None and record["agent"] == agent:
                yield ticket, message_id.decode(), record
