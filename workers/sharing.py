"""An agent's choice to share their per-agent detail with their team lead (off by default).

Kept as membership of one Redis set; erasing the agent removes it (workers/erase.py).
"""

from __future__ import annotations

import redis as redis_lib

from workers import keys

SHARING = keys.SHARING


def shares(r: redis_lib.Redis, agent: str) -> bool:
    """Whether `agent` chose to let their lead see their own view."""
    return bool(r.sismember(SHARING, agent))


def sharers(r: redis_lib.Redis) -> set[str]:
    """Every agent who shares with their lead, in one round trip."""
    return {member.decode() for member in r.smembers(SHARING)}


def set_sharing(r: redis_lib.Redis, agent: str, share: bool) -> bool:
    """Record the agent's choice; returns it."""
    if share:
        r.sadd(SHARING, agent)
    else:
        r.srem(SHARING, agent)
    return share
