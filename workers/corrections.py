"""An agent marks a message's score as wrong: keep the correction (never the text) and let it
count in the strain model. Corrections also feed retraining (see docs/tone.md)."""

from __future__ import annotations

import json

import redis as redis_lib

from workers import keys, marks, strain
from workers.strain_store import update_state

CORRECTIONS = keys.CORRECTIONS


class CorrectionError(LookupError):
    """The message is unknown, expired, or not on this agent's tickets."""


def record_correction(r: redis_lib.Redis, agent: str, message_id: str, hostile: bool,
                      now: float | None = None) -> dict:
    """Store the correction and apply it to the agent's strain state, once.

    The message is looked up on the tickets the agent had messages on (workers/marks.py);
    its cues, kept for the agent's recent hostile messages only, go with the correction.
    """
    ticket, raw = marks.find(r, agent, message_id) or (None, None)
    tone = marks.decode(raw)
    if tone is None:
        raise CorrectionError(f"no scored message {message_id!r} on {agent!r}'s tickets "
                              "(unknown, someone else's, or past retention)")
    if tone.get("agent") != agent:
        raise CorrectionError(f"message {message_id!r} is not on {agent!r}'s tickets")
    previous = tone.get("corrected", tone.get("hostile", False))
    if bool(previous) == hostile:
        return {"message": message_id, "hostile": hostile, "changed": False}
    event = strain.Event("correction", float(now if now is not None else tone["at"]), agent,
                         id=message_id, anger=float(tone.get("anger", 0.0)), hostile=hostile,
                         value=float(tone["at"]))
    tone["corrected"] = hostile
    tone["cues"] = next((c for _, mid, c in marks.recent(r, agent) if mid == message_id), [])
    _apply(r, agent, event, ticket, message_id, tone)
    return {"message": message_id, "hostile": hostile, "changed": True}


def _apply(r: redis_lib.Redis, agent: str, event: strain.Event, ticket: str, message_id: str,
           tone: dict):
    record = {"agent_scored_hostile": bool(tone.get("hostile")), "hostile": event.hostile,
              "anger": tone.get("anger"), "cues": tone.get("cues", [])}
    value = marks.encode(agent, tone["at"], tone["anger"], tone["hostile"],
                         corrected=tone["corrected"])

    def keep(pipe, events) -> None:
        pipe.hset(keys.messages(ticket), message_id, value)  # the hash keeps its expiry
        pipe.hset(CORRECTIONS, message_id, json.dumps(record))
        direction = "not_hostile" if not event.hostile else "hostile"
        pipe.hincrby(keys.CORRECTION_COUNTS, direction, 1)

    update_state(r, agent, lambda pipe: [event], keep)

