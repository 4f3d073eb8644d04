"""Read-modify-write of one agent's strain state in Redis, with optimistic locking.

Every writer (the process job, check-ins and breaks, corrections) goes through
`update_state`, so concurrent updates are never lost and each writer's own bookkeeping commits
in the same transaction as the state.
"""

from __future__ import annotations

from collections.abc import Callable

import redis as redis_lib
from redis.client import Pipeline

from workers import keys, strain


def update_state(r: redis_lib.Redis, agent: str,
                 events: Callable[[Pipeline], list[strain.Event]],
                 also: Callable[[Pipeline, list[strain.Event]], None] | None = None
                 ) -> strain.AgentState:
    """Apply `events(pipe)` (read while watching) and queue `also(pipe, events)` in one MULTI."""
    key = keys.strain(agent)
    with r.pipeline(transaction=True) as pipe:
        while True:
            try:
                pipe.watch(key)
                chosen = events(pipe)
                raw = pipe.get(key)
                state = strain.loads(raw) if raw else strain.new_state(agent)
                state = strain.apply_many(state, chosen)
                pipe.multi()
                pipe.set(key, strain.dumps(state))
                if also is not None:
                    also(pipe, chosen)
                pipe.execute()
                return state
            except redis_lib.WatchError:
                continue
