"""The parts of a real deployment: `breather serve`, `breather worker`, `breather scheduler`."""

from __future__ import annotations

import gc
import logging

import click

from service import stopping
from service.commands.common import load_settings, quiet_interrupt, redis_for, setup_logging
from workers.connection import QUICK_RETRIES

log = logging.getLogger("breather")
# A job whose worker was killed (SIGKILL, OOM) is found abandoned by RQ once its heartbeat is
# older than this + 60 s, at the next maintenance run, and re-run by its `Retry`.
JOB_MONITORING_SECONDS = 10
MAINTENANCE_SECONDS = 15


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
def serve(host: str, port: int) -> None:
    """Run the HTTP service (widget, API, webhooks, /metrics). Use gunicorn for production."""
    from werkzeug.serving import make_server

    from service import create_app

    setup_logging()
    settings = load_settings()
    app = create_app(settings, redis_for(settings, retries=QUICK_RETRIES))
    server = make_server(host, port, app, threaded=True)
    log.info("serving on http://%s:%s", host, server.server_port)
    with quiet_interrupt():
        server.serve_forever()


@click.command()
@click.option("--burst", is_flag=True, help="Process what is queued, then exit.")
def worker(burst: bool) -> None:
    """Run an RQ worker that polls helpdesks and scores messages."""
    from rq import Queue

    from workers.rq_workers import Worker

    with quiet_interrupt():  # also while starting: loading the model takes a while
        setup_logging()
        settings = load_settings()
        _warm_up()
        connection = redis_for(settings)
        queue = Queue(settings.queue_name, connection=connection)
        rq_worker = Worker([queue], connection=connection,
                           job_monitoring_interval=JOB_MONITORING_SECONDS,
                           maintenance_interval=MAINTENANCE_SECONDS)
        rq_worker.stop_received = stopping.received  # a signal lost in RQ's fork still counts
        try:
            rq_worker.work(burst=burst, logging_level="WARNING",
                           with_scheduler=True)  # the scheduler runs Retry intervals
        except KeyboardInterrupt:
            _undo_start(rq_worker)
            raise
    log.info("worker stopped")


def _undo_start(rq_worker) -> None:
    """A stop signal before RQ's loop put its own handlers in place: stop the scheduler
    process it may have forked and take the worker off Redis's list, as its loop would."""
    import redis

    try:
        rq_worker.teardown()
    except (redis.RedisError, OSError) as exc:
        log.warning("worker stopped without unregistering: %s", exc)


def _warm_up() -> None:
    """Do once, in the parent, what every job would otherwise redo: RQ forks a process per job
    that inherits the parent's memory, so the model, the job modules and the scorer's lazily
    built tables are loaded here (about 25 ms a job saved; docs/benchmarks.md)."""
    import workers.poll  # noqa: F401 - the job functions RQ imports by name
    import workers.process  # noqa: F401
    from service.commands.heap import keep_freed_memory
    from workers.tone import score
    from workers.tone.model import load_model

    keep_freed_memory()  # inherited by every forked job: a page's arrays reuse the heap

    load_model()
    score(["Warm-up text so the scorer builds its tables before the first fork."])
    gc.collect()  # what is left lives as long as the worker: out of every job's collections,
    gc.freeze()  # and their pages stay shared with the forked jobs (decision 51)


@click.command()
def scheduler() -> None:
    """Run RQ's cron scheduler, which enqueues one poll job per stream every poll interval."""
    from rq.cron import CronScheduler

    from workers.poll import register_cron

    setup_logging()
    settings = load_settings()
    if not settings.sources:
        raise click.ClickException(
            "no helpdesk configured: set ZENDESK_SUBDOMAIN or FRESHDESK_DOMAIN (see README)"
        )
    cron = CronScheduler(connection=redis_for(settings), logging_level="WARNING")
    register_cron(cron, settings)
    with quiet_interrupt():
        cron.start()
