"""Breather's notion of "now".

`wall` (production) is the machine's clock. `data` follows the newest event Breather has seen:
for replays, backfills and the accelerated sandbox, where the data's time is not the wall's.
"""

from __future__ import annotations

import time

import redis as redis_lib

from workers import keys


def current_time(r: redis_lib.Redis, mode: str = "wall") -> float:
    """Unix seconds for assessing strain now, in the given clock mode."""
    if mode == "data":
        latest = r.zscore(keys.CLOCK, "latest")
        if latest is not None:
            return float(latest)
    return time.time()
