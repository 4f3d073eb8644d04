"""Ticket snapshots (`ticket:{id}`) and the assigned/solved events their changes make.

A ticket record is compared with the stored snapshot to find who took a ticket on or let it
go. The snapshot must move on at once (a message on the ticket in the same page needs its new
agent), but the events count only later, in the transaction that writes the agents' strain
states. So the events are written into the snapshot, in the same command that moves it on, as
"due" fields (`due:{type}:{at}:{agent}` -> team); the transaction that applies one deletes its
field. A job killed or failing in between leaves them due, and whichever job next reads the
ticket applies them: once, since an applied event's field is gone (decision 56).

The snapshot's `v` field counts its writes: a write goes through only if nobody wrote the
snapshot since it was read, so two jobs with copies of a ticket cannot both see "new agent".
"""

from __future__ import annotations

from redis.commands.core import Script

from workers import keys, strain

DUE = "due:"

# KEYS: the snapshot, the ticket's parked messages. ARGV: the version read ('' for none), the
# expiry in seconds (0: keep), '1' to return the parked messages, then field/value pairs.
# Returns false when the snapshot changed since it was read, else the parked messages.
_WRITE = Script(None, b"""
local v = redis.call('HGET', KEYS[1], 'v')
if (v or '') ~= ARGV[1] then return false end
redis.call('HSET', KEYS[1], 'v', (tonumber(v) or 0) + 1, unpack(ARGV, 4))
if ARGV[2] == '0' then
  redis.call('PERSIST', KEYS[1])
else
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
if ARGV[3] == '1' then return redis.call('LRANGE', KEYS[2], 0, -1) end
return {}
""")


def read(r, ticket_id: str) -> dict[str, str]:
    """The stored snapshot, due fields included ({} for an unknown ticket)."""
    return {k.decode(): v.decode() for k, v in r.hgetall(keys.ticket(ticket_id)).items()}


def due_field(event: strain.Event) -> str:
    """The snapshot field that holds an assigned/solved event until it is applied."""
    return f"{DUE}{event.type}:{event.at!r}:{event.agent}"


def due_events(ticket_id: str, snapshot: dict[str, str]) -> list[strain.Event]:
    """The events a snapshot still holds: written by a job that has not applied them (yet)."""
    found = []
    for field, team in snapshot.items():
        if field.startswith(DUE):
            kind, at, agent = field[len(DUE):].split(":", 2)
            found.append(strain.Event(kind, float(at), agent, team=team or None,
                                      ticket=ticket_id))
    return found


def changes(old: dict[str, str], ticket: dict, at: float) -> list[strain.Event]:
    """Who let the ticket go and who took it on, between the snapshot and the record."""
    new_agent, new_open = ticket.get("agent") or "", bool(ticket.get("open"))
    old_agent, old_open = old.get("agent", ""), old.get("open") == "1"
    team = ticket.get("team") or None
    events = []
    if old_agent and old_open and (old_agent != new_agent or not new_open):
        events.append(strain.Event("solved", at, old_agent, team=team, ticket=ticket["id"]))
    if new_agent and new_open and (old_agent != new_agent or not old_open):
        events.append(strain.Event("assigned", at, new_agent, team=team, ticket=ticket["id"]))
    return events


def write(r, ticket: dict, at: float, version: str, events: list[strain.Event],
          retention_days: int) -> list[bytes] | None:
    """Move the snapshot on to `ticket`, with `events` due, unless it changed since it was read
    at `version` (then None: read it again). Returns the ticket's parked messages when it has
    an agent (read, not removed: they leave only with their count).

    A closed ticket's snapshot expires after the retention window; an open one is kept.
    """
    is_open = bool(ticket.get("open"))
    pairs = ["agent", ticket.get("agent") or "", "open", "1" if is_open else "0",
             "team", ticket.get("team") or "", "updated_at", repr(at)]
    for event in events:
        pairs += (due_field(event), event.team or "")
    ttl = 0 if is_open else retention_days * 86400
    found = _WRITE(keys=[keys.ticket(ticket["id"]), keys.pending(ticket["id"])],
                   args=[version, ttl, "1" if ticket.get("agent") else "0", *pairs], client=r)
    return None if found is None else list(found)
