"""The poll job: read a helpdesk stream from its bookmark, page by page, and enqueue the records.

Each page's bookmark and the enqueue of its process job commit in ONE Redis MULTI/EXEC, so a
crash at any instant either loses the page's fetch (the bookmark did not move, it is fetched
again) or keeps both (the page is queued and the bookmark is past it): nothing lost, and the
process job's de-duplication by message id keeps a re-fetched page from counting twice.
One poller per stream at a time: a Redis lock with expiry, checked again inside each commit.
A poll job never outlives its RQ job timeout: the HTTP client's deadline stops it (with its pages
committed) before, and the next run resumes from the bookmark.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import redis as redis_lib
from rq import Callback, Queue, Retry

from connectors import errors
from connectors.freshdesk import FreshdeskClient
from connectors.records import Page, iso
from connectors.streams import Stream, by_name
from connectors.zendesk import ZendeskClient
from workers import bookmarks, keys, stats
from workers.connection import connect
from workers.process import process_records
from workers.settings import Settings

log = logging.getLogger("breather.poll")

CLIENTS = {ZendeskClient.source: ZendeskClient, FreshdeskClient.source: FreshdeskClient}
# stream names per source, in the order the vendors declare them (metadata streams first)
STREAMS: dict[str, tuple[str, ...]] = {
    source: tuple(s.name for s in client.streams) for source, client in CLIENTS.items()}
LOCK_TTL = 60  # seconds; renewed before every request, during waits and with every commit,
# so a poller killed with SIGKILL holds its stream for at most this long
JOB_TIMEOUT = 600  # a poll job's RQ job_timeout
TIME_MARGIN = 30.0  # a poll stops waiting this long before its job timeout
AUTH_PAUSE = 900  # a stream whose credentials were refused rests this long before trying again
SYNC_LOCK_WAIT = 30.0  # `sync --once` waits this long for a running cron poll of a stream
# a finished job (about 13 KB with its result) is kept this long, for `rq info` and a look
# while debugging; a minute is enough for that, and the window fills (and stays flat) within it
JOB_RESULT_TTL = 60
JOB_FAILURE_TTL = 24 * 3600  # a failed process job keeps its message ids (no text) one day
PROCESS_RETRY_INTERVALS = [1, 5, 15]  # a transient error (a Redis blip) is retried this often
ERROR_KINDS = ((errors.AuthError, "auth"), (errors.RateLimited, "rate_limited"),
               (errors.MalformedResponse, "malformed"), (errors.OutOfTime, "out_of_time"),
               (errors.RetryableError, "unavailable"), (errors.NotFoundError, "not_found"),
               (errors.ConnectorError, "error"))
_RELEASE = """if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0"""
_RENEW = """if redis.call('get', KEYS[1]) == ARGV[1] then
return redis.call('expire', KEYS[1], ARGV[2]) end
return 0"""


class LockLost(RuntimeError):
    """Another poller took this stream over (our lock expired); stop without committing."""


def poll_stream(source: str, stream: str) -> dict:
    """RQ job: poll one stream of one source from its bookmark up to now.

    A job is an entry point, so it reads Settings from the environment itself. Every wait the
    HTTP client would make past the job's timeout (less TIME_MARGIN) stops the poll instead.
    """
    from rq import get_current_job

    settings = Settings.from_env()
    job = get_current_job()
    r = job.connection if job is not None else connect(settings.redis_url)
    timeout = job.timeout if job is not None and job.timeout and job.timeout > 0 else JOB_TIMEOUT
    deadline = time.monotonic() + max(1.0, timeout - TIME_MARGIN)
    try:
        client = build_client(settings, source, deadline=deadline)
    except ValueError as exc:  # configuration changed since the job was scheduled
        log.error("poll %s/%s skipped: %s", source, stream, exc)
        return {"source": source, "stream": stream, "status": "error", "error": str(exc)}
    poller = Poller(r, Queue(settings.queue_name, connection=r), client,
                    auth_pause=settings.auth_pause_seconds)
    return poller.run(stream)


def refresh_ticket(source: str, ticket_id: int) -> dict:
    """RQ job (webhooks): re-read one ticket and its messages and enqueue them for processing.

    The records carry the same ids as polled ones, so a message pushed and polled counts once.
    """
    from rq import get_current_job

    settings = Settings.from_env()
    job = get_current_job()
    r = job.connection if job is not None else connect(settings.redis_url)
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
    """Enqueue one process job (also used by the webhooks), retried on a transient failure.

    After its last retry fails, `forget_text` keeps the job's message ids and drops their text.
    The description is given: RQ's default is the repr of the call, which for a page of a
    thousand records costs 6 ms to build before RQ cuts it to 75 characters.
    """
    return queue.enqueue(process_records, records, pipeline=pipeline, result_ttl=JOB_RESULT_TTL,
                         description=f"process_records({len(records)} records)",
                         failure_ttl=JOB_FAILURE_TTL,
                         retry=Retry(max=len(PROCESS_RETRY_INTERVALS),
                                     interval=PROCESS_RETRY_INTERVALS),
                         on_success=Callback(drop_text), on_failure=Callback(forget_text))


def _strip_text(job) -> list[dict]:
    """Replace the job's records by copies without their text (RQ's own save of the job then
    writes them); returns the records as they were."""
    records = [r for r in (job.args[0] if job.args else []) if isinstance(r, dict)]
    job.args = ([{k: v for k, v in r.items() if k != "text"} for r in records],)
    return records


def drop_text(job, connection, result) -> None:
    """RQ success callback of a process job: the finished job RQ keeps for JOB_RESULT_TTL holds
    ids, tickets and times, never the text that was just scored."""
    _strip_text(job)


def forget_text(job, connection, exc_type, exc_value, traceback) -> None:
    """RQ failure callback of a process job: after the last retry, no message text stays.

    The failed job keeps its records without text (ids, tickets, times) for an operator, and
    each source's streams are marked to re-read from the oldest message's time (a re-poll;
    the process job's de-duplication keeps what did count from counting twice).
    """
    if job.retries_left:
        return  # RQ runs it again; the text is still needed
    records = _strip_text(job)
    job.save()
    oldest: dict[str, float] = {}
    for record in records:
        at = bookmarks.position_of(record.get("at") or record.get("updated_at"))
        source = record.get("source")
        if source in CLIENTS and at:
            oldest[source] = min(at, oldest.get(source, at))
    for source, at in oldest.items():
        for stream in CLIENTS[source].streams:
            if not stream.provides_meta:
                bookmarks.mark_repoll(connection, source, stream.name, at)
    log.error("process job %s failed for good (%s); its text is dropped, its %d record(s) "
              "will be re-read from the helpdesk", job.id, exc_type.__name__ if exc_type else "?",
              len(records))


class Poller:
    """Polls the declared streams of one source client into one queue."""

    def __init__(self, r: redis_lib.Redis, queue: Queue, client, lookback_days: float = 1.0,
                 auth_pause: int = AUTH_PAUSE):
        self.r = r
        self.queue = queue
        self.client = client
        self.source = client.source
        if hasattr(client, "http"):
            stats.count_responses(r, self.source, client.http.session)
        self.lookback_days = lookback_days
        self.auth_pause = auth_pause
        self.token = uuid.uuid4().hex
        self._meta: dict | None = None

    def run(self, stream: str, since: datetime | None = None, force: bool = False,
            progress: Callable[[dict], None] | None = None, now: float | None = None,
            wait_lock: float = 0.0) -> dict:
        """Poll `stream` up to now; returns {pages, records, requests, skipped, status, error}.

        `force` polls a stream parked after refused credentials; `wait_lock` waits that many
        seconds for another poller of the stream to finish instead of giving up at once.
        Status: ok, partial (out of time; resumes next run), error, stopped or locked.
        """
        summary = {"source": self.source, "stream": stream, "pages": 0, "records": 0,
                   "requests": 0, "skipped": 0, "status": "ok", "error": None}
        declared = by_name(self.client.streams, stream, self.source)
        reason = bookmarks.stopped_reason(self.r, self.source, stream)
        if reason and not force:
            return self._ran({**summary, "status": "stopped", "error": reason})
        if not self._acquire(stream, wait_lock):
            return self._ran({**summary, "status": "locked",
                              "error": f"{self.source}/{stream}: another poller holds the lock"})
        before = self.client.http.requests_made
        self.client.http.heartbeat = lambda: self._renew(stream)
        try:
            self._poll(declared, since, now, summary, progress)
        except errors.OutOfTime as exc:
            summary.update(status="partial", error=f"{self.source}/{stream}: {exc}")
            log.warning("%s", summary["error"])
        except errors.ConnectorError as exc:
            summary.update(status="error", error=self._failed(stream, exc))
        except (bookmarks.CorruptValue, redis_lib.ResponseError) as exc:
            summary.update(status="error", error=f"{self.source}/{stream}: {exc}")
            log.error("%s (nothing was committed for this stream)", summary["error"])
        except LockLost as exc:
            summary.update(status="locked", error=str(exc))
        finally:
            self.client.http.heartbeat = None
            self._release(stream)
            summary["requests"] = self.client.http.requests_made - before
        log.info("poll.done %s/%s pages=%d records=%d requests=%d status=%s", self.source,
                 stream, summary["pages"], summary["records"], summary["requests"],
                 summary["status"])
        return self._ran(summary)

    def _poll(self, stream: Stream, since, now, summary: dict, progress) -> None:
        repoll = bookmarks.repoll_mark(self.r, self.source, stream.name)
        for page in self._pages(stream, since, now, repoll):
            self._commit(stream.name, page)
            if repoll is not None:
                repoll = bookmarks.advance_repoll(self.r, self.source, stream.name, repoll,
                                                  float(page.bookmark.get("position") or 0))
            summary["pages"] += 1
            summary["records"] += len(page.records)
            summary["skipped"] += len(page.skipped)
            if page.skipped:
                log.warning("%s/%s: skipped %d malformed item(s), e.g. %s", self.source,
                            stream.name, len(page.skipped), page.skipped[0])
            if progress:
                progress(self._progress(stream.name, summary))
        if repoll is not None:
            bookmarks.clear_repoll(self.r, self.source, stream.name, repoll)

    def _ran(self, summary: dict) -> dict:
        """Note when each stream last ran (any outcome): /healthz sees a poller that stopped."""
        self.r.hset(keys.POLL_LAST_RUN, f"{self.source}|{summary['stream']}", repr(time.time()))
        return summary

    # -- pages ------------------------------------------------------------------------------
    def _pages(self, stream: Stream, since: datetime | None, now: float | None,
               repoll: float | None = None):
        meta = {} if stream.provides_meta else self._account_meta(now)
        bookmark = self._start(stream.name, since, now, repoll)
        yield from stream.read(self.client, bookmark, meta, now)

    def _account_meta(self, now: float | None) -> dict:
        """Groups and agent ids; read here (without moving a bookmark) when the cache expired."""
        meta = self._meta or bookmarks.get_meta(self.r, self.source)
        if meta is not None:
            return meta
        for provider in (s for s in self.client.streams if s.provides_meta):
            for page in provider.read(self.client, None, {}, now):
                if page.meta is not None:
                    self._meta = bookmarks.set_meta(self.r, self.source, **page.meta)
                if page.records:
                    enqueue_records(self.queue, page.records)
        return self._meta or {}

    def _start(self, stream: str, since: datetime | None, now: float | None,
               repoll: float | None = None) -> dict:
        """The saved bookmark, or a start `since` (backfill), at a re-poll mark, or
        `lookback_days` ago."""
        saved = bookmarks.get_bookmark(self.r, self.source, stream)
        # a mark at the bookmark's own second too: the bookmark skips that second's events
        # that it already passed on (Zendesk's `seen_at_start`), the failed ones among them
        if repoll is not None and since is None and saved is not None \
                and repoll <= float(saved.get("position") or 0):
            since = datetime.fromtimestamp(repoll - 1, UTC)
        if saved is not None and since is None:
            return saved
        start = since.timestamp() if since else (now or time.time()) - self.lookback_days * 86400
        return {"start_time": int(start), "updated_since": iso(start), "position": 0.0}

    # -- commit -----------------------------------------------------------------------------
    def _commit(self, stream: str, page: Page) -> None:
        """Move the bookmark forward and enqueue the page's records in one MULTI/EXEC
        (redis-py's `transaction()` re-runs it if the bookmark or the lock changed meanwhile)."""
        bookmark_key = keys.bookmark(self.source, stream)
        lock_key = keys.poll_lock(self.source, stream)

        def commit(pipe) -> None:
            if pipe.get(lock_key) != self.token.encode():
                raise LockLost(f"{self.source}/{stream}: lock lost; page not committed")
            old = bookmarks.loads(bookmark_key, pipe.get(bookmark_key))
            pipe.multi()
            pipe.set(bookmark_key, json.dumps(bookmarks.forward(old, page.bookmark)))
            if page.meta is not None:
                self._meta = bookmarks.set_meta(pipe, self.source, **page.meta)
            if page.records:
                enqueue_records(self.queue, page.records, pipeline=pipe)
            pipe.expire(lock_key, LOCK_TTL)

        self.r.transaction(commit, bookmark_key, lock_key)

    # -- lock, errors, progress ---------------------------------------------------------------
    def _acquire(self, stream: str, wait: float = 0.0) -> bool:
        deadline = time.monotonic() + wait
        while True:
            if self.r.set(keys.poll_lock(self.source, stream), self.token, nx=True, ex=LOCK_TTL):
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.2)

    def _renew(self, stream: str) -> None:
        """Keep the stream's lock while polling; stop if another poller took it over."""
        if not self.r.eval(_RENEW, 1, keys.poll_lock(self.source, stream), self.token, LOCK_TTL):
            raise LockLost(f"{self.source}/{stream}: lock lost (expired); stopping")

    def _release(self, stream: str) -> None:
        self.r.eval(_RELEASE, 1, keys.poll_lock(self.source, stream), self.token)

    def _failed(self, stream: str, exc: errors.ConnectorError) -> str:
        kind = next(name for cls, name in ERROR_KINDS if isinstance(exc, cls))
        bookmarks.count_error(self.r, self.source, stream, kind)
        message = f"{self.source}/{stream}: {exc}"
        if kind == "auth":
            bookmarks.stop_stream(self.r, self.source, stream, message, self.auth_pause)
            log.error("%s stopped for %ds: credentials refused (%s)", message, self.auth_pause,
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
        for stream in client.streams:
            result = poller.run(stream.name, since=since, force=True, progress=progress,
                                wait_lock=SYNC_LOCK_WAIT)
            totals["streams"] += 1
            for key in ("pages", "records", "requests", "skipped"):
                totals[key] += result[key]
            if result["error"]:
                failures.append(result["error"])
                if result["status"] == "error" and stream.provides_meta:
                    break  # without agents and groups the other streams cannot name teams
    return {**totals, "errors": failures}


def register_cron(cron_scheduler, settings: Settings) -> list:
    """One poll job per configured stream, every `settings.poll_seconds`."""
    registered = []
    for source in settings.sources:
        for stream in STREAMS[source]:
            registered.append(cron_scheduler.register(
                poll_stream, queue_name=settings.queue_name, args=(source, stream),
                interval=settings.poll_seconds, job_timeout=JOB_TIMEOUT, result_ttl=JOB_RESULT_TTL,
                name=f"poll:{source}:{stream}"))
    return registered
