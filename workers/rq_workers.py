"""RQ's workers, made to stop promptly: use these instead of `rq.Worker` and `rq.SimpleWorker`.

Two gaps of RQ 3.0 (decisions 64 and 66): the pub/sub listener's unbounded stop, below, and a
stop signal lost while RQ forks its scheduler (`_StopSignalCarriedOver`).

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
from collections.abc import Callable

from rq import SimpleWorker as _SimpleWorker
from rq import Worker as _Worker

LISTENER_STOP_SECONDS = 1.0


def _no_stop_received() -> int | None:
    return None


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


class _StopSignalCarriedOver:
    """A stop signal that arrived before RQ's own handlers were in place, and whose exception
    Python dropped, still stops the worker.

    RQ forks its scheduler before it installs its SIGINT and SIGTERM handlers. A signal that
    lands during that fork runs the command's handler inside an at-fork hook, where Python
    drops the exception it raises, and the worker then ran on as if never asked to stop (the
    test of a SIGTERM while RQ starts timed out on a quiet machine). `stop_received` (set by
    the command: `service.stopping.received`) tells whether a stop signal came; if one did,
    the worker stops as RQ stops after a signal during a job: at the top of its first loop."""

    stop_received: Callable[[], int | None] = staticmethod(_no_stop_received)

    def _install_signal_handlers(self) -> None:
        super()._install_signal_handlers()
        signum = self.stop_received()
        if signum is not None:
            self.log.info("Worker %s: stop signal %s came while starting", self.name, signum)
            self._stop_requested = True


class Worker(_PromptUnsubscribe, _StopSignalCarriedOver, _Worker):
    """`rq.Worker` (a forked process per job) that stops promptly."""


class SimpleWorker(_PromptUnsubscribe, _StopSignalCarriedOver, _SimpleWorker):
    """`rq.SimpleWorker` (jobs in the worker's own process) that stops promptly."""
