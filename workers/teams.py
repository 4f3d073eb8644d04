"""Who is in which team: one set of agent ids per team (`members:{team}`), so a team-wide read
(teammates with room, the rotation) costs the team's size, not a read of every agent.

The agents stream writes profiles (workers/process.py) and moves an agent between sets in the
same transaction; erasure removes them. Readers still check each member's current team, so a
set that lags a move (two writers at once, an older worker during an upgrade) never puts an
agent in the wrong team, it only costs a read. A Redis written before the index existed is
indexed once, by the first reader (`members`), from the profiles.
"""

from __future__ import annotations

import redis as redis_lib
from redis.client import Pipeline

from workers import agents, keys


def index(pipe: Pipeline, agent: str, old_team: str | None, new_team: str | None) -> None:
    """Queue the set changes of an agent going from `old_team` to `new_team` (either None)."""
    if old_team and old_team != new_team:
        pipe.srem(keys.team_members(old_team), agent)
    if new_team:
        pipe.sadd(keys.team_members(new_team), agent)


def members(r: redis_lib.Redis, team: str) -> list[str]:
    """The agents whose profile named `team` when it was written, sorted; one round trip
    (building the index first if this Redis has none yet)."""
    pipe = r.pipeline(transaction=False)
    pipe.exists(keys.TEAM_INDEX_BUILT)
    pipe.smembers(keys.team_members(team))
    built, found = pipe.execute()
    if not built:
        found = build_index(r).get(team, set())
    return sorted(m.decode() if isinstance(m, bytes) else m for m in found)


def build_index(r: redis_lib.Redis) -> dict[str, set[str]]:
    """Put every stored profile in its team's set (idempotent; O(agents), once per Redis)."""
    by_team: dict[str, set[str]] = {}
    for agent, team in agents.agent_teams(r, agents.agent_ids(r)).items():
        if team:
            by_team.setdefault(team, set()).add(agent)
    pipe = r.pipeline(transaction=True)
    for team, ids in by_team.items():
        pipe.sadd(keys.team_members(team), *ids)
    pipe.set(keys.TEAM_INDEX_BUILT, "1")
    pipe.execute()
    return by_team
