"""What a call costs the real Redis server, from its own INFO counters (no wrapper, no mock)."""

from __future__ import annotations

from collections.abc import Callable

NOT_COUNTED = ("cmdstat_config", "cmdstat_info")  # the counting itself


def commands_sent(redis, call: Callable[[], object]) -> dict[str, int]:
    """The commands Redis executed while `call()` ran, by name (e.g. {"get": 2, "hget": 1})."""
    redis.config_resetstat()
    call()
    stats = redis.info("commandstats")
    return {name.removeprefix("cmdstat_"): row["calls"] for name, row in stats.items()
            if name not in NOT_COUNTED}


def round_trips(redis, call: Callable[[], object]) -> int:
    """Round trips `call()` made: the server's socket reads (`total_reads_processed`), less
    the one of the INFO that reads the counter. A pipeline is one; `call` must not run
    requests in parallel."""
    redis.config_resetstat()
    call()
    return redis.info("stats")["total_reads_processed"] - 1
