"""What the end-to-end benchmarks share: a real Redis, a vendor server serving pages prepared
before the clock starts, `breather worker` processes, gunicorn, and resident-memory sampling.

Everything listens on 127.0.0.1 and every process started here is stopped by `Stack.close`.
"""

from __future__ import annotations

import bisect
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import psutil
import redis as redis_lib
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from sandbox import texts
from workers.embedded import free_port, start_embedded_redis

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EMAIL, TOKEN, SECRET = "ops@example.com", "bench-token", "bench-secret"
PAGE = 1000
MOODS = ("neutral",) * 6 + ("hostile",) * 2 + ("thankful",)


def machine_load() -> str:
    """The load the run met: 1-minute load average and how many cores there are."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (5 min {five:.2f}) on {os.cpu_count()} cores"


# -- recorded-shape Zendesk data ------------------------------------------------------------
def iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def comment_event(rng: random.Random, event_id: int, ticket: int, at: int, agent: int) -> dict:
    """One incremental ticket event with a Comment child, shaped like Zendesk's export."""
    roll = rng.random()
    if roll < 0.75:
        body, _ = texts.customer_message(rng, rng.choice(("en", "en", "de")), rng.choice(MOODS),
                                         rng.choice(texts.NAMES), None, iso(at))
        author, public = 900_000 + ticket, True
    elif roll < 0.95:
        body, author, public = texts.agent_reply(rng, "en", "Ana"), agent, True
    else:
        body, author, public = texts.internal_note(rng), agent, False
    child = {"id": event_id, "event_type": "Comment", "author_id": author, "body": body,
             "html_body": f"<p>{body}</p>", "public": public, "attachments": [],
             "type": "Comment", "audit_id": event_id + 10**9}
    return {"id": event_id + 10**9, "ticket_id": ticket, "timestamp": at, "created_at": iso(at),
            "updater_id": author, "via": {"channel": "email"}, "event_type": "Audit",
            "child_events": [child, {"id": event_id + 2 * 10**9, "event_type": "Change",
                                     "field_name": "status", "value": "open",
                                     "previous_value": "new"}]}


class PreparedZendesk:
    """A Zendesk stand-in whose export pages are JSON bytes built before the clock starts.

    Agents, groups and tickets are served as usual; ticket events are pre-rendered pages keyed
    by the position they start from, so serving a page costs a lookup, not a rebuild.
    """

    def __init__(self, agents: int, tickets: int, messages: int, t0: int, seed: int = 1):
        rng = random.Random(seed)
        self.t0 = t0
        self.agent_ids = [1000 + a for a in range(agents)]
        self.users = [{"id": a, "name": f"Agent {a}", "email": f"{a}@example.com",
                       "role": "agent", "active": True, "suspended": False,
                       "default_group_id": 1 + a % 4} for a in self.agent_ids]
        self.groups = [{"id": g, "name": f"Team {g}"} for g in range(1, 5)]
        self.tickets = [{"id": t, "updated_at": iso(t0), "created_at": iso(t0),
                         "generated_timestamp": t0, "status": "open",
                         "assignee_id": self.agent_ids[t % agents], "group_id": 1 + t % 4,
                         "subject": f"ticket {t}"} for t in range(1, tickets + 1)]
        self.events = [comment_event(rng, 1 + i, 1 + i % tickets, t0 + 1 + i,
                                     self.agent_ids[(i % tickets + 1) % agents])
                       for i in range(messages)]
        self.stamps = [e["timestamp"] for e in self.events]
        self.pages: dict[int, bytes] = {}
        self.requests = 0
        self._prepare()

    def _prepare(self) -> None:
        """Walk the export as the connector will, rendering each page once."""
        start = 0
        while True:
            body, end_time, done = self._render(start)
            self.pages[start] = body
            if done:
                return
            start = end_time

    def _render(self, start: int) -> tuple[bytes, int, bool]:
        first = bisect.bisect_left(self.stamps, start)
        chosen = self.events[first: first + PAGE]
        end_time = chosen[-1]["timestamp"] if chosen else start
        done = len(chosen) < PAGE
        body = json.dumps({"ticket_events": chosen, "count": len(chosen), "end_time": end_time,
                           "next_page": None, "end_of_stream": done}).encode()
        return body, end_time, done

    def add_event(self, event: dict) -> None:
        """A new event (freshness runs); pages are rendered on demand from then on."""
        self.events.append(event)
        self.stamps.append(event["timestamp"])
        self.pages.clear()

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.requests += 1
        path = request.path.split("/api/v2", 1)[-1]
        if path == "/incremental/ticket_events.json":
            start = int(request.args["start_time"])
            key = 0 if start <= self.t0 else start  # the first request starts a day back
            body = self.pages.get(key) or self._render(key)[0]
            response = Response(body, content_type="application/json")
        elif path == "/incremental/tickets/cursor.json":
            response = self._json({"tickets": self.tickets, "after_cursor": "end",
                                   "end_of_stream": True})
        elif path == "/users.json":
            response = self._json({"users": self.users, "meta": {"has_more": False}})
        elif path == "/groups.json":
            response = self._json({"groups": self.groups, "next_page": None})
        else:
            response = self._json({"error": "RecordNotFound"}, 404)
        return response(environ, start_response)

    @staticmethod
    def _json(data, status: int = 200) -> Response:
        return Response(json.dumps(data), status=status, content_type="application/json")


