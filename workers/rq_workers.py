"""RQ's workers, made to stop promptly: use these instead of `rq.Worker` and `rq.SimpleWorker`.

RQ 3.0 stops the pub/sub listener of a worker (the thread that takes RQ's commands, such as
stop-job) with redis-py's `PubSubWorkerThread.stop()`. Since redis-py 8 that call waits for the
thread to end, without a limit. A listener that has already read its UNSUBSCRIBE waits up to
RQ's 60 s for a subscription that never comes, so a worker told to stop soon after it started
(a deploy, a scale-down, Ctrl-C; more likely on a busy machine) hung for up to a minute, past a
container's usual 30 s grace. Here the listener gets a second; a daemon thread that is still
waiting then ends with the process (or after its 60 s, in a process that lives on).
"""

from __future__ import annotations

import inspect

from rq import SimpleWorker as _SimpleWorker
from rq import Worker as _Worker

LISTENER_STOP_SECONDS = 1.0


class _PromptUnsubscribe:
    """RQ's unsubscribe, with a bounded wait for the listener thread."""

    def unsubscribe(self) -> None:
        thread = getattr(self, "pubsub_thread", None)
        if not thread:
            return
        self.pubsub.unsubscribe()
        if "timeout" in inspect.signature(thread.stop).parameters:
            thread.stop(timeout=LISTENER_STOP_SECONDS)  # asks the thread to end, and waits
        else:  # redis-py before 8: stop() only asks
            thread.stop()
            thread.join(timeout=LISTENER_STOP_SECONDS)
        self.pubsub.close()


class Worker(_PromptUnsubscribe, _Worker):
    """`rq.Worker` (a forked process per job) that stops promptly."""


class SimpleWorker(_PromptUnsubscribe, _SimpleWorker):
    """`rq.SimpleWorker` (jobs in the worker's own process) that stops promptly."""
