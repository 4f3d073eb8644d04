"""Redis shell around workers/suggestion_rules.py: load state and preferences, decide, store.

Responses are kept per agent in the agent's own preferences (only the agent sees them) and as
aggregate counts by kind and response (`breather:stats:responses`), never per agent elsewhere.
"""

from __future__ import annotations

import json

import redis as redis_lib

from workers import agents, evidence, keys, stats, strain
from workers.strain_store import update_state
from workers.suggestion_rules import KINDS, Prefs, has_room, next_suggestion, respond

RESPONSES = keys.RESPONSE_COUNTS
OFFER_TTL = 2 * 3600
BREAK_KINDS = ("cool_down", "break")


prefs_key = keys.prefs


def apply_events(r: redis_lib.Redis, agent: str, events: list[strain.Event]) -> strain.AgentState:
    """Apply events to an agent's stored state (optimistic locking: no lost update).

    Breaks started and check-ins are also counted by team (how many, never who).
    """
    state = update_state(r, agent, lambda pipe: events,
                         lambda pipe, applied: pipe.sadd(keys.AGENTS, agent))
    stats.count_team_events(r, agents.agent_profile(r, agent)["team"], (e.type for e in events))
    return state


def teammates_with_room(r: redis_lib.Redis, agent: str, now: float) -> int:
    """Teammates with room right now (they decide themselves whether to take anything).

    Two round trips whatever the number of agents: their teams, then the teammates' states.
    """
    team = agents.agent_profile(r, agent)["team"]
    if not team:
        return 0
    teams = agents.agent_teams(r, [a for a in agents.agent_ids(r) if a != agent])
    mates = [other for other, their_team in teams.items() if their_team == team]
    states = r.mget([keys.strain(other) for other in mates]) if mates else []
    return sum(1 for raw in states if raw and has_room(strain.assess(strain.loads(raw), now)))


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
        if prefs.dumps() != (raw or Prefs().dumps()):
            pipe.set(key, prefs.dumps())
        return result

    return r.transaction(read_decide_write, key, value_from_callable=True)


def current_suggestion(r: redis_lib.Redis, agent: str, now: float,
                       kinds: tuple[str, ...] = KINDS) -> dict | None:
    """The agent's one open suggestion, deciding a new one when none is open."""
    raw = r.get(keys.strain(agent))
    if raw is None:
        return None
    assessment = strain.assess(strain.loads(raw), now)
    room = teammates_with_room(r, agent, now) if assessment.strain >= 55 else 0
    before: dict = {}

    def decide(prefs: Prefs):
        before["open"] = prefs.open
        return next_suggestion(assessment, prefs, now, room, kinds)

    suggestion = _update_prefs(r, agent, decide)
    _count_changes(r, agent, before.get("open"), suggestion, assessment)
    return suggestion.to_dict() if suggestion else None


def _count_changes(r: redis_lib.Redis, agent: str, was_open: dict | None, suggestion,
                   assessment: strain.Assessment) -> None:
    """Count an offer that lapsed unanswered and a new offer (aggregates and evidence only)."""
    now_open = suggestion.id if suggestion else None
    if was_open is not None and was_open["id"] == now_open:
        return
    team = agents.agent_profile(r, agent)["team"]
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
    team = agents.agent_profile(r, agent)["team"]
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
    """Who has carried the least hostile exposure this week, first. An order, not values."""
    members = []
    for agent in agents.agent_ids(r):
        profile = agents.agent_profile(r, agent)
        raw = r.get(keys.strain(agent))
        if profile["team"] == team and profile["active"] and raw:
            members.append((strain.assess(strain.loads(raw), now).exposure_week,
                            profile["name"], agent))
    members.sort()
    return [{"rank": i + 1, "agent": agent, "name": name}
            for i, (_, name, agent) in enumerate(members)]
