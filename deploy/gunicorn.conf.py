"""gunicorn settings for `breather serve` in production.

Metrics are computed at scrape time from Redis by a custom collector, so several gunicorn
workers need no PROMETHEUS_MULTIPROC_DIR: every worker answers /metrics with the same numbers.

One gthread worker per core the service really has (a container's CPU limit, not the host's
count), 4 threads each: a request is about 2 ms of Python around a few Redis round trips, so
processes give parallelism and threads overlap the round trips and keep-alive reads; more
processes than cores only add context switches (docs/operations.md, decision 41).
"""

import os

bind = os.environ.get("BREATHER_BIND", "0.0.0.0:8000")
worker_class = "gthread"  # named: with 1 thread gunicorn would otherwise pick the sync worker
workers = int(os.environ.get("BREATHER_WEB_WORKERS", "2"))
threads = int(os.environ.get("BREATHER_WEB_THREADS", "4"))
timeout = 30
accesslog = "-"
errorlog = "-"


def post_worker_init(worker) -> None:
    """Move everything the app built at start-up out of the garbage collector's way: a full
    collection then walks only what requests make, not Flask's, marshmallow's and the API
    schema's hundred thousand long-lived objects (the pauses behind the API's p99)."""
    import gc

    gc.collect()
    gc.freeze()