class ServedApp:
    """A WSGI app on a free 127.0.0.1 port, in a thread."""

    def __init__(self, app):
        import logging

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per vendor request
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)


# -- processes ------------------------------------------------------------------------------
class Stack:
    """A Redis and the Breather processes of one benchmark run in a temporary folder; `close`
    stops them all and removes the folder (used as a context manager: also on an error,
    Ctrl-C or SIGTERM)."""

    def __init__(self, vendor_url: str | None = None, **env):
        self.folder = Path(tempfile.mkdtemp(prefix="breather-bench-"))
        self._exit = ExitStack()
        self._exit.callback(shutil.rmtree, self.folder, ignore_errors=True)  # last, after all
        try:
            self.redis_server = start_embedded_redis(self.folder / "redis")
        except BaseException:
            self._exit.close()
            raise
        self._exit.callback(self.redis_server.stop)
        self.redis = redis_lib.Redis.from_url(self.redis_server.url)
        self.processes: dict[str, subprocess.Popen] = {}
        self._sigterm = None
        self.env = {**os.environ, "REDIS_URL": self.redis_server.url,
                    "BREATHER_SECRET": SECRET, "BREATHER_LOG_FORMAT": "plain",
                    "PYTHONPATH": str(ROOT), **env}
        if vendor_url:
            self.env.update(ZENDESK_URL=vendor_url, ZENDESK_EMAIL=EMAIL, ZENDESK_TOKEN=TOKEN)

    def start(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - closed with the stack
        self._exit.callback(log.close)
        process = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        self.processes[name] = process
        return process

    def workers(self, count: int) -> None:
        for i in range(count):
            self.start(f"worker{i}", [str(BIN / "breather"), "worker"])

    def gunicorn(self, workers: int = 2, threads: int = 4) -> str:
        """The service under gunicorn with deploy/gunicorn.conf.py; returns its base URL."""
        port = free_port()
        self.env.update(BREATHER_BIND=f"127.0.0.1:{port}", BREATHER_WEB_WORKERS=str(workers),
                        BREATHER_WEB_THREADS=str(threads))
        self.start("gunicorn", [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py",
                                "--access-logfile", "/dev/null", "deploy.wsgi:app"])
        url = f"http://127.0.0.1:{port}"
        wait_for_http(url + "/healthz", self.processes["gunicorn"])
        return url

    def pids(self) -> dict[str, int]:
        """Every process to watch: Redis, gunicorn's master and workers, RQ workers."""
        found = {"redis": self.redis_server.process.pid}
        for name, process in self.processes.items():
            found[name] = process.pid
            try:
                for i, child in enumerate(psutil.Process(process.pid).children()):
                    if name == "gunicorn":
                        found[f"gunicorn-worker{i}"] = child.pid
            except psutil.NoSuchProcess:
                pass
        return found

    def close(self) -> None:
        """Stop every process, then Redis, then remove the folder (whatever fails first)."""
        try:
            self._stop_processes()
        finally:
            self._exit.close()

    def _stop_processes(self) -> None:
        descendants = self._descendants()
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for child in descendants:  # an RQ work horse leaves its worker's process group
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass

    def _descendants(self) -> list[psutil.Process]:
        found = []
        for process in self.processes.values():
            try:
                found += psutil.Process(process.pid).children(recursive=True)
            except psutil.NoSuchProcess:
                pass
        return found

    def __enter__(self) -> Stack:
        """SIGTERM interrupts the run like Ctrl-C while the stack is up, so `close` runs."""
        if threading.current_thread() is threading.main_thread():
            self._sigterm = signal.signal(signal.SIGTERM, _interrupt)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.close()
        finally:
            if self._sigterm is not None:
                signal.signal(signal.SIGTERM, self._sigterm)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


def rss_mb(pid: int) -> float:
    try:
        return psutil.Process(pid).memory_info().rss / 2**20
    except psutil.NoSuchProcess:
        return float("nan")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
