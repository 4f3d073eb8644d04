"""Polling: one RQ job per stream reads pages from its bookmark and hands them to the process job.

Every page's bookmark is written in the same Redis transaction as the enqueue of its records,
only one poller runs per stream (a Redis lock with expiry), and a 401/403 stops the stream with
one clear log line and a counter instead of a crash loop.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

import redis as redis_lib
from rq import Queue, Retry

from connectors.errors import AuthError, ConnectorError, MalformedResponse, RateLimited
from connectors.freshdesk import FreshdeskClient
from connectors.records import Page
from connectors.zendesk import ZendeskClient
from workers import keys
from workers.settings import Settings
from workers.state import bookmark_key, count_error, get_bookmark, get_meta, is_forward, set_meta

log = logging.getLogger("breather.poll")
STREAMS = {"zendesk": ("tickets", "messages"), "freshdesk": ("tickets",)}
PROCESS = "workers.process.process_records"
LOCK_TTL = 300
MAX_PAGES_PER_RUN = 50
DEFAULT_LOOKBACK = 86400  # a first poll reads the last day


def make_client(settings: Settings, source: str, **options):
    """The connector client for a configured source."""
    options.setdefault("budget_share", settings.budget_share)
    if source == "zendesk" and settings.zendesk:
        z = settings.zendesk
        return ZendeskClient(z.base_url, z.email, z.token, z.oauth_token, **options)
    if source == "freshdesk" and settings.freshdesk:
        return FreshdeskClient(settings.freshdesk.base_url, settings.freshdesk.api_key, **options)
    raise ValueError(f"source {source!r} is not configured")


def poll_stream(source: str, stream: str) -> dict:
    """RQ job (an entry point: reads Settings from the environment)."""
    from rq import get_current_job

    settings = Settings.from_env()
    job = get_current_job()
    r = job.connection if job is not None else redis_lib.Redis.from_url(settings.redis_url)
    return poll(settings, r, source, stream)


def poll(settings: Settings, r: redis_lib.Redis, source: str, stream: str, *,
         client=None, max_pages: int | None = MAX_PAGES_PER_RUN,
         progress: Callable[[dict], None] | None = None,
         before_commit: Callable[[Page], None] | None = None) -> dict:
    """Read pages of one stream from its bookmark; returns a summary of what was done."""
    summary = {"source": source, "stream": stream, "pages": 0, "records": 0, "requests": 0}
    lock = r.lock(f"{keys.PREFIX}lock:poll:{source}:{stream}", timeout=LOCK_TTL)
    if not lock.acquire(blocking=False):
        summary["skipped"] = "another poller holds this stream"
        return summary
    client = client or make_client(settings, source)
    queue = Queue(settings.queue_name, connection=r)
    try:
        meta = _metadata(r, client, source, queue)
        for page in _pages(client, stream, get_bookmark(r, source, stream), meta):
            if before_commit is not None:
                before_commit(page)
            if _commit(r, queue, source, stream, page):
                summary["pages"] += 1
                summary["records"] += len(page.records)
            lock.extend(LOCK_TTL, replace_ttl=True)
            if progress:
                progress(_progress(summary, client))
            if max_pages is not None and summary["pages"] >= max_pages:
                break
    except AuthError as exc:
        log.error("%s %s stopped: %s", source, stream, exc)
        count_error(r, source, stream, "auth")
        summary["error"] = f"{source} {stream}: {exc}"
    except RateLimited as exc:
        count_error(r, source, stream, "rate_limited")
        summary["error"] = f"{source} {stream}: {exc}"
    except MalformedResponse as exc:
        log.error("%s %s: %s", source, stream, exc)
        count_error(r, source, stream, "malformed")
        summary["error"] = f"{source} {stream}: {exc}"
    except ConnectorError as exc:
        log.error("%s %s: %s", source, stream, exc)
        count_error(r, source, stream, "http")
        summary["error"] = f"{source} {stream}: {exc}"
    finally:
        summary["requests"] = client.http.requests_made
        _release(lock)
    log.info("poll.done %s", json.dumps(summary))
    return summary


def _release(lock) -> None:
    try:
        lock.release()
    except redis_lib.exceptions.LockError:
        log.warning("poll lock had expired before release")


def _metadata(r: redis_lib.Redis, client, source: str, queue: Queue) -> dict:
    """Groups and agents, re-read every few minutes; agent records go to the process job."""
    meta = get_meta(r, source)
    if meta is not None:
        return meta
    groups = client.groups()
    agents = client.agents(groups)
    queue.enqueue_call(PROCESS, args=(agents,), retry=Retry(max=3, interval=[10, 60, 300]))
    return set_meta(r, source, groups, [a["id"].split(":", 1)[1] for a in agents])


def _pages(client, stream: str, bookmark: dict | None, meta: dict):
    bookmark = bookmark or {}
    if stream == "tickets":
        if not bookmark and client.source == "zendesk":
            bookmark = {"start_time": time.time() - DEFAULT_LOOKBACK}
        elif not bookmark:
            since = datetime.fromtimestamp(time.time() - DEFAULT_LOOKBACK, UTC)
            bookmark = {"updated_since": since.strftime("%Y-%m-%dT%H:%M:%SZ")}
        return client.tickets(bookmark, meta["groups"])
    if stream == "messages":
        bookmark = bookmark or {"start_time": time.time() - DEFAULT_LOOKBACK}
        return client.messages(bookmark, set(meta["agent_ids"]))
    raise ValueError(f"unknown stream {stream!r}")


def _commit(r: redis_lib.Redis, queue: Queue, source: str, stream: str, page: Page) -> bool:
    """Move the bookmark and enqueue the page's records in one MULTI/EXEC."""
    key = bookmark_key(source, stream)
    with r.pipeline(transaction=True) as pipe:
        pipe.watch(key)
        raw = pipe.get(key)
        if not is_forward(json.loads(raw) if raw else None, page.bookmark):
            log.warning("%s %s: refusing to move the bookmark backwards", source, stream)
            return False
        pipe.multi()
        pipe.set(key, json.dumps(page.bookmark))
        if page.records:
            queue.enqueue_call(PROCESS, args=(page.records,), pipeline=pipe,
                               retry=Retry(max=3, interval=[10, 60, 300]),
                               result_ttl=600, failure_ttl=7 * 86400)
        pipe.execute()
    return True


