"""Aggregate counters in Redis, written by jobs and the service, read by the metrics collector.

RQ forks a process per job, so an in-process histogram in the job would die with the fork. Jobs
HINCRBY plain counters here instead; service/metrics.py turns them into metric families at
scrape time. Fields carry a team name at most, never an agent: small teams are pooled when the
counters are read (workers/pooling.py), since a team's size changes over time.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import redis as redis_lib

from workers import keys

SUGGESTIONS = keys.SUGGESTION_COUNTS
TEAM_EVENTS = keys.TEAM_EVENT_COUNTS
REQUESTS = keys.REQUEST_COUNTS
RATE_LIMITED = keys.RATE_LIMITED_COUNTS
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                   10.0, 30.0)
LATENCIES = ("scoring", "processing")
OUTCOMES = {"offer": "offered", "accept": "accepted", "snooze": "snoozed",
            "decline": "declined", "lapse": "expired"}
COUNTED_EVENTS = ("break_start", "checkin")


def latency_key(name: str) -> str:
    return keys.latency(name)


def count_suggestion(r: redis_lib.Redis, team: str | None, kind: str, response: str) -> None:
    """One suggestion offered or answered (response: offer, accept, snooze, decline, lapse)."""
    if response in OUTCOMES:  # the HTTP edge allows no other answer; never fail the answer
        r.hincrby(SUGGESTIONS, f"{team or ''}|{kind}|{OUTCOMES[response]}", 1)


def count_team_events(r: redis_lib.Redis, team: str | None, types: Iterable[str]) -> None:
    """Breaks started and check-ins given, by team: how many, never who or what value."""
    for event_type in types:
        if event_type in COUNTED_EVENTS:
            r.hincrby(TEAM_EVENTS, f"{team or ''}|{event_type}", 1)


def observe_seconds(r: redis_lib.Redis, name: str, seconds: float) -> None:
    """Add one observation to a Redis-held histogram (non-cumulative bucket counts)."""
    index = bisect.bisect_left(LATENCY_BUCKETS, seconds)
    bucket = repr(LATENCY_BUCKETS[index]) if index < len(LATENCY_BUCKETS) else "+Inf"
    pipe = r.pipeline(transaction=False)
    pipe.hincrby(latency_key(name), bucket, 1)
    pipe.hincrbyfloat(latency_key(name), "sum", seconds)
    pipe.execute()


@contextmanager
def timed(r: redis_lib.Redis, name: str) -> Iterator[None]:
    """Time the block into the `name` histogram (also when it raises: a failure took time too)."""
    start = time.perf_counter()
    try:
        yield
    finally:
        try:
            observe_seconds(r, name, time.perf_counter() - start)
        except redis_lib.RedisError:
            pass  # a lost observation must never fail the job


def count_responses(r: redis_lib.Redis, source: str, session) -> None:
    """Count every HTTP response a connector session receives, by source and status.

    A requests response hook, so connectors/ stays free of Redis and of this module.
    """
    def hook(response, *args, **kwargs):
        pipe = r.pipeline(transaction=False)
        pipe.hincrby(REQUESTS, f"{source}|{response.status_code}", 1)
        if response.status_code == 429:
            pipe.hincrby(RATE_LIMITED, source, 1)
        pipe.execute()
        return response

    session.hooks["response"].append(hook)
