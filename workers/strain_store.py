"""Read-modify-write of one agent's strain state in Redis, with optimistic locking
(redis-py's `Redis.transaction()`: WATCH, read, MULTI/EXEC, re-run on a concurrent write).

Every writer (the process job, check-ins and breaks, corrections) goes through
`update_state`, so concurrent updates are never lost and each writer's own bookkeeping commits
in the same transaction as the state. Just before newer events move a state on, the
"do breaks help?" readings due by then are taken from it (workers/evidence.py).
"""

from __future__ import annotations

from collections.abc import Callable

import redis as redis_lib
from redis.client import Pipeline

from workers import evidence, keys, strain


def update_state(r: redis_lib.Redis, agent: str,
                 events: Callable[[Pipeline], list[strain.Event]],
                 also: Callable[[Pipeline, list[strain.Event]], None] | None = None
                 ) -> strain.AgentState:
    """Apply `events(pipe)` (read while watching) and queue `also(pipe, events)` in one MULTI."""
    key = keys.strain(agent)

    def read_apply_write(pipe: Pipeline) -> strain.AgentState:
        chosen = events(pipe)
        raw = pipe.get(key)
        state = strain.loads(raw) if raw else strain.new_state(agent)
        if chosen and raw:
            evidence.take_readings(r, {agent: state}, {agent: min(e.at for e in chosen)})
        state = strain.apply_many(state, chosen)
        pipe.multi()
        pipe.set(key, strain.dumps(state))
        if also is not None:
            also(pipe, chosen)
        return state

    return r.transaction(read_apply_write, key, value_from_callable=True)


def update_states(r: redis_lib.Redis, agents: list[str],
                  events: Callable[[Pipeline], dict[str, list[strain.Event]]],
                  also: Callable[[Pipeline, dict[str, list[strain.Event]]], None]
                  ) -> dict[str, strain.AgentState]:
    """`update_state` for many agents in one transaction: WATCH them all, one MGET, one EXEC.

    A page of 1,000 messages then costs a few round trips instead of a few per agent; a
    concurrent write to any of the agents re-runs the whole page's read-apply-write. Agents
    join `breather:agents` when their state is first written (or first rewritten from an
    older layout): a stored state means a known agent, since erasure removes both at once.
    """
    names = [keys.strain(agent) for agent in agents]

    def read_apply_write(pipe: Pipeline) -> dict[str, strain.AgentState]:
        chosen = events(pipe)
        raws = pipe.mget(names)
        states = {agent: strain.loads(raw) if raw else strain.new_state(agent)
                  for agent, raw in zip(agents, raws, strict=True)}
        latest = max((e.at for events in chosen.values() for e in events), default=None)
        if latest is not None and evidence.any_due(r, latest):
            evidence.take_readings(r, states, {agent: min(e.at for e in chosen[agent])
                                               for agent in states if chosen.get(agent)})
        for agent, state in states.items():  # each state was just loaded: no copy needed
            strain.apply_in_place(state, chosen.get(agent, ()))
        pipe.multi()
        if states:  # one MSET: a command per agent costs the client more than the JSON
            pipe.execute_command("MSET", *(part for name, state
                                           in zip(names, states.values(), strict=True)
                                           for part in (name, strain.dumps(state))))
        unknown = [agent for agent, raw in zip(agents, raws, strict=True)
                   if not raw or not strain.is_current(raw)]
        if unknown:  # agent_ids reads this set, never scans
            pipe.sadd(keys.AGENTS, *unknown)
        also(pipe, chosen)
        return states

    return r.transaction(read_apply_write, *names, value_from_callable=True)
