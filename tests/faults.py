"""A small real deployment for fault tests: redis-server processes (AOF, `appendfsync everysec`)
that can be killed and restarted on the same port and data, `breather worker` / `scheduler` /
`serve` subprocesses, and a local Zendesk (tests/vendors.py) with injectable faults.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import redis as redis_lib
import requests
from vendors import FakeZendesk

from workers import keys
from workers.embedded import EmbeddedRedis, free_port, start_embedded_redis

AGENT = 7
CUSTOMER = 5000


def recent_zendesk(tickets: int, start: int | None = None) -> FakeZendesk:
    """A Zendesk with one agent and `tickets` tickets of two customer messages and one reply,
    all within the last few hours (the poller looks back one day)."""
    vendor = FakeZendesk()
    vendor.add_agent(AGENT, "Ana", group_id=1)
    add_tickets(vendor, range(tickets), start)
    return vendor


def add_tickets(vendor: FakeZendesk, numbers, start: int | None = None) -> None:
    base = start or int(time.time()) - 4 * 3600
    for t in numbers:
        ticket = 100 + t
        vendor.add_ticket(ticket, base + 10 * t, assignee=AGENT)
        for c in range(3):  # one event a second: pages never split inside a second
            vendor.add_comment(10_000 + 10 * t + c, ticket, base + 10 * t + c,
                               author=AGENT if c == 2 else CUSTOMER,
                               body="This is the third time I write. Fix it now!")


def customer_comment_ids(vendor: FakeZendesk) -> set[str]:
    return {f"zendesk:c-{child['id']}" for event in vendor.events
            for child in event["child_events"]
            if child["event_type"] == "Comment" and child["author_id"] == CUSTOMER}


def descendants(pid: int) -> list[int]:
    """Every live process below `pid`, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Deployment:
    """Processes of one Breather deployment around one Redis; everything stops on close()."""

    def __init__(self, tmp_path: Path, vendor_url: str, **env):
        self.dir = tmp_path
        self.redis_port = free_port()
        self.redis_server: EmbeddedRedis = start_embedded_redis(tmp_path / "redis",
                                                                self.redis_port)
        self.env = {**os.environ, "REDIS_URL": self.redis_server.url, "ZENDESK_URL": vendor_url,
                    "ZENDESK_EMAIL": "ops@example.com", "ZENDESK_TOKEN": "secret",
                    "BREATHER_POLL_SECONDS": "1", "BREATHER_DISABLE": "tone",
                    "BREATHER_LOG_FORMAT": "plain", "PYTHONUNBUFFERED": "1",
                    "BREATHER_AUTH": "false", **env}
        for name in ("FRESHDESK_URL", "FRESHDESK_DOMAIN", "ZENDESK_SUBDOMAIN"):
            self.env.pop(name, None)
        self.processes: dict[str, subprocess.Popen] = {}
        self.port: int | None = None

    # -- processes ----------------------------------------------------------------------------
    def start(self, name: str, *args: str) -> subprocess.Popen:
        """`breather <args>` as `name`, in its own process group (a worker and its work horse)."""
        log = open(self.dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen([sys.executable, "-m", "service.cli", *args], env=self.env,
                                   stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                   start_new_session=True)
        log.close()
        self.processes[name] = process
        return process

    def serve(self) -> str:
        self.port = free_port()
        self.start("service", "serve", "--port", str(self.port))
        self.wait_for(lambda: self._answers(f"{self.url}/metrics"), 30, "the service to answer")
        return self.url

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal `name`, its process group and its descendants (an RQ work horse runs in a
        group of its own); SIGKILL leaves no chance to clean up."""
        process = self.processes[name]
        family = descendants(process.pid)
        for pid in family:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)

    def alive(self) -> dict[str, bool]:
        return {name: p.poll() is None for name, p in self.processes.items()}

    def log(self, name: str) -> str:
        return (self.dir / f"{name}.log").read_text(errors="replace")

    # -- redis --------------------------------------------------------------------------------
    def client(self) -> redis_lib.Redis:
        return redis_lib.Redis(port=self.redis_port)

    def kill_redis(self, sig: int = signal.SIGKILL) -> None:
        self.redis_server.process.send_signal(sig)
        self.redis_server.process.wait(timeout=30)

    def start_redis(self) -> None:
        """Start redis-server again on the same port and AOF directory."""
        self.redis_server = start_embedded_redis(self.dir / "redis", self.redis_port)

    # -- observing ----------------------------------------------------------------------------
    def counted(self) -> int:
        """Customer messages counted by the process job (the aggregate every number rests on)."""
        return sum(int(v) for v in self.client().hgetall(keys.MESSAGE_COUNTS).values())

    def seen(self, message_ids: set[str]) -> set[str]:
        client = self.client()
        found = {m.decode() for name in client.scan_iter(match=keys.messages("*"))
                 for m in client.hkeys(name)}
        return found & message_ids

    def wait_for(self, predicate: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if predicate():
                    return
            except (redis_lib.ConnectionError, requests.RequestException):
                pass
            time.sleep(0.3)
        logs = "\n".join(f"--- {name}\n{self.log(name)[-1500:]}" for name in self.processes)
        raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{logs}")

    def wait_counted(self, expected: int, timeout: float = 90) -> None:
        self.wait_for(lambda: self.counted() >= expected, timeout,
                      f"{expected} customer messages counted")
        time.sleep(3)  # a few more poll cycles: nothing may count twice
        assert self.counted() == expected

    @staticmethod
    def _answers(url: str) -> bool:
        return requests.get(url, timeout=2).status_code < 500

    def close(self) -> None:
        for name in list(self.processes):
            if self.processes[name].poll() is None:
                self.kill(name, signal.SIGTERM if name == "service" else signal.SIGKILL)
        self.redis_server.stop()
