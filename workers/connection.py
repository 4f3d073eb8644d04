"""The one way Breather opens Redis: reconnects by itself through a restart or a network blip.

redis-py retries a command that hit a connection error or timeout, with exponential backoff
(about a minute in all), and checks an idle connection before using it, so workers, the
scheduler and the service ride out a Redis restart without a loop of their own. Longer outages
surface as redis.ConnectionError (the service answers 503, RQ's worker waits and reconnects).
The service retries only briefly (QUICK_RETRIES): a request must not hang for a minute.
"""

from __future__ import annotations

import redis as redis_lib
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

RETRIES = 12  # workers and scheduler: 0.25 s doubling to a 10 s cap, about 75 s in all
QUICK_RETRIES = 3  # the service: a request answers 503 within a second or two, never hangs
HEALTH_CHECK_SECONDS = 10


def connect(url: str, retries: int = RETRIES, **options) -> redis_lib.Redis:
    """A client for `url` with retries on connection errors and timeouts, and health checks."""
    options.setdefault("retry", Retry(ExponentialWithJitterBackoff(cap=10.0, base=0.25),
                                      retries))
    options.setdefault("retry_on_error", [redis_lib.ConnectionError, redis_lib.TimeoutError,
                                          redis_lib.BusyLoadingError])
    options.setdefault("health_check_interval", HEALTH_CHECK_SECONDS)
    options.setdefault("socket_keepalive", True)
    options.setdefault("socket_connect_timeout", 5)
    return redis_lib.Redis.from_url(url, **options)
