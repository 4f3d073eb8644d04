"""`breather demo`: the whole pipeline on this machine, against the sandbox helpdesk.

Embedded Redis, sandbox (Zendesk and Freshdesk APIs), RQ worker, cron scheduler and the service
run as child processes; Ctrl-C stops them all.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import click
import redis as redis_lib
import requests

from service.auth import issue_token
from service.commands.common import stop_on_signals
from service.commands.supervise import Child, start_child, stop_children
from workers import agents, keys
from workers.clock import current_time
from workers.connection import connect
from workers.embedded import EmbeddedRedisError, free_port, start_embedded_redis


@click.command()
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port of the Breather service (0 picks a free one).")
@click.option("--speed", default=60.0, show_default=True, type=click.FloatRange(1, 3600),
              help="How much faster than real time the sandbox helpdesk runs.")
@click.option("--data-dir", default=".breather/demo", show_default=True,
              help="Where the demo keeps its Redis data and logs (wiped at start).")
@click.option("--duration", default=0.0, type=click.FloatRange(0),
              help="Stop by itself after this many seconds (0: run until Ctrl-C).")
def demo(port: int, speed: float, data_dir: str, duration: float) -> None:
    """Run a live demo with a simulated helpdesk; no account needed.

    Uses the Redis at REDIS_URL when it is set (its data is kept), else an embedded one.
    """
    stop_on_signals()
    root = Path(data_dir)
    shutil.rmtree(root, ignore_errors=True)
    children: list[Child] = []
    embedded = None
    try:
        redis_url, embedded = _demo_redis(root)
        port = port or free_port()
        sandbox_port = free_port()
        secret = secrets.token_urlsafe(24)
        env = _demo_env(redis_url, sandbox_port, secret)
        logs = root / "logs"
        children.append(start_child("sandbox", ["sandbox", "--port", str(sandbox_port),
                                                "--speed", str(speed)], env, logs))
        _wait_http(f"http://127.0.0.1:{sandbox_port}/", children)
        children.append(start_child("worker", ["worker"], env, logs))
        children.append(start_child("scheduler", ["scheduler"], env, logs))
        children.append(start_child("service", ["serve", "--port", str(port)], env, logs))
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/healthz", children)
        _print_banner(base, sandbox_port, logs, redis_url, secret)
        _watch(connect(redis_url), base, secret, children, duration)
    except KeyboardInterrupt:
        click.echo("\nstopping…", err=True)
    except click.ClickException:
        raise
    finally:
        stop_children(children)
        if embedded is not None:
            embedded.stop()
    click.echo("demo stopped", err=True)


def _demo_redis(root: Path):
    """(url, embedded server or None): REDIS_URL if set and reachable, else an embedded one."""
    url = os.environ.get("REDIS_URL")
    if url:
        try:
            redis_lib.Redis.from_url(url, socket_connect_timeout=5).ping()
        except (redis_lib.RedisError, ValueError) as exc:
            raise click.ClickException(f"REDIS_URL={url} is not reachable: {exc}") from None
        return url, None
    try:
        server = start_embedded_redis(root / "redis")
    except (EmbeddedRedisError, OSError) as exc:
        raise click.ClickException(f"could not start the embedded Redis: {exc}") from None
    return server.url, server


def _demo_env(redis_url: str, sandbox_port: int, secret: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ZENDESK_", "FRESHDESK_", "BREATHER_", "REDIS_"))}
    sandbox = f"http://127.0.0.1:{sandbox_port}"
    env.update({
        "REDIS_URL": redis_url,
        "ZENDESK_URL": f"{sandbox}/zendesk", "ZENDESK_EMAIL": "demo@example.com",
        "ZENDESK_TOKEN": "sandbox-token",
        "FRESHDESK_URL": f"{sandbox}/freshdesk", "FRESHDESK_API_KEY": "sandbox-key",
        "BREATHER_POLL_SECONDS": "5", "BREATHER_CLOCK": "data", "BREATHER_SECRET": secret,
        "BREATHER_LOG_FORMAT": "plain", "PYTHONUNBUFFERED": "1",
    })
    return env


def _wait_http(url: str, children: list[Child], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _check_children(children)
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise click.ClickException(f"{url} did not answer within {timeout:.0f}s")


def _check_children(children: list[Child]) -> None:
    for child in children:
        if not child.alive():
            raise click.ClickException(
                f"the {child.name} process exited with code {child.process.returncode}; "
                f"last lines of {child.log_path}:\n{child.log_tail()}")


def _print_banner(base: str, sandbox_port: int, logs: Path, redis_url: str,
                  secret: str) -> None:
    click.echo(f"Breather demo running (logs in {logs}/)")
    click.echo(f"  API:      {base}/api/v1/teams")
    click.echo(f"  metrics:  {base}/metrics")
    click.echo(f"  sandbox:  http://127.0.0.1:{sandbox_port}/ (Zendesk and Freshdesk APIs)")
    click.echo(f"  Redis:    {redis_url}")
    click.echo(f"  other commands on this demo: export REDIS_URL={redis_url} "
               f"BREATHER_SECRET={secret} (then e.g. `breather report`, `breather token`)")
    click.echo("  widgets:  links appear below once the first poll has found agents")
    click.echo("Press Ctrl-C to stop.")


def _watch(r: redis_lib.Redis, base: str, secret: str, children: list[Child],
           duration: float) -> None:
    started = time.monotonic()
    shown_links = False
    last_line = 0.0
    while not duration or time.monotonic() - started < duration:
        _check_children(children)
        ids = agents.agent_ids(r)
        if ids and not shown_links and r.hlen(keys.MESSAGE_COUNTS):
            _print_links(r, base, secret, ids)
            shown_links = True
        if sys.stdout.isatty():
            click.echo(f"\r\x1b[K{_status(r, ids)}", nl=False)
        elif time.monotonic() - last_line >= 10:
            click.echo(_status(r, ids))
            last_line = time.monotonic()
        time.sleep(1.0)


def _print_links(r: redis_lib.Redis, base: str, secret: str, ids: list[str]) -> None:
    click.echo("\r\x1b[K" if sys.stdout.isatty() else "", nl=False)
    now = current_time(r, "data")
    views = sorted(agents.all_views(r, now), key=lambda v: -v["strain"])
    for view in views[:3]:
        query = urlencode({"agent": view["agent"], "token": issue_token(secret, view["agent"])})
        click.echo(f"  widget for {view['name']} ({view['team']}): {base}/widget?{query}")


def _status(r: redis_lib.Redis, ids: list[str]) -> str:
    counts = {"hostile": 0, "neutral": 0, "praise": 0}
    for field, value in r.hgetall(keys.MESSAGE_COUNTS).items():
        tone = field.decode().rsplit("|", 1)[-1]
        counts[tone] = counts.get(tone, 0) + int(value)
    now = current_time(r, "data")
    levels = {"calm": 0, "elevated": 0, "high": 0}
    for view in agents.all_views(r, now):
        levels[view["level"]] = levels.get(view["level"], 0) + 1
    return (f"{time.strftime('%H:%M:%S')} agents {len(ids)} · customer messages "
            f"{sum(counts.values())} (hostile {counts['hostile']}, praise {counts['praise']}) · "
            f"high {levels['high']}, elevated {levels['elevated']}, calm {levels['calm']}")
