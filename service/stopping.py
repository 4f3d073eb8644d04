"""How `breather` stops on SIGINT or SIGTERM, from the first line it runs.

`service/cli.py` calls `exit_at_once()` before it imports anything else. A signal that arrives
while a command is still starting (importing, loading the tone model, connecting to Redis)
would otherwise kill it without a word, or, when the process inherited the signal ignored (a
shell's background job: SIGINT; some supervisors: SIGTERM too), be dropped, so the command ran
on as if never asked to stop. Until a command takes over, a stop signal ends the process at
once (SystemExit: `finally` blocks run, nothing prints a trace); a long-running command then
calls `interrupt()`, so that the signal raises `Stopped` where it can clean up. Either way it
ends with one line and exit code 128 + the signal's number (130, 143). RQ's worker and
scheduler put their own handlers in place (warm shutdown) once their loops start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from typing import NoReturn

SIGNALS = (signal.SIGINT, signal.SIGTERM)
_fork_hook_registered = False
_received: int | None = None  # the stop signal `interrupt()`'s handler last raised Stopped for


class Stopped(KeyboardInterrupt):
    """A stop signal arrived; `signum` says which."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signum)
        self.signum = signum


def exit_at_once() -> None:
    """SIGINT and SIGTERM end the process, whatever disposition it inherited."""
    _handle_with(_exit_now)


def interrupt() -> None:
    """SIGINT and SIGTERM raise `Stopped` (a KeyboardInterrupt), whatever disposition the
    process inherited: for a command that has something to stop or undo."""
    _handle_with(_raise_stopped)


def _handle_with(handler) -> None:
    """Install `handler`. A child forked without exec (RQ's scheduler process, its work
    horses) gets the default handlers back at once: it sets up its own, and until then must
    not act in our stead."""
    for signum in SIGNALS:
        signal.signal(signum, handler)
    global _fork_hook_registered
    if not _fork_hook_registered:
        os.register_at_fork(after_in_child=_default_handlers)
        _fork_hook_registered = True


def _raise_stopped(signum, frame):
    global _received
    _received = signum
    raise Stopped(signum)


def received() -> int | None:
    """The stop signal that `interrupt()`'s handler last raised `Stopped` for, or None.

    Python drops an exception raised inside an at-fork hook: a signal that lands while RQ forks
    its scheduler runs the handler in logging's after-fork lock release, and `Stopped` is only
    printed ("Exception ignored in: _releaseLock"). Whoever takes the signals over (RQ's
    worker, workers.rq_workers) asks here, so such a signal still stops the command."""
    return _received


def _exit_now(signum, frame):
    exit_stopped(Stopped(signum))


def _default_handlers() -> None:
    for signum in SIGNALS:
        signal.signal(signum, signal.SIG_DFL)


@contextlib.contextmanager
def exit_on_stop():
    """A stop signal inside the block ends the command (`exit_stopped`), without a trace."""
    try:
        yield
    except KeyboardInterrupt as exc:
        exit_stopped(exc)


def exit_stopped(exc: KeyboardInterrupt) -> NoReturn:
    """End the command after a stop signal: forked children first, then one line, then
    exit 128 + the signal's number (a KeyboardInterrupt of Python's own counts as SIGINT)."""
    signum = getattr(exc, "signum", signal.SIGINT)
    _stop_forked_children()
    print(f"\nstopped ({signal.Signals(signum).name})", file=sys.stderr, flush=True)
    sys.exit(128 + signum)


def _stop_forked_children(timeout: float = 5.0) -> None:
    """multiprocessing joins its children at exit: one left running (RQ's scheduler, when the
    signal came between its start and the worker's loop) would keep the command from ending."""
    multiprocessing = sys.modules.get("multiprocessing")
    if multiprocessing is None:
        return
    for child in multiprocessing.active_children():
        child.terminate()
        child.join(timeout)
        if child.is_alive():
            child.kill()
            child.join()
