"""The poll job: read a helpdesk stream from its bookmark, page by page, and enqueue the records.

Each page's bookmark and the enqueue of its process job commit in ONE Redis MULTI/EXEC, so a
crash at any instant either loses the page's fetch (the bookmark did not move, it is fetched
again) or keeps both (the page is queued and the bookmark is past it): nothing lost, and the
process job's de-duplication by message id keeps a re-fetched page from counting twice.
One poller per stream at a time: a Redis lock with expiry, checked again inside each commit.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import datetime

import redis as redis_lib
from rq import Queue

from connectors import errors
from connectors.freshdesk import FreshdeskClient
from connectors.records import Page, iso
from connectors.zendesk import ZendeskClient
from workers import bookmarks, stats
from workers.settings import Settings

log = logging.getLogger("breather.poll")

STREAMS: dict[str, tuple[str, ...]] = {
    "zendesk": ("agents", "tickets", "messages"),  # agents (and groups) first: tickets name teams
    "freshdesk": ("agents", "tickets"),
}
PROCESS_JOB = "workers.process.process_records"
LOCK_TTL = 600  # seconds; renewed with every page committed
AUTH_PAUSE = 900  # a stream whose credentials were refused rests this long before trying again
SYNC_LOCK_WAIT = 30.0  # `sync --once` waits this long for a running cron poll of a stream
JOB_RESULT_TTL = 300
JOB_FAILURE_TTL = 24 * 3600  # a failed job holds message text: keep it one day at most
ERROR_KINDS = ((errors.AuthError, "auth"), (errors.RateLimited, "rate_limited"),
               (errors.MalformedResponse, "malformed"), (errors.RetryableError, "unavailable"),
               (errors.NotFoundError, "not_found"), (errors.ConnectorError, "error"))
_RELEASE = """if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0"""


class LockLost(RuntimeError):
    """Another poller took this stream over (our lock expired); stop without committing."""


def poll_stream(source: str, stream: str) -> dict:
    """RQ job: poll one stream of one source from its bookmark up to now.

    A job is an entry point, so it reads Settings from the environment itself.
    """
    from rq import get_current_job

    settings = Settings.from_env()
    job = get_current_job()
    r = job.connection if job is not None else redis_lib.Redis.from_url(settings.redis_url)
    queue = Queue(settings.queue_name, connection=r)
    try:
        client = build_client(settings, source)
    except ValueError as exc:  # configuration changed since the job was scheduled
        log.error("poll %s/%s skipped: %s", source, stream, exc)
        return {"source": source, "stream": stream, "status": "error", "error": str(exc)}
    return Poller(r, queue, client).run(stream)


def refresh_ticket(source: str, ticket_id: int) -> dict:
    """RQ job (webhooks): re-read one ticket and its messages and enqueue them for processing.

    The records carry the same ids as polled ones, so a message pushed and polled counts once.
    """
    from rq import get_current_job

    settings = Settings.from_env()
    job = get_current_job()
    r = job.connection if job is not None else redis_lib.Redis.from_url(settings.redis_url)
    client = build_client(settings, source)
    meta = bookmarks.get_meta(r, source) or {}
    found = client.ticket_records(ticket_id, meta.get("groups") or {})
    if found:
        enqueue_records(Queue(settings.queue_name, connection=r), found)
    return {"source": source, "ticket": ticket_id, "records": len(found)}


def build_client(settings: Settings, source: str, **options):
    """The connector client of a configured source (options: timeout, sleep, page_cap...)."""
    options.setdefault("budget_share", settings.budget_share)
    if source == "zendesk" and settings.zendesk:
        z = settings.zendesk
        return ZendeskClient(z.base_url, z.email, z.token, z.oauth_token, **options)
    if source == "freshdesk" and settings.freshdesk:
        f = settings.freshdesk
        return FreshdeskClient(f.base_url, f.api_key, **options)
    raise ValueError(f"{source!r} is not a configured source (configured: {settings.sources})")


def enqueue_records(queue: Queue, records: list[dict], pipeline=None):
    """Enqueue one process job (also used by the webhooks)."""
    return queue.enqueue(PROCESS_JOB, records, pipeline=pipeline, result_ttl=JOB_RESULT_TTL,
                         failure_ttl=JOB_FAILURE_TTL)


class Poller:
    """Polls the streams of one source client into one queue."""

    def __init__(self, r: redis_lib.Redis, queue: Queue, client, lookback_days: float = 1.0):
        self.r = r
        self.queue = queue
        self.client = client
        self.source = client.source
        if hasattr(client, "http"):
            stats.count_responses(r, self.source, client.http.session)
        self.lookback_days = lookback_days
        self.token = uuid.uuid4().hex
        self._meta: dict | None = None

    def run(self, stream: str, since: datetime | None = None, force: bool = False,
            progress: Callable[[dict], None] | None = None, now: float | None = None,
            wait_lock: float = 0.0) -> dict:
        """Poll `stream` up to now; returns {pages, records, requests, skipped, status, error}.

        `force` polls a stream parked after refused credentials; `wait_lock` waits that many
        seconds for another poller of the stream to finish instead of giving up at once.
        """
        summary = {"source": self.source, "stream": stream, "pages": 0, "records": 0,
                   "requests": 0, "skipped": 0, "status": "ok", "error": None}
        reason = bookmarks.stopped_reason(self.r, self.source, stream)
        if reason and not force:
            return {**summary, "status": "stopped", "error": reason}
        if not self._acquire(stream, wait_lock):
            return {**summary, "status": "locked",
                    "error": f"{self.source}/{stream}: another poller holds the lock"}
        before = self.client.http.requests_made
        try:
            bookmarks.resume_stream(self.r, self.source, stream)
            for page in self._pages(stream, since, now):
                self._commit(stream, page)
                summary["pages"] += 1
                summary["records"] += len(page.records)
                summary["skipped"] += len(page.skipped)
                if page.skipped:
                    log.warning("%s/%s: skipped %d malformed item(s), e.g. %s", self.source,
                                stream, len(page.skipped), page.skipped[0])
                if progress:
                    progress(self._progress(stream, summary))
        except errors.ConnectorError as exc:
            summary.update(status="error", error=self._failed(stream, exc))
        except LockLost as exc:
            summary.update(status="locked", error=str(exc))
        finally:
            self._release(stream)
            summary["requests"] = self.client.http.requests_made - before
        log.info("poll.done %s/%s pages=%d records=%d requests=%d status=%s", self.source,
                 stream, summary["pages"], summary["records"], summary["requests"],
                 summary["status"])
        return summary

    # -- pages ------------------------------------------------------------------------------
    def _pages(self, stream: str, since: datetime | None, now: float | None):
        if stream == "agents":
            yield self._agents_page(now)
            return
        meta = self._meta or bookmarks.get_meta(self.r, self.source)
        if meta is None:  # the agents stream has not run lately: refresh here (no bookmark)
            page = self._agents_page(now)
            if page.records:
                enqueue_records(self.queue, page.records)
            meta = self._meta
        bookmark = self._start(stream, since, now)
        yield from self.client.pages(stream, bookmark, meta, now)

    def _agents_page(self, now: float | None) -> Page:
        """Groups and agents in one page; also caches them as meta for the other streams."""
        groups = self.client.groups()
        agents = self.client.agents(groups)
        agent_ids = [a["id"].split(":", 1)[1] for a in agents]
        self._meta = bookmarks.set_meta(self.r, self.source, groups, agent_ids)
        return Page(agents, {"position": now or time.time()}, True)

    def _start(self, stream: str, since: datetime | None, now: float | None) -> dict:
        """The saved bookmark, or a start `since` (backfill) or `lookback_days` ago."""
        saved = bookmarks.get_bookmark(self.r, self.source, stream)
        if saved is not None and since is None:
            return saved
        start = since.timestamp() if since else (now or time.time()) - self.lookback_days * 86400
        return {"start_time": int(start), "updated_since": iso(start), "position": 0.0}

    # -- commit -----------------------------------------------------------------------------
    def _commit(self, stream: str, page: Page) -> None:
        """Move the bookmark forward and enqueue the page's records in one MULTI/EXEC."""
        bookmark_key = bookmarks.bookmark_key(self.source, stream)
        lock_key = bookmarks.lock_key(self.source, stream)
        with self.r.pipeline(transaction=True) as pipe:
            for _ in range(5):
                try:
                    pipe.watch(bookmark_key, lock_key)
                    if pipe.get(lock_key) != self.token.encode():
                        raise LockLost(f"{self.source}/{stream}: lock lost; page not committed")
                    raw = pipe.get(bookmark_key)
                    new = bookmarks.forward(json.loads(raw) if raw else None, page.bookmark)
                    pipe.multi()
                    pipe.set(bookmark_key, json.dumps(new))
                    if page.records:
                        enqueue_records(self.queue, page.records, pipeline=pipe)
                    pipe.expire(lock_key, LOCK_TTL)
                    pipe.execute()
                    return
                except redis_lib.WatchError:
                    continue
        raise LockLost(f"{self.source}/{stream}: bookmark kept changing; page not committed")

    # -- lock, errors, progress ---------------------------------------------------------------
    def _acquire(self, stream: str, wait: float = 0.0) -> bool:
        deadline = time.monotonic() + wait
        while True:
            lock_key = bookmarks.lock_key(self.source, stream)
            if self.r.set(lock_key, self.token, nx=True, ex=LOCK_TTL):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)

    def _release(self, stream: str) -> None:
        self.r.eval(_RELEASE, 1, bookmarks.lock_key(self.source, stream), self.token)

    def _failed(self, stream: str, exc: errors.ConnectorError) -> str:
        kind = next(name for cls, name in ERROR_KINDS if isinstance(exc, cls))
        bookmarks.count_error(self.r, self.source, stream, kind)
        message = f"{self.source}/{stream}: {exc}"
        if kind == "auth":
            bookmarks.stop_stream(self.r, self.source, stream, message, AUTH_PAUSE)
            log.error("%s stopped for %ds: credentials refused (%s)", message, AUTH_PAUSE,
                      "check the source's token and its permissions")
        else:
            log.warning("%s failed (%s); the next poll retries from the bookmark", message, kind)
        return message

    def _progress(self, stream: str, summary: dict) -> dict:
        left = self.client.http.budget.left()
        return {"source": self.source, "stream": stream, "pages": summary["pages"],
                "records": summary["records"],
                "rate budget left": "?" if left is None else left}


