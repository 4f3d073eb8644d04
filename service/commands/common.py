"""What every command needs: Settings from the environment and a Redis, with clear errors."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import sys
from pathlib import Path

import click
import redis as redis_lib

from service import stopping
from workers.connection import RETRIES, connect
from workers.embedded import EmbeddedRedisError, attach_or_start
from workers.settings import ConfigError, Settings


def load_settings() -> Settings:
    """Settings from the environment; a bad value stops with one line naming the variable."""
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(f"configuration error: {exc}") from None


def redis_for(settings: Settings, retries: int = RETRIES) -> redis_lib.Redis:
    """A Redis client: REDIS_URL, or the embedded redis-server serving BREATHER_DATA_DIR.

    It reconnects by itself (workers/connection.py); `retries` says how patiently.
    """
    url = settings.redis_url
    if not url:
        try:
            url, started = attach_or_start(Path(settings.data_dir) / "redis")
        except (EmbeddedRedisError, OSError) as exc:
            raise click.ClickException(f"could not start the embedded Redis: {exc}") from None
        if started is not None:
            atexit.register(started.stop)
    probe = redis_lib.Redis.from_url(url, socket_connect_timeout=5)  # fail fast at start-up
    try:
        probe.ping()
    except redis_lib.RedisError as exc:
        raise click.ClickException(f"Redis at {url} is not reachable: {exc}") from None
    finally:
        probe.close()
    return connect(url, retries=retries)


def setup_logging(level: int = logging.INFO) -> None:
    """Log to stderr: plain on a terminal, one JSON object a line otherwise."""
    handler = logging.StreamHandler(sys.stderr)
    if sys.stderr.isatty() or os.environ.get("BREATHER_LOG_FORMAT") == "plain":
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    else:
        handler.setFormatter(_JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        import json

        data = {"ts": self.formatTime(record), "level": record.levelname.lower(),
                "logger": record.name, "msg": record.getMessage()}
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def stop_on_signals() -> None:
    """SIGINT and SIGTERM raise KeyboardInterrupt (`service.stopping.Stopped`), whatever
    disposition the process inherited.

    A command started in the background by a non-interactive shell inherits SIGINT ignored
    (and Python then leaves it ignored): without this, Ctrl-C or `kill -INT` would do nothing.
    Until a command calls this, a stop signal ends `breather` at once (service/stopping.py).
    """
    stopping.interrupt()


@contextlib.contextmanager
def quiet_interrupt():
    """SIGINT or SIGTERM ends a long-running command cleanly: one line, no stack trace, exit
    130 or 143."""
    stop_on_signals()
    with stopping.exit_on_stop():
        yield
