"""A poll job never outlives its RQ job_timeout: a long Retry-After or a slow backfill commits
what it has and stops before the timeout; the next run resumes from the bookmark."""

from __future__ import annotations

import time

import pytest
from faults import customer_comment_ids, recent_zendesk
from rq import Queue
from servers import LiveServer

from workers import bookmarks, keys, poll
from workers.rq_workers import SimpleWorker


@pytest.fixture
def zendesk(monkeypatch, redis_url):
    vendor = recent_zendesk(tickets=6)
    vendor.page_size = 4  # five pages: within one run's share of the export limit
    with LiveServer(vendor) as server:
        vendor.url = server.url
        monkeypatch.setenv("REDIS_URL", redis_url)
        monkeypatch.setenv("ZENDESK_URL", server.url)
        monkeypatch.setenv("ZENDESK_EMAIL", "ops@example.com")
        monkeypatch.setenv("ZENDESK_TOKEN", "secret")
        monkeypatch.setenv("BREATHER_DISABLE", "tone")
        yield vendor


def run_poll(redis, stream: str, job_timeout: int) -> tuple[dict, float]:
    """Run one poll job under RQ with this job_timeout; (its result, seconds it took)."""
    queue = Queue("breather", connection=redis)
    job = queue.enqueue(poll.poll_stream, "zendesk", stream, job_timeout=job_timeout)
    started = time.monotonic()
    SimpleWorker([queue], connection=redis).work(burst=True)
    took = time.monotonic() - started
    assert job.get_status() == "finished", job.latest_result().exc_string
    return job.return_value(), took


def counted(redis) -> int:
    return sum(int(v) for v in redis.hgetall(keys.MESSAGE_COUNTS).values())


def test_a_five_minute_retry_after_stops_the_poll_before_its_timeout(redis, zendesk):
    """Retry-After: 300 inside a job with 10 s to go: the first page stays committed, the job
    ends 'partial' at once instead of sleeping past its timeout, the next run resumes."""
    run_poll(redis, "agents", 60)
    run_poll(redis, "tickets", 60)
    first_page = {"n": 0}
    original = zendesk._events

    def events_then_429(request):
        first_page["n"] += 1
        if first_page["n"] == 2:
            return zendesk.json({"error": "slow down"}, 429, {"Retry-After": "300"})
        return original(request)

    zendesk._events = events_then_429
    result, took = run_poll(redis, "messages", poll.TIME_MARGIN + 10)
    assert result["status"] == "partial" and "time limit" in result["error"]
    assert result["pages"] == 1 and took < 10
    assert bookmarks.get_bookmark(redis, "zendesk", "messages")["position"] > 0
    result, _ = run_poll(redis, "messages", 60)
    assert result["status"] == "ok"
    SimpleWorker([Queue("breather", connection=redis)], connection=redis).work(burst=True)
    assert counted(redis) == len(customer_comment_ids(zendesk))


def test_a_slow_backfill_commits_page_by_page_and_resumes_in_the_next_run(redis, zendesk):
    """Every events answer takes 1.5 s and the job has 4 s: each run commits the pages it got
    and stops in time; a few runs later every message is counted exactly once."""
    run_poll(redis, "agents", 60)
    run_poll(redis, "tickets", 60)
    zendesk.stall("ticket_events", 1.5, times=100)
    runs = []
    for _ in range(8):
        result, took = run_poll(redis, "messages", int(poll.TIME_MARGIN) + 4)
        runs.append(result["status"])
        assert took < 4 + 2, (result, took)
        if result["status"] == "ok":
            break
    assert runs[0] == "partial" and runs[-1] == "ok", runs
    SimpleWorker([Queue("breather", connection=redis)], connection=redis).work(burst=True)
    assert counted(redis) == len(customer_comment_ids(zendesk))