def _progress(summary: dict, client) -> dict:
    budget = client.http.budget
    left = f"{budget.remaining:.0f}/{budget.limit:.0f}" if budget.limit else "unknown"
    return {"stream": f"{summary['source']} {summary['stream']}", "pages": summary["pages"],
            "records": summary["records"], "rate budget left": left}


def sync_once(settings: Settings, r: redis_lib.Redis, since: datetime | None = None,
              progress: Callable[[dict], None] | None = None) -> dict:
    """Poll every configured stream up to now. `since` starts a backfill from that date."""
    total = {"streams": 0, "pages": 0, "records": 0, "requests": 0, "errors": []}
    for source in settings.sources:
        for stream in STREAMS[source]:
            if since is not None:
                r.set(bookmark_key(source, stream), json.dumps(_since(source, stream, since)))
            result = poll(settings, r, source, stream, max_pages=None, progress=progress)
            total["streams"] += 1
            for name in ("pages", "records", "requests"):
                total[name] += result[name]
            if "error" in result:
                total["errors"].append(result["error"])
    return total


def _since(source: str, stream: str, since: datetime) -> dict:
    """A bookmark that starts a backfill at `since` (position 0: any page may follow it)."""
    if source == "freshdesk":
        return {"updated_since": since.strftime("%Y-%m-%dT%H:%M:%SZ"), "position": 0}
    return {"start_time": int(since.timestamp()), "position": 0}


def register_cron(cron, settings: Settings) -> None:
    """One poll job per configured stream, every BREATHER_POLL_SECONDS."""
    for source in settings.sources:
        for stream in STREAMS[source]:
            cron.register(poll_stream, queue_name=settings.queue_name, args=(source, stream),
                          interval=settings.poll_seconds, job_timeout=LOCK_TTL,
                          name=f"poll:{source}:{stream}")
