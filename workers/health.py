"""Whether the pollers are alive: each configured stream's poll must have run lately.

A scheduler or every worker dying does not show in Redis's reachability; a stream whose poll has
not run (whatever its outcome, including "another poller holds the lock") for `stale_after`
seconds does. /healthz says "degraded" (still 200) and `breather_poller_up` is 0 for it.
"""

from __future__ import annotations

import time

import redis as redis_lib

from workers import keys
from workers.settings import Settings

MIN_STALE_SECONDS = 120


def stale_after(settings: Settings) -> float:
    """Seconds without a poll run after which a stream's poller counts as stopped."""
    return float(settings.poller_stale_seconds or
                 max(5 * settings.poll_seconds, MIN_STALE_SECONDS))


def pollers(r: redis_lib.Redis, settings: Settings, streams: dict[str, tuple[str, ...]],
            now: float | None = None) -> list[dict]:
    """[{source, stream, last_run (unix s or None), up}] for every configured stream.

    A stream that has never run counts as up (a fresh deployment has not polled yet).
    """
    now = time.time() if now is None else now
    raw = {k.decode(): v.decode() for k, v in r.hgetall(keys.POLL_LAST_RUN).items()}
    found = []
    for source in settings.sources:
        for stream in streams.get(source, ()):
            last = _number(raw.get(f"{source}|{stream}"))
            up = last is None or now - last <= stale_after(settings)
            found.append({"source": source, "stream": stream, "last_run": last, "up": up})
    return found


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
