"""Breather's notion of "now".

`wall` (production) is the machine's clock. `data` follows the newest event Breather has seen:
for replays, backfills and the accelerated sandbox, where the data's time is not the wall's.
"""

from __future__ import annotations

import time

import redis as redis_lib
from redis.client import Pipeline

from workers import keys


def current_time(r: redis_lib.Redis, mode: str = "wall") -> float:
    """Unix seconds for assessing strain now, in the given clock mode."""
    return time_from(r.zscore(keys.CLOCK, "latest") if mode == "data" else None, mode)


def queue_read(pipe: Pipeline, mode: str) -> bool:
    """Queue the read `current_time` makes on a pipeline, so a caller reading other keys pays
    no round trip of its own for it; True if one was queued (none for the wall clock)."""
    if mode == "data":
        pipe.zscore(keys.CLOCK, "latest")
        return True
    return False


def time_from(latest: float | None, mode: str) -> float:
    """`current_time` from the data clock's stored value (None if not read or not set)."""
    if mode == "data" and latest is not None:
        return float(latest)
    return time.time()
