"""Redis shell around workers/suggestion_rules.py: load state and preferences, decide, store.

Responses are kept per agent in the agent's own preferences (only the agent sees them) and as
aggregate counts by kind and response (`breather:stats:responses`), never per agent elsewhere.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable

import redis as redis_lib
from redis.client import Pipeline

from workers import agents, clock, evidence, keys, stats, strain, teams
from workers.strain_store import update_state
from workers.suggestion_rules import (
    KINDS,
    Prefs,
    Suggestion,
    has_room,
    next_suggestion,
    respond,
)

RESPONSES = keys.RESPONSE_COUNTS
OFFER_TTL = 2 * 3600
BREAK_KINDS = ("cool_down", "break")
ANY_ROOM = sys.maxsize  # "as many teammates with room as it takes": see _decide


prefs_key = keys.prefs


def apply_events(r: redis_lib.Redis, agent: str, events: list[strain.Event]) -> strain.AgentState:
    """Apply events to an agent's stored state (optimistic locking: no lost update).

    Breaks started and check-ins are also counted by team (how many, never who).
    """
    state = update_state(r, agent, lambda pipe: events,
                         lambda pipe, applied: pipe.sadd(keys.AGENTS, agent))
    stats.count_team_events(r, agents.agent_profile(r, agent)["team"], (e.type for e in events))
    return state


def teammates_with_room(r: redis_lib.Redis, agent: str, team: str | None, now: float) -> int:
    """Teammates with room right now (they decide themselves whether to take anything).

    Two round trips, bounded by the team's size: its members (workers/teams.py), then their
    current teams and states (a member who has since moved team is not counted).
    """
    if not team:
        return 0
    mates = [other for other in teams.members(r, team) if other != agent]
    if not mates:
        return 0
    pipe = r.pipeline(transaction=False)
    for other in mates:
        pipe.hget(keys.agent(other), "team")
    pipe.mget([keys.strain(other) for other in mates])
    *their_teams, states = pipe.execute()
    return sum(1 for their_team, raw in zip(their_teams, states, strict=True)
               if raw and their_team and their_team.decode() == team
               and has_room(strain.assess(strain.loads(raw), now)))


def _update_prefs(r: redis_lib.Redis, agent: str, change):
    """Read-modify-write of the agent's prefs in one optimistic transaction: a concurrent
    answer is never lost (redis-py's `transaction()` re-runs it if the key changed meanwhile).

    `change(prefs) -> (result, new_prefs)`; the prefs are written only when they changed.
    """
    key = prefs_key(agent)

    def read_decide_write(pipe):
        raw = pipe.get(key)
        result, prefs = change(Prefs.loads(raw))
        pipe.multi()
        if _changed(prefs, raw):
            pipe.set(key, prefs.dumps())
        return result

    return r.transaction(read_decide_write, key, value_from_callable=True)


def _changed(prefs: Prefs, raw: bytes | None) -> bool:
    return prefs.dumps() != (raw or Prefs().dumps())


def current_suggestion(r: redis_lib.Redis, agent: str, now: float,
                       kinds: tuple[str, ...] = KINDS) -> dict | None:
    """The agent's one open suggestion, deciding a new one when none is open.

    One round trip when nothing changes (the open suggestion stays, or none is due): state,
    prefs and team are read in one pipeline and nothing is written. See `_settle`.
    """
    return _settle(r, agent, _read(r, agent), now, kinds)


def suggestion_now(r: redis_lib.Redis, agent: str, clock_mode: str,
                   kinds: tuple[str, ...] = KINDS) -> dict | None:
    """`current_suggestion` at the clock's now (workers/clock.py), the clock read in the same
    round trip as the agent's state and prefs (the widget asks on every refresh)."""
    pipe = _queue_read(r.pipeline(transaction=False), agent)
    clock.queue_read(pipe, clock_mode)
    raw_state, raw_prefs, raw_team, *latest = pipe.execute()
    now = clock.time_from(latest[0] if latest else None, clock_mode)
    return _settle(r, agent, (raw_state, raw_prefs, raw_team), now, kinds)


def _read(r: redis_lib.Redis, agent: str) -> tuple[bytes | None, bytes | None, bytes | None]:
    """The agent's strain state, prefs and team, in one round trip."""
    return tuple(_queue_read(r.pipeline(transaction=False), agent).execute())


def _queue_read(pipe: Pipeline, agent: str) -> Pipeline:
    pipe.get(keys.strain(agent))
    pipe.get(prefs_key(agent))
    pipe.hget(keys.agent(agent), "team")
    return pipe


def _settle(r: redis_lib.Redis, agent: str, seen: tuple, now: float,
            kinds: tuple[str, ...]) -> dict | None:
    """Decide on what `_read` saw; return at once if the prefs stay as they are. Otherwise
    decide again on prefs read under WATCH (`_update_prefs`) and write: an answer that landed
    after `_read` is then decided on, never written over."""
    raw_state, raw_prefs, raw_team = seen
    if raw_state is None:
        return None
    assessment = strain.assess(strain.loads(raw_state), now)
    team = raw_team.decode() or None if raw_team else None
    room = functools.cache(lambda: teammates_with_room(r, agent, team, now))
    stored = Prefs.loads(raw_prefs)
    suggestion, prefs = _decide(assessment, stored, now, kinds, room)
    if prefs is stored:  # next_suggestion hands back the same prefs when nothing changed
        return suggestion.to_dict() if suggestion else None
    before: dict = {}

    def decide(prefs: Prefs):
        before["open"] = prefs.open
        return _decide(assessment, prefs, now, kinds, room)

    suggestion = _update_prefs(r, agent, decide)
    _count_changes(r, agent, team, before.get("open"), suggestion, assessment)
    return suggestion.to_dict() if suggestion else None


def _decide(a: strain.Assessment, prefs: Prefs, now: float, kinds: tuple[str, ...],
            room: Callable[[], int]) -> tuple[Suggestion | None, Prefs]:
    """`next_suggestion`, counting teammates with room only when a new hand-off offer hangs on
    it: room is read by the hand-off rule alone, so if no hand-off would open even with
    teammates to spare, the count cannot change the outcome."""
    suggestion, changed = next_suggestion(a, prefs, now, ANY_ROOM, kinds)
    opens_handoff = (suggestion is not None and suggestion.kind == "handoff"
                     and suggestion.id != (prefs.open or {}).get("id"))
    if not opens_handoff:
        return suggestion, changed
    return next_suggestion(a, prefs, now, room(), kinds)


def _count_changes(r: redis_lib.Redis, agent: str, team: str | None, was_open: dict | None,
                   suggestion: Suggestion | None, assessment: strain.Assessment) -> None:
    """Count an offer that lapsed unanswered and a new offer (aggregates and evidence only)."""
    now_open = suggestion.id if suggestion else None
    if was_open is not None and was_open["id"] == now_open:
        return
    if was_open is not None:
        stats.count_suggestion(r, team, was_open["kind"], "lapse")
        evidence.answer_followup(r, was_open["id"], "lapse")
    if suggestion is not None:
        stats.count_suggestion(r, team, suggestion.kind, "offer")
        evidence.open_followup(r, suggestion.to_dict(), agent, team, assessment.strain,
                               assessment.level)


def answer(r: redis_lib.Redis, agent: str, suggestion_id: str, response: str, now: float,
           minutes: int | None = None) -> dict:
    """Record the agent's answer; accepting a cool-down or break starts that break."""
    def change(prefs: Prefs) -> tuple[dict, Prefs]:
        opened = dict(prefs.open or {})
        return opened, respond(prefs, suggestion_id, response, now, minutes)  # KeyError

    opened = _update_prefs(r, agent, change)
    kind = opened.get("kind")
    r.hincrby(RESPONSES, f"{kind}|{response}", 1)
    stats.count_suggestion(r, agents.agent_profile(r, agent)["team"], kind, response)
    evidence.answer_followup(r, suggestion_id, response)
    if response == "accept" and kind in BREAK_KINDS:
        apply_events(r, agent, [strain.Event("break_start", now, agent)])
    if response == "accept" and kind == "handoff" and opened.get("ticket"):
        offer_ticket(r, agent, opened["ticket"], now)
    return {"id": suggestion_id, "kind": kind, "response": response}


offers_key = keys.offers


def offer_ticket(r: redis_lib.Redis, agent: str, ticket: str, now: float) -> None:
    """The agent chose to offer a heated ticket to their team; nobody is assigned anything."""
    profile = agents.agent_profile(r, agent)
    if not profile["team"]:
        return
    offer = {"ticket": ticket, "at": now, "by": agent, "by_name": profile["name"]}
    r.hset(offers_key(profile["team"]), ticket, json.dumps(offer))
    r.expire(offers_key(profile["team"]), OFFER_TTL)


def open_offers(r: redis_lib.Redis, agent: str, now: float) -> list[dict]:
    """Tickets teammates have offered in the last OFFER_TTL seconds (not the agent's own)."""
    return _offers_in(r, agent, agents.agent_profile(r, agent)["team"], now)


def offers_now(r: redis_lib.Redis, agent: str, clock_mode: str) -> list[dict]:
    """`open_offers` at the clock's now, the clock read with the agent's team: two round
    trips (the widget asks on every refresh)."""
    pipe = r.pipeline(transaction=False)
    pipe.hget(keys.agent(agent), "team")
    clock.queue_read(pipe, clock_mode)
    raw_team, *latest = pipe.execute()
    return _offers_in(r, agent, raw_team.decode() if raw_team else None,
                      clock.time_from(latest[0] if latest else None, clock_mode))


def _offers_in(r: redis_lib.Redis, agent: str, team: str | None, now: float) -> list[dict]:
    if not team:
        return []
    offers = [json.loads(raw) for raw in r.hvals(offers_key(team))]
    return sorted((o for o in offers if o["by"] != agent and now - o["at"] <= OFFER_TTL),
                  key=lambda o: o["at"])


def close_offer(r: redis_lib.Redis, agent: str, ticket: str, action: str) -> bool:
    """A teammate takes an offered ticket (in the helpdesk, themselves) or the offer goes."""
    team = agents.agent_profile(r, agent)["team"]
    if not team or not r.hdel(offers_key(team), ticket):
        return False
    r.hincrby(RESPONSES, f"offer|{action}", 1)
    return True


def rotation(r: redis_lib.Redis, team: str, now: float) -> list[dict]:
    """Who has carried the least hostile exposure this week, first. An order, not values.

    Two round trips, bounded by the team's size (it read every agent, two round trips each).
    """
    ids = teams.members(r, team)
    pipe = r.pipeline(transaction=False)
    for agent in ids:
        pipe.hgetall(keys.agent(agent))
        pipe.get(keys.strain(agent))
    replies = pipe.execute()
    members = []
    for agent, stored, raw in zip(ids, replies[0::2], replies[1::2], strict=True):
        profile = agents.profile_of(agent, stored)
        if profile["team"] == team and profile["active"] and raw:
            members.append((strain.assess(strain.loads(raw), now).exposure_week,
                            profile["name"], agent))
    members.sort()
    return [{"rank": i + 1, "agent": agent, "name": name}
            for i, (_, name, agent) in enumerate(members)]
