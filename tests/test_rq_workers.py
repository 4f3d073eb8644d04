"""workers.rq_workers: a worker told to stop ends within seconds, whatever its pub/sub
listener was doing (RQ 3.0 with redis-py 8 waited up to 60 s), and a stop signal that came
while RQ forked its scheduler still stops it."""

from __future__ import annotations

import signal
import time

import pytest
from rq import Queue
from rq import Worker as RQWorker

from workers.rq_workers import LISTENER_STOP_SECONDS, SimpleWorker, Worker


def _until(predicate, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.parametrize("worker_class", [Worker, SimpleWorker])
def test_a_listener_that_lost_its_subscription_does_not_hold_the_worker(redis, worker_class):
    """The state a stop signal just after start-up can leave: the listener has read its
    UNSUBSCRIBE and waits for a new subscription. RQ's own unsubscribe then took 60 s."""
    worker = worker_class([Queue("breather", connection=redis)], connection=redis)
    worker.subscribe()
    _until(lambda: worker.pubsub.subscribed)
    worker.pubsub.unsubscribe()
    _until(lambda: not worker.pubsub.subscribed)
    time.sleep(0.2)  # the listener is now waiting for a subscription
    started = time.monotonic()
    worker.unsubscribe()
    assert time.monotonic() - started < LISTENER_STOP_SECONDS + 5


def test_a_burst_worker_runs_its_jobs_and_ends(redis):
    queue = Queue("breather", connection=redis)
    job = queue.enqueue(sum, [1, 2, 3])
    SimpleWorker([queue], connection=redis).work(burst=True, logging_level="WARNING")
    assert job.return_value() == 6
    assert RQWorker.count(connection=redis) == 0


def test_a_stop_signal_lost_while_starting_stops_the_worker_at_its_first_loop(redis):
    """The command's handler raised Stopped inside an at-fork hook, where Python drops it: the
    worker, told so by `stop_received`, ends (scheduler and all) instead of running on."""
    queue = Queue("breather", connection=redis)
    job = queue.enqueue(sum, [1, 2])
    worker = Worker([queue], connection=redis)
    worker.stop_received = lambda: signal.SIGTERM
    handlers = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    started = time.monotonic()
    try:
        worked = worker.work(burst=False, logging_level="WARNING", with_scheduler=True,
                             max_jobs=1)  # without the fix: runs the job, then ends
    finally:
        for signum, handler in handlers.items():  # RQ put its own in place
            signal.signal(signum, handler)
    assert time.monotonic() - started < 15
    assert worked is False and job.get_status() == "queued"  # stopped before taking a job
    assert RQWorker.count(connection=redis) == 0
    assert worker.scheduler is None or not worker.scheduler._process.is_alive()


def test_without_a_stop_signal_the_worker_works_as_rq_does(redis):
    queue = Queue("breather", connection=redis)
    job = queue.enqueue(sum, [1, 2])
    worker = Worker([queue], connection=redis)
    assert worker.stop_received() is None
    worker.work(burst=True, logging_level="WARNING")
    assert job.return_value() == 3
