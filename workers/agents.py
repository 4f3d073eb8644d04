"""Read side of agent state: what the service, the report and the metrics show.

Everything here reads Redis and calls the pure strain model; nothing writes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields, is_dataclass

import redis as redis_lib
from redis.client import Pipeline

from workers import clock, keys, marks, strain
from workers.pooling import TeamPool

LEVELS = ("calm", "elevated", "high")
# assessment fields the view shows under plainer names (customer_messages, hostile_messages)
_RENAMED = frozenset({"customer_messages_24h", "hostile_24h"})


def agent_ids(r: redis_lib.Redis) -> list[str]:
    """Every agent Breather knows: the agents stream and every writer of a strain state add
    them to one set, so this is one SMEMBERS, never a scan of the whole keyspace (which holds
    a key per message of the retention window)."""
    return sorted(m.decode() for m in r.smembers(keys.AGENTS))


def agent_teams(r: redis_lib.Redis, ids: list[str]) -> dict[str, str | None]:
    """The team of each agent, in one round trip."""
    pipe = r.pipeline(transaction=False)
    for agent in ids:
        pipe.hget(keys.agent(agent), "team")
    return {agent: (team.decode() or None) if team else None
            for agent, team in zip(ids, pipe.execute(), strict=True)}


def agent_profile(r: redis_lib.Redis, agent: str) -> dict:
    return profile_of(agent, r.hgetall(keys.agent(agent)))


def profile_of(agent: str, stored: dict) -> dict:
    """An agent's profile from its stored hash (HGETALL's reply), for reads in a pipeline."""
    raw = {k.decode(): v.decode() for k, v in stored.items()}
    return {"name": raw.get("name") or agent, "team": raw.get("team") or None,
            "active": raw.get("active", "1") == "1"}


def agent_view(r: redis_lib.Redis, agent: str, now: float) -> dict:
    """An agent's own, full view: strain, level, the factors behind it, and the data it rests on.

    Two round trips (the widget asks for it on every refresh).
    """
    return views_of(r, [agent], now)[0]


def _view(agent: str, raw_state: bytes | None, profile: dict, recent: list[dict],
          now: float) -> dict:
    """The view from what Redis holds for the agent (no I/O)."""
    state = strain.loads(raw_state) if raw_state else strain.new_state(agent)
    assessment = strain.assess(state, now)
    details = _fields(assessment)
    view = {
        "agent": agent,
        "name": profile["name"],
        "team": profile["team"],
        "open_tickets": int(details.get("open_tickets", 0)),
        "customer_messages": int(details.get("customer_messages_24h", 0)),
        "hostile_messages": int(details.get("hostile_24h", 0)),
        "strain": round(float(assessment.strain), 1),
        "level": assessment.level,
        "factors": list(assessment.factors),
        "basis": assessment.basis,
    }
    for name, value in details.items():
        if name not in _RENAMED:
            view.setdefault(name, value)
    view["recent_hostile"] = recent
    return view


def _fields(assessment: strain.Assessment) -> dict:
    """The assessment's fields as a dict, shallow: it is built for this view alone, so the
    deep copy dataclasses.asdict makes (a third of a view's cost) buys nothing."""
    if is_dataclass(assessment):
        return {f.name: getattr(assessment, f.name) for f in fields(assessment)}
    return dict(vars(assessment))


def recent_hostile(r: redis_lib.Redis, agent: str) -> list[dict]:
    """The agent's latest messages scored hostile: id, time and cues, never the text."""
    return _recent_many(r, [r.lrange(keys.recent_hostile(agent), 0, -1)])[0]


def _recent_items(entries: list[tuple[str, str, list[str]]],
                  tones: list[bytes | None]) -> list[dict]:
    items = []
    for (_, message_id, cues), raw in zip(entries, tones, strict=True):
        tone = marks.decode(raw)
        if tone is None:
            continue
        items.append({"id": message_id, "at": tone["at"], "cues": cues,
                      "corrected": tone.get("corrected") is not None})
    return items


def all_views(r: redis_lib.Redis, now: float, with_recent: bool = True) -> list[dict]:
    """Every agent's view in three round trips whatever their number, not four per agent:
    the team views, the metrics scrape and `breather report` read every agent.

    Without `with_recent` (aggregates never show it) `recent_hostile` is left empty and the
    tone marks are not read.
    """
    return views_of(r, agent_ids(r), now, with_recent)


def views_of(r: redis_lib.Redis, ids: list[str], now: float,
             with_recent: bool = True) -> list[dict]:
    """The views of the agents `ids`: one pipeline of states, profiles and recent-hostile
    lists, and one read of those messages' marks."""
    replies = _queue_views(r.pipeline(transaction=False), ids, with_recent).execute()
    return _views_from(r, ids, replies, now, with_recent)


def own_view(r: redis_lib.Redis, agent: str, clock_mode: str) -> dict | None:
    """`agent_view` at the clock's now, or None for an agent Breather does not know: whether
    it knows them and the clock (workers/clock.py) are read in the view's own pipeline, so the
    widget's refresh costs two round trips."""
    pipe = r.pipeline(transaction=False)
    pipe.sismember(keys.AGENTS, agent)
    timed = clock.queue_read(pipe, clock_mode)
    known, *replies = _queue_views(pipe, [agent], True).execute()
    latest = replies.pop(0) if timed else None
    if not known:
        return None
    return _views_from(r, [agent], replies, clock.time_from(latest, clock_mode), True)[0]


def _queue_views(pipe: Pipeline, ids: list[str], with_recent: bool) -> Pipeline:
    for agent in ids:
        pipe.get(keys.strain(agent))
        pipe.hgetall(keys.agent(agent))
        if with_recent:
            pipe.lrange(keys.recent_hostile(agent), 0, -1)
    return pipe


def _views_from(r: redis_lib.Redis, ids: list[str], replies: list, now: float,
                with_recent: bool) -> list[dict]:
    step = 3 if with_recent else 2
    recents = (_recent_many(r, replies[2::3]) if with_recent else [[] for _ in ids])
    return [_view(agent, raw_state, profile_of(agent, profile), recent, now)
            for agent, raw_state, profile, recent
            in zip(ids, replies[0::step], replies[1::step], recents, strict=True)]


def _recent_many(r: redis_lib.Redis, lists: list[list[bytes]]) -> list[list[dict]]:
    """recent_hostile of many agents from their recent lists, with one read of their marks."""
    listed = [marks.parse_recent(found) for found in lists]
    found, _ = marks.look(r, [(keys.messages(ticket), message_id)
                              for entries in listed for ticket, message_id, _ in entries])
    tones = iter(found)
    return [_recent_items(entries, [next(tones) for _ in entries]) for entries in listed]


def team_summaries(views: list[dict], min_group_size: int) -> dict[str, dict]:
    """Per-team aggregates. Teams smaller than min_group_size are pooled, never shown alone."""
    pool = TeamPool.from_teams((view["team"] for view in views), min_group_size)
    pooled: dict[str, list[dict]] = defaultdict(list)
    for view in views:
        pooled[pool.label(view["team"])].append(view)
    summaries = {}
    for team, members in pooled.items():
        levels = {level: sum(1 for m in members if m["level"] == level) for level in LEVELS}
        summaries[team] = {
            "agents": len(members),
            "levels": levels,
            "mean_strain": sum(m["strain"] for m in members) / len(members),
            "hostile_messages": sum(m["hostile_messages"] for m in members),
            "customer_messages": sum(m["customer_messages"] for m in members),
            "open_tickets": sum(m["open_tickets"] for m in members),
            "praise_today": sum(int(m.get("praise_today", 0)) for m in members),
            "suppressed": len(members) < min_group_size,
        }
    return summaries
