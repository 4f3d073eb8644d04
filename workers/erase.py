"""Erase an agent's data (GDPR Art. 17; the agent owns their data).

Removes the strain state, the agent's own prompt record and answers, their hostile-message
list, the per-message scores attributed to them and their corrections, their open hand-off
offers, their choice to share with their lead, their open break follow-ups (workers/evidence.py)
and their profile. Kept: message-id
de-duplication marks (no personal data: the mark of an erased score says only "counted") and
ticket snapshots (helpdesk data, overwritten by the next poll). New events after the erasure
start a fresh state.
"""

from __future__ import annotations

import json

import redis as redis_lib

from workers import evidence, keys, marks
from workers.corrections import CORRECTIONS
from workers.sharing import SHARING
from workers.suggestion_store import offers_key, prefs_key

ERASED = b"e"  # a mark whose score was erased: seen and counted, nothing else


def erase_agent(r: redis_lib.Redis, agent: str) -> dict:
    """Delete everything Breather keeps about one agent; returns what was removed."""
    messages = _messages_of(r, agent)
    team = (r.hget(keys.agent(agent), "team") or b"").decode()
    pipe = r.pipeline(transaction=True)
    pipe.delete(keys.strain(agent), prefs_key(agent), keys.recent_hostile(agent), keys.agent(agent),
                keys.agent_tickets(agent))
    pipe.srem(keys.AGENTS, agent)
    if team:
        pipe.srem(keys.team_members(team), agent)
    pipe.srem(SHARING, agent)
    for name, message_id in messages:
        pipe.hset(name, message_id, ERASED)  # still counted once: a re-poll must not recount
        pipe.hdel(CORRECTIONS, message_id)
    results = pipe.execute()
    offers = _drop_offers(r, agent, team) if team else 0
    return {"agent": agent, "records": int(results[0]) + int(results[1]),
            "message_scores": len(messages), "offers": offers,
            "break_followups": _drop_followups(r, agent)}


def _drop_followups(r: redis_lib.Redis, agent: str) -> int:
    """Open "do breaks help?" follow-ups name the agent until their last reading: drop them."""
    dropped = 0
    for member in r.zrange(evidence.FOLLOWUPS, 0, -1):
        key = evidence.followup_key(member.decode())
        raw = r.get(key)
        if raw and json.loads(raw).get("agent") == agent:
            r.zrem(evidence.FOLLOWUPS, member)
            dropped += r.delete(key)
    return dropped


def _messages_of(r: redis_lib.Redis, agent: str) -> list[tuple[str, str]]:
    """(mark hash, message id) of every score attributed to the agent."""
    return [(keys.messages(ticket), message_id)
            for ticket, message_id, _ in marks.of_agent(r, agent)]


def _drop_offers(r: redis_lib.Redis, agent: str, team: str) -> int:
    dropped = 0
    for ticket, raw in r.hgetall(offers_key(team)).items():
        if json.loads(raw).get("by") == agent:
            dropped += r.hdel(offers_key(team), ticket)
    return dropped