def sync_once(settings: Settings, redis: redis_lib.Redis, since: datetime | None = None,
              progress: Callable[[dict], None] | None = None,
              client_options: dict | None = None) -> dict:
    """Poll every configured source and stream up to now, in-process (`breather sync --once`).

    Returns counts (sources, streams, pages, records, requests, skipped) and "errors": one line
    per stream that failed. Progress, if given, gets a dict after every page.
    """
    queue = Queue(settings.queue_name, connection=redis)
    totals = {"sources": 0, "streams": 0, "pages": 0, "records": 0, "requests": 0, "skipped": 0}
    failures: list[str] = []
    for source in settings.sources:
        client = build_client(settings, source, **(client_options or {}))
        poller = Poller(redis, queue, client)
        totals["sources"] += 1
        for stream in STREAMS[source]:
            result = poller.run(stream, since=since, force=True, progress=progress,
                                wait_lock=SYNC_LOCK_WAIT)
            totals["streams"] += 1
            for key in ("pages", "records", "requests", "skipped"):
                totals[key] += result[key]
            if result["error"]:
                failures.append(result["error"])
                if result["status"] == "error" and stream == "agents":
                    break  # without agents and groups the other streams cannot name teams
    return {**totals, "errors": failures}


def register_cron(cron_scheduler, settings: Settings) -> list:
    """One poll job per configured stream, every `settings.poll_seconds`."""
    registered = []
    for source in settings.sources:
        for stream in STREAMS[source]:
            registered.append(cron_scheduler.register(
                poll_stream, queue_name=settings.queue_name, args=(source, stream),
                interval=settings.poll_seconds, job_timeout=LOCK_TTL, result_ttl=JOB_RESULT_TTL,
                name=f"poll:{source}:{stream}"))
    return registered
