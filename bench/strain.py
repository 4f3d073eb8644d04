"""Strain model benchmark: `python -m bench.strain`.

Events a second through the pure model on one core, next to a baseline measured in the same
run (a loop that only builds the same events and sums a field: the floor of any per-event
Python work), and Redis memory per agent state measured with MEMORY USAGE on a real server.
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import time

import redis as redis_lib

from workers import keys, strain
from workers.embedded import start_embedded_redis

T0 = 1_762_070_400.0
N = 200_000


def make_events(n: int, agents: int = 50) -> list[strain.Event]:
    rng = random.Random(1)
    kinds = ["message"] * 8 + ["assigned", "solved"]
    return [strain.Event(rng.choice(kinds), T0 + i * 2.0, f"zendesk:{i % agents}",
                         ticket=f"t{i % 997}", id=f"m{i}", sender="customer",
                         anger=rng.random(), praise=rng.random(), hostile=rng.random() < 0.1)
            for i in range(n)]


def through_model(events: list[strain.Event]) -> float:
    states: dict[str, strain.AgentState] = {}
    start = time.perf_counter()
    for event in events:
        states[event.agent] = strain.apply(states.get(event.agent) or
                                           strain.new_state(event.agent), event)
    return len(events) / (time.perf_counter() - start)


def baseline(events: list[strain.Event]) -> float:
    totals: dict[str, float] = {}
    start = time.perf_counter()
    for event in events:
        totals[event.agent] = totals.get(event.agent, 0.0) + event.anger
    return len(events) / (time.perf_counter() - start)


def memory_per_agent(events: list[strain.Event]) -> dict:
    states: dict[str, strain.AgentState] = {}
    for event in events:
        states[event.agent] = strain.apply(states.get(event.agent) or
                                           strain.new_state(event.agent), event)
    with tempfile.TemporaryDirectory() as folder:
        server = start_embedded_redis(folder)
        try:
            r = redis_lib.Redis.from_url(server.url)
            for agent, state in states.items():
                r.set(keys.strain(agent), strain.dumps(state))
            usage = [r.memory_usage(keys.strain(agent)) for agent in states]
        finally:
            server.stop()
    return {"agents": len(usage), "max_bytes": max(usage), "mean_bytes": sum(usage) / len(usage)}


def main() -> None:
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    events = make_events(N)
    rate, floor = through_model(events), baseline(events)
    result = {"events": N, "events_per_second": round(rate), "baseline_per_second": round(floor),
              "model_cost_vs_baseline": round(floor / rate, 1),
              "assess_per_second": round(assess_rate(events)),
              "redis_memory": memory_per_agent(events[:20_000])}
    print(json.dumps(result, indent=2))


def assess_rate(events: list[strain.Event]) -> float:
    state = strain.apply_many(strain.new_state("zendesk:0"),
                              [e for e in events[:5000] if e.agent == "zendesk:0"])
    start = time.perf_counter()
    for i in range(5000):
        strain.assess(state, T0 + 10_000 + i)
    return 5000 / (time.perf_counter() - start)


if __name__ == "__main__":
    main()
