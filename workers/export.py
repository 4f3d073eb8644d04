"""Export an agent's data (GDPR Art. 15 and 20): everything Breather keeps about them, as JSON.

The same records `workers/erase.py` removes, so what an agent can see is what an erasure takes
away. Customer message text is not in it because Breather never keeps it.
"""

from __future__ import annotations

import json

import redis as redis_lib

from workers import agents, evidence, marks
from workers.corrections import CORRECTIONS
from workers.sharing import shares
from workers.suggestion_store import offers_key, prefs_key


def export_agent(r: redis_lib.Redis, agent: str, now: float) -> dict:
    """Everything Breather holds about `agent`, as plain JSON-ready data."""
    scores = message_scores(r, agent)
    profile = agents.agent_profile(r, agent)
    prefs = r.get(prefs_key(agent))
    return {
        "agent": agent,
        "profile": profile,
        "current_strain": agents.agent_view(r, agent, now),
        "prompt_record": json.loads(prefs) if prefs else None,
        "message_scores": scores,
        "corrections": {mid: json.loads(raw) for mid, raw in
                        zip(scores, r.hmget(CORRECTIONS, list(scores)) if scores else [],
                            strict=True) if raw},
        "shares_with_lead": shares(r, agent),
        "open_offers": _offers_by(r, agent, profile["team"]),
        "break_followups": _followups_of(r, agent),
    }


def message_scores(r: redis_lib.Redis, agent: str) -> dict[str, dict]:
    """Scores of the messages attributed to the agent: id -> time, anger, hostile flag (cues are
    kept only for the recent hostile messages, in `current_strain`)."""
    return {message_id: record for _, message_id, record in marks.of_agent(r, agent)}


def _offers_by(r: redis_lib.Redis, agent: str, team: str | None) -> list[dict]:
    if not team:
        return []
    return [offer for offer in map(json.loads, r.hvals(offers_key(team)))
            if offer.get("by") == agent]


def _followups_of(r: redis_lib.Redis, agent: str) -> list[dict]:
    """Open "do breaks help?" follow-ups (deleted after their 60-minute reading)."""
    found = []
    for member in r.zrange(evidence.FOLLOWUPS, 0, -1):
        raw = r.get(evidence.followup_key(member.decode()))
        if raw and json.loads(raw).get("agent") == agent:
            found.append(json.loads(raw))
    return found
